"""Bulk loading on real databases: what a load counts, and the schema it loads into."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from tests import warehouse_fixtures
from tests.test_warehouse import wait_for_a_lock_wait
from tests.warehouse_fixtures import (
    cell_count,
    expected_records,
    inputs,
    postgres_schema_url,
    reparsed,
)
from warehouse import Warehouse, load, organs, panel, rows

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh


def test_a_load_counts_the_rows_it_added_not_those_another_load_added_meanwhile(
    postgres_database: URL,
) -> None:
    """The second load waits for the first, which adds the reports, and adds none itself: the
    rows the first committed meanwhile are not the second's."""
    wh = Warehouse(postgres_schema_url(postgres_database))
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(data["captures"], data["documents"], [])
    with wh.engine.connect() as first, ThreadPoolExecutor(1) as pool:
        transaction = first.begin()
        added = load.load(first, [], [], data["results"])
        second = pool.submit(wh.load, [], [], data["results"])
        try:
            wait_for_a_lock_wait(wh)
        finally:
            transaction.commit()
        again = second.result(timeout=30).added
    wh.dispose()
    assert set(again.values()) == {0}
    assert added == {
        "page_metadata": 6,
        "reports": 5,
        "cells": len({cell for record in records for cell in cells_of(record)}),
        "report_cell_values": sum(cell_count(record) for record in records),
        "report_checks": 10,
        "parse_errors": 1,
        "organs": 5,
        "organ_names": 5,
    }


def cells_of(record: dict) -> Iterator[tuple[str, str, str]]:
    for table in rows.CELL_TABLES:
        for row, columns in (record.get(table) or {}).items():
            yield from ((table, row, column) for column in columns)


def cells_references(wh: Warehouse) -> list[tuple]:
    return [
        (key["constrained_columns"], key["referred_table"], key["referred_columns"])
        for key in inspect(wh.engine).get_foreign_keys("report_cells")
    ]


def applications_shown(wh: Warehouse) -> int:
    with wh.engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM v_applications")).scalar_one()


def test_migration_0006_drops_the_cells_foreign_key_and_downgrade_brings_it_back(
    wh: Warehouse,
) -> None:
    data = inputs(expected_records())
    wh.migrate()  # loaded at the head (the loader writes its tables), then taken back to 0005
    wh.load(**data)
    counts = wh.counts()
    wh.downgrade("0005")
    assert cells_references(wh) == [(["report_id"], "reports", ["id"])]
    assert applications_shown(wh) == 5
    wh.migrate()
    assert cells_references(wh) == []
    assert (wh.counts(), applications_shown(wh)) == (counts, 5)  # SQLite made the table anew
    assert set(wh.load(**data).added.values()) == {0}
    wh.downgrade("0005")
    assert cells_references(wh) == [(["report_id"], "reports", ["id"])]
    assert applications_shown(wh) == 5


def test_a_load_in_many_batches_loads_each_report_once_with_its_organ_and_digest(
    wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch is planned, and its records read, before the batch ahead of it loads: a document
    in both, or two batches apart, still gets one report per parser version."""
    monkeypatch.setattr(load, "RESULTS_PER_BATCH", 2)
    records = expected_records()
    data = inputs(records)
    first, second, third = data["results"][:3]
    results = [*data["results"], first, reparsed(second, "v2"), second, third, first]
    wh.migrate()
    added = wh.load(data["captures"], data["documents"], results).added
    assert added["reports"] == len(records) + 1
    assert added["report_cell_values"] == sum(map(cell_count, records)) + cell_count(records[1])
    assert added["organs"] == 5
    query = text(
        "SELECT d.sha256, r.parser_version, r.organ_id, r.content_sha256 FROM reports r "
        "JOIN documents d ON d.id = r.document_id"
    )
    with wh.engine.connect() as connection:
        loaded = set(connection.execute(query).all())
    expected = {
        (result.document_sha256, result.parser_version,
         organs.identify(result.record["organ"], result.record["region"]).organ_id,
         panel.content_sha256(result.record))
        for result in results
        if result.record is not None
    }  # fmt: skip
    assert loaded == expected


#: What the researcher sees of the cells: the table (0008) or the view (0009), and the views
#: reading them.
CELL_QUERIES = {
    "report_cells": 'SELECT * FROM report_cells ORDER BY report_id, "table", "row", "column"',
    **{
        view: f"SELECT * FROM {view} ORDER BY report_id"
        for view in ("v_applications", "v_review_litigation", "v_active_disclosure")
    },
    "v_carry_breaks": "SELECT * FROM v_carry_breaks ORDER BY organ_id, year, applicant",
}


def shown(wh: Warehouse) -> dict[str, list[tuple]]:
    with wh.engine.connect() as connection:
        return {name: connection.execute(text(query)).all() for name, query in CELL_QUERIES.items()}


def test_migration_0009_moves_the_cells_both_ways_and_shows_them_as_before(
    wh: Warehouse,
) -> None:
    records = expected_records()
    before = records[-1] = copy.deepcopy(records[0]) | {"year": records[0]["year"] - 1}
    forward = before["applications"]["carried_forward"]
    forward |= {applicant: value + 1 for applicant, value in forward.items()}  # carry breaks
    data = inputs(records)
    wh.migrate()
    wh.load(**data)
    at_head = shown(wh)
    assert len(at_head["report_cells"]) == sum(map(cell_count, records))
    assert at_head["v_carry_breaks"]
    wh.downgrade("0008")
    assert "report_cells" in inspect(wh.engine).get_table_names()
    assert shown(wh) == at_head
    wh.migrate()
    assert "report_cells" in inspect(wh.engine).get_view_names()
    assert shown(wh) == at_head
    assert set(wh.load(**data).added.values()) == {0}


def test_a_cell_the_warehouse_has_not_seen_gets_an_id_once(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    first, second = data["results"][:2]
    wh.migrate()
    wh.load(data["captures"], data["documents"], [first])
    extended = second.record | {
        "applications": second.record["applications"] | {"new_row": {"natural_person": 7}}
    }
    later = replace(second, record=extended)
    added = wh.load([], [], [later, reparsed(later, "v2")]).added
    assert added["cells"] == len(set(cells_of(extended)) - set(cells_of(first.record)))
    assert added["report_cell_values"] == 2 * cell_count(extended)
    with wh.engine.connect() as connection:
        values = connection.execute(
            text(
                "SELECT value, status FROM report_cells "
                "WHERE \"table\" = 'applications' AND \"row\" = 'new_row'"
            )
        ).all()
    assert values == [(7, "printed"), (7, "printed")]
