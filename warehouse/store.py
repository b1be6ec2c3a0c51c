"""`Warehouse`: the SQL database researchers query, on SQLite or PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event, func, make_url, select

from warehouse import export, load
from warehouse.tables import metadata
from xxgk.records import Capture, Document, ParseResult

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class LoadStats:
    added: dict[str, int]  # table → rows added by one load


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in metadata.tables.items()
    }


def enforce_foreign_keys(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


class Warehouse:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", enforce_foreign_keys)

    def _alembic(self, connection: Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def migrate(self, revision: str = "head") -> None:
        with self.engine.begin() as connection:
            command.upgrade(self._alembic(connection), revision)

    def downgrade(self, revision: str = "base") -> None:
        with self.engine.begin() as connection:
            command.downgrade(self._alembic(connection), revision)

    def load(
        self,
        captures: Iterable[Capture],
        documents: Iterable[Document],
        results: Iterable[ParseResult],
    ) -> LoadStats:
        """Each parse result is stored under the parser version that made it."""
        with self.engine.begin() as connection:
            before = table_counts(connection)
            load.load(connection, captures, documents, results)
            after = table_counts(connection)
        return LoadStats({name: after[name] - before[name] for name in after})

    def register_sites(self, sites: Iterable[Mapping]) -> None:
        """Record sites (`start_url`, `province`, `city`, `county`, `adcode`) with their region;
        loading a crawl records its site by URL alone."""
        with self.engine.begin() as connection:
            load.upsert_sites(connection, sites)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return table_counts(connection)

    def export(self, path: str | Path, format: str = "jsonl") -> int:
        """Write the latest report of every document as `jsonl` (records), `csv` or `parquet`
        (cells, long form); return how many records or cells."""
        with self.engine.connect() as connection:
            return export.export(connection, Path(path), format)

    def dispose(self) -> None:
        self.engine.dispose()

    def example_query(self) -> tuple[str, list[str], list[tuple]]:
        """The example query of a run's summary (`warehouse.summary`), its columns and rows."""
        from warehouse import summary

        with self.engine.connect() as connection:
            return summary.example_query(connection)
