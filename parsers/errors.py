"""The one exception `parse` lets out for bad input."""

from __future__ import annotations

from typing import Literal

# not_a_report: readable, but none of the report's tables (a notice, an interpretation page)
# needs_ocr: an image, or a PDF without a text layer
# corrupt: damaged or not the format it claims to be
# encrypted: a PDF that needs a password
# unsupported: a format the pure parser does not read (DOC/WPS/RTF: convert with xxgk.convert)
# too_large: over a size limit (the file, its pages, or what its archive unpacks to)
# empty: no content
# unreadable: the file could not be read (an OS error); only `parsers.cli.parse_files` gives it
ErrorKind = Literal[
    "not_a_report", "needs_ocr", "corrupt", "encrypted", "unsupported", "too_large", "empty",
    "unreadable",
]  # fmt: skip


class ParseError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
