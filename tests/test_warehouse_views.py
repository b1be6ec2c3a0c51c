"""The research views, re-publication and re-parse, on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from sqlalchemy import select, text

from tests import warehouse_fixtures
from tests.warehouse_fixtures import VERSION, digest, expected_records, inputs, reparsed
from warehouse import Warehouse
from warehouse.tables import documents, report_cells, reports
from xxgk.records import ParseResult

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

METADATA = ("organ", "year", "template", "province", "city", "county", "adcode")


def view(wh: Warehouse, name: str, order: str = "report_id") -> list[dict[str, Any]]:
    with wh.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT * FROM {name} ORDER BY {order}")).mappings()
        return [dict(row) for row in rows]


def metadata(record: dict[str, Any]) -> tuple:
    return tuple(record["region"].get(key, record.get(key)) for key in METADATA)


def assert_view_holds(rows: list[dict[str, Any]], records: list[dict], table: str) -> None:
    assert len(rows) == len(records)
    for record, row in zip(records, rows, strict=True):
        assert tuple(row[key] for key in METADATA) == metadata(record)
        for name, columns in record[table].items():
            for column, value in columns.items():
                assert row[f"{name}__{column}"] == value, (record["title"], name, column)


def test_per_report_views_have_the_numbers_and_metadata(wh: Warehouse) -> None:
    records = expected_records()
    wh.migrate()
    wh.load(**inputs(records))
    for name, table in (
        ("v_applications", "applications"),
        ("v_review_litigation", "review_litigation"),
        ("v_active_disclosure", "active_disclosure"),
    ):
        assert_view_holds(view(wh, name), records, table)
    active = view(wh, "v_active_disclosure")
    assert [row["template"] for row in active] == ["2019", "2021", "2019", "2019", "2019"]
    assert active[0]["regulations__issued"] is None  # a 2021 column in a 2019 report
    assert active[1]["regulations__new_made"] is None
    assert active[1]["procurement__projects"] is None


def test_v_coverage_counts_reports_and_organs_by_region_and_year(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data)
    twin = copy.deepcopy(records[3])  # a second organ of 洛宁县 reporting on the same year
    twin["organ"] = "洛宁县财政局"
    wh.load([], [replace(data["documents"][3], sha256=digest("twin"))],
            [ParseResult(digest("twin"), VERSION, record=twin)])  # fmt: skip
    rows = [tuple(row.values()) for row in view(wh, "v_coverage", "adcode, year")]
    assert rows == [
        ("河南省", "洛阳市", "汝阳县", "410326", 2019, 1, 1),
        ("河南省", "洛阳市", "洛宁县", "410328", 2020, 2, 2),
        ("河南省", "焦作市", "温县", "410825", 2022, 1, 1),
        ("河南省", "驻马店市", None, "411700", 2019, 1, 1),
        ("宁夏回族自治区", "固原市", None, "640400", 2019, 1, 1),
    ]


def test_reparse_replaces_what_views_show_and_keeps_old_cells(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data)
    results = [reparsed(result, "parser-2") for result in data["results"][:2]]  # two re-parsed
    revised = [result.record for result in results]
    for record in revised:
        record["applications"]["granted"]["total"] += 1000
        record["review_litigation"]["review"]["total"] += 1000
    assert wh.load([], [], results).added["reports"] == 2
    shown = [*records[2:], *revised]  # in report_id order
    assert_view_holds(view(wh, "v_applications"), shown, "applications")
    assert_view_holds(view(wh, "v_review_litigation"), shown, "review_litigation")
    versions = [row["parser_version"] for row in view(wh, "v_reports")]
    assert sorted(versions) == ["parser-1"] * 3 + ["parser-2"] * 2
    assert sum(row["reports"] for row in view(wh, "v_coverage", "adcode")) == 5
    cell = report_cells.c
    query = (
        select(reports.c.parser_version, cell.value)
        .join(reports, reports.c.id == cell.report_id)
        .join(documents, documents.c.id == reports.c.document_id)
        .where(documents.c.sha256 == data["documents"][0].sha256)
        .where(cell.table == "applications")
        .where(cell.row == "granted", cell.column == "total")
        .order_by(reports.c.id)
    )
    with wh.engine.connect() as connection:
        history = [tuple(row) for row in connection.execute(query)]
    old = records[0]["applications"]["granted"]["total"]
    assert history == [("parser-1", old), ("parser-2", old + 1000)]


def test_republication_with_new_bytes_is_a_new_document_and_report(wh: Warehouse) -> None:
    records = expected_records()
    data = inputs(records)
    wh.migrate()
    wh.load(**data)
    first = data["documents"][0]
    republished = copy.deepcopy(records[0])
    republished["applications"]["new_received"]["total"] += 1
    sha = digest("republished")
    capture = replace(data["captures"][1], sha256=sha, fetched_at="2025-03-01T08:00:00+08:00")
    stats = wh.load([capture], [replace(first, sha256=sha)],
                    [ParseResult(sha, VERSION, record=republished)])  # fmt: skip
    assert {name: stats.added[name] for name in ("captures", "documents", "reports")} == {
        "captures": 1, "documents": 1, "reports": 1,
    }  # fmt: skip
    rows = [row for row in view(wh, "v_reports") if row["organ"] == records[0]["organ"]]
    assert [(row["sha256"], row["file_url"]) for row in rows] == [
        (first.sha256, first.file_url), (sha, first.file_url),
    ]  # fmt: skip
    assert rows[0]["first_seen_at"] < rows[1]["first_seen_at"]
    applications = {row["report_id"]: row for row in view(wh, "v_applications")}
    old = records[0]["applications"]["new_received"]["total"]
    totals = [applications[row["report_id"]]["new_received__total"] for row in rows]
    assert totals == [old, old + 1]


OCR = {"kind": "ocr", "engine": "tesseract", "version": "5.3.4", "pages": [1, 2],
       "mean_confidence": 0.91}  # fmt: skip


def read_as(records: list[dict]) -> list[dict]:
    """`records` as parsers now make them: the first read by OCR and cut short."""
    for record in records:
        record |= {"text_source": {"kind": "text"}, "incomplete": False}
    records[0] |= {"text_source": OCR, "incomplete": True}
    return records


def test_v_reports_says_how_each_report_was_read(wh: Warehouse) -> None:
    records = read_as(expected_records())
    wh.migrate()
    wh.load(**inputs(records))
    shown = [
        (row["organ"], row["text_source"], row["ocr_engine"], row["ocr_mean_confidence"],
         bool(row["incomplete"]))
        for row in view(wh, "v_reports")
    ]  # fmt: skip
    assert shown == [
        (records[0]["organ"], "ocr", "tesseract", 0.91, True),
        *((record["organ"], "text", None, None, False) for record in records[1:]),
    ]
    with wh.engine.connect() as connection:
        read_from_text = connection.execute(
            text(
                "SELECT a.organ FROM v_applications a JOIN v_reports r USING (report_id) "
                "WHERE r.text_source = 'text' ORDER BY a.report_id"
            )
        ).scalars()
        assert list(read_from_text) == [record["organ"] for record in records[1:]]


def test_migration_0005_reads_how_loaded_reports_were_read_from_their_records(
    wh: Warehouse,
) -> None:
    records = expected_records()
    records[1:3] = read_as(records[1:3])  # two of them say; the others were loaded before
    wh.migrate()
    wh.load(**inputs(records))
    wh.downgrade("0004")  # as if loaded before 0005: the record alone says how
    wh.migrate()
    shown = [
        (row["text_source"], row["ocr_engine"], row["ocr_mean_confidence"], row["incomplete"])
        for row in view(wh, "v_reports")
    ]
    assert [(source, engine, confidence) for source, engine, confidence, _ in shown] == [
        ("text", None, None), ("ocr", "tesseract", 0.91), ("text", None, None),
        ("text", None, None), ("text", None, None),
    ]  # fmt: skip
    assert [None if cut is None else bool(cut) for *_, cut in shown] == [
        None, True, False, None, None,
    ]  # fmt: skip
