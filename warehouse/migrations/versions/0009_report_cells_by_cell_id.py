"""A report's cells keyed by an integer cell id: `cells` holds each (table, row, column) once,
`report_cell_values` a report's value and status of each cell by its id, and `report_cells`
becomes a view of the two with the columns it had. A load's millions of cells went into two
indexes on three text columns each; now into (report id, cell id) and (cell id), some half
the bytes to write and integers to compare. The views reading `report_cells` are made again on
the view, as 0008 made them; downgrade moves the cells back into the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

organ_year = importlib.import_module("warehouse.migrations.versions.0008_organ_year_panel")
research = importlib.import_module("warehouse.migrations.versions.0002_research_views")

CELL_KEY = '"table", "row", "column"'
REPORT_CELLS = """\
CREATE VIEW report_cells AS
SELECT v.report_id, c."table", c."row", c."column", v.value, v.status
FROM report_cell_values v
JOIN cells c ON c.id = v.cell_id"""

# 0008's, with each observation paired with the next by a window (one observation per organ and
# year) instead of by joining the observations to themselves: over the view of the cells the
# planner took that join first, row by row.
CARRY_BREAKS = """\
CREATE VIEW v_carry_breaks AS
WITH chosen AS MATERIALIZED (
  SELECT organ_id, organ, year, report_id,
         LEAD(year) OVER (PARTITION BY organ_id ORDER BY year) AS next_year,
         LEAD(report_id) OVER (PARTITION BY organ_id ORDER BY year) AS next_report_id
  FROM v_observations
)
SELECT o.organ_id, o.organ, o.year, o.next_year, f."column" AS applicant,
       CAST(f.value AS INTEGER) AS carried_forward, CAST(c.value AS INTEGER) AS next_carried_over,
       o.report_id, o.next_report_id
FROM chosen o
JOIN report_cells f
  ON f.report_id = o.report_id AND f."table" = 'applications' AND f."row" = 'carried_forward'
JOIN report_cells c
  ON c.report_id = o.next_report_id AND c."table" = 'applications' AND c."row" = 'carried_over'
 AND c."column" = f."column"
WHERE o.next_year = o.year + 1 AND f.value <> c.value"""

# 0008's pivots read the values of their table's cells by report and cell id, with the cells'
# names beside them, not through `report_cells`: SQLite makes a view that is a join, on the
# right of a LEFT JOIN, in full for every query.
PIVOT_CELLS = "LEFT JOIN report_cells c ON c.report_id = r.report_id AND c.\"table\" = '{table}'\n"
PIVOT_VALUES = (
    "LEFT JOIN report_cell_values v ON v.report_id = r.report_id\n"
    " AND v.cell_id IN (SELECT id FROM cells WHERE \"table\" = '{table}')\n"
    "LEFT JOIN cells c ON c.id = v.cell_id\n"
)


def pivot_view_sql(view: str, table: str, cells: list[tuple[str, str]]) -> str:
    made = organ_year.integer_pivot_sql(view, table, cells)
    joined = PIVOT_CELLS.format(table=table)
    assert joined in made, f"0008's {view} reads its cells otherwise"
    return made.replace(joined, PIVOT_VALUES.format(table=table)).replace("c.value", "v.value")


def drop_cell_views() -> None:
    """The views that read `report_cells`."""
    for view in ("v_carry_breaks", *research.PIVOTS):
        op.execute(f"DROP VIEW {view}")


def create_cell_views(pivot: Callable[[str, str, list[tuple[str, str]]], str], carry: str) -> None:
    for view, (table, cells) in research.PIVOTS.items():
        op.execute(pivot(view, table, cells))
    op.execute(carry)


def upgrade() -> None:
    drop_cell_views()
    op.create_table(
        "cells",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("table", sa.Text, nullable=False),
        sa.Column("row", sa.Text, nullable=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.UniqueConstraint("table", "row", "column"),
    )
    op.create_table(
        "report_cell_values",
        sa.Column("report_id", sa.Integer, primary_key=True),
        sa.Column("cell_id", sa.Integer, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("status", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO cells ({CELL_KEY}) "
        f"SELECT DISTINCT {CELL_KEY} FROM report_cells ORDER BY {CELL_KEY}"
    )
    op.execute(
        "INSERT INTO report_cell_values (report_id, cell_id, value, status) "
        "SELECT r.report_id, c.id, r.value, r.status FROM report_cells r "
        'JOIN cells c ON c."table" = r."table" AND c."row" = r."row" AND c."column" = r."column" '
        "ORDER BY r.report_id, c.id"
    )
    op.create_index("ix_report_cell_values_cell_id", "report_cell_values", ["cell_id"])
    op.drop_index("ix_report_cells_table_row_column", table_name="report_cells")
    op.drop_table("report_cells")
    op.execute(REPORT_CELLS)
    create_cell_views(pivot_view_sql, CARRY_BREAKS)


def downgrade() -> None:
    drop_cell_views()
    op.execute("DROP VIEW report_cells")
    op.create_table(
        "report_cells",
        sa.Column("report_id", sa.Integer, primary_key=True),
        sa.Column("table", sa.Text, primary_key=True),
        sa.Column("row", sa.Text, primary_key=True),
        sa.Column("column", sa.Text, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.execute(
        f"INSERT INTO report_cells (report_id, {CELL_KEY}, value, status) "
        f"SELECT v.report_id, {CELL_KEY}, v.value, v.status FROM report_cell_values v "
        "JOIN cells c ON c.id = v.cell_id"
    )
    op.create_index("ix_report_cells_table_row_column", "report_cells", ["table", "row", "column"])
    op.drop_index("ix_report_cell_values_cell_id", table_name="report_cell_values")
    op.drop_table("report_cell_values")
    op.drop_table("cells")
    create_cell_views(organ_year.integer_pivot_sql, organ_year.CARRY_BREAKS)
