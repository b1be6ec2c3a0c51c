"""The local instance's event log (`dagster_project.event_log`): Dagster's SQLite databases with
their connections kept open, written by one process and read by another as with Dagster's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetKey,
    AssetRecordsFilter,
    BackfillPolicy,
    DagsterInstance,
    Output,
    StaticPartitionsDefinition,
    asset,
    asset_check,
    materialize,
    mem_io_manager,
)
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from dagster_project.event_log import OPEN_RUNS, PooledSqliteEventLogStorage
from xxgk.pipeline import install_instance_config

PORTALS = StaticPartitionsDefinition([f"p{n:02d}" for n in range(12)])


@asset(partitions_def=PORTALS)
def portal_pages(context) -> int:
    context.add_output_metadata({"pages": int(context.partition_key[1:])})
    return 1


@asset(partitions_def=PORTALS, backfill_policy=BackfillPolicy.single_run())
def portal_reports(context) -> Output[dict[str, int]]:
    """Many portals in one run, as `dagster_project.assets` materialises them."""
    for key in context.partition_keys:
        context.add_asset_metadata({"reports": int(key[1:])}, partition_key=key)
    return Output({key: 1 for key in context.partition_keys})


@asset_check(asset=portal_reports, partitions_def=PORTALS)
def reports_found(context):
    op = context.op_execution_context
    for key in op.partition_keys:
        yield AssetCheckEvaluation(
            asset_key=AssetKey("portal_reports"),
            check_name="reports_found",
            passed=key != "p00",
            partition=key,
        )
    yield Output(None, output_name=op.op_def.output_defs[0].name)


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


def range_run_as_recorded(instance: DagsterInstance) -> dict:
    """A run of every portal: what the instance says of it afterwards."""
    keys = PORTALS.get_partition_keys()
    tags = {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}
    result = materialize(
        [portal_reports, reports_found],
        instance=instance,
        tags=tags,
        resources={"io_manager": mem_io_manager},
    )
    key = AssetKey("portal_reports")
    records = instance.fetch_materializations(AssetRecordsFilter(asset_key=key), limit=100)
    checks = instance.event_log_storage.get_asset_check_execution_history(
        AssetCheckKey(key, "reports_found"), limit=100
    )
    [entry] = instance.get_asset_records([key])
    return {
        "events": sorted(
            e.dagster_event_type.value
            for e in instance.all_logs(result.run_id)
            if e.dagster_event_type
        ),
        "materialized": sorted(instance.get_materialized_partitions(key)),
        "reports": {
            r.partition_key: r.asset_materialization.metadata["reports"].value
            for r in records.records
        },
        "checks": sorted((c.partition, c.status.value) for c in checks),
        "last_run": entry.asset_entry.last_run_id == result.run_id,
    }


def test_a_run_of_many_portals_written_in_batches_reads_as_dagster_own_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its planned events and materialisations written a batch at a time (a statement per
    database, each asset's entry from its last event), the run reads back as the same run
    does on Dagster's default event log written an event at a time."""
    plain = tmp_path / "plain"
    plain.mkdir()
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(plain))) as instance:
        expected = range_run_as_recorded(instance)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    with local_instance(tmp_path / "home") as instance:
        assert range_run_as_recorded(instance) == expected
    assert expected["materialized"] == PORTALS.get_partition_keys()
    assert expected["checks"][0] == ("p00", "FAILED")
    assert expected["events"].count("ASSET_MATERIALIZATION_PLANNED") == len(
        PORTALS.get_partition_keys()
    )
