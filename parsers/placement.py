"""Which columns a row's printed numbers belong to when it prints fewer (or more) numbers than
the table has columns.

Every order-preserving placement of the numbers is a candidate; candidates that give the row the
same values (a lost 0 among zeros) are one option, and a cell any of them prints is printed. A
row with one option takes it. The other rows are placed together: the combinations of options
that satisfy the identities best win if they all give the same values; otherwise the numbers
stay where the grid put them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from parsers.cells import Number
from parsers.repair import TOLERANCE, Cell, Identity, fixed, propagate, violation

MAX_SOLVES = 200
MAX_SURPLUS = 2  # numbers over a row's columns that may be dropped: C(k + 2, 2) choices at most
MAX_TIES = 4  # more equally good combinations than this: the grid's placement decides


@dataclass(frozen=True)
class PrintedRow:
    """A row's numbers in print order. `foreign` indexes those printed on another row's line
    (stacked cells); `positional` is each number's column by its place in the grid, if any."""

    key: str
    numbers: tuple[Number, ...]
    foreign: frozenset[int] = frozenset()
    positional: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Placement:
    key: str
    cells: tuple[tuple[str, Number, bool], ...]  # column, value, printed on another row's line

    def values(self) -> dict[Cell, Number]:
        return {(self.key, column): value for column, value, _ in self.cells}

    def printed(self) -> set[Cell]:
        return {(self.key, column) for column, _, foreign in self.cells if not foreign}


@dataclass(frozen=True)
class Option:
    """What placements that give a row the same values say: the cells they give a number (printed
    or forced by the row's own identity) and the cells any of them prints."""

    values: dict[Cell, Number]
    printed: frozenset[Cell]


@dataclass
class Placed:
    values: dict[Cell, Number] = field(default_factory=dict)
    printed: set[Cell] = field(default_factory=set)  # cells that carry no status

    def take(self, options: Sequence[Option]) -> None:
        self.values.update(options[0].values)
        for option in options:
            self.printed |= option.printed


def place(
    rows: Sequence[PrintedRow], columns: Sequence[str], identities: Sequence[Identity]
) -> Placed:
    placed = Placed()
    open_rows: list[list[Option]] = []
    local: dict[str, list[Identity]] = {}  # the identities within one row, by its key
    for identity in identities:
        keys = {cell[0] for cell, _ in identity.terms()}
        if len(keys) == 1:
            local.setdefault(keys.pop(), []).append(identity)
    for row in rows:
        own = local.get(row.key, [])
        options = _options(_best(candidates(row, columns), own), own)
        if len(options) == 1:
            placed.take(options)
        else:
            open_rows.append(options)
    if open_rows:
        chosen = _search(placed.values, open_rows, identities)
        for n, options in enumerate(open_rows):
            placed.take([combination[n] for combination in chosen] if chosen else options[:1])
    return placed


def candidates(row: PrintedRow, columns: Sequence[str]) -> list[Placement]:
    """Every order-preserving placement; the grid's own placement first. A row that prints
    more than MAX_SURPLUS numbers over its columns has none: which of them belong is anyone's
    guess (and the choices grow as n^surplus), so its cells stay unknown."""
    numbered = [(value, n in row.foreign) for n, value in enumerate(row.numbers)]
    k = len(columns)
    if len(numbered) > k + MAX_SURPLUS:
        return [Placement(row.key, ())]
    if len(numbered) > k:
        picks = [[numbered[n] for n in chosen] for chosen in combinations(range(len(numbered)), k)]
        layouts = [(picked, range(k)) for picked in picks]
    else:
        spots = list(combinations(range(k), len(numbered)))
        if row.positional in spots:
            spots.remove(row.positional)
            spots.insert(0, row.positional)
        layouts = [(numbered, spot) for spot in spots]
    return [
        Placement(
            row.key,
            tuple(
                (columns[c], value, foreign)
                for (value, foreign), c in zip(picked, spot, strict=True)
            ),
        )
        for picked, spot in layouts
    ]


def _best(options: list[Placement], identities: Sequence[Identity]) -> list[Placement]:
    if len(options) == 1:
        return options
    misses = [violation(option.values(), identities) for option in options]
    least = min(misses)
    return [
        option for option, miss in zip(options, misses, strict=True) if miss <= least + TOLERANCE
    ]


def _options(placements: list[Placement], identities: Sequence[Identity]) -> list[Option]:
    """The placements grouped by the values they give the row (a lost 0 among zeros gives the
    same row wherever it was lost), in the order of their first placement."""
    grouped: dict[frozenset, Option] = {}
    for placement in placements:
        values = propagate(placement.values(), identities) or placement.values()
        key = frozenset(values.items())
        known = grouped.get(key)
        printed = placement.printed() | (known.printed if known else frozenset())
        grouped[key] = Option(values, frozenset(printed))
    return list(grouped.values())


class _Undecided(Exception):
    pass


def _search(
    base: dict[Cell, Number], open_rows: list[list[Option]], identities: Sequence[Identity]
) -> list[tuple[Option, ...]] | None:
    """The combinations of placements that miss the identities least, when they all give the
    same values; None when they do not, or when there are too many to tell. (Rows whose
    placements all agree are settled before: the few combinations left here are compared.)"""
    best = math.inf
    optimal: list[tuple[Option, ...]] = []
    outcomes: list[dict[Cell, Number]] = []
    solves = 0

    def visit(values: dict[Cell, Number], chosen: tuple[Option, ...]) -> None:
        nonlocal best, optimal, outcomes, solves
        for option in open_rows[len(chosen)]:
            trial = values | option.values
            solves += 1
            if solves > MAX_SOLVES:
                raise _Undecided
            miss = violation(trial, identities)
            if miss > best + TOLERANCE:
                continue
            combination = (*chosen, option)
            if len(combination) < len(open_rows):
                visit(trial, combination)
                continue
            if miss < best - TOLERANCE:
                best, optimal, outcomes = miss, [], []
            optimal.append(combination)
            if best > TOLERANCE:
                continue
            if len(optimal) > MAX_TIES:
                raise _Undecided
            outcomes.append(trial | fixed(trial, identities))
            if outcomes[-1] != outcomes[0]:
                raise _Undecided

    try:
        visit(base, ())
    except _Undecided:
        return None
    return optimal if best <= TOLERANCE or len(optimal) == 1 else None
