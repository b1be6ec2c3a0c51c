"""The production instance's event log (`dagster.production.yaml`): dagster-postgres's, whose
engine otherwise opens a connection to the server for every statement, several for each event
and each a new server process. Apart from `dagster_project.event_log` so that local runs, on
SQLite, never import dagster-postgres."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres.auth import PgTokenProvider
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import (
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
)

#: Connections to PostgreSQL an event log opens beyond its one kept open, for threads that write
#: at once (a run worker's, the UI's event watchers); closed after use.
POSTGRES_OVERFLOW = 4


class PooledPostgresEventLogStorage(PostgresEventLogStorage):
    """dagster-postgres's event log, its engine keeping a connection open (checked before each
    use, renewed hourly) as dagster-postgres keeps one for the webserver."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: PgTokenProvider | None = None,
    ):
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        self._engine.dispose()
        self._engine = create_pg_engine(
            self.postgres_url,
            token_provider,
            isolation_level="AUTOCOMMIT",
            pool_size=1,
            max_overflow=POSTGRES_OVERFLOW,
            pool_recycle=3600,
            pool_pre_ping=True,
        )

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledPostgresEventLogStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
