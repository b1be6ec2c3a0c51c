"""Every SQL example in docs/queries.md, run on SQLite and on PostgreSQL: the docs can't rot."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests import warehouse_fixtures
from tests.warehouse_fixtures import expected_records, inputs
from warehouse import Warehouse
from warehouse.catalogue import QUERIES_DOC, documented_queries

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

QUERIES = documented_queries(QUERIES_DOC.read_text(encoding="utf-8"))


def test_the_docs_have_queries() -> None:
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("query", [q.sql for q in QUERIES], ids=[q.name for q in QUERIES])
def test_documented_query_runs_and_finds_rows(wh: Warehouse, query: str) -> None:
    records = expected_records()
    records[1]["checks"][0]["passed"] = False  # so that some organ fails an identity
    wh.migrate()
    wh.load(**inputs(records))
    with wh.engine.connect() as connection:
        rows = connection.execute(text(query)).all()
    assert rows
