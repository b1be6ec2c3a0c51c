"""Section 四: administrative reconsideration and litigation, fifteen numbers in one row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from parsers.cells import Number
from parsers.repair import Cell, Identity, check, doubt, fixed
from parsers.rows import DataRow
from parsers.templates import REVIEW_COLUMNS, REVIEW_GROUPS

_CELLS: tuple[Cell, ...] = tuple(
    (group, column) for group in REVIEW_GROUPS for column in REVIEW_COLUMNS
)
IDENTITIES = tuple(
    Identity(
        f"review_litigation.{group}",
        tuple((group, column) for column in REVIEW_COLUMNS[:-1]),
        ((group, "total"),),
    )
    for group in REVIEW_GROUPS
)


@dataclass(frozen=True)
class Review:
    values: dict[str, dict[str, Number | None]]
    status: dict[str, str]
    checks: list[dict]
    shown: bool  # the table's row of numbers is there
    cut: bool  # that row is absent or stops before its last cells


def review_litigation(rows: Sequence[DataRow], *, read_by_ocr: bool = False) -> Review:
    """`read_by_ocr`: as for section 三, numbers that break an identity are left to them."""
    values: dict[Cell, Number | None] = dict.fromkeys(_CELLS)
    data = max(rows, key=lambda row: len(row.cells), default=None)
    if data is not None and not data.has_numbers:
        data = None
    reached = len(_CELLS)  # the row's cells from the first: those after are absent
    # the table has one row of numbers, so a cell holding several is tight columns run
    # together (`pdftotext -layout`), never cells stacked down a column
    numbers = [number for cell in data.cells for number in cell] if data is not None else []
    if len(numbers) == len(_CELLS):
        values = dict(zip(_CELLS, numbers, strict=True))
    elif data is not None and len(data.cells) >= len(_CELLS):
        values = dict(zip(_CELLS, (cell[0] for cell in data.cells), strict=False))
    elif data is not None and data.width >= len(_CELLS):
        offset = data.width - len(_CELLS)
        for position, cell in zip(data.positions, data.cells, strict=True):
            if position >= offset:
                values[_CELLS[position - offset]] = cell[0]
    elif data is not None:  # the row stops short: its cells are the first ones
        reached = min(data.span, len(_CELLS))
        for position, cell in zip(data.positions, data.cells, strict=True):
            values[_CELLS[position]] = cell[0]
    else:
        reached = 0
    absent = set(_CELLS[reached:])
    printed = {cell for cell, value in values.items() if value is not None}
    if read_by_ocr:
        values, doubted = doubt(values, IDENTITIES, printed)
        printed -= doubted
    values |= {
        cell: value for cell, value in fixed(values, IDENTITIES).items() if cell not in absent
    }
    status = {
        f"review_litigation.{group}.{column}": "inferred"
        if values[group, column] is not None
        else "missing"
        for group, column in _CELLS
        if (group, column) not in printed
    }
    table = {
        group: {column: values[group, column] for column in REVIEW_COLUMNS}
        for group in REVIEW_GROUPS
    }
    checks = [check(values, identity) for identity in IDENTITIES]
    return Review(table, status, checks, shown=data is not None, cut=bool(absent))
