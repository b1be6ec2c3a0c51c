"""Export the warehouse: per document, the report of the parser version loaded last.

`jsonl`: one xxgk.report/1 record a line, with its source document. `csv` and `parquet`: one
row per cell (long form), with the report's metadata and the url and sha256 of its source.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from warehouse.tables import documents, report_cells, reports

ROWS_PER_FETCH = 10_000
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
        report_cells.c.table,
        report_cells.c.row,
        report_cells.c.column,
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


def stream(connection: Connection, query: Select) -> Iterator[Sequence[Row[Any]]]:
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


def csv_value(value: object) -> object:
    """Counts are stored as floats; written as the integers they are (money keeps its cents)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def export_csv(connection: Connection, path: Path) -> int:
    """One row per cell; returns the number of cells."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CELLS.selected_columns.keys())
        for rows in stream(connection, CELLS):
            writer.writerows([csv_value(value) for value in row] for row in rows)
            count += len(rows)
    return count


def export_parquet(connection: Connection, path: Path) -> int:
    """One row per cell; returns the number of cells."""
    import pyarrow as pa  # only this export needs pyarrow
    import pyarrow.parquet as pq

    types = {"report_id": pa.int64(), "year": pa.int32(), "value": pa.float64()}
    names = list(CELLS.selected_columns.keys())
    schema = pa.schema([(name, types.get(name, pa.string())) for name in names])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for rows in stream(connection, CELLS):
            columns = zip(*rows, strict=True)
            writer.write_table(pa.table(dict(zip(names, columns, strict=True)), schema=schema))
            count += len(rows)
    return count


FORMATS: dict[str, Callable[[Connection, Path], int]] = {
    "jsonl": export_jsonl,
    "csv": export_csv,
    "parquet": export_parquet,
}


def export(connection: Connection, path: Path, format: str) -> int:
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return FORMATS[format](connection, path)
