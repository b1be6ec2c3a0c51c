import io
import json
import os

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from parsers import PARSER_VERSION, ParseError, parse
from parsers.cli import parse_files
from parsers.extract import MAX_BYTES
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.parser.make_fixtures import SEED_NAMES, SEEDS

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


# The official 2021 layout: labels spanning rows and columns, as portals publish it.
_OFFICIAL_2021 = [
    ("一、本年新收政府信息公开申请数量", None, "new_received"),
    ("二、上年结转政府信息公开申请数量", None, "carried_over"),
    ("（一）予以公开", None, "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partially_granted"),
    ("（三）不予公开", "1．属于国家秘密", "denied_state_secret"),
    ("（三）不予公开", "2．其他法律行政法规禁止公开", "denied_prohibited"),
    ("（三）不予公开", "3．危及“三安全一稳定”", "denied_security_stability"),
    ("（三）不予公开", "4．保护第三方合法权益", "denied_third_party"),
    ("（三）不予公开", "5．属于三类内部事务信息", "denied_internal_affairs"),
    ("（三）不予公开", "6．属于四类过程性信息", "denied_process_info"),
    ("（三）不予公开", "7．属于行政执法案卷", "denied_enforcement_file"),
    ("（三）不予公开", "8．属于行政查询事项", "denied_inquiry"),
    ("（四）无法提供", "1．本机关不掌握相关政府信息", "unable_not_held"),
    ("（四）无法提供", "2．没有现成信息需要另行制作", "unable_needs_creation"),
    ("（四）无法提供", "3．补正后申请内容仍不明确", "unable_unclear"),
    ("（五）不予处理", "1．信访举报投诉类申请", "rejected_complaint"),
    ("（五）不予处理", "2．重复申请", "rejected_duplicate"),
    ("（五）不予处理", "3．要求提供公开出版物", "rejected_publication"),
    ("（五）不予处理", "4．无正当理由大量反复申请", "rejected_excessive"),
    ("（五）不予处理", "5．要求行政机关确认或重新出具已获取信息", "rejected_confirmation"),
    ("（六）其他处理", "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "other_no_correction"),
    ("（六）其他处理", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
     "other_no_fee"),
    ("（六）其他处理", "3．其他", "other_misc"),
    ("（七）总计", None, "total_handled"),
    ("四、结转下年度继续办理", None, "carried_forward"),
]  # fmt: skip
_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
            "other_org", "total")  # fmt: skip


def _official_table(values: dict) -> str:
    rows = [
        "<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，"
        "等于第三项加第四项之和）</td><td colspan='7'>申请人情况</td></tr>",
        "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td>"
        "<td rowspan='2'>总计</td></tr>",
        "<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会公益<br>组织</td>"
        "<td>法律服务<br>机构</td><td>其他</td></tr>",
    ]
    results = sum(1 for label in _OFFICIAL_2021 if label[0].startswith("（"))
    groups_seen: set[str] = set()
    for n, (group, item, key) in enumerate(_OFFICIAL_2021):
        numbers = "".join(f"<td>&nbsp;{values[key][c]}&nbsp;</td>" for c in _COLUMNS)
        head = f"<td rowspan='{results}'>三、本年度办理结果</td>" if n == 2 else ""
        if item is None and group.startswith("（"):
            label = f"<td colspan='2'>{group}</td>"
        elif item is None:
            label = f"<td colspan='3'>{group}</td>"
        else:
            span = sum(1 for other in _OFFICIAL_2021 if other[0] == group)
            label = "" if group in groups_seen else f"<td rowspan='{span}'>{group}</td>"
            label += f"<td>{item}</td>"
            groups_seen.add(group)
        rows.append(f"<tr>{head}{label}{numbers}</tr>")
    return "<table border='1'><tbody>" + "\n".join(rows) + "</tbody></table>"


def test_html_table_with_rowspan_and_colspan() -> None:
    expected = load_expected("001_c09b12af01aeb506")["applications"]
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
        "<title>温县人民政府2022年政府信息公开工作年度报告_温县人民政府</title></head><body>"
        "<div class='TRS_Editor'><p style='text-align:center'>温县人民政府2022年政府信息公开工作"
        "年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
        f"{_official_table(expected)}</div></body></html>"
    ).encode("gb18030")
    record = parse(page, "text/html")
    assert record["template"] == "2021"
    assert record["title"] == "温县人民政府2022年政府信息公开工作年度报告"
    assert record["applications"] == expected
    assert {key for key in record["cell_status"] if key.startswith("applications.")} == {
        f"applications.other_handling.{column}" for column in _COLUMNS
    }
    assert all(check["passed"] for check in record["checks"] if check["name"].startswith("app"))


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
        (_pdf(draw_text=False), "application/pdf", "scan.pdf", "needs_ocr"),
        (_pdf(draw_text=True, encrypt=StandardEncryption("secret")), None, None, "encrypted"),
        (b"PK\x03\x04" + os.urandom(200), None, "report.docx", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), None, "report.doc", "unsupported"),
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


def test_truncated_report_gives_what_is_there() -> None:
    text = seed_bytes("000_332b3b6b687ea38f").decode()
    record = parse(text[: text.index("三、收到和处理")].encode())
    assert record["title"] == "汝阳县人民政府2019年政府信息公开工作年度报告"
    assert record["active_disclosure"]["licensing"]["decisions"] == 6869
    assert record["applications"]["granted"]["total"] is None
    assert record["cell_status"]["applications.granted.total"] == "missing"
    assert record["cell_status"]["review_litigation.review.total"] == "missing"


def test_parse_files_yields_records_and_errors(tmp_path) -> None:
    good = tmp_path / "report.txt"
    good.write_bytes(seed_bytes("003_351f4af2c3a8fcf1"))
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(_pdf(draw_text=False))
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    record, scan, too_large = parse_files([str(good), str(bad), str(huge)])
    assert record["source"] == {"path": str(good)}
    assert record["organ"] == "洛宁县人民政府"
    assert scan["error"]["kind"] == "needs_ocr"
    assert too_large == {
        "source": {"path": str(huge)},
        "error": {"kind": "too_large", "message": too_large["error"]["message"]},
    }


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(ParseError) as raised:
        parse(bytes(MAX_BYTES + 1))
    assert raised.value.kind == "too_large"
