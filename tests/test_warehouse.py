"""The warehouse on real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL

from tests import warehouse_fixtures
from tests.warehouse_fixtures import (
    PUBLICATIONS,
    VERSION,
    cell_count,
    expected_records,
    inputs,
    postgres_schema_url,
    reparsed,
)
from warehouse import Warehouse, load, rows
from warehouse.tables import captures, metadata, page_metadata, report_cells, reports
from xxgk.records import PAGE_METADATA_FIELDS, PageMetadata, ParseResult

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

TABLES = {
    "sites", "captures", "documents", "reports", "cells", "report_cell_values", "report_checks",
    "parse_errors", "page_metadata", "organs", "organ_names",
}  # fmt: skip
VIEWS_0002 = {
    "v_reports", "v_applications", "v_review_litigation", "v_active_disclosure", "v_coverage",
}  # fmt: skip
VIEWS = VIEWS_0002 | {
    "v_organ_year_reports", "v_observations", "v_carry_breaks", "v_publication_deadlines",
    "v_organ_renames", "v_site_systems", "report_cells",
}  # fmt: skip
V_REPORTS_0002 = [
    "report_id", "document_id", "parser_version", "title", "organ", "year", "template",
    "province", "city", "county", "adcode", "sha256", "url", "file_url", "first_seen_at",
]  # fmt: skip
TEXT_SOURCE_FIELDS = ["text_source", "ocr_engine", "ocr_mean_confidence", "incomplete"]
ORGAN_FIELDS = ["organ_id", "content_sha256"]
PRINTED = [tuple(publication.values()) for publication in PUBLICATIONS]


def columns(wh: Warehouse, relation: str) -> list[str]:
    return [column["name"] for column in inspect(wh.engine).get_columns(relation)]


def fetch(wh: Warehouse, query: str, **params: object) -> list[tuple]:
    """The rows of a query, dates as ISO text (SQLite gives text, PostgreSQL dates)."""
    with wh.engine.connect() as connection:
        rows = connection.execute(text(query), params).all()
    return [tuple(str(v) if isinstance(v, date) else v for v in row) for row in rows]


def page_readings(wh: Warehouse, relation: str, order: str) -> list[tuple]:
    return fetch(wh, f"SELECT {', '.join(PAGE_METADATA_FIELDS)} FROM {relation} ORDER BY {order}")


@pytest.mark.filterwarnings("ignore:.*expression-based index")  # SQLite can't reflect them
def test_migrate_upgrade_is_idempotent_and_downgrade_removes_everything(wh: Warehouse) -> None:
    wh.migrate()
    wh.migrate()
    schema = inspect(wh.engine)
    assert set(schema.get_table_names()) == TABLES | {"alembic_version"}
    assert set(schema.get_view_names()) == VIEWS
    with wh.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0009"
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    assert columns(wh, "v_reports") == [
        *V_REPORTS_0002, *PAGE_METADATA_FIELDS, *TEXT_SOURCE_FIELDS, *ORGAN_FIELDS
    ]  # fmt: skip
    wh.downgrade("0004")
    assert not set(TEXT_SOURCE_FIELDS) & set(columns(wh, "reports"))
    assert columns(wh, "v_reports") == [*V_REPORTS_0002, *PAGE_METADATA_FIELDS]
    assert not set(PAGE_METADATA_FIELDS) & set(columns(wh, "documents"))
    wh.downgrade("0003")
    assert "page_metadata" not in inspect(wh.engine).get_table_names()
    assert set(PAGE_METADATA_FIELDS) <= set(columns(wh, "documents"))
    assert columns(wh, "v_reports") == [*V_REPORTS_0002, *PAGE_METADATA_FIELDS]
    wh.downgrade("0002")
    assert set(inspect(wh.engine).get_view_names()) == VIEWS_0002
    assert not set(PAGE_METADATA_FIELDS) & set(columns(wh, "documents"))
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
    stats = wh.load(**data)
    expected = {
        "sites": 6,
        "captures": 13,
        "documents": 6,
        "page_metadata": 6,
        "reports": 5,
        "cells": len(
            {
                (table, row, column)
                for record in records
                for table in rows.CELL_TABLES
                for row, columns in record[table].items()
                for column in columns
            }
        ),
        "report_cell_values": sum(cell_count(record) for record in records),
        "report_checks": 10,
        "parse_errors": 1,
        "organs": 5,
        "organ_names": 5,
    }
    assert stats.added == expected
    assert wh.counts() == expected
    again = wh.load(**data)
    assert set(again.added.values()) == {0}
    assert wh.counts() == expected


def test_recrawl_of_the_same_bytes_updates_last_seen(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data)
    later = [replace(capture, fetched_at="2025-01-01T00:00:00Z") for capture in data["captures"]]
    assert set(wh.load(later, [], []).added.values()) == {0}
    not_modified = [  # a conditional recrawl: a 304, no body, naming the capture it revisits
        replace(capture, status=304, fetched_at="2025-06-01T00:00:00Z", revisits=capture.fetched_at)
        for capture in data["captures"]
        if capture.status == 200
    ]
    assert not_modified
    assert set(wh.load(not_modified, [], []).added.values()) == {0}
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
    wh.load(**data)
    path = tmp_path / "out" / "reports.jsonl"
    assert wh.export(path, "jsonl") == 5
    exported = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sources = [
        {key: getattr(document, key) for key in ("url", "file_url", "sha256", "media_type")}
        for document in data["documents"]
    ]
    assert exported == [
        {**record, "source": source} for record, source in zip(records, sources, strict=False)
    ]


def test_missing_and_inferred_cells_keep_their_status(wh: Warehouse) -> None:
    records = expected_records()
    wh.migrate()
    wh.load(**inputs(records))
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


def test_parse_errors_are_stored_with_what_their_report_page_prints(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs(expected_records()))
    stored = fetch(
        wh,
        "SELECT d.file_name, e.parser_version, e.kind, e.message, "
        + ", ".join(f"p.{field}" for field in PAGE_METADATA_FIELDS)
        + " FROM parse_errors e JOIN documents d ON d.id = e.document_id "
        "JOIN page_metadata p "
        "ON p.document_id = e.document_id AND p.parser_version = e.parser_version",
    )
    assert stored == [("5.pdf", VERSION, "not_a_report", "空白", *PRINTED[5])]


def test_new_parser_version_adds_reports_and_keeps_history(wh: Warehouse, tmp_path: Path) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data)
    revised = [reparsed(result, "parser-2") for result in data["results"]]
    for result in revised[:5]:
        result.record["organ"] += "（修订）"
    stats = wh.load(data["captures"], data["documents"], revised)
    assert (stats.added["reports"], stats.added["parse_errors"]) == (5, 1)
    assert stats.added["page_metadata"] == 6
    assert stats.added["captures"] == stats.added["documents"] == 0
    assert wh.counts()["reports"] == 10
    with wh.engine.connect() as connection:
        query = select(reports.c.record).where(reports.c.parser_version == VERSION)
        old = connection.execute(query.order_by(reports.c.id)).scalars().all()
    assert old == records
    wh.export(tmp_path / "reports.jsonl", "jsonl")
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["organ"].endswith("（修订）") for line in lines)


def test_one_load_stores_each_result_under_its_own_parser_version(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    revised = [reparsed(result, "parser-2") for result in data["results"]]
    for result in revised[:5]:
        result.record["organ"] += "（修订）"
    both = [result for pair in zip(data["results"], revised, strict=True) for result in pair]
    wh.migrate()
    stats = wh.load(data["captures"], data["documents"], both)
    added = {table: stats.added[table] for table in ("reports", "parse_errors", "page_metadata")}
    assert added == {"reports": 10, "parse_errors": 2, "page_metadata": 12}
    shown = fetch(wh, "SELECT parser_version, organ FROM reports ORDER BY parser_version, id")
    assert shown == [
        *((VERSION, record["organ"]) for record in records),
        *(("parser-2", record["organ"] + "（修订）") for record in records),
    ]
    errors = fetch(wh, "SELECT parser_version, kind FROM parse_errors ORDER BY parser_version")
    assert errors == [(VERSION, "not_a_report"), ("parser-2", "not_a_report")]
    assert {row[0] for row in fetch(wh, "SELECT parser_version FROM v_reports")} == {"parser-2"}


def wait_for_a_lock_wait(wh: Warehouse) -> None:
    query = text(
        "SELECT COUNT(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 10
    with wh.engine.connect() as connection:
        while not connection.execute(query).scalar():
            connection.rollback()  # a transaction sees one snapshot of the statistics
            assert time.monotonic() < deadline, "the second load never waited for the first"
            time.sleep(0.02)


def test_a_load_racing_another_for_the_same_reports_adds_no_cells_twice(
    postgres_database: URL,
) -> None:
    """The second load finds no report of the first (not committed yet), so it inserts them, and
    that insert waits for the first load: it must not then add the first load's cells again."""
    wh = Warehouse(postgres_schema_url(postgres_database))
    data = inputs(expected_records())
    wh.migrate()
    wh.load(data["captures"], data["documents"], [])
    with wh.engine.connect() as first, ThreadPoolExecutor(1) as pool:
        transaction = first.begin()
        load.load(first, [], [], data["results"])
        second = pool.submit(wh.load, [], [], data["results"])
        try:
            wait_for_a_lock_wait(wh)
        finally:
            transaction.commit()
        second.result(timeout=30)
    counts = wh.counts()
    wh.dispose()
    assert (counts["reports"], counts["parse_errors"], counts["page_metadata"]) == (5, 1, 6)


def test_v_applications_has_the_numbers_of_a_report(wh: Warehouse) -> None:
    records = expected_records()
    wh.migrate()
    wh.load(**inputs(records))
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
    wh.load(**data)
    start_url = data["captures"][0].site
    region = {"province": "河南省", "city": "洛阳市", "county": "汝阳县", "adcode": "410326"}
    wh.register_sites([{"start_url": start_url, **region}])
    wh.register_sites([{"start_url": start_url, **region}])
    with wh.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT province, city, county, adcode FROM sites WHERE start_url = :u"),
            {"u": start_url},
        ).all()
    assert [tuple(row) for row in rows] == [tuple(region.values())]


def test_page_metadata_and_v_reports_carry_what_the_report_page_prints(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs(expected_records()))
    assert page_readings(wh, "page_metadata", "document_id") == PRINTED
    assert page_readings(wh, "v_reports", "report_id") == PRINTED[:5]  # the 6th did not parse
    with wh.engine.connect() as connection:
        query = select(page_metadata.c.issued_on).order_by(page_metadata.c.document_id)
        assert connection.execute(query).scalar() == date(2020, 1, 15)


def test_page_metadata_is_kept_per_parser_version(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data)
    first = data["results"][0]
    corrected = replace(
        reparsed(first, "parser-2"), page=replace(first.page, publisher="汝阳县人民政府")
    )
    wh.load([], [], [corrected])
    readings = "SELECT parser_version, publisher, issued_on FROM page_metadata WHERE "
    readings += "document_id = (SELECT id FROM documents WHERE sha256 = :sha) ORDER BY 1"
    shown = "SELECT parser_version, publisher, issued_on FROM v_reports WHERE sha256 = :sha"
    both = [
        (VERSION, "汝阳县人民政府办公室", "2020-01-15"),
        ("parser-2", "汝阳县人民政府", "2020-01-15"),
    ]
    assert fetch(wh, readings, sha=first.document_sha256) == both
    assert fetch(wh, shown, sha=first.document_sha256) == [both[1]]
    counts = wh.counts()
    # what a version read is kept: loading it again, even reading otherwise, changes nothing
    assert set(wh.load(**data).added.values()) == {0}
    reread = replace(first, page=replace(first.page, publisher="另一机关"))
    assert set(wh.load([], [], [reread]).added.values()) == {0}
    assert wh.counts() == counts
    assert fetch(wh, readings, sha=first.document_sha256) == both
    assert fetch(wh, shown, sha=first.document_sha256) == [both[1]]


def test_a_page_read_as_empty_leaves_no_reading_and_a_later_one_is_stored(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    first = data["results"][0]
    unread = replace(first, page=PageMetadata())  # its page was missing from the archive
    assert wh.load(data["captures"], data["documents"], [unread]).added["page_metadata"] == 0
    shown = "SELECT parser_version, publisher, issued_on FROM v_reports"
    assert fetch(wh, shown) == [(VERSION, None, None)]
    assert wh.load([], [], [first]).added == dict.fromkeys(wh.counts(), 0) | {"page_metadata": 1}
    assert fetch(wh, shown) == [(VERSION, PUBLICATIONS[0]["publisher"], "2020-01-15")]


#: Documents at 0003, by name (their sha256 is the name 64 times), with their 0003 columns.
DOCUMENTS_0003 = {
    "a": ("I-1", "甲县人民政府办公室", "甲政办〔2021〕1号", "2021-01-20", "2021-01-18"),
    "b": (None, "乙县人民政府", None, "2021-02-01", None),
    "c": (None, None, None, None, None),  # loaded before 0003 read report pages
    "d": ("I-4", "丁县人民政府", None, None, None),  # no result yet
    "e": ("I-5", "戊县人民政府办公室", None, "2021-03-05", None),  # a notice: errors only
}
REPORTS_0003 = [("a", "parser-1"), ("b", "parser-1"), ("c", "parser-1"), ("a", "parser-2")]
ERRORS_0003 = [("b", "parser-2"), ("e", "parser-1"), ("e", "parser-2")]
PAGE_COLUMNS = ", ".join(f"x.{field}" for field in PAGE_METADATA_FIELDS)


def load_at_0003(wh: Warehouse) -> None:
    """Documents with their page's metadata, reports and parse errors of two parser versions, as
    0003 stored them (plain SQL: the table objects are those of the head revision)."""
    document = "(SELECT id FROM documents WHERE sha256 = :sha)"
    with wh.engine.begin() as connection:
        for name, page in DOCUMENTS_0003.items():
            connection.execute(
                text(
                    f"INSERT INTO documents (sha256, url, first_seen_at, "
                    f"{', '.join(PAGE_METADATA_FIELDS)}) VALUES (:sha, :url, "
                    "'2024-05-01 08:00:00+00:00', :p0, :p1, :p2, :p3, :p4)"
                ),
                {"sha": name * 64, "url": f"http://www.gov.example.cn/{name}.html"}
                | {f"p{i}": value for i, value in enumerate(page)},
            )
        for name, version in REPORTS_0003:
            connection.execute(
                text(
                    "INSERT INTO reports (document_id, parser_version, organ, record, loaded_at) "
                    f"VALUES ({document}, :v, :organ, '{{}}', '2024-05-02 08:00:00+00:00')"
                ),
                {"sha": name * 64, "v": version, "organ": f"机关{name}"},
            )
        for name, version in ERRORS_0003:
            connection.execute(
                text(
                    "INSERT INTO parse_errors (document_id, parser_version, kind) "
                    f"VALUES ({document}, :v, 'not_a_report')"
                ),
                {"sha": name * 64, "v": version},
            )


def by_document(wh: Warehouse, relation: str, *columns: str) -> list[tuple]:
    """`columns` and the page's metadata of `relation`, by document name."""
    selected = ", ".join(["substr(d.sha256, 1, 1)", *(f"x.{c}" for c in columns), PAGE_COLUMNS])
    return fetch(
        wh,
        f"SELECT {selected} FROM {relation} x JOIN documents d ON d.id = x.document_id "
        f"ORDER BY 1{''.join(f', x.{c}' for c in columns)}",
    )


def test_migration_0004_moves_page_metadata_to_each_parser_version(wh: Warehouse) -> None:
    wh.migrate("0003")
    load_at_0003(wh)
    wh.migrate()
    page = DOCUMENTS_0003
    loaded = sorted({*REPORTS_0003, *ERRORS_0003})
    assert by_document(wh, "page_metadata", "parser_version") == [
        (name, version, *page[name]) for name, version in loaded if name != "c"
    ]
    assert not set(PAGE_METADATA_FIELDS) & set(columns(wh, "documents"))
    assert by_document(wh, "v_reports", "parser_version") == [
        ("a", "parser-2", *page["a"]), ("b", "parser-1", *page["b"]), ("c", "parser-1", *page["c"]),
    ]  # fmt: skip
    # a later version reads document a's page otherwise: the downgrade keeps its reading
    correction = ParseResult("a" * 64, "parser-10", record={"organ": "机关a"})
    correction = replace(correction, page=replace(correction.page, publisher="甲县人民政府"))
    assert wh.load([], [], [correction]).added["page_metadata"] == 1
    wh.downgrade("0003")
    restored = fetch(
        wh, f"SELECT substr(sha256, 1, 1), {PAGE_COLUMNS} FROM documents x ORDER BY sha256"
    )
    assert restored == [
        ("a", None, "甲县人民政府", None, None, None),
        ("b", *page["b"]),
        ("c", *page["c"]),
        ("d", None, None, None, None, None),  # no parser version had read its page
        ("e", *page["e"]),
    ]
    shown = [(name, version, publisher) for name, version, _, publisher, *_ in
             by_document(wh, "v_reports", "parser_version")]  # fmt: skip
    assert shown == [
        ("a", "parser-10", "甲县人民政府"), ("b", "parser-1", page["b"][1]),
        ("c", "parser-1", None),
    ]  # fmt: skip


def test_downgrade_to_0002_and_back_keeps_the_loaded_rows(wh: Warehouse) -> None:
    data = inputs(expected_records())
    wh.migrate()
    wh.load(**data)
    counts = wh.counts()
    wh.downgrade("0002")
    with wh.engine.connect() as connection:
        shown = connection.execute(text("SELECT COUNT(*) FROM v_applications")).scalar()
    assert shown == 5
    wh.migrate()
    assert wh.counts() == {**counts, "page_metadata": 0}  # 0002 kept no page's metadata
    assert set(page_readings(wh, "v_reports", "report_id")) == {(None,) * 5}
    assert wh.load(**data).added["page_metadata"] == 6  # the next load brings them back
    assert page_readings(wh, "v_reports", "report_id") == PRINTED[:5]
