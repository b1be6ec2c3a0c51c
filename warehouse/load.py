"""Load crawl and parse outputs idempotently, in bulk, counting the rows each load adds.

Rows that may be in the warehouse already are staged in a temporary table (PostgreSQL `COPY`,
SQLite `executemany`) and merged by one set-based statement; the cells and checks of reports
just added are new by construction and go straight in, the same way.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from itertools import chain, islice
from operator import itemgetter
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import (
    Connection,
    Table,
    TableClause,
    and_,
    case,
    func,
    or_,
    select,
    sql,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from warehouse import organs, panel, rows
from warehouse.tables import (
    CAPTURE_KEY,
    capture_key,
    captures,
    cells,
    documents,
    organ_names,
    page_metadata,
    parse_errors,
    report_cell_values,
    report_checks,
    reports,
    sites,
)
from warehouse.tables import organs as organs_table  # `organs` is the module that names them
from xxgk.records import Capture, Document, PageMetadata, ParseResult

#: Results read, and their cells built, per round of statements: what bounds a load's memory
#: (two batches at a time: the next one is planned, and read, while this one loads).
RESULTS_PER_BATCH = 2000
#: A page that prints nothing, or was not in the archive: no row, so a later reading is stored.
UNREAD = PageMetadata()
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
#: Where each dialect keeps a connection's temporary tables.
TEMPORARY = {"postgresql": "pg_temp", "sqlite": "temp"}
#: A PostgreSQL table's columns and the oid of each one's type (what a binary COPY is sent as).
COLUMN_TYPES = text(
    "SELECT attname, CAST(atttypid AS integer) FROM pg_attribute "
    "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped"
)


def upsert(connection: Connection, table: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing/do_update`."""
    try:
        return INSERTS[connection.dialect.name](table)
    except KeyError:
        raise NotImplementedError(f"no upsert for {connection.dialect.name}") from None


def driver_rows(
    connection: Connection, table: Table, names: Sequence[str], values: Iterable[Sequence]
) -> Iterable[Sequence]:
    """Rows of `table`'s columns `names` as the driver takes them: each value through its
    column type's bind processor, as SQLAlchemy would send it."""
    dialect = connection.dialect
    processors = [
        (index, processor)
        for index, name in enumerate(names)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    return map(partial(processed, processors), values) if processors else values


def processed(processors: list[tuple[int, Callable]], value: Sequence) -> list:
    row = list(value)
    for index, processor in processors:
        row[index] = processor(row[index])
    return row


def quoted(connection: Connection, name: str) -> str:
    """A table's name, schema-qualified or not, as SQL."""
    return ".".join(map(connection.dialect.identifier_preparer.quote, name.split(".")))


def append_rows(
    connection: Connection, name: str, names: Sequence[str], values: Iterable[Sequence]
) -> int:
    """Append driver rows to the table `name` (schema-qualified or not): with a binary COPY on
    PostgreSQL (an executemany there is one statement per row), else with an executemany.
    How many."""
    target = quoted(connection, name)
    columns = ", ".join(map(connection.dialect.identifier_preparer.quote, names))
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        types = dict(connection.execute(COLUMN_TYPES, {"table": target}).all())
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[column] for column in names])
                for row in values:
                    copy.write_row(row)
            return cursor.rowcount
    marks = ", ".join("?" * len(names))
    return driver.executemany(f"INSERT INTO {target} ({columns}) VALUES ({marks})", values).rowcount


#: A binary COPY stream's header (signature, flags, no extension) and trailer.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"
#: A `report_cell_values` row in a binary COPY, up to its status: the number of fields, then
#: each one's length and bytes (report id, cell id, value; a length of -1 for no value).
CELL_WITH_VALUE = struct.Struct("!hiiiiid").pack
CELL_WITHOUT_VALUE = struct.Struct("!hiiiii").pack


class StatusFields(dict[str, bytes]):
    """A cell's status as a binary COPY field (its length, its UTF-8 bytes), made once each."""

    def __missing__(self, status: str) -> bytes:
        encoded = status.encode()
        self[status] = field = struct.pack("!i", len(encoded)) + encoded
        return field


def binary_cells(cells: list[tuple], status_fields: StatusFields) -> bytes:
    """`rows.cell_rows`' cells as the rows of a binary COPY into `report_cell_values`."""
    return b"".join(
        [
            (
                CELL_WITH_VALUE(4, 4, report, 4, cell, 8, value)
                if value is not None
                else CELL_WITHOUT_VALUE(4, 4, report, 4, cell, -1)
            )
            + status_fields[status]
            for report, cell, value, status in cells
        ]
    )


def append_cells(connection: Connection, reports_cells: Iterable[list[tuple]]) -> int:
    """Append each report's `rows.cell_rows` to `report_cell_values`: on PostgreSQL a binary
    COPY encoded a report at a time (not a value at a time, as the driver's rows are), else an
    executemany of them as they are (SQLite's REAL affinity stores a count as a float, as
    SQLAlchemy's `Float` would have made it). How many."""
    if connection.dialect.name != "postgresql":
        cells = chain.from_iterable(reports_cells)
        return append_rows(connection, report_cell_values.name, rows.CELL_COLUMNS, cells)
    columns = ", ".join(map(connection.dialect.identifier_preparer.quote, rows.CELL_COLUMNS))
    status_fields = StatusFields()
    with connection.connection.driver_connection.cursor() as cursor:
        target = quoted(connection, report_cell_values.name)
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(COPY_HEADER)
            for cells in reports_cells:
                copy.write(binary_cells(cells, status_fields))
            copy.write(COPY_TRAILER)
        return cursor.rowcount


def insert_fresh(
    connection: Connection, table: Table, names: Sequence[str], values: Iterable[Sequence]
) -> int:
    """Insert rows (tuples of the columns `names`) known to be new; how many."""
    return append_rows(connection, table.name, names, driver_rows(connection, table, names, values))


@contextmanager
def staged(connection: Connection, table: Table, values: list[rows.Row]) -> Iterator[TableClause]:
    """`values` in a temporary table of the columns of `table` they name, dropped after use."""
    names = list(values[0])
    stage = sql.table(
        f"staged_{table.name}", *map(sql.column, names), schema=TEMPORARY[connection.dialect.name]
    )
    name = f"{stage.schema}.{stage.name}"
    selected = ", ".join(map(connection.dialect.identifier_preparer.quote, names))
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {quoted(connection, name)}")
    connection.exec_driver_sql(
        f"CREATE TABLE {quoted(connection, name)} AS "
        f"SELECT {selected} FROM {quoted(connection, table.name)} LIMIT 0"
    )
    ordered = ([row[column] for column in names] for row in values)
    append_rows(connection, name, names, driver_rows(connection, table, names, ordered))
    yield stage
    connection.exec_driver_sql(f"DROP TABLE {quoted(connection, name)}")


def insert_staged(connection: Connection, table: Table, stage: TableClause) -> Any:
    """INSERT into `table` what `stage` holds, adding nothing already there (by any key)."""
    rows_staged = select(*stage.c).where(true())  # SQLite: a WHERE before ON CONFLICT
    return (
        upsert(connection, table)
        .from_select(list(stage.c.keys()), rows_staged)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)  # else an INSERT's is not kept
    )


def insert_if_absent(connection: Connection, table: Table, values: list[rows.Row]) -> int:
    """Add the rows whose key `table` does not hold yet; how many were added."""
    if not values:
        return 0
    with staged(connection, table, values) as stage:
        return connection.execute(insert_staged(connection, table, stage)).rowcount


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


def upsert_captures(connection: Connection, values: list[rows.Row]) -> int:
    """New captures are added; one seen before widens its first/last seen time, and takes the
    `found_by` of a log that records it if it had none. How many were added. (Added first, then
    widened: a capture a concurrent load added meanwhile is widened.)"""
    if not values:
        return 0
    with staged(connection, captures, values) as stage:
        added = connection.execute(insert_staged(connection, captures, stage)).rowcount
        old, new = captures.c, stage.c
        earlier = new.first_seen_at < old.first_seen_at
        later = new.last_seen_at > old.last_seen_at
        found = and_(old.found_by.is_(None), new.found_by.is_not(None))
        same = and_(*(a == b for a, b in zip(CAPTURE_KEY, capture_key(new), strict=True)))
        connection.execute(
            update(captures)
            .where(same, or_(earlier, later, found))
            .values(
                first_seen_at=case((earlier, new.first_seen_at), else_=old.first_seen_at),
                last_seen_at=case((later, new.last_seen_at), else_=old.last_seen_at),
                found_by=func.coalesce(old.found_by, new.found_by),
            )
        )
    return added


def batched(items: Iterable[ParseResult], size: int) -> Iterator[list[ParseResult]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class CellIds:
    """The id of each cell (`cells`), read once per load; the cells of records that bring new
    ones are added first (a concurrent load adding the same cell waits for this one, or this
    one for it)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ids: rows.CellIds = {}
        self.read()

    def read(self) -> None:
        query = select(cells.c.id, cells.c.table, cells.c.row, cells.c.column)
        for cell, table, row, column in self.connection.execute(query):
            self.ids.setdefault(table, {}).setdefault(row, {})[column] = cell

    def of(self, records: Iterable[Mapping]) -> tuple[rows.CellIds, int]:
        """The ids of every cell of these records, and how many cells were added to `cells`."""
        unknown = {
            tuple(cell.values()): cell
            for record in records
            for cell in rows.unknown_cells(record, self.ids)
        }
        added = insert_if_absent(self.connection, cells, list(unknown.values()))
        if unknown:
            self.read()
        return self.ids, added


class Reading(NamedTuple):
    """A record and what its `reports` row takes from it beyond `rows.report_row`: its organ and
    the digest of its cells."""

    record: Mapping
    organ: organs.Organ | None
    content_sha256: str


def loaded_before(
    connection: Connection, results: list[ParseResult]
) -> tuple[dict[str, int], set[tuple[int, str]]]:
    """The id of each result's document (by sha256), and the (document id, parser version)
    of the reports these versions made of those documents already; one statement, on the
    digests staged."""
    digests = {result.document_sha256 for result in results}
    versions = {result.parser_version for result in results}
    with staged(connection, documents, [{"sha256": digest} for digest in digests]) as stage:
        known = (
            select(documents.c.sha256, documents.c.id, reports.c.parser_version)
            .select_from(stage)
            .join(documents, documents.c.sha256 == stage.c.sha256)
            .outerjoin(
                reports,
                and_(
                    reports.c.document_id == documents.c.id,
                    reports.c.parser_version.in_(versions),
                ),
            )
        )
        found = connection.execute(known).all()
    ids = {digest: document for digest, document, _ in found}
    if missing := digests - ids.keys():
        raise ValueError(f"results for unknown documents: {sorted(missing)[:5]}")
    return ids, {(document, version) for _, document, version in found if version is not None}


#: By parser version: the result of each document id, and the records of the documents this
#: version has no report of yet.
Plan = dict[str, tuple[dict[int, ParseResult], dict[int, Mapping]]]


def plan(connection: Connection, results: list[ParseResult]) -> Plan:
    """What to load of these results: each under the parser version that made it, one already
    loaded for its document and version kept as it is."""
    ids, loaded = loaded_before(connection, results)
    by_version: dict[str, dict[int, ParseResult]] = {}
    for result in results:
        by_version.setdefault(result.parser_version, {}).setdefault(
            ids[result.document_sha256], result
        )
    return {
        version: (
            chosen,
            {
                document: result.record
                for document, result in chosen.items()
                if result.record is not None and (document, version) not in loaded
            },
        )
        for version, chosen in by_version.items()
    }


def reading(record: Mapping) -> Reading:
    return Reading(
        record,
        organs.identify(record.get("organ"), record.get("region")),
        panel.content_sha256(record),
    )


class Reader:
    """The readings of a batch's new records (by parser version and document id), made one at
    a time between the reports of another batch's cells' COPY, which the database sets the
    pace of (the client waits on it for much of the COPY), and the rest when asked for."""

    def __init__(self, planned: Plan) -> None:
        self.unread = (
            (version, document, record)
            for version, (_, new) in planned.items()
            for document, record in new.items()
        )
        self.readings: dict[str, dict[int, Reading]] = {version: {} for version in planned}

    def read(self, count: int | None = None) -> dict[str, dict[int, Reading]]:
        """Read `count` records more (all those left by default); the readings so far."""
        for version, document, record in islice(self.unread, count):
            self.readings[version][document] = reading(record)
        return self.readings

    def after(self, cells: list[tuple]) -> list[tuple]:
        """`cells`, once one record more is read."""
        self.read(1)
        return cells


def load_planned(
    connection: Connection,
    planned: Plan,
    reader: Reader,
    upcoming: Reader,
    cell_ids: CellIds,
    now: datetime,
) -> Counter[str]:
    """A batch as `plan` made it, with the `reader` of its new records; the `upcoming` batch's
    are read during this one's cells. Rows added, by table."""
    readings = reader.read()
    added: Counter[str] = Counter()
    for version, (chosen, _) in planned.items():
        added += load_version(
            connection, version, chosen, readings[version], now, upcoming, cell_ids
        )
    return added


def insert_reports(
    connection: Connection, version: str, readings: dict[int, Reading], now: datetime
) -> dict[int, int]:
    """Add these reports of this parser version; document_id → id of the reports this statement
    added (one a concurrent load, or an earlier batch of this load, added first is not among
    them: its cells are that load's, or that batch's)."""
    if not readings:
        return {}
    values = [
        rows.report_row(document, version, reading.record, now)
        | {
            "organ_id": reading.organ.organ_id if reading.organ else None,
            "content_sha256": reading.content_sha256,
        }
        for document, reading in readings.items()
    ]
    with staged(connection, reports, values) as stage:
        statement = insert_staged(connection, reports, stage).returning(
            reports.c.document_id, reports.c.id
        )
        return dict(connection.execute(statement).all())


def insert_organs(connection: Connection, named: Iterable[organs.Organ | None]) -> Counter[str]:
    """These organs, and the names they are printed under, that the warehouse does not hold
    yet; how many of each were added."""
    printed = {(organ.organ_id, organ.printed): organ for organ in named if organ}
    bodies = {organ.organ_id: organs.organ_row(organ) for organ in printed.values()}
    return Counter(
        organs=insert_if_absent(connection, organs_table, list(bodies.values())),
        organ_names=insert_if_absent(
            connection, organ_names, list(map(organs.name_row, printed.values()))
        ),
    )


def load_version(
    connection: Connection,
    version: str,
    results: dict[int, ParseResult],
    new: dict[int, Reading],
    now: datetime,
    upcoming: Reader,
    cell_ids: CellIds,
) -> Counter[str]:
    """These results of one parser version, by document id; `new` are the readings of the
    records of the documents this version has no report of yet. `upcoming` reads between the
    reports' cells."""
    added: Counter[str] = Counter()
    if made := sorted(insert_reports(connection, version, new, now).items(), key=itemgetter(1)):
        records = [(rid, new[document].record) for document, rid in made]
        ids, added["cells"] = cell_ids.of(record for _, record in records)
        values = (upcoming.after(rows.cell_rows(rid, record, ids)) for rid, record in records)
        checks = chain.from_iterable(rows.check_rows(rid, record) for rid, record in records)
        added.update(
            reports=len(made),
            report_cell_values=append_cells(connection, values),
            report_checks=insert_fresh(connection, report_checks, rows.CHECK_COLUMNS, checks),
        )
        added += insert_organs(connection, (new[document].organ for document, _ in made))
    errors = [
        rows.error_row(document, version, result.error)
        for document, result in results.items()
        if result.error is not None
    ]
    pages = [
        rows.page_row(document, version, result.page)
        for document, result in results.items()
        if result.page != UNREAD
    ]
    added.update(
        parse_errors=insert_if_absent(connection, parse_errors, errors),
        page_metadata=insert_if_absent(connection, page_metadata, pages),
    )
    return added


def load(
    connection: Connection,
    capture_items: Iterable[Capture],
    document_items: Iterable[Document],
    results: Iterable[ParseResult],
) -> dict[str, int]:
    """What a parser version made of a document (report, error, page reading), once loaded, is
    kept as it is. Rows added, by table (a table none were added to may be absent)."""
    now = datetime.now(UTC)
    capture_items, document_items = list(capture_items), list(document_items)
    capture_values = rows.capture_rows(capture_items)
    added = Counter(
        sites=insert_if_absent(connection, sites, rows.site_rows(capture_items, document_items)),
        captures=upsert_captures(connection, capture_values),
        # a document seen before keeps its row: its bytes are the same
        documents=insert_if_absent(
            connection, documents, rows.document_rows(document_items, capture_values, now)
        ),
    )
    # A batch is planned before the one before it loads: its records are read during that one's
    # cells (`Reader`). A document in both is planned new twice; its second report adds nothing
    # (`insert_reports`).
    before: tuple[Plan, Reader] | None = None
    cell_ids = CellIds(connection)
    for batch in batched(results, RESULTS_PER_BATCH):
        planned = plan(connection, batch)
        upcoming = Reader(planned)
        if before:
            added += load_planned(connection, *before, upcoming, cell_ids, now)
        before = planned, upcoming
    if before:
        added += load_planned(connection, *before, Reader({}), cell_ids, now)
    return dict(added)
