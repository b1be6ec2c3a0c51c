"""A seed rendered to HTML, DOCX or PDF gives the same record as its text."""

import pytest

from parsers import parse
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.parser.make_fixtures import MEDIA_TYPES, RENDERERS
from tests.fixtures.render.blocks import SEED_NAMES, load_seed


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_rendered_seed_gives_the_expected_record(name: str, fmt: str) -> None:
    data = RENDERERS[fmt](load_seed(name).blocks)
    record = parse(data, MEDIA_TYPES[fmt], f"{name}.{fmt}")
    diff = differences(record, load_expected(name))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_format_is_sniffed_when_media_type_and_name_are_missing(fmt: str) -> None:
    name = "002_3c99cf29d2b59166"
    record = parse(RENDERERS[fmt](load_seed(name).blocks))
    assert not differences(record, load_expected(name))
