"""The production Dagster instance (`dagster_project/dagster.production.yaml`) on the machine's
PostgreSQL: runs, events and the crawl pool in a fresh database, made and dropped by the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance
from sqlalchemy import create_engine, make_url, text

import dagster_project
from dagster_project.environments import resources_for
from dagster_project.partitions import CRAWL_POOL, site_key_for, site_partitions
from dagster_project.postgres_event_log import PooledPostgresEventLogStorage
from tests.farm.loopback import LoopbackFarm
from tests.test_dagster import local_settings
from tests.test_scale import materialize_batch, one_report_portal
from tests.warehouse_fixtures import postgres_test_database as fresh_database

PRODUCTION_INSTANCE = Path(dagster_project.__file__).parent / "dagster.production.yaml"
STORAGES = ("run_storage", "schedule_storage", "event_log_storage")


def dagster_url(url: str) -> str:
    """`url` as dagster-postgres takes it: with psycopg2, its driver (SQLAlchemy 2.1 would pick
    psycopg 3 for `postgresql://`, whose server-side binding its `NOTIFY` statements fail)."""
    return make_url(url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def production_home(home: Path) -> Path:
    """A DAGSTER_HOME holding the production instance's configuration."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PRODUCTION_INSTANCE, home / "dagster.yaml")
    return home


def test_a_partitioned_run_on_the_production_instance_is_recorded_in_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = local_settings(tmp_path)
    with fresh_database("dagster") as url, LoopbackFarm(2, one_report_portal) as farm:
        monkeypatch.setenv("DAGSTER_POSTGRES_URL", dagster_url(url))
        keys = [site_key_for(u) for u in farm.urls]
        with DagsterInstance.from_config(str(production_home(tmp_path / "home"))) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert isinstance(instance.event_log_storage, PooledPostgresEventLogStorage)
            instance.add_dynamic_partitions(site_partitions.name, keys)
            result = materialize_batch(instance, resources_for(settings, polite=False), keys)
            assert result.success
            run_id = result.run_id
        engine = create_engine(url)
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT run_id, status FROM runs")).all()
            partitions = connection.execute(
                text(
                    "SELECT partition FROM event_logs WHERE run_id = :run"
                    " AND dagster_event_type = 'ASSET_MATERIALIZATION'"
                    " AND asset_key = :asset"
                ),
                {"run": run_id, "asset": '["captures"]'},
            ).scalars()
            sorted_partitions = sorted(partitions)
            pools = connection.execute(text("SELECT concurrency_key FROM pending_steps")).all()
            limits = connection.execute(
                text("SELECT concurrency_key, count(*) FROM concurrency_slots GROUP BY 1")
            ).all()
        engine.dispose()
    assert runs == [(run_id, "SUCCESS")]
    assert sorted_partitions == sorted(keys)  # each portal its own materialisation
    assert not pools  # the crawl's claim on its pool was given back
    assert limits == [(CRAWL_POOL, 1)]  # the pool's one slot, from dagster.production.yaml


def test_the_production_instance_queues_runs_as_the_local_one_does() -> None:
    local, production = (
        yaml.safe_load(path.read_text())
        for path in (PRODUCTION_INSTANCE.with_name("dagster.yaml"), PRODUCTION_INSTANCE)
    )
    for block in ("run_coordinator", "concurrency"):
        assert production[block] == local[block]
    url = {"postgres_url": {"env": "DAGSTER_POSTGRES_URL"}}
    assert {name: production[name]["config"] for name in STORAGES} == dict.fromkeys(STORAGES, url)
