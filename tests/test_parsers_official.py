"""The seeds' true tables in the official layouts (tests/fixtures/official, made by
tests/fixtures/make_official.py) give the seeds' records."""

import pytest

from parsers import parse
from tests.fixtures.make_official import BLANK_ROWS, FORMATS, MEDIA_TYPES, OUT
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.render.blocks import SEED_NAMES


def undamaged(name: str) -> dict:
    """The expected record as the true table gives it: cells that extraction damaged in the seed
    are printed here, so only the statuses of cells the report leaves blank remain."""
    expected = load_expected(name)
    blank_rows = BLANK_ROWS.get(name, ())
    expected["cell_status"] = {
        cell: status
        for cell, status in expected["cell_status"].items()
        if status != "inferred" or cell.split(".")[1] in blank_rows
    }
    return expected


def test_blank_cells_are_missing_or_inferred_only_where_a_total_is_zero() -> None:
    expected = undamaged("004_49c0d768678019fb")
    applications = expected["applications"]
    inferred = [cell for cell, status in expected["cell_status"].items() if status == "inferred"]
    assert len(inferred) == 30
    for cell in inferred:
        _, row, column = cell.split(".")
        assert applications[row][column] == 0
        assert 0 in (applications[row]["total"], applications["total_handled"][column])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_official_layout_gives_the_seed(name: str, fmt: str) -> None:
    path = OUT / f"{name}.{fmt}"
    record = parse(path.read_bytes(), MEDIA_TYPES[fmt], path.name)
    diff = differences(record, undamaged(name))
    assert not diff, "\n".join(diff)
