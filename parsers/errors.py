"""The one exception `parse` lets out for bad input; any other exception is a parser bug."""

from __future__ import annotations

from xxgk.records import ParseErrorKind


class ParseError(Exception):
    def __init__(self, kind: ParseErrorKind, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
