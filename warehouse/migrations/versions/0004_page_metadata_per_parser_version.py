"""Page metadata per parser version: `page_metadata` replaces the columns 0003 put on `documents`.

The parse service now reads what a report page prints (索引号, 发布机构, 文号, 发文/成文日期) from
the archived page, so each parser version has its own reading, kept like its cells. The values
0003 stored on `documents` are copied to every (document, parser version) already loaded, and
`v_reports` shows the reading of the version it shows. Where the 0003 columns are all NULL the
page was never read (loaded before 0003): no row, so that the next load of a result of that
version stores its reading. A document with no result yet gets none either: its parse reads it.

Downgrading puts on each document one reading: that of the version of its latest report (the
one `v_reports` shows), else, with no report, that of the greatest version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

previous = importlib.import_module("warehouse.migrations.versions.0003_document_publication")

FIELDS = ", ".join(previous.COLUMNS)
LATEST_REPORTS = """\
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.document_id, r.parser_version, r.title,
       r.organ, r.year, r.template, r.province, r.city, r.county, r.adcode,
       d.sha256, d.url, d.file_url, d.first_seen_at,
       p.index_number, p.publisher, p.document_number, p.issued_on, p.written_on
FROM reports r
JOIN documents d ON d.id = r.document_id
LEFT JOIN page_metadata p
  ON p.document_id = r.document_id AND p.parser_version = r.parser_version
WHERE NOT EXISTS (
  SELECT 1 FROM reports later WHERE later.document_id = r.document_id AND later.id > r.id
)"""


def upgrade() -> None:
    previous.drop_views()
    op.create_table(
        "page_metadata",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("parser_version", sa.Text, primary_key=True),
        *(sa.Column(name, kind()) for name, kind in previous.COLUMNS.items()),
    )
    op.execute(
        f"INSERT INTO page_metadata (document_id, parser_version, {FIELDS}) "
        f"SELECT d.id, v.parser_version, {', '.join(f'd.{c}' for c in previous.COLUMNS)} "
        "FROM documents d JOIN ("
        "SELECT document_id, parser_version FROM reports "
        "UNION SELECT document_id, parser_version FROM parse_errors"
        ") v ON v.document_id = d.id "
        f"WHERE {' OR '.join(f'd.{c} IS NOT NULL' for c in previous.COLUMNS)}"
    )
    for name in previous.COLUMNS:
        op.drop_column("documents", name)
    previous.create_views(LATEST_REPORTS)


def downgrade() -> None:
    previous.drop_views()
    for name, kind in previous.COLUMNS.items():
        op.add_column("documents", sa.Column(name, kind()))
        op.execute(
            f"UPDATE documents SET {name} = (SELECT p.{name} FROM page_metadata p "
            "LEFT JOIN reports r "
            "ON r.document_id = p.document_id AND r.parser_version = p.parser_version "
            "WHERE p.document_id = documents.id "
            "ORDER BY r.id IS NULL, r.id DESC, p.parser_version DESC LIMIT 1)"
        )
    op.drop_table("page_metadata")
    previous.create_views(previous.LATEST_REPORTS)
