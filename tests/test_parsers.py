import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from parsers import PARSER_VERSION, ParseError, parse
from parsers.extract import MAX_BYTES, sniff_media_type
from parsers.extract.docx import MAX_XML
from parsers.extract.text import decode
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.render.blocks import SEED_NAMES, SEEDS
from tests.fixtures.render.worddoc import zip_bomb
from tests.limits import measured
from xxgk.parsing import ParseService
from xxgk.records import Error

STATUSES = {"inferred", "missing", "derived"}


def seed_bytes(name: str) -> bytes:
    return (SEEDS / f"{name}.txt").read_bytes()


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_text_gives_the_expected_record(name: str) -> None:
    record = parse(seed_bytes(name), "text/plain", f"{name}.txt")
    diff = differences(record, load_expected(name))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_record_is_complete_and_json_ready(name: str) -> None:
    record = parse(seed_bytes(name))
    assert record["schema"] == "xxgk.report/1"
    assert set(record) >= {"checks", "sections", "cell_status", "region"}
    assert set(record["cell_status"].values()) <= STATUSES
    assert record["sections"]["overview"]
    assert all(check["passed"] in (True, False, None) for check in record["checks"])
    json.dumps(record, ensure_ascii=False)
    assert PARSER_VERSION


def test_every_identity_is_checked_and_a_broken_printed_total_fails() -> None:
    record = parse(seed_bytes("002_3c99cf29d2b59166"))
    checks = {check["name"]: check for check in record["checks"]}
    assert len(checks) == 23 + 7 * 2 + 3
    assert checks["review_litigation.litigation_after_review"] == {
        "name": "review_litigation.litigation_after_review",
        "passed": False,
        "detail": "1+0+0+1 = 2 ≠ 0",
    }
    assert checks["applications.column.natural_person.balance"]["passed"] is True
    assert record["review_litigation"]["litigation_after_review"]["total"] == 0


def test_unknown_cells_leave_their_identities_undecided() -> None:
    record = parse(seed_bytes("004_49c0d768678019fb"))
    checks = {check["name"]: check for check in record["checks"]}
    assert checks["applications.row.granted"]["passed"] is None
    assert checks["applications.column.research.results"]["passed"] is True


def test_sections_hold_the_narrative_between_headings() -> None:
    sections = parse(seed_bytes("000_332b3b6b687ea38f"))["sections"]
    assert sections["overview"].startswith("(一) 主动公开情况")
    assert sections["problems"].startswith("2019年, 我县政府信息公开")
    assert sections["other"] == "无"


def _pdf(draw_text: bool, encrypt: StandardEncryption | None = None) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=encrypt)
    if draw_text:
        page.drawString(72, 720, "report")
    page.rect(72, 72, 300, 200)
    page.line(72, 400, 500, 400)
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type", "name", "kind"),
    [
        (b"", None, None, "empty"),
        (b"  \n\t ", "text/plain", "a.txt", "empty"),
        (os.urandom(4096), "application/pdf", "report.pdf", "corrupt"),
        (os.urandom(4096), None, "report.pdf", "corrupt"),
        (b"%PDF-1.4\n" + os.urandom(4096), None, None, "corrupt"),
        (b"<p>" + bytes(range(256)) * 16, None, "report.pdf", "corrupt"),  # binary, not HTML
        (_pdf(draw_text=False), "application/pdf", "scan.pdf", "needs_ocr"),
        (_pdf(draw_text=True, encrypt=StandardEncryption("secret")), None, None, "encrypted"),
        (b"PK\x03\x04" + os.urandom(200), None, "report.docx", "corrupt"),
        (
            "<html><body><h1>《汝阳县人民政府2019年政府信息公开工作年度报告》解读</h1>"
            "<p>一、总体情况：报告全面反映了2019年的工作。</p></body></html>".encode(),
            "text/html",
            "jiedu.html",
            "not_a_report",
        ),
        ("<html><body><p>关于开展安全生产检查的通知</p></body></html>".encode("gbk"), None, None,
         "not_a_report"),
    ],
)  # fmt: skip
def test_bad_input_raises_parse_error(
    data: bytes, media_type: str | None, name: str | None, kind: str
) -> None:
    with pytest.raises(ParseError) as raised:
        parse(data, media_type, name)
    assert raised.value.kind == kind
    assert raised.value.message


OLD_FORMAT = (
    "<html><body><h1>汝阳县人民政府2017年政府信息公开工作年度报告</h1>"
    "<p>一、概述</p><p>二、主动公开政府信息情况</p>"
    "<table><tr><td>指标</td><td>单位</td><td>数量</td></tr>"
    "<tr><td>主动公开政府信息数</td><td>条</td><td>1234</td></tr>"
    "<tr><td>其中：主动公开规范性文件数</td><td>条</td><td>12</td></tr>"
    "<tr><td>收到申请数</td><td>件</td><td>30</td></tr></table></body></html>"
)


def test_a_report_before_the_2019_format_is_old_template_not_a_record() -> None:
    with pytest.raises(ParseError) as raised:
        parse(OLD_FORMAT.encode(), "text/html")
    assert raised.value.kind == "old_template"
    assert "2017" in raised.value.message


def test_a_report_in_the_format_is_read_whatever_year_its_title_says() -> None:
    text = (
        seed_bytes("000_332b3b6b687ea38f")
        .decode()
        .replace("2019年政府信息公开", "2018年政府信息公开")
    )
    record = parse(text.encode())
    assert record["year"] == 2018 and record["applications"]


def test_truncated_report_gives_what_is_there() -> None:
    text = seed_bytes("000_332b3b6b687ea38f").decode()
    record = parse(text[: text.index("三、收到和处理")].encode())
    assert record["title"] == "汝阳县人民政府2019年政府信息公开工作年度报告"
    assert record["active_disclosure"]["licensing"]["decisions"] == 6869
    assert record["applications"]["granted"]["total"] is None
    assert record["cell_status"]["applications.granted.total"] == "missing"
    assert record["cell_status"]["review_litigation.review.total"] == "missing"


def test_parse_file_gives_a_record_or_the_error(tmp_path: Path) -> None:
    good = tmp_path / "report.txt"
    good.write_bytes(seed_bytes("003_351f4af2c3a8fcf1"))
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(_pdf(draw_text=False))
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    service = ParseService(strict=True)
    record, error = service.parse_file(good)
    assert error is None and record is not None
    assert record["organ"] == "洛宁县人民政府"
    assert service.parse_file(bad)[0] is None
    assert service.parse_file(bad)[1].kind == "needs_ocr"  # type: ignore[union-attr]
    assert service.parse_file(huge) == (
        None,
        Error("too_large", f"over the {MAX_BYTES}-byte limit"),
    )
    missing, unreadable = service.parse_file(tmp_path / "absent.pdf")
    assert missing is None and unreadable is not None and unreadable.kind == "unreadable"


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(ParseError) as raised:
        parse(bytes(MAX_BYTES + 1))
    assert raised.value.kind == "too_large"


SECONDS = 3.0
PEAK_BYTES = 64 * 1024 * 1024


def _scanned_pdf() -> bytes:
    """A page that is one image, of noise: OCR finds no text on it."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    noise = Image.frombytes("L", (600, 800), os.urandom(600 * 800))
    page.drawImage(ImageReader(noise), 0, 0, width=595, height=842)
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda: b"", "empty.pdf", "empty"),
        (lambda: os.urandom(1024 * 1024), "report.pdf", "corrupt"),
        (lambda: _pdf(draw_text=True, encrypt=StandardEncryption("secret")), None, "encrypted"),
        (_scanned_pdf, "scan.pdf", "needs_ocr"),
        (lambda: zip_bomb(MAX_XML + (1 << 20)), "report.docx", "too_large"),
    ],
    ids=["empty", "random-bytes", "encrypted-pdf", "image-only-pdf", "docx-zip-bomb"],
)
def test_bad_input_is_refused_quickly_in_bounded_memory(
    make: Callable[[], bytes], name: str | None, kind: str
) -> None:
    data = make()
    assert len(data) < 2 * 1024 * 1024
    error, seconds, peak = measured(lambda: parse(data, None, name))
    assert isinstance(error, ParseError)
    assert error.kind == kind
    assert seconds < SECONDS
    assert peak < PEAK_BYTES


def test_a_200_mb_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as file:
        file.truncate(200 * 1024 * 1024)
    result, seconds, peak = measured(lambda: ParseService().parse_file(huge))
    assert result == (None, Error("too_large", f"over the {MAX_BYTES}-byte limit"))
    assert seconds < SECONDS
    assert peak < PEAK_BYTES


def test_gbk_page_declared_utf8_still_decodes() -> None:
    name = "001_c09b12af01aeb506"
    page = (OUT / f"{name}.gbk.html").read_bytes().replace(b"charset=gbk", b"charset=utf-8")
    assert b"charset=utf-8" in page
    record = parse(page, "text/html; charset=utf-8", "report.html")
    assert record["title"] == load_expected(name)["title"]
    assert record["applications"] == load_expected(name)["applications"]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ('<meta charset="gb2312"><p>朱镕基 𠮷</p>'.encode("gb18030"), "朱镕基 𠮷"),  # GBK, GB18030
        ("<?xml version='1.0' encoding='GBK'?><p>年度报告</p>".encode("gbk"), "年度报告"),
        ('<meta charset="utf-8"><p>年度报告</p>'.encode("gbk"), "年度报告"),  # declared wrong
        ("年度报告\t1".encode("gbk"), "年度报告\t1"),
        ("年度报告".encode("utf-16"), "年度报告"),  # by its BOM
        ("\ufeff年度报告".encode(), "年度报告"),
    ],
    ids=["gb2312-as-gb18030", "xml-declaration", "wrong-declaration", "undeclared-gbk", "utf-16",
         "utf-8-bom"],
)  # fmt: skip
def test_text_is_decoded_by_its_declared_charset_or_the_bytes(data: bytes, text: str) -> None:
    assert text in decode(data)
    assert "\ufffd" not in decode(data)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"\n%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04" + bytes(30), "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"  <!DOCTYPE html><html>", "text/html"),
        ("<div>年度报告</div>".encode("gbk"), "text/html"),
        (b"<p>" + bytes(range(256)) * 16, None),
        ("一、总体情况".encode(), None),
    ],
)
def test_the_bytes_show_their_media_type(data: bytes, media_type: str | None) -> None:
    assert sniff_media_type(data) == media_type
