"""A text PDF page as blocks: its ruled tables (pdfplumber's table finder with its default
settings, on the ruling lines of the text layer) and the lines of the characters outside them
(pdfplumber's text lines), top to bottom. A cell holds the characters whose middle it holds,
read as pdfplumber's `Table.extract` reads them; a character in a table's box is in no line, so
text beside a table keeps its line."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Sequence

from pdfplumber.utils import chars_to_textmap, cluster_objects, extract_text
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

from parsers.extract.blocks import Block, Table
from parsers.extract.ruling import ruled_tables
from parsers.extract.textlayer import PageLayer

#: pdfplumber's default table settings: the snap, join and intersection tolerance, and the
#: length under which a joined edge is dropped (its prefilter is `textlayer.MIN_EDGE`).
TOLERANCE = 3
MIN_JOINED = 3

BBox = tuple[float, float, float, float]
Middle = tuple[float, float, int]  # a character's, down and across, and its number


class _Middles:
    """The characters' middles, sorted top to bottom, to find those a box holds."""

    def __init__(self, chars: Sequence[dict]) -> None:
        self.placed: list[Middle] = sorted(
            ((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, n) for n, c in enumerate(chars)
        )
        self.heights = [v for v, _, _ in self.placed]

    def within(self, bbox: BBox) -> list[Middle]:
        """The middles the box holds (pdfplumber's `char_in_bbox`), top to bottom."""
        start = bisect_left(self.heights, bbox[1])
        return _held(bbox, self.placed[start : bisect_left(self.heights, bbox[3])])


def _held(bbox: BBox, middles: Sequence[Middle]) -> list[Middle]:
    x0, top, x1, bottom = bbox
    return [m for m in middles if x0 <= m[1] < x1 and top <= m[0] < bottom]


def _numbers(bbox: BBox, middles: Sequence[Middle]) -> list[int]:
    """The numbers of the characters whose middle the box holds, in page order."""
    return sorted(n for _, _, n in _held(bbox, middles))


def blocks(layer: PageLayer) -> list[Block]:
    chars = layer.chars
    tables = ruled_tables(layer.edges, TOLERANCE, TOLERANCE, TOLERANCE, min_length=MIN_JOINED)
    middles = _Middles(chars)
    placed: list[tuple[float, Block]] = []
    inside: set[int] = set()
    for table in tables:
        inside.update(n for _, _, n in middles.within(table.bbox))
        rows: Table = []
        for row in table.rows:
            held = middles.within(row.bbox)
            rows.append(
                [
                    "" if cell is None else _cell_text([chars[n] for n in _numbers(cell, held)])
                    for cell in row.cells
                ]
            )
        placed.append((table.bbox[1], rows))
    rest = [char for n, char in enumerate(chars) if n not in inside]
    if rest:
        lines = chars_to_textmap(
            rest,
            layout_bbox=(0, 0, layer.width, layer.height),
            layout_width=layer.width,
            layout_height=layer.height,
        ).extract_text_lines(strip=True, return_chars=False)
        placed += [(line["top"], line["text"].strip()) for line in lines if line["text"].strip()]
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _cell_text(chars: list[dict]) -> str:
    """The text of a cell's characters, its lines joined without a break. Where each of its
    lines (pdfplumber's clusters of tops) is one word, the words; else pdfplumber's
    `extract_text`."""
    if not chars:
        return ""
    words = [_one_word(line) for line in cluster_objects(chars, _top, DEFAULT_Y_TOLERANCE)]
    if all(words):
        return "".join(words)  # type: ignore[arg-type]
    return "".join(extract_text(chars).split("\n"))


def _top(char: dict) -> float:
    return char["top"]


def _one_word(chars: Sequence[dict]) -> str | None:
    """The text of characters on one line that pdfplumber reads as one word, else None:
    upright, no blank among them, their tops within its line tolerance and no gap wider than
    its word tolerance."""
    if not all(c["upright"] for c in chars):
        return None
    tops = [c["top"] for c in chars]
    if max(tops) - min(tops) > DEFAULT_Y_TOLERANCE:
        return None
    ordered = sorted(chars, key=lambda c: c["x0"])
    for before, after in itertools.pairwise(ordered):
        if after["x0"] > before["x1"] + DEFAULT_X_TOLERANCE:
            return None
    if any(c["text"].isspace() for c in ordered):
        return None
    return "".join(LIGATURES.get(c["text"], c["text"]) for c in ordered)
