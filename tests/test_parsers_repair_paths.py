"""The repair's direct answers agree with its linear programs on systems built to need both."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pytest import approx

from parsers.applications import identities
from parsers.repair import Cell, Identity, _System
from parsers.templates import APPLICATION_COLUMNS
from tests.test_parsers_repair import ROWS, TEMPLATE, consistent_tables

_CELLS = [(row, column) for row in ROWS for column in APPLICATION_COLUMNS]


@settings(max_examples=80, deadline=None)
@given(
    consistent_tables(),
    st.sets(st.sampled_from(ROWS), max_size=4),
    st.sets(st.sampled_from(_CELLS), max_size=30),
)
def test_rank_and_solves_fix_the_same_cells(
    table: dict[Cell, int], blank_rows: set[str], blank_cells: set[Cell]
) -> None:
    """Rows left blank and cells scattered blank, as reports print them: the identities can be
    met, so the cells forced to 0 and the rank decide, as the minima and maxima would."""
    printed = {
        cell: value
        for cell, value in table.items()
        if cell[0] not in blank_rows and cell not in blank_cells
    }
    system = _System.of(printed, identities(TEMPLATE))
    assume(system.unknowns)
    assert system.met()
    solved = system.fixed_where_met()
    assert solved == system.fixed_by_solves()
    assert all(table[system.unknowns[n]] == value for n, value in solved.items())


_SIDES = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3, unique=True)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_SIDES, _SIDES, st.integers(-5, 5)), min_size=1, max_size=4),
    st.data(),
)
def test_a_separate_system_misses_by_what_its_linear_program_finds(
    shapes: list[tuple[list[str], list[str], int]], data: st.DataObject
) -> None:
    """Identities that share no unknown cell (each row of section 三 placed alone), met or
    broken by a printed number on either side."""
    rules, printed = [], {}
    for n, (lhs, rhs, number) in enumerate(shapes):
        left = tuple((f"row {n}", name) for name in lhs)
        right = tuple((f"row {n}", name) for name in rhs if name not in lhs)
        if not right:
            continue
        rules.append(Identity(f"row {n}", left, right))
        side = data.draw(st.sampled_from([left, right]))
        printed[side[0]] = abs(number)
    system = _System.of(printed, rules)
    if not system.separate():
        return
    assert system.separate_violation() == approx(system.least_violation()[0], abs=1e-9)
