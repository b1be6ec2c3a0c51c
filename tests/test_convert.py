"""DOC/WPS to DOCX with LibreOffice, at the pipeline's edge before the pure parser."""

import io
import zipfile

import pytest

from parsers import ParseError, parse
from parsers.extract import MAX_BYTES
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import differences
from tests.test_parsers_official import undamaged
from xxgk.convert import container_members, convert, is_container, soffice, to_docx
from xxgk.parsing import ParseService

NAME = "001_c09b12af01aeb506"


@pytest.fixture(scope="module")
def doc() -> bytes:
    if soffice() is None:
        pytest.skip(
            "LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer-nogui"
        )
    return convert((OUT / f"{NAME}.docx").read_bytes(), "docx", "doc")


@pytest.mark.parametrize(
    "data",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), b"{\\rtf1\\ansi \\f0 report}"],
    ids=["ole2", "rtf"],
)
def test_parser_refuses_legacy_word_and_names_the_converter(data: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse(data, "application/msword", "report.doc")
    assert raised.value.kind == "unsupported"
    assert raised.value.message.startswith("DOC/WPS needs LibreOffice")


def test_doc_converted_to_docx_gives_the_seed(doc: bytes) -> None:
    record = parse(to_docx(doc), None, "report.doc")
    diff = differences(record, undamaged(NAME))
    assert not diff, "\n".join(diff)


def test_the_parse_service_converts_a_doc_file(doc: bytes, tmp_path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(doc)
    unconverted = ParseService(strict=True, convert=lambda data: data)
    _, refused = unconverted.parse_file(path)
    converted, error = ParseService(strict=True).parse_file(path)
    assert refused is not None and refused.kind == "unsupported"
    assert error is None and converted is not None
    assert converted["title"] == undamaged(NAME)["title"]


def test_other_formats_pass_unconverted() -> None:
    data = (OUT / f"{NAME}.docx").read_bytes()
    assert to_docx(data) is data


def zipped(members: dict[str, bytes], utf8_names: bool = True) -> bytes:
    """A ZIP of the members; without `utf8_names` their names in GBK and unflagged, as
    Chinese tools write them (written under ASCII stand-ins of the same length, then renamed)."""
    names = {name: name.encode("gbk") for name in members}
    stand_ins = {name: b"n" * len(encoded) for name, encoded in names.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name if utf8_names else stand_ins[name].decode(), data)
    data = buffer.getvalue()
    if not utf8_names:
        for name, stand_in in stand_ins.items():
            data = data.replace(stand_in, names[name])
    return data


def test_a_zip_of_reports_is_a_container_of_its_documents_a_docx_is_not() -> None:
    pdf = (OUT / f"{NAME}.reportlab.pdf").read_bytes()
    members = {
        "2022年年报/温县2022年年报.pdf": pdf,
        "说明.png": b"\x89PNG",
        "__MACOSX/._x.pdf": b"",
    }
    data = zipped(members)
    assert is_container(data)
    assert container_members(data) == [("2022年年报/温县2022年年报.pdf", pdf)]
    assert not is_container((OUT / f"{NAME}.docx").read_bytes())
    with pytest.raises(ParseError) as refused:
        to_docx(data)  # no document itself: its members are
    assert refused.value.kind == "unsupported"


def test_a_zip_from_a_chinese_tool_names_its_members_in_gbk() -> None:
    data = zipped({"温县2022年政府信息公开工作年度报告.txt": "一、总体情况".encode("gbk")}, False)
    assert [name for name, _ in container_members(data)] == [
        "温县2022年政府信息公开工作年度报告.txt"
    ]


def test_a_zip_bomb_is_too_large_and_a_rar_is_unsupported() -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("年报.txt", "w") as member,  # written in chunks, as zip_bomb does
    ):
        for _ in range(MAX_BYTES // (1 << 20) + 1):
            member.write(b" " * (1 << 20))
    bomb = buffer.getvalue()
    assert len(bomb) < MAX_BYTES // 100
    with pytest.raises(ParseError) as too_large:
        container_members(bomb)
    assert too_large.value.kind == "too_large"
    rar = b"Rar!\x1a\x07\x01\x00" + bytes(64)
    assert is_container(rar)
    with pytest.raises(ParseError) as rar_refused:
        to_docx(rar)
    assert (rar_refused.value.kind, rar_refused.value.message) == (
        "unsupported",
        "a RAR archive: archived, not unpacked (no RAR reader installed)",
    )
