"""Load crawl and parse outputs idempotently, in bulk, with dialect upserts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Table, case, select
from sqlalchemy.dialects import postgresql, sqlite

from warehouse import rows
from warehouse.tables import (
    CAPTURE_KEY,
    captures,
    documents,
    page_metadata,
    parse_errors,
    report_cells,
    report_checks,
    reports,
    sites,
)
from xxgk.records import Capture, Document, PageMetadata, ParseResult

RESULTS_PER_BATCH = 500
#: A page that prints nothing, or was not in the archive: no row, so a later reading is stored.
UNREAD = PageMetadata()
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert(connection: Connection, table: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing/do_update`."""
    try:
        return INSERTS[connection.dialect.name](table)
    except KeyError:
        raise NotImplementedError(f"no upsert for {connection.dialect.name}") from None


def insert_if_absent(connection: Connection, table: Table, values: list[rows.Row]) -> None:
    if values:
        connection.execute(upsert(connection, table).on_conflict_do_nothing(), values)


def insert_fresh(connection: Connection, table: Table, values: list[rows.Row]) -> None:
    """Insert rows known to be new: with COPY on PostgreSQL (an executemany there is one
    statement per row), else with an executemany."""
    if not values:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), values)
        return
    quote = connection.dialect.identifier_preparer.quote
    names = list(values[0])
    copy_sql = f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in values:
            copy.write_row([row[name] for name in names])


SITE_REGION = ("province", "city", "county", "adcode")


def upsert_sites(connection: Connection, site_items: Iterable[Mapping]) -> None:
    """Sites with their region (from the site registry): added, or their region updated."""
    values = [
        {"start_url": item["start_url"], "host": urlsplit(item["start_url"]).hostname}
        | {column: item.get(column) for column in SITE_REGION}
        for item in site_items
    ]
    if not values:
        return
    statement = upsert(connection, sites)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[sites.c.start_url],
            set_={column: statement.excluded[column] for column in SITE_REGION},
        ),
        values,
    )


def upsert_captures(connection: Connection, values: list[rows.Row]) -> None:
    """New captures are added; one seen before widens its first/last seen time."""
    if not values:
        return
    statement = upsert(connection, captures)
    new, old = statement.excluded, captures.c
    statement = statement.on_conflict_do_update(
        index_elements=list(CAPTURE_KEY),
        set_={
            "first_seen_at": case(
                (new.first_seen_at < old.first_seen_at, new.first_seen_at),
                else_=old.first_seen_at,
            ),
            "last_seen_at": case(
                (new.last_seen_at > old.last_seen_at, new.last_seen_at), else_=old.last_seen_at
            ),
        },
    )
    connection.execute(statement, values)


def batched(items: Iterable[ParseResult], size: int) -> Iterator[list[ParseResult]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def document_ids(connection: Connection, digests: set[str]) -> dict[str, int]:
    query = select(documents.c.sha256, documents.c.id).where(documents.c.sha256.in_(digests))
    found = dict(connection.execute(query).all())
    if missing := digests - found.keys():
        raise ValueError(f"results for unknown documents: {sorted(missing)[:5]}")
    return found


def report_ids(connection: Connection, parser_version: str, ids: Iterable[int]) -> dict[int, int]:
    """document_id → report id of the reports this parser version made of those documents."""
    query = select(reports.c.document_id, reports.c.id).where(
        reports.c.parser_version == parser_version, reports.c.document_id.in_(list(ids))
    )
    return dict(connection.execute(query).all())


def load_results(connection: Connection, results: list[ParseResult], now: datetime) -> None:
    """Each result under the parser version that made it; one already loaded for its document
    and version is kept as it is."""
    ids = document_ids(connection, {result.document_sha256 for result in results})
    by_version: dict[str, dict[int, ParseResult]] = {}
    for result in results:
        by_version.setdefault(result.parser_version, {}).setdefault(
            ids[result.document_sha256], result
        )
    for version, chosen in by_version.items():
        load_version(connection, version, chosen, now)


def insert_reports(
    connection: Connection, version: str, records: dict[int, Mapping], now: datetime
) -> dict[int, int]:
    """Add these reports of this parser version; document_id → id of the reports this statement
    added (one a concurrent load added first is not among them: its cells are that load's)."""
    if not records:
        return {}
    statement = (
        upsert(connection, reports)
        .on_conflict_do_nothing()
        .returning(reports.c.document_id, reports.c.id)
    )
    values = [
        rows.report_row(document, version, record, now) for document, record in records.items()
    ]
    return dict(connection.execute(statement, values).all())


def load_version(
    connection: Connection, version: str, results: dict[int, ParseResult], now: datetime
) -> None:
    records = {doc: r.record for doc, r in results.items() if r.record is not None}
    loaded = report_ids(connection, version, records)
    new = {document: record for document, record in records.items() if document not in loaded}
    made = insert_reports(connection, version, new, now)
    for table, to_rows in ((report_cells, rows.cell_rows), (report_checks, rows.check_rows)):
        values = [row for document, rid in made.items() for row in to_rows(rid, new[document])]
        insert_fresh(connection, table, values)
    insert_if_absent(
        connection,
        parse_errors,
        [
            rows.error_row(document, version, result.error)
            for document, result in results.items()
            if result.error is not None
        ],
    )
    insert_if_absent(
        connection,
        page_metadata,
        [
            rows.page_row(document, version, result.page)
            for document, result in results.items()
            if result.page != UNREAD
        ],
    )


def load(
    connection: Connection,
    capture_items: Iterable[Capture],
    document_items: Iterable[Document],
    results: Iterable[ParseResult],
) -> None:
    """What a parser version made of a document (report, error, page reading), once loaded, is
    kept as it is."""
    now = datetime.now(UTC)
    capture_items, document_items = list(capture_items), list(document_items)
    capture_values = rows.capture_rows(capture_items)
    insert_if_absent(connection, sites, rows.site_rows(capture_items, document_items))
    upsert_captures(connection, capture_values)
    # a document seen before keeps its row: its bytes are the same
    insert_if_absent(connection, documents, rows.document_rows(document_items, capture_values, now))
    for batch in batched(results, RESULTS_PER_BATCH):
        load_results(connection, batch, now)
