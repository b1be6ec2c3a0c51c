"""The local instance's event log: Dagster's SQLite event log (a database per run and an index
database, in `<home>/history/runs`), with its connections kept open (production's, on
PostgreSQL: `dagster_project.postgres_event_log`).

Dagster's `SqliteEventLogStorage` makes a new engine, and so a new SQLite connection, for every
statement it runs, and asks SQLite whether a table exists for every asset event. A run of a few
hundred portals records thousands of events (a materialisation and some checks per portal and
asset), and opening and closing connections for each was most of the time the run spent after
its crawl: closing the last connection to a database in WAL mode checkpoints it to disk. This
storage keeps one engine per database (the index and the most recent runs) for the life of the
process and remembers the tables it has seen; the databases, their schema and their locking are
Dagster's own, so the UI, the daemon and other processes read and write them as before.
`install_instance_config` puts it in each new local instance (`instance_config`)."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, EventLogEntry
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine

#: Run databases whose engine stays open besides the index's: the runs a process writes or
#: reads at once (a run worker has one; the UI shows a few).
OPEN_RUNS = 16
#: The events `store_event_batch` writes together (a batch of others is written one by one).
BATCHED = {
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
}


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()
        self._asset_index_cols = False
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made (and its database initialised) at its first use; the least
        recently used run's is closed beyond OPEN_RUNS."""
        if (engine := self._engines.get(shard)) is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            # used by one thread at a time (`_db_lock`), not always the one that opened it
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[: max(0, len(runs) - OPEN_RUNS)]:
            self._engines.pop(name).dispose()
        return engine

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A step's planned events or materialisations for many partitions, which Dagster hands
        over together when DAGSTER_EVENT_BATCH_SIZE is set: each database written once, as
        dagster-postgres writes a batch. The run's events in one statement; their copy in the
        index, with their tags; each asset's entry from its last event (the entry holds only
        the last); the checks' planned executions."""
        if len({event.run_id for event in events}) != 1 or any(
            event.dagster_event_type not in BATCHED for event in events
        ):
            super().store_event_batch(events)
            return
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        insert = SqlEventLogStorageTable.insert().returning(
            SqlEventLogStorageTable.c.id, sort_by_parameter_order=True
        )
        with self.index_transaction() as conn:
            stored = list(zip(events, conn.execute(insert, rows).scalars(), strict=True))
            assets = [(event, i) for event, i in stored if event.dagster_event_type in ASSET_EVENTS]
            self._store_asset_event_tags(conn, [e for e, _ in assets], [i for _, i in assets])
            last = {event.get_dagster_event().asset_key: (event, i) for event, i in assets}
            for event, event_id in last.values():
                self._store_asset_event(conn, event, event_id)
        for event, event_id in stored:
            if event.dagster_event_type in ASSET_CHECK_EVENTS:
                self.store_asset_check_event(event, event_id)

    def _has_asset_key_index_cols_on_connection(self, conn: Connection) -> bool:
        """Whether the index's asset table has its timestamp column, asked once (an upgrade
        adds it; nothing takes it away)."""
        if not self._asset_index_cols:
            self._asset_index_cols = super()._has_asset_key_index_cols_on_connection(conn)
        return self._asset_index_cols

    def has_table(self, table_name: str) -> bool:
        """Whether the index has the table; a table once there stays (only an upgrade adds)."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def upgrade(self) -> None:
        self._close_engines()
        super().upgrade()
        self._tables.clear()
        self._asset_index_cols = False

    def wipe(self) -> None:
        self._close_engines()  # before the run databases' files are deleted
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


def instance_config(home: Path) -> str:
    """The `event_log_storage` entry of the `dagster.yaml` of a local instance at `home`: the
    event log where Dagster's default keeps it, in this storage."""
    return (
        "event_log_storage:\n"
        f"  module: {__name__}\n"
        f"  class: {PooledSqliteEventLogStorage.__name__}\n"
        "  config:\n"
        f"    base_dir: {json.dumps(str(home.resolve() / 'history' / 'runs'))}\n"
    )
