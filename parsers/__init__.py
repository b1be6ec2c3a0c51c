"""Parse government information-disclosure annual reports into `xxgk.report/1` records.

Pure functions: bytes in, record out; no I/O, no network.
"""

from __future__ import annotations

from parsers.errors import ParseError

__all__ = ["PARSER_VERSION", "ParseError", "parse"]

#: Covers every reader in `parsers`, the report page's metadata included: bump it when any changes.
PARSER_VERSION = "0.3.0"


def parse(data: bytes, media_type: str | None = None, name: str | None = None) -> dict:
    """An `xxgk.report/1` record of a report file (PDF, DOCX, HTML or text, sniffed from the
    bytes). Raises ParseError for input that is not a readable report; any other exception is
    a bug of the parser's."""
    # here, not at the top: a crawl imports `parsers.extract` (its sniffer) and would load
    # scipy with `parsers.record` for nothing (+55 MB and 0.6 s per crawl process)
    from parsers.extract import extract_blocks
    from parsers.record import build_record

    return build_record(extract_blocks(data, media_type, name))
