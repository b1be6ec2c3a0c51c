"""DOC/WPS to DOCX with LibreOffice, at the pipeline's edge before the pure parser."""

import pytest

from parsers import ParseError, parse
from parsers.cli import parse_files
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import differences
from tests.test_parsers_official import undamaged
from xxgk.convert import convert, soffice, to_docx

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


def test_parse_files_converts_when_asked(doc: bytes, tmp_path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(doc)
    refused, converted = (*parse_files([str(path)]), *parse_files([str(path)], to_docx))
    assert refused["error"]["kind"] == "unsupported"
    assert converted["title"] == undamaged(NAME)["title"]


def test_other_formats_pass_unconverted() -> None:
    data = (OUT / f"{NAME}.docx").read_bytes()
    assert to_docx(data) is data
