"""Properties of the identity repair: it fills exactly the cells the identities force."""

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.applications import identities
from parsers.repair import Cell, Identity, fixed, violation
from parsers.templates import APPLICANTS, TEMPLATES

TEMPLATE = TEMPLATES["2019"]
ROWS = [row.key for row in TEMPLATE.application_rows]
RESULTS = TEMPLATE.result_rows


@st.composite
def consistent_tables(draw: st.DrawFn) -> dict[Cell, int]:
    """Random non-negative tables that satisfy every identity of the applications table."""
    count = st.integers(0, 40)
    values: dict[Cell, int] = {(row, a): draw(count) for row in RESULTS for a in APPLICANTS}
    for a in APPLICANTS:
        values["total_handled", a] = sum(values[row, a] for row in RESULTS)
        values["carried_forward", a] = draw(count)
        limit = values["total_handled", a] + values["carried_forward", a]
        values["carried_over", a] = draw(st.integers(0, limit))
        values["new_received", a] = limit - values["carried_over", a]
    for row in ROWS:
        values[row, "total"] = sum(values[row, a] for a in APPLICANTS)
    return values


@settings(max_examples=60, deadline=None)
@given(consistent_tables(), st.data())
def test_one_dropped_cell_is_restored_exactly(table: dict[Cell, int], data: st.DataObject) -> None:
    rules = identities(TEMPLATE)
    assert violation(table, rules) == 0
    cell = data.draw(st.sampled_from(sorted(table)))
    assert fixed({**table, cell: None}, rules) == {cell: table[cell]}


# A small grid with row and column totals, where brute force can say which cells are forced.
_GRID = [(r, c) for r in "ab" for c in "xy"]
_SMALL = [
    *(Identity(f"row {r}", ((r, "x"), (r, "y")), ((r, "t"),)) for r in "ab"),
    *(Identity(f"column {c}", (("a", c), ("b", c)), (("s", c),)) for c in "xyt"),
]


def _satisfies(values: dict[Cell, int]) -> bool:
    return all(
        sum(values[cell] for cell in rule.lhs) == sum(values[cell] for cell in rule.rhs)
        for rule in _SMALL
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=4, max_size=4),
    st.sets(st.sampled_from([*_GRID, ("a", "t"), ("b", "t"), ("s", "x"), ("s", "y")]), max_size=4),
)
def test_fills_exactly_the_cells_every_solution_agrees_on(
    counts: list[int], dropped: set[Cell]
) -> None:
    table = dict(zip(_GRID, counts, strict=True))
    for r in "ab":
        table[r, "t"] = table[r, "x"] + table[r, "y"]
    for c in "xyt":
        table["s", c] = table["a", c] + table["b", c]
    known = {cell: (None if cell in dropped else value) for cell, value in table.items()}
    unknown = sorted(dropped)
    solutions = [
        guess
        for guess in product(range(table["s", "t"] + 1), repeat=len(unknown))
        if _satisfies({**known, **dict(zip(unknown, guess, strict=True))})
    ]
    forced = {
        cell: solutions[0][n]
        for n, cell in enumerate(unknown)
        if len({solution[n] for solution in solutions}) == 1
    }
    assert fixed(known, _SMALL) == forced
    assert all(table[cell] == value for cell, value in forced.items())
