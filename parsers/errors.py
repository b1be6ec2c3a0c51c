"""The one exception `parse` lets out for bad input."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "not_a_report", "needs_ocr", "corrupt", "encrypted", "unsupported", "too_large", "empty"
]


class ParseError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
