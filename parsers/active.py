"""Section 二: documents and items disclosed on the organ's own initiative."""

from __future__ import annotations

from collections.abc import Sequence

from parsers.cells import Number
from parsers.rows import DataRow
from parsers.templates import MONEY_COLUMNS, ActiveRow, Template


def active_disclosure(
    rows: Sequence[DataRow], template: Template
) -> tuple[dict[str, dict[str, Number | None]], dict[str, str], frozenset[str]]:
    """The table, the statuses of its cells, and the rows the report shows."""
    found: dict[str, DataRow] = {}
    for row in rows:
        spec = next((spec for spec in template.active_rows if spec.keyword in row.label), None)
        if spec and row.has_numbers:
            found.setdefault(spec.key, row)
    table: dict[str, dict[str, Number | None]] = {}
    status: dict[str, str] = {}
    for spec in template.active_rows:
        table[spec.key] = _values(found.get(spec.key), spec)
        status |= {
            f"active_disclosure.{spec.key}.{column}": "missing"
            for column, value in table[spec.key].items()
            if value is None
        }
    return table, status, frozenset(found)


def _values(row: DataRow | None, spec: ActiveRow) -> dict[str, Number | None]:
    """Numbers in order when the row prints one per column, else by their place in the row."""
    cells: list[Number | None] = [None] * len(spec.columns)
    if row is not None:
        numbers = [value for cell in row.cells for value in cell]
        if len(numbers) == len(spec.columns):
            cells = list(numbers)
        else:
            for position, cell in zip(row.positions, row.cells, strict=True):
                if position < len(cells):
                    cells[position] = cell[0]
    return {
        column: float(value) if column in MONEY_COLUMNS and value is not None else value
        for column, value in zip(spec.columns, cells, strict=True)
    }
