"""Turn crawl and parse outputs (`xxgk.records`) into warehouse rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from http import HTTPStatus
from itertools import repeat
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

from xxgk.records import (
    PAGE_DATE_FIELDS,
    PAGE_METADATA_FIELDS,
    Capture,
    Document,
    Error,
    PageMetadata,
)

Row = dict[str, Any]

CELL_TABLES = ("active_disclosure", "applications", "review_litigation")
#: The capture fields a `captures` row keeps.
CAPTURE_COLUMNS = (
    "url", "sha256", "status", "role", "media_type", "size", "headers", "referer", "site",
    "title", "file_name", "found_by",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "sha256", "url", "file_url", "media_type", "size", "site", "title", "file_name",
)  # fmt: skip


def utc(value: str) -> datetime:
    """An ISO timestamp as an aware UTC datetime (naive ones are taken as UTC)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def page_value(page: PageMetadata, field: str) -> str | date | None:
    """What the report page prints for `field`: text, or a date from ISO text."""
    value = getattr(page, field)
    return date.fromisoformat(value) if value and field in PAGE_DATE_FIELDS else value


def site_rows(captures: Iterable[Capture], documents: Iterable[Document]) -> list[Row]:
    starts = {item.site for items in (captures, documents) for item in items if item.site}
    return [{"start_url": url, "host": urlsplit(url).hostname} for url in sorted(starts)]


def capture_status(capture: Capture) -> int | None:
    """A 304 answers a conditional request with the bytes fetched before: it is that 200
    capture seen again, not a capture of its own."""
    status = capture.status
    if status == HTTPStatus.NOT_MODIFIED and capture.sha256:
        return int(HTTPStatus.OK)
    return status


def capture_rows(captures: Iterable[Capture]) -> list[Row]:
    """One row per (url, sha256, status), seen from the earliest to the latest fetch."""
    rows: dict[tuple, Row] = {}
    for capture in captures:
        seen = utc(capture.fetched_at)
        key = (capture.url, capture.sha256, capture_status(capture))
        if key in rows:
            row = rows[key]
            row["first_seen_at"] = min(row["first_seen_at"], seen)
            row["last_seen_at"] = max(row["last_seen_at"], seen)
            continue
        error = capture.error
        rows[key] = {
            **{field: getattr(capture, field) for field in CAPTURE_COLUMNS},
            "status": key[2],
            "error_kind": error.kind if error else None,
            "error_message": error.message if error else None,
            "first_seen_at": seen,
            "last_seen_at": seen,
        }
    return list(rows.values())


def document_rows(
    documents: Iterable[Document], captures: Iterable[Row], now: datetime
) -> list[Row]:
    """One row per sha256, first seen when its bytes were first fetched (else `now`)."""
    first_seen: dict[str, datetime] = {}
    for capture in captures:
        if digest := capture["sha256"]:
            seen = capture["first_seen_at"]
            first_seen[digest] = min(first_seen.get(digest, seen), seen)
    rows: dict[str, Row] = {}
    for document in documents:
        digest = document.sha256
        rows.setdefault(
            digest,
            {
                **{field: getattr(document, field) for field in DOCUMENT_COLUMNS},
                "first_seen_at": first_seen.get(digest, now),
            },
        )
    return list(rows.values())


def report_row(document_id: int, parser_version: str, record: Mapping, now: datetime) -> Row:
    region = record.get("region") or {}
    text_source = record.get("text_source") or {}  # none: read from its text layer, before OCR
    return {
        "document_id": document_id,
        "parser_version": parser_version,
        "title": record.get("title"),
        "organ": record.get("organ"),
        "year": record.get("year"),
        "template": record.get("template"),
        **{key: region.get(key) for key in ("province", "city", "county", "adcode")},
        "record": record,
        "loaded_at": now,
        "text_source": text_source.get("kind", "text"),
        "ocr_engine": text_source.get("engine"),
        "ocr_mean_confidence": text_source.get("mean_confidence"),
        "incomplete": record.get("incomplete"),
    }


#: The columns of `cell_rows`' and `check_rows`' tuples, in order.
CELL_COLUMNS = ("report_id", "cell_id", "value", "status")
CHECK_COLUMNS = ("report_id", "name", "passed", "detail")
#: The id of each cell of the standard tables: table → row → column → id (`cells`).
CellIds = dict[str, dict[str, dict[str, int]]]


def unknown_cells(record: Mapping, ids: CellIds) -> Iterator[Row]:
    """The `cells` rows of the record's cells that have no id in `ids`."""
    for table in CELL_TABLES:
        known = ids.get(table, {})
        for row, columns in (record.get(table) or {}).items():
            named = known.get(row, {})
            if not columns.keys() <= named.keys():
                for column in columns.keys() - named.keys():
                    yield {"table": table, "row": row, "column": column}


def cell_rows(report_id: int, record: Mapping, ids: CellIds) -> list[tuple]:
    """The record's tables in long form, by cell id (`ids` has every one), in the order of
    the ids; cells absent from `cell_status` were printed."""
    status = record.get("cell_status") or {}
    cells: list[tuple] = []
    for table in CELL_TABLES:
        known = ids.get(table, {})
        for row, columns in (record.get(table) or {}).items():
            statuses: Iterable[str] = repeat("printed")
            if status:
                prefix = f"{table}.{row}."
                statuses = [status.get(prefix + column, "printed") for column in columns]
            named = known[row]
            cells += zip(
                repeat(report_id), map(named.__getitem__, columns), columns.values(), statuses
            )
    cells.sort(key=itemgetter(1))
    return cells


def check_rows(report_id: int, record: Mapping) -> Iterator[tuple]:
    for check in record.get("checks") or ():
        yield report_id, check["name"], check.get("passed"), check.get("detail")


def error_row(document_id: int, parser_version: str, error: Error) -> Row:
    return {
        "document_id": document_id,
        "parser_version": parser_version,
        "kind": error.kind,
        "message": error.message,
    }


def page_row(document_id: int, parser_version: str, page: PageMetadata) -> Row:
    return {
        "document_id": document_id,
        "parser_version": parser_version,
        **{field: page_value(page, field) for field in PAGE_METADATA_FIELDS},
    }
