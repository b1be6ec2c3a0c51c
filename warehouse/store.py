"""`Warehouse`: the SQL database researchers query, on SQLite or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event, func, make_url, select
from sqlalchemy.exc import OperationalError

from warehouse import export, load
from warehouse.tables import metadata
from xxgk.records import Capture, Document, ParseResult

MIGRATIONS = Path(__file__).with_name("migrations")
CONNECT_TIMEOUT = 3  # seconds: a PostgreSQL server that does not answer is told within these
CONNECT_ATTEMPTS = 3  # a refused connection is tried this often, RETRY_PAUSE apart, at most
RETRY_PAUSE = 1.0
#: What PostgreSQL answers when it may take the connection soon (SQLSTATE 57P03, 53300)
SERVER_BUSY = ("starting up", "shutting down", "recovery mode", "too many clients")
SQLITE_CACHE_KIB = 256 * 1024


class WarehouseUnusable(Exception):
    """The warehouse cannot be used: what is wrong, and what to do, in one line."""


@dataclass(frozen=True)
class LoadStats:
    added: dict[str, int]  # table → rows added by one load


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in metadata.tables.items()
    }


def configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    """Foreign keys enforced, and pages cached up to `SQLITE_CACHE_KIB` (a load's index pages:
    SQLite's default of 2 MiB has it read them back from the file over and over)."""
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
    dbapi_connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


class Warehouse:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = (
            {"connect_timeout": CONNECT_TIMEOUT}
            if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query
            else {}
        )
        self.engine = create_engine(url, connect_args=connect_args)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", configure_sqlite)

    def check(self) -> None:
        """Connect, within seconds, or raise WarehouseUnusable: at once if the server refused
        (a missing database, bad credentials: waiting will not mend them, nor any SQLite error),
        after `CONNECT_ATTEMPTS` tries if it did not answer (refused, timed out) or was busy."""
        where = self.engine.url.render_as_string(hide_password=True)
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                with self.engine.connect():
                    return
            except OperationalError as error:
                reason = str(error.orig).strip().splitlines()[0]
                if not self._transient(reason):
                    raise WarehouseUnusable(
                        f"the warehouse {where} refuses to be used ({reason}): create the "
                        "database or mend the credentials, or point XXGK_DATABASE_URL (or "
                        "--data) at another"
                    ) from error
                if attempt == CONNECT_ATTEMPTS:
                    raise WarehouseUnusable(
                        f"the warehouse {where} does not answer ({reason}; {attempt} tries): "
                        "start its server, or point XXGK_DATABASE_URL (or --data) at another"
                    ) from error
            time.sleep(RETRY_PAUSE)

    def _transient(self, reason: str) -> bool:
        """Whether a failed connection may succeed soon: the server did not answer, or answered
        that it is starting, stopping or full (a refusal is a FATAL it sends)."""
        if self.engine.dialect.name == "sqlite":
            return False
        return "FATAL:" not in reason or any(phrase in reason for phrase in SERVER_BUSY)

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
            added = load.load(connection, captures, documents, results)
        return LoadStats(dict.fromkeys(metadata.tables, 0) | added)

    def register_sites(self, sites: Iterable[Mapping]) -> None:
        """Record sites (`start_url`, `province`, `city`, `county`, `adcode`) with their region;
        loading a crawl records its site by URL alone."""
        with self.engine.begin() as connection:
            load.upsert_sites(connection, sites)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return table_counts(connection)

    def export(
        self, path: str | Path, format: str = "jsonl", *, wide: bool = False, bom: bool = False
    ) -> int:
        """Write the latest report of every document as `jsonl` (records), `csv` or `parquet`
        (cells, long form; `wide`: one row per organ-year observation); return how many
        records, cells or observations."""
        with self.engine.connect() as connection:
            return export.export(connection, Path(path), format, wide=wide, bom=bom)

    def dispose(self) -> None:
        self.engine.dispose()

    def example_query(self) -> tuple[str, list[str], list[tuple]]:
        """The example query of a run's summary (`warehouse.summary`), its columns and rows."""
        from warehouse import summary

        with self.engine.connect() as connection:
            return summary.example_query(connection)
