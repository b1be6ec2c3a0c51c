"""Session-wide rules of the tests.

- A parser exception is raised, not recorded as `parser_bug`: a bug must fail the test that
  meets it (`xxgk.parsing`).
- Every WARC file any test made, in its temporary directories, is read back at the end with
  warcio's reader and checked against its CDXJ index (`tests/warcs.py`): whatever test wrote it.
"""

import os
from collections.abc import Iterator

import pytest

from tests.warcs import check_index

os.environ["XXGK_PARSER_BUGS"] = "raise"


@pytest.fixture(scope="session", autouse=True)
def every_warc_is_readable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield
    base = tmp_path_factory.getbasetemp()
    checked = []
    for warc in sorted(base.rglob("*.warc.gz")):
        if ".part-" in warc.name:
            continue
        index = warc.with_name(warc.name.removesuffix(".warc.gz") + ".cdxj")
        assert index.exists(), f"{warc} has no CDXJ index beside it"
        check_index(warc.read_bytes(), index.read_text(encoding="utf-8"), warc.name)
        checked.append(warc)
    print(f"\nread {len(checked)} WARC files the tests made, every record and index line", end="")
