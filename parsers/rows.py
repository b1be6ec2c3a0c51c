"""Table rows split into their label and their numbers, and tables sorted by the section they
belong to (by their words, since headings are often lost or garbled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from parsers.cells import Number, cell_numbers, label_key
from parsers.extract import Block

Section = Literal["active", "applications", "review"]

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
    kinds = [cell_numbers(cell) for cell in row]
    label_end = max((i for i, kind in enumerate(kinds) if kind is None), default=-1)
    labels: list[str] = []
    for cell in row[: label_end + 1]:
        key = label_key(cell)
        if key and (not labels or labels[-1] != key):
            labels.append(key)
    region = kinds[label_end + 1 :]
    span = len(region)
    while region and not region[-1]:
        region.pop()
    numbered = [(i, tuple(kind)) for i, kind in enumerate(region) if kind]
    return DataRow(
        label="".join(labels),
        cells=tuple(cell for _, cell in numbered),
        positions=tuple(i for i, _ in numbered),
        width=len(region),
        span=span,
    )


def sections(blocks: Sequence[Block]) -> dict[Section, list[DataRow]]:
    """The rows of each section's tables, in order. A table without telling words continues
    the section of the table before it (a table split by a page or a blank line)."""
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
            found[current].extend(split_row(row) for row in block)
    return found
