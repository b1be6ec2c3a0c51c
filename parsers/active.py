"""Section 二: documents and items disclosed on the organ's own initiative."""

from __future__ import annotations

from collections.abc import Sequence

from parsers.cells import Number
from parsers.rows import DataRow
from parsers.templates import MONEY_COLUMNS, ActiveRow, Template

MIN_KEPT = 3  # characters of a keyword a cut label keeps: '行政' begins three rows


def active_disclosure(
    rows: Sequence[DataRow], template: Template
) -> tuple[dict[str, dict[str, Number | None]], dict[str, str], frozenset[str]]:
    """The table, the statuses of its cells, and the rows the report shows."""
    found: dict[str, DataRow] = {}
    cut: dict[str, list[DataRow]] = {}
    for row in rows:
        if not row.has_numbers:
            continue
        spec = next((spec for spec in template.active_rows if spec.keyword in row.label), None)
        if spec:
            found.setdefault(spec.key, row)
        elif spec := cut_short(row.label, template.active_rows):
            cut.setdefault(spec.key, []).append(row)
    for key, candidates in cut.items():
        if key not in found and len(candidates) == 1:
            found[key] = candidates[0]
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


def cut_short(label: str, specs: Sequence[ActiveRow]) -> ActiveRow | None:
    """The one row whose keyword the label ends with, its last characters lost or misread (OCR
    reads '行政强' or '行政强册' for 行政强制: at least MIN_KEPT of its first characters, then no
    more characters than it lost), or one of its characters misread ('行政领制'). None when no
    row, or more than one, fits."""
    fits = [spec for spec in specs if _ends_cut(label, spec.keyword)]
    return fits[0] if len(fits) == 1 else None


def _ends_cut(label: str, keyword: str) -> bool:
    tail = label[-len(keyword) :]
    whole = len(keyword) > MIN_KEPT and len(tail) == len(keyword)
    if whole and sum(a != b for a, b in zip(tail, keyword, strict=True)) == 1:
        return True  # one character misread
    for kept in range(MIN_KEPT, len(keyword)):
        for misread in range(len(keyword) - kept + 1):  # the lost ones read as others
            end = len(label) - misread
            if end >= kept and label[end - kept : end] == keyword[:kept]:
                return True
    return False


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
