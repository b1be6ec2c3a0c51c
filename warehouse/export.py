"""Export the warehouse as xxgk.report/1 JSON lines, each with its source document."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Connection, func, select

from warehouse.tables import documents, reports

ROWS_PER_FETCH = 1000
SOURCE = (documents.c.url, documents.c.file_url, documents.c.sha256, documents.c.media_type)


def export_jsonl(connection: Connection, path: Path) -> int:
    """One line per document: the report of the parser version loaded last."""
    latest = select(func.max(reports.c.id)).group_by(reports.c.document_id)
    query = (
        select(reports.c.record, *SOURCE)
        .join(documents, documents.c.id == reports.c.document_id)
        .where(reports.c.id.in_(latest))
        .order_by(reports.c.id)
    )
    results = connection.execution_options(yield_per=ROWS_PER_FETCH).execute(query)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record, *values in results:
            source = {column.name: value for column, value in zip(SOURCE, values, strict=True)}
            out.write(json.dumps({**record, "source": source}, ensure_ascii=False) + "\n")
            count += 1
    return count
