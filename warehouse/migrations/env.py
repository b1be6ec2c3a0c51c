"""Alembic environment: runs on the connection that `Warehouse.migrate` passes in."""

from alembic import context

from warehouse.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
