"""What a report page prints above its article, on its documents and in v_reports.

`documents` gets index_number (索引号), publisher (发布机构), document_number (文号), issued_on
(发文日期) and written_on (成文日期); `v_reports` shows them after its other columns. The views
built on `v_reports` are dropped and made again as 0002 made them (PostgreSQL drops no view
others depend on, SQLite has no CREATE OR REPLACE VIEW).

Columns are dropped in place (SQLite 3.35+), not by batch mode: that copies `documents` into a
new table and drops the old one, which fails on the foreign keys `reports` and `parse_errors`
hold, enforced on every connection.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

research = importlib.import_module("warehouse.migrations.versions.0002_research_views")

COLUMNS = {
    "index_number": sa.Text,
    "publisher": sa.Text,
    "document_number": sa.Text,
    "issued_on": sa.Date,
    "written_on": sa.Date,
}
LATEST_REPORTS = """\
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.document_id, r.parser_version, r.title,
       r.organ, r.year, r.template, r.province, r.city, r.county, r.adcode,
       d.sha256, d.url, d.file_url, d.first_seen_at,
       d.index_number, d.publisher, d.document_number, d.issued_on, d.written_on
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE NOT EXISTS (
  SELECT 1 FROM reports later WHERE later.document_id = r.document_id AND later.id > r.id
)"""


def drop_views() -> None:
    for view in ("v_coverage", *research.PIVOTS, "v_reports"):
        op.execute(f"DROP VIEW {view}")


def create_views(latest_reports: str) -> None:
    op.execute(latest_reports)
    for view, (table, cells) in research.PIVOTS.items():
        op.execute(research.pivot_view_sql(view, table, cells))
    op.execute(research.COVERAGE)


def upgrade() -> None:
    drop_views()
    for name, kind in COLUMNS.items():
        op.add_column("documents", sa.Column(name, kind()))
    create_views(LATEST_REPORTS)


def downgrade() -> None:
    drop_views()
    for name in COLUMNS:
        op.drop_column("documents", name)
    create_views(research.LATEST_REPORTS)
