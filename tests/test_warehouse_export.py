"""Exports (jsonl, csv, parquet) on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests import warehouse_fixtures
from tests.warehouse_fixtures import VERSION, cell_count, expected_records, inputs, reparsed
from warehouse import Warehouse

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

COLUMNS = [
    "report_id", "parser_version", "organ", "year", "template", "province", "city", "county",
    "adcode", "section", "row_key", "column_key", "value", "status", "source_url",
    "source_file_url", "source_sha256",
]  # fmt: skip


@pytest.fixture
def loaded(wh: Warehouse) -> Warehouse:
    """The expected records, then a parser-2 re-parse of the first: exports show parser-2."""
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data)
    revised = reparsed(data["results"][0], "parser-2")
    revised.record["applications"]["granted"]["total"] = 12.5
    wh.load([], [], [revised])
    return wh


def test_csv_and_parquet_are_the_latest_cells_in_long_form(
    loaded: Warehouse, tmp_path: Path
) -> None:
    records = expected_records()
    cells = sum(cell_count(record) for record in records)
    assert loaded.export(tmp_path / "out" / "cells.csv", "csv") == cells
    assert loaded.export(tmp_path / "cells.parquet", "parquet") == cells
    with (tmp_path / "out" / "cells.csv").open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    table = pq.read_table(tmp_path / "cells.parquet")
    assert list(rows[0]) == table.column_names == COLUMNS
    assert table.num_rows == len(rows) == cells
    assert table.to_pylist() == [
        {**row, "report_id": int(row["report_id"]), "year": int(row["year"]),
         "value": float(row["value"]) if row["value"] else None,
         "county": row["county"] or None}
        for row in rows
    ]  # fmt: skip
    source = inputs(records)["documents"]
    by_key = {
        (row["organ"], row["section"], row["row_key"], row["column_key"]): row for row in rows
    }
    granted = by_key[(records[0]["organ"], "applications", "granted", "total")]
    assert (granted["value"], granted["parser_version"]) == ("12.5", "parser-2")
    assert granted["source_sha256"] == source[0].sha256
    last = records[4]
    total = by_key[(last["organ"], "applications", "granted", "total")]
    assert total["value"] == str(last["applications"]["granted"]["total"])  # no ".0"
    assert (total["parser_version"], total["source_file_url"]) == (VERSION, source[4].file_url)
    missing = by_key[(last["organ"], "applications", "granted", "natural_person")]
    assert (missing["value"], missing["status"]) == ("", "missing")
