"""Merged cells spread over the grid positions they cover."""

from __future__ import annotations

from parsers.cells import is_label


def covered(text: str, *, below: bool) -> str:
    """What a position covered by a merged cell (but not its origin) holds: a label repeats
    down the rows it spans, so each sub-row keeps its group ('(三)不予公开'); nothing repeats
    across columns, and a number never repeats."""
    return text if below and is_label(text) else ""
