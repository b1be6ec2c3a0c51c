"""Table rows split into their label and their numbers, and tables sorted by the section they
belong to (by their words, since headings are often lost or garbled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from parsers.cells import Number, cell_numbers, label_key
from parsers.errors import ParseError
from parsers.extract import Block

Section = Literal["active", "applications", "review"]

MAX_LABEL = 200  # characters of a row's label: the template's longest is under 60
MAX_CELLS = 100_000  # cells of a document's tables: a report's three tables hold some 300
MAX_SECTION_ROWS = 200  # rows read of a section: its standard table (≤ 30) comes first

_KEYWORDS: dict[Section, tuple[str, ...]] = {
    "active": ("第二十条", "信息内容", "规章", "规范性文件", "行政许可", "行政处罚", "行政强制",
               "行政事业性收费", "集中采购"),
    "applications": ("申请人", "自然人", "新收", "结转", "予以公开", "不予公开", "无法提供",
                     "不予处理", "其他处理", "部分公开"),
    "review": ("行政复议", "行政诉讼", "直接起诉", "复议后起诉", "结果维持", "结果纠正",
               "尚未审结"),
}  # fmt: skip


@dataclass(frozen=True)
class DataRow:
    """A row as label text and number cells. `positions` place each number cell in the row's
    value region: the cells after the last label cell, trailing blanks dropped (`width` of them).
    `span` counts the region's cells with its trailing blanks: a row cut off (a page saved
    half-loaded) spans fewer cells than its table has columns, a row left blank at its end not."""

    label: str
    cells: tuple[tuple[Number, ...], ...]
    positions: tuple[int, ...]
    width: int
    span: int

    @property
    def has_numbers(self) -> bool:
        return bool(self.cells)


def split_row(row: Sequence[str]) -> DataRow:
    """The label is the row's words before its first number that follows a word (a number
    before any word numbers the row). A word between numbers ('见附件' where a number belongs)
    is a value cell without a number: it never moves the numbers after it. Words after the last
    number make the whole row a label (a header: '采购总金额(单位:万元,保留 4 位小数)')."""
    kinds = [cell_numbers(cell) for cell in row]
    words = [i for i, kind in enumerate(kinds) if kind is None]
    last_number = max((i for i, kind in enumerate(kinds) if kind), default=-1)
    if words and words[-1] > last_number:
        label_end = words[-1]
    else:
        values = next((i for i in range(words[0], len(kinds)) if kinds[i]), 0) if words else 0
        label_end = max((i for i in words if i < values), default=-1)
    labels: list[str] = []
    for cell in row[: label_end + 1]:
        key = label_key(cell)
        if key and (not labels or labels[-1] != key):
            labels.append(key)
    region = [kind or [] for kind in kinds[label_end + 1 :]]
    span = len(region)
    while region and not region[-1]:
        region.pop()
    numbered = [(i, tuple(kind)) for i, kind in enumerate(region) if kind]
    return DataRow(
        label="".join(labels)[:MAX_LABEL],
        cells=tuple(cell for _, cell in numbered),
        positions=tuple(i for i, _ in numbered),
        width=len(region),
        span=span,
    )


def sections(blocks: Sequence[Block]) -> dict[Section, list[DataRow]]:
    """The rows of each section's tables, in order, the first MAX_SECTION_ROWS of them. A
    table without telling words continues the section of the table before it (a table split by
    a page or a blank line)."""
    cells = sum(len(row) for block in blocks if not isinstance(block, str) for row in block)
    if cells > MAX_CELLS:
        raise ParseError("too_large", f"tables of {cells} cells, over the {MAX_CELLS}-cell limit")
    found: dict[Section, list[DataRow]] = {"active": [], "applications": [], "review": []}
    current: Section | None = None
    for block in blocks:
        if isinstance(block, str):
            continue
        text = label_key("".join(cell for row in block for cell in row))
        hits = {
            section: sum(word in text for word in words) for section, words in _KEYWORDS.items()
        }
        best = max(hits, key=hits.__getitem__)
        if hits[best]:
            current = best
        if current is not None:
            room = MAX_SECTION_ROWS - len(found[current])  # an appendix table may follow
            found[current].extend(split_row(row) for row in block[: max(room, 0)])
    return found
