"""Research indexes and views: v_reports, v_review_litigation, v_active_disclosure, v_coverage.

Every view shows, per document, only the report of the parser version loaded last
(`v_reports`); older versions stay in `reports` and `report_cells`. `v_applications` is
rebuilt on `v_reports` with the same report metadata columns as the other per-report views.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

initial = importlib.import_module("warehouse.migrations.versions.0001_initial")

INDEXES = {
    "ix_reports_organ_year": ("reports", ["organ", "year"]),
    "ix_reports_adcode_year": ("reports", ["adcode", "year"]),
    "ix_report_cells_table_row_column": ("report_cells", ["table", "row", "column"]),
}
REPORT_COLUMNS = ("organ", "year", "template", "province", "city", "county", "adcode")

# Frozen here (xxgk.report/1): a later change needs a new migration.
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
# Section 二: each row with the union of its 2019 and its 2021 columns.
ACTIVE_DISCLOSURE = {
    "regulations": (
        "new_made", "new_published", "total_published", "issued", "repealed", "in_force",
    ),
    "normative_documents": (
        "new_made", "new_published", "total_published", "issued", "repealed", "in_force",
    ),
    "licensing": ("prev_year_items", "change", "decisions"),
    "other_services": ("prev_year_items", "change", "decisions"),
    "penalties": ("prev_year_items", "change", "decisions"),
    "enforcement": ("prev_year_items", "change", "decisions"),
    "fees": ("prev_year_items", "change", "amount_10k_yuan"),
    "procurement": ("projects", "amount_10k_yuan"),
}  # fmt: skip

LATEST_REPORTS = """\
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.document_id, r.parser_version, r.title,
       r.organ, r.year, r.template, r.province, r.city, r.county, r.adcode,
       d.sha256, d.url, d.file_url, d.first_seen_at
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE NOT EXISTS (
  SELECT 1 FROM reports later WHERE later.document_id = r.document_id AND later.id > r.id
)"""

COVERAGE = """\
CREATE VIEW v_coverage AS
SELECT province, city, county, adcode, year,
       COUNT(*) AS reports, COUNT(DISTINCT organ) AS organs
FROM v_reports
GROUP BY province, city, county, adcode, year"""


def pivot_view_sql(view: str, table: str, cells: list[tuple[str, str]]) -> str:
    """One row per latest report: its metadata, then one column `<row>__<column>` per cell."""
    metadata = ", ".join(f"r.{column}" for column in REPORT_COLUMNS)
    pivot = ",\n".join(
        f"  MAX(CASE WHEN c.\"row\" = '{row}' AND c.\"column\" = '{column}' THEN c.value END)"
        f" AS {row}__{column}"
        for row, column in cells
    )
    return (
        f"CREATE VIEW {view} AS\n"
        f"SELECT r.report_id, {metadata},\n{pivot}\n"
        "FROM v_reports r\n"
        f"LEFT JOIN report_cells c ON c.report_id = r.report_id AND c.\"table\" = '{table}'\n"
        f"GROUP BY r.report_id, {metadata}"
    )


PIVOTS = {
    "v_applications": (
        "applications",
        [
            (row, column)
            for row in initial.APPLICATION_ROWS
            for column in initial.APPLICATION_COLUMNS
        ],
    ),
    "v_review_litigation": (
        "review_litigation",
        [(group, column) for group in REVIEW_GROUPS for column in REVIEW_COLUMNS],
    ),
    "v_active_disclosure": (
        "active_disclosure",
        [(row, column) for row, columns in ACTIVE_DISCLOSURE.items() for column in columns],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    op.execute("DROP VIEW v_applications")
    op.execute(LATEST_REPORTS)
    for view, (table, cells) in PIVOTS.items():
        op.execute(pivot_view_sql(view, table, cells))
    op.execute(COVERAGE)


def downgrade() -> None:
    for view in ("v_coverage", *PIVOTS, "v_reports"):
        op.execute(f"DROP VIEW {view}")
    op.execute(initial.applications_view_sql())
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
