"""Parse government information-disclosure annual reports into `xxgk.report/1` records.

Pure functions: bytes in, record out; no I/O, no network.
"""

from __future__ import annotations

from collections.abc import Sequence

from parsers.errors import ParseError
from xxgk.records import ParseContext

__all__ = ["PARSER_VERSION", "ParseError", "parse", "parse_images"]

#: Covers every reader in `parsers`, the report page's metadata included: bump it when any changes.
PARSER_VERSION = "0.5.1"


def parse(
    data: bytes,
    media_type: str | None = None,
    name: str | None = None,
    context: ParseContext | None = None,
) -> dict:
    """An `xxgk.report/1` record of a report file (PDF, DOCX, HTML or text, sniffed from the
    bytes). `context` is what the caller knows of the document (the report page's title and
    发布机构, the portal's region): read where the report itself does not say. Raises
    ParseError for input that is not a readable report; any other exception is a bug of the
    parser's."""
    # here, not at the top: a crawl imports `parsers.extract` (its sniffer) and would load
    # scipy with `parsers.record` for nothing (+55 MB and 0.6 s per crawl process)
    from parsers.extract import docx, extract_blocks, pdf, sniff
    from parsers.record import build_record

    extraction = extract_blocks(data, media_type, name)
    read_properties = {"pdf": pdf.properties, "docx": docx.properties}.get(
        sniff(data, media_type, name)
    )
    return build_record(extraction, read_properties(data) if read_properties else [], context)


def parse_images(images: Sequence[bytes], context: ParseContext | None = None) -> dict:
    """An `xxgk.report/1` record of a report published as images (a report page that pastes
    its pages as `<img>`), read by OCR in the order given."""
    from parsers.extract import images as image_pages
    from parsers.record import build_record

    if not images:
        raise ParseError("empty", "no images")
    return build_record(image_pages.extract_pages(images), (), context)
