"""The warehouse tables as SQLAlchemy Core objects, for loading and querying.

The schema itself is made by the Alembic migrations in `warehouse/migrations/`;
`tests/test_warehouse.py` checks that these definitions and the migrated database agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnCollection,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)

metadata = MetaData()
Timestamp = DateTime(timezone=True)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("start_url", Text, nullable=False, unique=True),
    Column("host", Text),
    Column("province", Text),
    Column("city", Text),
    Column("county", Text),
    Column("adcode", String(6)),
)

captures = Table(
    "captures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("sha256", String(64)),
    Column("status", Integer),
    Column("role", Text),
    Column("media_type", Text),
    Column("size", BigInteger),
    Column("headers", JSON),
    Column("referer", Text),
    Column("site", Text),
    Column("title", Text),
    Column("file_name", Text),
    Column("error_kind", Text),
    Column("error_message", Text),
    Column("first_seen_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Column("found_by", Text),
)


def capture_key(columns: ColumnCollection) -> tuple[ColumnElement, ...]:
    """One row per (url, sha256, status); failed fetches have no sha256 (and maybe no status),
    and NULLs never collide in a unique index, hence the coalesce. Of `captures` (or of rows
    staged to be merged into it), the upsert's conflict target."""
    return (
        columns.url,
        func.coalesce(columns.sha256, literal_column("''")),
        func.coalesce(columns.status, literal_column("0")),
    )


CAPTURE_KEY = capture_key(captures.c)
Index("uq_captures_url_sha256_status", *CAPTURE_KEY, unique=True)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("url", Text),
    Column("file_url", Text),
    Column("media_type", Text),
    Column("size", BigInteger),
    Column("site", Text),
    Column("title", Text),
    Column("file_name", Text),
    Column("first_seen_at", Timestamp, nullable=False),
)

# What a document's report page prints above the article (索引号, 发布机构, 文号, 发文/成文日期),
# as each parser version read it from the archived page: a better reader reaches it by re-parse.
# A version that read nothing there (or found no page in the archive) has no row.
page_metadata = Table(
    "page_metadata",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("parser_version", Text, primary_key=True),
    Column("index_number", Text),
    Column("publisher", Text),
    Column("document_number", Text),
    Column("issued_on", Date),
    Column("written_on", Date),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("parser_version", Text, nullable=False),
    Column("title", Text),
    Column("organ", Text),
    Column("year", Integer),
    Column("template", Text),
    Column("province", Text),
    Column("city", Text),
    Column("county", Text),
    Column("adcode", String(6)),
    Column("record", JSON, nullable=False),
    Column("loaded_at", Timestamp, nullable=False),
    # how the report was read (the record's `text_source`: `text` or `ocr`) and if it is cut
    Column("text_source", Text),
    Column("ocr_engine", Text),
    Column("ocr_mean_confidence", Float),
    Column("incomplete", Boolean),
    # the body (`organs`, by warehouse.organs) and a digest of the cells (warehouse.panel, 0008)
    Column("organ_id", Text),
    Column("content_sha256", String(64)),
    UniqueConstraint("document_id", "parser_version"),
)
Index("ix_reports_organ_year", reports.c.organ, reports.c.year)
Index("ix_reports_organ_id_year", reports.c.organ_id, reports.c.year)
Index("ix_reports_adcode_year", reports.c.adcode, reports.c.year)

# Each cell of the standard tables (section, row, column) once, under an integer id (0009): a
# report's cells are keyed by it, and `report_cells` (a view) shows them by name.
cells = Table(
    "cells",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("table", Text, nullable=False),
    Column("row", Text, nullable=False),
    Column("column", Text, nullable=False),
    UniqueConstraint("table", "row", "column"),
)

# No foreign keys (0006, 0009): the loader adds a report's cells with the report itself, and
# each cell's id from `cells` first. On SQLite the primary key is the table (no rowid).
report_cell_values = Table(
    "report_cell_values",
    metadata,
    Column("report_id", Integer, primary_key=True),
    Column("cell_id", Integer, primary_key=True),
    Column("value", Float),
    Column("status", Text, nullable=False),
    sqlite_with_rowid=False,
)
Index("ix_report_cell_values_cell_id", report_cell_values.c.cell_id)

#: The relations the migrations make as views: not created from here, nor counted as tables.
views = MetaData()
# The cells of every report, every parser version, by name: `report_cell_values` and `cells`.
report_cells = Table(
    "report_cells",
    views,
    Column("report_id", Integer, primary_key=True),
    Column("table", Text, primary_key=True),
    Column("row", Text, primary_key=True),
    Column("column", Text, primary_key=True),
    Column("value", Float),
    Column("status", Text, nullable=False),
)

report_checks = Table(
    "report_checks",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("passed", Boolean),
    Column("detail", Text),
)

parse_errors = Table(
    "parse_errors",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("parser_version", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("message", Text),
)

# One row per body the reports name (0008): its id is its region's code, kind and normalised name
# (warehouse.organs); the names it is printed under, each with the rules that matched it.
organs = Table(
    "organs",
    metadata,
    Column("organ_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("normalised_name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("province", Text),
    Column("city", Text),
    Column("county", Text),
    Column("adcode", String(6)),
    Column("parent_organ_id", Text),  # its government's id, whether it reports or not
)
Index("ix_organs_adcode", organs.c.adcode)

organ_names = Table(
    "organ_names",
    metadata,
    Column("organ_id", Text, ForeignKey("organs.organ_id"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("rule", Text, nullable=False),
)
