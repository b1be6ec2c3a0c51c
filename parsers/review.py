"""Section 四: administrative reconsideration and litigation, fifteen numbers in one row."""

from __future__ import annotations

from collections.abc import Sequence

from parsers.cells import Number
from parsers.repair import Cell, Identity, check, fixed
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


def review_litigation(
    rows: Sequence[DataRow],
) -> tuple[dict[str, dict[str, Number | None]], dict[str, str], list[dict]]:
    values: dict[Cell, Number | None] = dict.fromkeys(_CELLS)
    data = max(rows, key=lambda row: len(row.cells), default=None)
    if data is not None and len(data.cells) >= len(_CELLS):
        values = dict(zip(_CELLS, (cell[0] for cell in data.cells), strict=False))
    elif data is not None and data.width >= len(_CELLS):
        offset = data.width - len(_CELLS)
        for position, cell in zip(data.positions, data.cells, strict=True):
            if position >= offset:
                values[_CELLS[position - offset]] = cell[0]
    printed = {cell for cell, value in values.items() if value is not None}
    values |= fixed(values, IDENTITIES)
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
    return table, status, [check(values, identity) for identity in IDENTITIES]
