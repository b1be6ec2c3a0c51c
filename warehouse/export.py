"""Export the warehouse: per document, the report of the parser version loaded last.

`jsonl`: one xxgk.report/1 record a line, with its source document. `csv` and `parquet`: one
row per cell (long form), with the report's metadata and the url and sha256 of its source; or,
`wide`, one row per organ-year observation (`v_observations`) with its metadata and a column per
cell. Beside a CSV or Parquet file its codebook (`warehouse.codebook`) as CSV and JSON; Parquet
fields carry their entry's description.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, Select, TextClause, func, select, text

from warehouse import codebook
from warehouse.codebook import Entry
from warehouse.tables import documents, report_cells, reports

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

ROWS_PER_FETCH = 10_000
OBSERVATIONS_PER_ROW_GROUP = 5_000  # of the wide Parquet file: some 250 columns each
SOURCE = (documents.c.url, documents.c.file_url, documents.c.sha256, documents.c.media_type)
LATEST = reports.c.id.in_(select(func.max(reports.c.id)).group_by(reports.c.document_id))
CELLS = (
    select(
        reports.c.id.label("report_id"),
        reports.c.parser_version,
        reports.c.organ,
        reports.c.year,
        reports.c.template,
        reports.c.province,
        reports.c.city,
        reports.c.county,
        reports.c.adcode,
        report_cells.c.table.label("section"),
        report_cells.c.row.label("row_key"),
        report_cells.c.column.label("column_key"),
        report_cells.c.value,
        report_cells.c.status,
        documents.c.url.label("source_url"),
        documents.c.file_url.label("source_file_url"),
        documents.c.sha256.label("source_sha256"),
    )
    .select_from(report_cells)
    .join(reports, reports.c.id == report_cells.c.report_id)
    .join(documents, documents.c.id == reports.c.document_id)
    .where(LATEST)
    .order_by(*report_cells.primary_key.columns)
)


def stream(connection: Connection, query: Select | TextClause) -> Iterator[Sequence[Row[Any]]]:
    results = connection.execution_options(yield_per=ROWS_PER_FETCH).execute(query)
    yield from results.partitions()


def export_jsonl(connection: Connection, path: Path) -> int:
    """One line per document; returns the number of lines."""
    query = (
        select(reports.c.record, *SOURCE)
        .join(documents, documents.c.id == reports.c.document_id)
        .where(LATEST)
        .order_by(reports.c.id)
    )
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for rows in stream(connection, query):
            for record, *values in rows:
                source = {column.name: value for column, value in zip(SOURCE, values, strict=True)}
                out.write(json.dumps({**record, "source": source}, ensure_ascii=False) + "\n")
            count += len(rows)
    return count


#: Where each metadata column of the wide form comes from (o: v_observations, r: v_reports).
WIDE_SOURCES = {
    "organ_id": "o.organ_id", "organ": "o.organ", "kind": "o.kind", "province": "o.province",
    "city": "o.city", "county": "o.county", "adcode": "o.adcode", "year": "o.year",
    "report_id": "o.report_id", "choice": "o.choice", "reports": "o.reports",
    "template": "r.template", "published_on": "o.published_on",
    "published_on_from": "o.published_on_from", "source_url": "o.url",
    "source_file_url": "o.file_url", "source_sha256": "o.sha256",
    "parser_version": "r.parser_version", "text_source": "r.text_source",
    "incomplete": "r.incomplete",
}  # fmt: skip


def wide_query() -> TextClause:
    """Every observation's metadata, once per cell of its report (or once, with no cells)."""
    metadata = ", ".join(f"{WIDE_SOURCES[e.column]} AS {e.column}" for e in codebook.WIDE_METADATA)
    return text(
        f'SELECT {metadata}, c."table", c."row", c."column", v.value\n'
        "FROM v_observations o\n"
        "JOIN v_reports r ON r.report_id = o.report_id\n"
        "LEFT JOIN report_cell_values v ON v.report_id = o.report_id\n"
        "LEFT JOIN cells c ON c.id = v.cell_id\n"
        "ORDER BY o.report_id"
    )


def typed(value: object, entry: Entry) -> object:
    """A value as its codebook type: counts, stored as floats, as the integers they are."""
    if value is None:
        return None
    if entry.type == "integer":
        return round(value)  # type: ignore[call-overload]
    if entry.type == "float":
        return float(value)  # type: ignore[arg-type]
    if entry.type == "boolean":
        return bool(value)
    if entry.type == "date" and not isinstance(value, date):
        return date.fromisoformat(str(value)[:10])
    return value


def observations(connection: Connection, entries: Sequence[Entry]) -> Iterator[list[object]]:
    """One row per observation, its values in the order of `entries`."""
    position = {entry.column: index for index, entry in enumerate(entries)}
    width = len(codebook.WIDE_METADATA)
    rows = chain.from_iterable(stream(connection, wide_query()))
    for _, cells in groupby(rows, key=lambda row: row.report_id):
        row: list[object] = [None] * len(entries)
        for cell in cells:
            row[:width] = cell[:width]
            section, row_key, column_key, value = cell[width:]
            if section is not None:
                row[position[codebook.cell_column(section, row_key, column_key)]] = value
        yield [typed(value, entry) for value, entry in zip(row, entries, strict=True)]


def csv_text(value: object) -> object:
    if isinstance(value, bool):
        return str(value).lower()
    return value.isoformat() if isinstance(value, date) else value


def export_wide_csv(connection: Connection, path: Path, *, bom: bool = False) -> int:
    """One row per organ-year observation; returns the number of rows."""
    entries = codebook.wide()
    count = 0
    with path.open("w", encoding=encoding(bom), newline="") as out:
        writer = csv.writer(out)
        writer.writerow(entry.column for entry in entries)
        for row in observations(connection, entries):
            writer.writerow(csv_text(value) for value in row)
            count += 1
    codebook.write(entries, path, bom=bom)
    return count


def export_wide_parquet(connection: Connection, path: Path, *, bom: bool = False) -> int:
    """One row per organ-year observation; returns the number of rows."""
    entries = codebook.wide()
    schema = parquet_schema(entries)
    count = 0
    with parquet_writer(path, schema) as writer:
        rows = observations(connection, entries)
        while batch := list(islice(rows, OBSERVATIONS_PER_ROW_GROUP)):
            write_rows(writer, schema, batch)
            count += len(batch)
    codebook.write(entries, path, bom=bom)
    return count


def encoding(bom: bool) -> str:
    return "utf-8-sig" if bom else "utf-8"


def csv_value(value: object) -> object:
    """Counts are stored as floats; written as the integers they are (money keeps its cents)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def export_csv(connection: Connection, path: Path, *, bom: bool = False) -> int:
    """One row per cell; returns the number of cells."""
    count = 0
    with path.open("w", encoding=encoding(bom), newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CELLS.selected_columns.keys())
        for rows in stream(connection, CELLS):
            writer.writerows([csv_value(value) for value in row] for row in rows)
            count += len(rows)
    codebook.write(codebook.long(), path, bom=bom)
    return count


ARROW_TYPES = {"integer": "int64", "float": "float64", "text": "string", "boolean": "bool_",
               "date": "date32"}  # fmt: skip


def parquet_schema(entries: Iterable[Entry]) -> pa.Schema:
    import pyarrow as pa  # only the Parquet exports need pyarrow

    return pa.schema(
        pa.field(
            entry.column,
            getattr(pa, ARROW_TYPES[entry.type])(),
            metadata={"description": entry.description},
        )
        for entry in entries
    )


def parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    import pyarrow.parquet as pq

    return pq.ParquetWriter(path, schema)


def write_rows(
    writer: pq.ParquetWriter, schema: pa.Schema, rows: Sequence[Sequence[object]]
) -> None:
    import pyarrow as pa

    columns = zip(*rows, strict=True)
    writer.write_table(pa.table(dict(zip(schema.names, columns, strict=True)), schema=schema))


def export_parquet(connection: Connection, path: Path, *, bom: bool = False) -> int:
    """One row per cell; returns the number of cells."""
    long = codebook.long()
    schema = parquet_schema(long[: len(codebook.LONG_METADATA)])
    count = 0
    with parquet_writer(path, schema) as writer:
        for rows in stream(connection, CELLS):
            write_rows(writer, schema, rows)
            count += len(rows)
    codebook.write(long, path, bom=bom)
    return count


FORMATS = ("jsonl", "csv", "parquet")
TABULAR = {
    ("csv", False): export_csv,
    ("parquet", False): export_parquet,
    ("csv", True): export_wide_csv,
    ("parquet", True): export_wide_parquet,
}


def export(
    connection: Connection, path: Path, format: str, *, wide: bool = False, bom: bool = False
) -> int:
    """`bom`: CSV (the file and its codebook) in UTF-8 with a byte order mark, for Excel."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    if format == "jsonl" and wide:
        raise ValueError("the wide form is a table: csv or parquet, not jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "jsonl":
        return export_jsonl(connection, path)
    return TABULAR[format, wide](connection, path, bom=bom)
