"""`report_cells` without its foreign key to `reports`: each of a report's cells is checked
against it one by one, and a load's millions of cells spent more time in those checks than in
everything else it does. The loader adds a report's cells only in the transaction that added
the report, with the id that insert returned, so every cell has its report; nothing deletes
reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
from alembic.operations import BatchOperations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The name each dialect gave the foreign key 0001 made without one (SQLite's is given here).
FOREIGN_KEY = {"postgresql": "report_cells_report_id_fkey", "sqlite": "fk_report_cells_report_id"}
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s"}


@contextmanager
def report_cells() -> Iterator[tuple[str, BatchOperations]]:
    """The name of the foreign key and `report_cells` to alter; SQLite makes the table anew,
    under its old name, which its views keep using (its check of the views on the renaming
    would find the old table gone)."""
    dialect = op.get_bind().dialect.name
    if dialect != "sqlite":
        with op.batch_alter_table("report_cells") as batch:
            yield FOREIGN_KEY[dialect], batch
        return
    op.execute("PRAGMA legacy_alter_table = ON")
    try:
        with op.batch_alter_table("report_cells", naming_convention=NAMING) as batch:
            yield FOREIGN_KEY[dialect], batch
    finally:
        op.execute("PRAGMA legacy_alter_table = OFF")


def upgrade() -> None:
    with report_cells() as (name, batch):
        batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with report_cells() as (name, batch):
        batch.create_foreign_key(name, "reports", ["report_id"], ["id"])
