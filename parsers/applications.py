"""Section 三: the table of applications received and how they were handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from parsers.cells import Number
from parsers.placement import PrintedRow, place
from parsers.repair import Cell, Identity, check, doubt, fixed
from parsers.rows import DataRow
from parsers.templates import APPLICANTS, APPLICATION_COLUMNS, RowLabel, Template

MATCH_BONUS = 1.0  # a row that prints numbers is a table row: match it even when its label is lost
LABEL_ONLY = 0.8  # a row without numbers matches only by a near-complete label


@dataclass(frozen=True)
class Applications:
    values: dict[str, dict[str, Number | None]]
    status: dict[str, str]
    checks: list[dict]
    absent: tuple[str, ...]  # the template's rows no row of the report's table matches


def identities(template: Template) -> list[Identity]:
    rows = [row.key for row in template.application_rows]
    found = [
        Identity(f"applications.row.{row}", tuple((row, c) for c in APPLICANTS), ((row, "total"),))
        for row in rows
    ]
    for column in APPLICATION_COLUMNS:
        found.append(
            Identity(
                f"applications.column.{column}.results",
                tuple((row, column) for row in template.result_rows),
                (("total_handled", column),),
            )
        )
        found.append(
            Identity(
                f"applications.column.{column}.balance",
                (("new_received", column), ("carried_over", column)),
                (("total_handled", column), ("carried_forward", column)),
            )
        )
    return found


def align(
    rows: Sequence[DataRow], labels: Sequence[RowLabel]
) -> tuple[float, list[tuple[str, DataRow]]]:
    """Match rows to the template's rows in order (a monotone alignment): the order is the strong
    prior, the labels confirm it, so cut, garbled or group-less labels still land right."""
    m, s = len(rows), len(labels)
    gains = [[_gain(row, label) for label in labels] for row in rows]
    score = [[0.0] * (s + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, s + 1):
            score[i][j] = max(score[i - 1][j], score[i][j - 1])
            gain = gains[i - 1][j - 1]
            if gain is not None:
                score[i][j] = max(score[i][j], score[i - 1][j - 1] + gain)
    matched: list[tuple[str, DataRow]] = []
    i, j = m, s
    while i and j:
        gain = gains[i - 1][j - 1]
        if gain is not None and score[i][j] == score[i - 1][j - 1] + gain:
            matched.append((labels[j - 1].key, rows[i - 1]))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return score[m][s], matched[::-1]


def _gain(row: DataRow, label: RowLabel) -> float | None:
    similarity = max(
        (_common(row.label, target) / len(target) for target in label.targets), default=0.0
    )
    if row.has_numbers:
        return MATCH_BONUS + similarity
    return similarity if similarity >= LABEL_ONLY else None


@lru_cache(maxsize=4096)  # the same labels meet the same targets for each template and pass
def _common(a: str, b: str) -> int:
    if not a:
        return 0
    return sum(
        block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    )


def applications(
    rows: Sequence[DataRow], template: Template, *, read_by_ocr: bool = False
) -> Applications:
    """`read_by_ocr`: the numbers were read by OCR, so those that break an identity are not
    kept as printed but left to the identities."""
    _, matched = align(rows, template.application_rows)
    rules = identities(template)
    placed = place(
        _unstack(matched, len(APPLICATION_COLUMNS), ruled=read_by_ocr), APPLICATION_COLUMNS, rules
    )
    keys = [row.key for row in template.application_rows]
    shown = {key for key, _ in matched}
    absent = tuple(key for key in keys if key not in shown)
    values: dict[Cell, Number | None] = {
        (row, column): placed.values.get((row, column))
        for row in keys
        for column in APPLICATION_COLUMNS
    }
    printed = set(placed.printed)
    if read_by_ocr:
        values, doubted = doubt(values, rules, printed)
        printed -= doubted
    # an absent row's cells stay unknown: the identities only fill in the rows the report shows
    values |= {cell: value for cell, value in fixed(values, rules).items() if cell[0] in shown}
    status = {
        f"applications.{row}.{column}": "missing" if value is None else "inferred"
        for (row, column), value in values.items()
        if (row, column) not in printed
    }
    table = {row: {column: values[row, column] for column in APPLICATION_COLUMNS} for row in keys}
    if template.other_handling_rows:
        table["other_handling"] = {
            column: _sum(table[row][column] for row in template.other_handling_rows)
            for column in APPLICATION_COLUMNS
        }
        status |= {
            f"applications.other_handling.{column}": "missing" if value is None else "derived"
            for column, value in table["other_handling"].items()
        }
    return Applications(table, status, [check(values, rule) for rule in rules], absent)


def _sum(values: Sequence[Number | None]) -> Number | None:
    values = list(values)
    return None if any(value is None for value in values) else sum(values)  # type: ignore[arg-type]


def _unstack(
    matched: Sequence[tuple[str, DataRow]], k: int, *, ruled: bool = False
) -> list[PrintedRow]:
    """Give the numbers of a stacked cell ('0 0 3': one column of several rows printed on the
    first row's line) to the rows below that lack a cell in that column."""
    cells = [[list(cell) for cell in row.cells] for _, row in matched]
    carried: list[set[int]] = [set() for _ in matched]
    for r, line in enumerate(cells):
        stacks = {c: cell for c, cell in enumerate(line) if len(cell) > 1}
        if len(line) != k or not stacks:
            continue
        depth = max(len(cell) for cell in stacks.values())
        below = range(r + 1, r + depth)
        lacking = [sum(len(cell) > t for cell in stacks.values()) for t in range(1, depth)]
        if below.stop > len(cells) or any(
            len(cells[b]) != k - need for b, need in zip(below, lacking, strict=True)
        ):
            continue
        for c, cell in sorted(stacks.items()):
            for b, value in zip(below, cell[1:], strict=False):
                cells[b].insert(c, [value])
                carried[b].add(c)
            del cell[1:]
    printed = []
    for (key, row), line, carried_columns in zip(matched, cells, carried, strict=True):
        numbers: list[Number] = []
        foreign: set[int] = set()
        for c, cell in enumerate(line):
            if c in carried_columns:
                foreign.add(len(numbers))
            numbers.extend(cell)
        # a row whose cells fill the table's columns, blank last cells included, is placed as
        # it stands; otherwise its printed cells end at the last column
        # a row read from the ruling lines of a scan has every cell, its blank last ones too
        offset = (row.span if ruled and row.span == k else row.width) - k
        positional = tuple(p - offset for p in row.positions)
        grid_placed = len(numbers) == len(positional) and all(0 <= p < k for p in positional)
        printed.append(
            PrintedRow(
                key=key,
                numbers=tuple(numbers),
                foreign=frozenset(foreign),
                positional=positional if grid_placed and not foreign else None,
            )
        )
    return printed
