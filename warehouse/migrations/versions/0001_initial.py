"""Initial schema: sites, captures, documents, reports in long form, and v_applications.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)

# Section 三 of both templates (xxgk.report/1); other_handling is printed in 2019 and derived
# from the three other_* rows in 2021. Frozen here: a later change needs a new migration.
APPLICATION_ROWS = (
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited", "denied_security_stability",
    "denied_third_party", "denied_internal_affairs", "denied_process_info",
    "denied_enforcement_file", "denied_inquiry",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "rejected_complaint", "rejected_duplicate", "rejected_publication", "rejected_excessive",
    "rejected_confirmation",
    "other_handling", "other_no_correction", "other_no_fee", "other_misc",
    "total_handled", "carried_forward",
)  # fmt: skip
APPLICATION_COLUMNS = (
    "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
    "total",
)  # fmt: skip


def applications_view_sql() -> str:
    cells = ",\n".join(
        f"  MAX(CASE WHEN c.\"row\" = '{row}' AND c.\"column\" = '{column}' THEN c.value END)"
        f" AS {row}__{column}"
        for row in APPLICATION_ROWS
        for column in APPLICATION_COLUMNS
    )
    return (
        "CREATE VIEW v_applications AS\n"
        f"SELECT r.id AS report_id, r.organ, r.year, r.adcode,\n{cells}\n"
        "FROM reports r\n"
        "LEFT JOIN report_cells c ON c.report_id = r.id AND c.\"table\" = 'applications'\n"
        "GROUP BY r.id, r.organ, r.year, r.adcode"
    )


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("start_url", sa.Text, nullable=False, unique=True),
        sa.Column("host", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("adcode", sa.String(6)),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.Integer),
        sa.Column("role", sa.Text),
        sa.Column("media_type", sa.Text),
        sa.Column("size", sa.BigInteger),
        sa.Column("headers", sa.JSON),
        sa.Column("referer", sa.Text),
        sa.Column("site", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("file_name", sa.Text),
        sa.Column("error_kind", sa.Text),
        sa.Column("error_message", sa.Text),
        sa.Column("first_seen_at", Timestamp, nullable=False),
        sa.Column("last_seen_at", Timestamp, nullable=False),
    )
    op.create_index(
        "uq_captures_url_sha256_status",
        "captures",
        ["url", sa.text("coalesce(sha256, '')"), sa.text("coalesce(status, 0)")],
        unique=True,
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.Text),
        sa.Column("file_url", sa.Text),
        sa.Column("media_type", sa.Text),
        sa.Column("size", sa.BigInteger),
        sa.Column("site", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("file_name", sa.Text),
        sa.Column("first_seen_at", Timestamp, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("parser_version", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("organ", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("template", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("adcode", sa.String(6)),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("loaded_at", Timestamp, nullable=False),
        sa.UniqueConstraint("document_id", "parser_version"),
    )
    op.create_table(
        "report_cells",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("table", sa.Text, primary_key=True),
        sa.Column("row", sa.Text, primary_key=True),
        sa.Column("column", sa.Text, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_table(
        "report_checks",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("passed", sa.Boolean),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "parse_errors",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("parser_version", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("message", sa.Text),
    )
    op.execute(applications_view_sql())


def downgrade() -> None:
    op.execute("DROP VIEW v_applications")
    for table in (
        "parse_errors", "report_checks", "report_cells", "reports", "documents", "captures",
        "sites",
    ):  # fmt: skip
        op.drop_table(table)
