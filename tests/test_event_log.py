"""The local instance's event log (`dagster_project.event_log`): Dagster's SQLite databases with
their connections kept open, written by one process and read by another as with Dagster's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    StaticPartitionsDefinition,
    asset,
    materialize,
)
from dagster._core.instance.ref import InstanceRef

from dagster_project.event_log import OPEN_RUNS, PooledSqliteEventLogStorage
from xxgk.pipeline import install_instance_config

PORTALS = StaticPartitionsDefinition([f"p{n:02d}" for n in range(12)])


@asset(partitions_def=PORTALS)
def portal_pages(context) -> int:
    context.add_output_metadata({"pages": int(context.partition_key[1:])})
    return 1


def local_instance(home: Path) -> DagsterInstance:
    home.mkdir(exist_ok=True)
    install_instance_config(home)
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def materialized(instance: DagsterInstance) -> dict[str, int]:
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey("portal_pages")), limit=100
    ).records
    return {
        r.partition_key: r.asset_materialization.metadata["pages"].value
        for r in records
        if r.partition_key and r.asset_materialization
    }


def test_a_new_local_instance_keeps_its_event_log_where_dagster_would(tmp_path: Path) -> None:
    with local_instance(tmp_path / "home") as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = materialize([portal_pages], instance=instance, partition_key="p03")
        assert result.success
    runs = tmp_path / "home" / "history" / "runs"
    assert {p.name for p in runs.glob("*.db")} == {"index.db", f"{result.run_id}.db"}


def test_runs_beyond_the_open_engines_are_all_recorded_and_read_by_another_process(
    tmp_path: Path,
) -> None:
    """More runs than engines kept open, then the event log read by another process (the UI)
    while this one still holds its connections."""
    keys = PORTALS.get_partition_keys()
    assert len(keys) > OPEN_RUNS // 2
    with local_instance(tmp_path / "home") as instance:
        run_ids = []
        for key in [*keys, *keys]:  # each portal twice: more runs than OPEN_RUNS
            run_ids.append(materialize([portal_pages], instance=instance, partition_key=key).run_id)
        assert len(run_ids) > OPEN_RUNS
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        assert len(storage._engines) <= OPEN_RUNS + 1  # the index's and the latest runs'
        assert materialized(instance) == {key: int(key[1:]) for key in keys}
        assert all(instance.all_logs(run_id) for run_id in run_ids[:3])  # closed, reopened
        reader = (
            "import sys; from dagster import DagsterInstance, AssetKey;"
            "from dagster._core.instance.ref import InstanceRef;"
            "i = DagsterInstance.from_ref(InstanceRef.from_dir(sys.argv[1]));"
            "print(len(i.get_runs()), i.get_latest_materialization_event(AssetKey('portal_pages'))"
            ".asset_materialization.partition)"
        )
        answer = subprocess.run(
            [sys.executable, "-c", reader, str(tmp_path / "home")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert answer == [str(len(run_ids)), keys[-1]]


def test_a_wiped_instance_records_runs_again(tmp_path: Path) -> None:
    with local_instance(tmp_path / "home") as instance:
        materialize([portal_pages], instance=instance, partition_key="p01")
        instance.wipe()
        assert materialized(instance) == {}
        materialize([portal_pages], instance=instance, partition_key="p02")
        assert materialized(instance) == {"p02": 2}
