"""DOC/WPS to DOCX with LibreOffice, at the pipeline's edge before the pure parser."""

import pytest

from parsers import ParseError, parse
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import differences
from tests.test_parsers_official import undamaged
from xxgk.convert import convert, soffice, to_docx
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
