"""The warehouse on real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from spiders.publication import PUBLICATION_FIELDS
from tests import warehouse_fixtures
from tests.warehouse_fixtures import PUBLICATIONS, VERSION, cell_count, expected_records, inputs
from warehouse import Warehouse
from warehouse.tables import captures, documents, metadata, report_cells, reports

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

TABLES = {
    "sites", "captures", "documents", "reports", "report_cells", "report_checks", "parse_errors",
}  # fmt: skip
VIEWS = {"v_reports", "v_applications", "v_review_litigation", "v_active_disclosure", "v_coverage"}
V_REPORTS_0002 = [
    "report_id", "document_id", "parser_version", "title", "organ", "year", "template",
    "province", "city", "county", "adcode", "sha256", "url", "file_url", "first_seen_at",
]  # fmt: skip


def columns(wh: Warehouse, relation: str) -> list[str]:
    return [column["name"] for column in inspect(wh.engine).get_columns(relation)]


@pytest.mark.filterwarnings("ignore:.*expression-based index")  # SQLite can't reflect them
def test_migrate_upgrade_is_idempotent_and_downgrade_removes_everything(wh: Warehouse) -> None:
    wh.migrate()
    wh.migrate()
    schema = inspect(wh.engine)
    assert set(schema.get_table_names()) == TABLES | {"alembic_version"}
    assert set(schema.get_view_names()) == VIEWS
    with wh.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0003"
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    assert columns(wh, "v_reports") == [*V_REPORTS_0002, *PUBLICATION_FIELDS]
    wh.downgrade("0002")
    assert set(inspect(wh.engine).get_view_names()) == VIEWS
    assert not set(PUBLICATION_FIELDS) & set(columns(wh, "documents"))
    assert columns(wh, "v_reports") == V_REPORTS_0002
    wh.downgrade("0001")
    schema = inspect(wh.engine)
    assert schema.get_view_names() == ["v_applications"]
    assert not any(index["name"].startswith("ix_") for index in schema.get_indexes("reports"))
    wh.downgrade()
    schema = inspect(wh.engine)
    assert set(schema.get_table_names()) == {"alembic_version"}
    assert schema.get_view_names() == []


def test_load_counts_and_reload_adds_nothing(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    stats = wh.load(**data, parser_version=VERSION)
    expected = {
        "sites": 6,
        "captures": 13,
        "documents": 6,
        "reports": 5,
        "report_cells": sum(cell_count(record) for record in records),
        "report_checks": 10,
        "parse_errors": 1,
    }
    assert stats.added == expected
    assert wh.counts() == expected
    again = wh.load(**data, parser_version=VERSION)
    assert set(again.added.values()) == {0}
    assert wh.counts() == expected


def test_recrawl_of_the_same_bytes_updates_last_seen(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data, parser_version=VERSION)
    later = [{**capture, "fetched_at": "2025-01-01T00:00:00Z"} for capture in data["captures"]]
    assert set(wh.load(later, [], [], VERSION).added.values()) == {0}
    not_modified = [  # a conditional recrawl: 304 with the bytes fetched before
        {**capture, "status": 304, "fetched_at": "2025-06-01T00:00:00Z"}
        for capture in data["captures"]
        if capture["status"] == 200
    ]
    assert not_modified
    assert set(wh.load(not_modified, [], [], VERSION).added.values()) == {0}
    with wh.engine.connect() as connection:
        seen = connection.execute(select(captures.c.first_seen_at, captures.c.last_seen_at)).all()
    assert len(seen) == 13
    assert all(first.month == 5 and last.year == 2025 for first, last in seen)
    with wh.engine.connect() as connection:
        statuses = connection.execute(select(captures.c.status, captures.c.last_seen_at)).all()
    assert {last.month for status, last in statuses if status == 200} == {6}


def test_export_round_trips_records_with_their_source(wh: Warehouse, tmp_path: Path) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data, parser_version=VERSION)
    path = tmp_path / "out" / "reports.jsonl"
    assert wh.export(path, "jsonl") == 5
    exported = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sources = [
        {key: document[key] for key in ("url", "file_url", "sha256", "media_type")}
        for document in data["documents"]
    ]
    assert exported == [
        {**record, "source": source} for record, source in zip(records, sources, strict=False)
    ]


def test_missing_and_inferred_cells_keep_their_status(wh: Warehouse) -> None:
    records = expected_records()
    wh.migrate()
    wh.load(**inputs(records), parser_version=VERSION)
    record = records[4]
    cell = report_cells.c
    query = (
        select(cell.row, cell.column, cell.value, cell.status)
        .join(reports, reports.c.id == cell.report_id)
        .where(reports.c.title == record["title"], cell.table == "applications")
    )
    with wh.engine.connect() as connection:
        cells = {(row, column): tuple(rest) for row, column, *rest in connection.execute(query)}
    assert cells[("granted", "natural_person")] == (None, "missing")
    assert cells[("granted", "research")] == (0, "inferred")
    assert cells[("granted", "total")] == (record["applications"]["granted"]["total"], "printed")
    assert len(cells) == 23 * 7


def test_parse_errors_are_stored(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs(expected_records()), parser_version=VERSION)
    with wh.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT d.file_name, e.parser_version, e.kind, e.message FROM parse_errors e "
                 "JOIN documents d ON d.id = e.document_id")
        ).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [("5.pdf", VERSION, "no_tables", "空白")]


def test_new_parser_version_adds_reports_and_keeps_history(wh: Warehouse, tmp_path: Path) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data, parser_version=VERSION)
    revised = copy.deepcopy(data["results"])
    for result in revised[:5]:
        result["record"]["organ"] += "（修订）"
    stats = wh.load(data["captures"], data["documents"], revised, parser_version="parser-2")
    assert stats.added["reports"] == 5
    assert stats.added["captures"] == stats.added["documents"] == 0
    assert wh.counts()["reports"] == 10
    with wh.engine.connect() as connection:
        query = select(reports.c.record).where(reports.c.parser_version == VERSION)
        old = connection.execute(query.order_by(reports.c.id)).scalars().all()
    assert old == records
    wh.export(tmp_path / "reports.jsonl", "jsonl")
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["organ"].endswith("（修订）") for line in lines)


def test_v_applications_has_the_numbers_of_a_report(wh: Warehouse) -> None:
    records = expected_records()
    wh.migrate()
    wh.load(**inputs(records), parser_version=VERSION)
    with wh.engine.connect() as connection:
        query = text("SELECT * FROM v_applications ORDER BY report_id")
        rows = connection.execute(query).mappings().all()
    assert len(rows) == 5
    for record, row in zip(records, rows, strict=True):
        assert (row["organ"], row["year"], row["adcode"]) == (
            record["organ"], record["year"], record["region"]["adcode"],
        )  # fmt: skip
        for name, columns in record["applications"].items():
            for column, value in columns.items():
                assert row[f"{name}__{column}"] == value, (record["title"], name, column)
    assert rows[0]["other_misc__total"] is None  # a 2021-template row in a 2019 report


def test_registered_sites_carry_their_region(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data, parser_version=VERSION)
    start_url = data["captures"][0]["site"]
    region = {"province": "河南省", "city": "洛阳市", "county": "汝阳县", "adcode": "410326"}
    wh.register_sites([{"start_url": start_url, **region}])
    wh.register_sites([{"start_url": start_url, **region}])
    with wh.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT province, city, county, adcode FROM sites WHERE start_url = :u"),
            {"u": start_url},
        ).all()
    assert [tuple(row) for row in rows] == [tuple(region.values())]


def publications(wh: Warehouse, relation: str, order: str) -> list[tuple]:
    with wh.engine.connect() as connection:
        query = f"SELECT {', '.join(PUBLICATION_FIELDS)} FROM {relation} ORDER BY {order}"
        rows = connection.execute(text(query)).all()
    return [tuple(str(value) if value else value for value in row) for row in rows]


def test_documents_and_v_reports_carry_what_the_report_page_prints(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs(expected_records()), parser_version=VERSION)
    printed = [tuple(publication.values()) for publication in PUBLICATIONS]
    assert publications(wh, "documents", "id") == printed
    assert publications(wh, "v_reports", "report_id") == printed[:5]  # the 6th did not parse
    with wh.engine.connect() as connection:
        issued = connection.execute(select(documents.c.issued_on).order_by(documents.c.id)).scalar()
    assert issued == date(2020, 1, 15)


def test_a_document_loaded_without_its_pages_metadata_gets_it_later(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    bare = [{**document, **dict.fromkeys(PUBLICATION_FIELDS)} for document in data["documents"]]
    wh.load(data["captures"], bare, data["results"], VERSION)
    assert set(publications(wh, "documents", "id")) == {(None,) * 5}
    assert set(wh.load(**data, parser_version=VERSION).added.values()) == {0}
    assert publications(wh, "documents", "id") == [tuple(p.values()) for p in PUBLICATIONS]
    changed = [{**document, "publisher": "另一机关"} for document in data["documents"]]
    wh.load(data["captures"], changed, [], VERSION)  # what a document has, it keeps
    kept = [{**p, "publisher": p["publisher"] or "另一机关"} for p in PUBLICATIONS]
    assert publications(wh, "documents", "id") == [tuple(p.values()) for p in kept]


def test_downgrade_to_0002_and_back_keeps_the_loaded_rows(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data, parser_version=VERSION)
    counts = wh.counts()
    wh.downgrade("0002")
    with wh.engine.connect() as connection:
        shown = connection.execute(text("SELECT COUNT(*) FROM v_applications")).scalar()
    assert shown == 5
    wh.migrate()
    assert wh.counts() == counts
    assert set(publications(wh, "v_reports", "report_id")) == {(None,) * 5}
    wh.load(**data, parser_version=VERSION)  # the next crawl brings them back
    assert publications(wh, "v_reports", "report_id") == [
        tuple(publication.values()) for publication in PUBLICATIONS[:5]
    ]
