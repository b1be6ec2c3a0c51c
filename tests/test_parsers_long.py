"""The long reports (tests/fixtures/long, made by tests/fixtures/render/long_reports.py: some
fifteen pages, the official tables among the narrative) give the seeds' records."""

import pytest

from parsers import parse
from tests.fixtures.parser.compare import differences
from tests.fixtures.render.blocks import SEED_NAMES
from tests.fixtures.render.long_reports import FORMATS, LONG, OUT
from tests.fixtures.render.scans import page_count
from tests.test_parsers_official import undamaged


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_long_report_gives_the_seed(name: str, fmt: str) -> None:
    data = (OUT / f"{name}.{fmt}").read_bytes()
    assert page_count(data) >= LONG
    diff = differences(parse(data, "application/pdf", f"{name}.{fmt}"), undamaged(name))
    assert not diff, "\n".join(diff)
