from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Row = list[str]
Table = list[Row]
Block = str | Table


@dataclass(frozen=True)
class Extraction:
    """A document's blocks, and which of its pages (1-based) were read by OCR, with the mean
    confidence of the words read there."""

    blocks: list[Block]
    ocr_pages: tuple[int, ...] = ()
    ocr_confidence: float | None = None


def join_pages(pages: Sequence[Sequence[Block]]) -> list[Block]:
    """A table that ends one page and starts the next with as many columns is one table."""
    blocks: list[Block] = []
    for page in pages:
        first = page[0] if page else None
        last = blocks[-1] if blocks else None
        if isinstance(first, list) and isinstance(last, list) and len(first[0]) == len(last[0]):
            last.extend(first)
            page = page[1:]
        blocks.extend(page)
    return blocks
