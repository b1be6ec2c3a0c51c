"""What an operator reads in the Dagster UI: descriptions, kinds and owners on every definition,
the warehouse's columns and rows, partitions named by their county, the registry's partitions
from the first tick, and the cross-year carry breaks as a check. Materialised on a replay of the
demo portal's recorded crawl (no portal)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DefaultSensorStatus,
    TableSchema,
    build_sensor_context,
    materialize,
)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from dagster_project.assets import NOTHING_TO_CHECK, PORTAL_TAG, UNREACHABLE, warehouse_tables
from dagster_project.checks import carry_unbroken
from dagster_project.definitions import PIPELINE_ASSETS, PIPELINE_CHECKS, defs
from dagster_project.jobs import range_tags
from dagster_project.partitions import site_key_for, site_partitions
from dagster_project.sensors import registry_sites
from tests.fixtures.record_replay import RECORDING
from tests.test_dagster import (
    RECORDED_SITE,
    ROOT,
    local_settings,
    materialize_site,
    replay_instance,
    replay_resources,
)
from tests.test_warehouse_organs import COUNTY_SITE, GOVERNMENT_2021
from tests.test_warehouse_organs import inputs as organ_reports
from warehouse import Warehouse
from warehouse.tables import metadata as warehouse_metadata
from xxgk.records import Capture, Error
from xxgk.registry import load_sites

REPOSITORY = defs.get_repository_def()


def test_every_definition_says_what_it_is_and_whose_it_is() -> None:
    graph = defs.resolve_asset_graph()
    for node in graph.asset_nodes:
        assert node.description, node.key
        assert node.kinds, node.key
        assert node.owners == ["team:xxgk"], node.key
        assert [tag for tag in node.tags if not tag.startswith("dagster/")], node.key
    assert graph.get(AssetKey("captures")).kinds == {"scrapy", "python"}
    assert {"sqlite", "postgresql"} <= graph.get(AssetKey("warehouse_tables")).kinds
    assert len(graph.asset_check_keys) == len(PIPELINE_CHECKS)
    for key in graph.asset_check_keys:
        assert graph.get_check_spec(key).description, key
    for definition in [*REPOSITORY.schedule_defs, *REPOSITORY.sensor_defs]:
        assert definition.description, definition.name


def warehouse_event(result, partition: str):
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == AssetKey("warehouse_tables") and e.partition == partition
    ]
    return event.materialization.metadata


def test_the_warehouse_materialisation_carries_its_columns_and_rows(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    result = materialize_site(replay_instance(), replay_resources(settings), RECORDED_SITE)
    assert result.success
    metadata = warehouse_event(result, RECORDED_SITE)
    assert "dagster/column_schema" not in metadata  # the definition's, not every portal's
    schema = warehouse_tables.metadata_by_key[AssetKey("warehouse_tables")]["dagster/column_schema"]
    assert isinstance(schema, TableSchema)
    columns = {c.name: c for c in schema.columns}
    assert {
        f"{t.name}.{c.name}" for t in warehouse_metadata.tables.values() for c in t.columns
    } == (set(columns))
    assert columns["reports.year"].type == "INTEGER"
    assert columns["documents.sha256"].constraints.unique
    assert not columns["reports.record"].constraints.nullable
    counts = Warehouse(settings.database_url).counts()
    rows = {r.data["table"]: r.data for r in metadata["warehouse_rows"].value.records}
    assert {table: row["rows"] for table, row in rows.items()} == counts
    # the warehouse was empty: every row in it is one this portal's load added
    assert {table: row["rows_added"] for table, row in rows.items()} == counts
    assert rows["reports"]["rows"] == 5


def registry_recording(tmp_path: Path, start_url: str) -> Path:
    """The demo portal's recorded crawl as if it were the crawl of `start_url`'s portal."""
    recording = tmp_path / "recording"
    recording.mkdir()
    (recording / "archive").symlink_to(RECORDING / "archive")
    lines = (RECORDING / "captures.jsonl").read_text(encoding="utf-8").splitlines()
    captures = [json.loads(line) | {"site": start_url} for line in lines]
    (recording / "captures.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in captures), encoding="utf-8"
    )
    return recording


def test_a_partition_names_its_county_beside_its_code(tmp_path: Path) -> None:
    [site] = load_sites("汝阳县")
    resources = replay_resources(
        local_settings(tmp_path), registry_recording(tmp_path, site.start_url)
    )
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(site_partitions.name, [site.id])
    result = materialize_site(instance, resources, site.id)
    assert result.success
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        assert metadata["portal"].value == "河南省 洛阳市 汝阳县", event.asset_key
        assert metadata["start_url"].value == "http://www.ry.gov.cn/"
    assert instance.get_run_by_id(result.run_id).tags[PORTAL_TAG] == "河南省 洛阳市 汝阳县"


def test_a_portal_outside_the_registry_shows_its_start_url(tmp_path: Path) -> None:
    instance = replay_instance()
    result = materialize_site(instance, replay_resources(local_settings(tmp_path)), RECORDED_SITE)
    metadata = warehouse_event(result, RECORDED_SITE)
    assert metadata["start_url"].value == "http://127.0.0.1:8765/"
    assert "portal" not in metadata
    assert PORTAL_TAG not in instance.get_run_by_id(result.run_id).tags


def test_the_registry_sensor_runs_from_the_start_and_never_crawls_the_whole_registry() -> None:
    assert registry_sites.default_status == DefaultSensorStatus.RUNNING
    instance = replay_instance()  # the demo portal is a partition already,
    [county] = load_sites("汝阳县")  # and a county's, as `xxgk run --registry-filter` leaves it
    instance.add_dynamic_partitions(site_partitions.name, [county.id])
    result = registry_sites.evaluate_tick(
        build_sensor_context(instance=instance, repository_def=REPOSITORY)
    )
    [added] = result.dynamic_partitions_requests
    assert set(added.partition_keys) == {s.id for s in load_sites()} - {county.id}
    assert not result.run_requests
    [registry] = result.asset_events  # so materialising `captures` misses no upstream
    assert registry.asset_key == AssetKey("site_registry")
    assert registry.metadata["added"].value == len(added.partition_keys)


def check_evaluations(result, check: str) -> dict[str, dict]:
    """Per partition, the evaluation of `check` of `warehouse_tables` in a run's result."""
    key = AssetCheckKey(AssetKey("warehouse_tables"), check)
    return {
        e.partition: {"passed": e.passed, **{k: m.value for k, m in e.metadata.items()}}
        for e in result.get_asset_check_evaluations()
        if e.asset_check_key == key
    }


def test_the_carry_breaks_of_the_run_s_portals_are_a_warning(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    instance = replay_instance()
    resources = replay_resources(settings)
    first = materialize_site(instance, resources, RECORDED_SITE)
    assert first.success
    assert check_evaluations(first, "carry_unbroken")[RECORDED_SITE]["passed"]
    # 汝阳县's reports of two years, one more carried into 2022 than out of 2021
    Warehouse(settings.database_url).load(**organ_reports())
    county = site_key_for(COUNTY_SITE)
    instance.add_dynamic_partitions(site_partitions.name, [county])
    check_only = materialize(
        [*PIPELINE_ASSETS, *PIPELINE_CHECKS],
        resources=resources,
        instance=instance,
        selection=AssetSelection.checks(carry_unbroken),
        tags=range_tags([RECORDED_SITE, county]),
    )
    evaluations = check_evaluations(check_only, "carry_unbroken")
    assert evaluations[RECORDED_SITE]["passed"]  # the demo portal published none of them
    assert not evaluations[county]["passed"]
    assert evaluations[county]["carry_breaks"] == 2
    forward = GOVERNMENT_2021["applications"]["carried_forward"]
    assert evaluations[county]["breaks"] == [
        f"汝阳县人民政府 2021→2022 {column}: 结转 {n} ≠ 上年结转 {n + 1}"
        for column, n in ((c, forward[c]) for c in ("natural_person", "total"))
    ]


DEAD_PORTAL = "http://127.0.0.9:9/"
REFUSED = "Connection was refused by other side: 111: Connection refused."


def recording_with_a_dead_portal(tmp_path: Path, demo: bool) -> Path:
    """A recording of a crawl whose start page at DEAD_PORTAL was refused (as the spider logs
    it), beside the demo portal's recorded crawl if `demo`."""
    recording = tmp_path / "dead"
    recording.mkdir()
    (recording / "archive").symlink_to(RECORDING / "archive")
    refused = Capture(
        DEAD_PORTAL, DEAD_PORTAL, "home", fetched_at="2026-12-01T02:00:00+00:00",
        error=Error("connection", REFUSED),
    )  # fmt: skip
    demo_lines = (RECORDING / "captures.jsonl").read_text(encoding="utf-8") if demo else ""
    (recording / "captures.jsonl").write_text(
        demo_lines + json.dumps(refused.to_log()) + "\n", encoding="utf-8"
    )
    return recording


def check_records(instance: DagsterInstance, partition: str) -> dict[str, tuple]:
    """Per check of the pipeline, the status and metadata of its last evaluation of
    `partition`, as the UI reads them."""
    found = {}
    for definition in PIPELINE_CHECKS:
        [key] = definition.check_keys
        [record] = [
            r
            for r in instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
            if r.partition == partition
        ][:1]
        evaluation = record.event.asset_check_evaluation if record.event else None
        metadata = {k: m.value for k, m in evaluation.metadata.items()} if evaluation else {}
        found[key.name] = (record.status, metadata)
    return found


def assert_checks_of_an_unreached_portal(instance: DagsterInstance, partition: str) -> None:
    reason = f"connection ({REFUSED})"
    records = check_records(instance, partition)
    status, metadata = records.pop("site_answered")
    assert status == AssetCheckExecutionRecordStatus.FAILED
    assert (metadata["start_url"], metadata[UNREACHABLE]) == (DEAD_PORTAL, reason)
    for name, (status, metadata) in records.items():  # not "Execution failed": nothing to check
        assert status == AssetCheckExecutionRecordStatus.SUCCEEDED, name
        assert metadata[UNREACHABLE] == reason, name
        assert NOTHING_TO_CHECK in metadata, name


def test_a_run_of_a_dead_portal_fails_naming_url_and_reason_and_no_check_fails_for_it(
    tmp_path: Path,
) -> None:
    resources = replay_resources(
        local_settings(tmp_path), recording_with_a_dead_portal(tmp_path, demo=False)
    )
    instance = DagsterInstance.ephemeral()
    dead = site_key_for(DEAD_PORTAL)
    instance.add_dynamic_partitions(site_partitions.name, [dead])
    result = materialize_site(instance, resources, dead)
    assert not result.success
    [failure] = result.get_step_failure_events()
    error = failure.step_failure_data.user_failure_data
    assert error.description == (
        f"no portal of the run answered: {DEAD_PORTAL} unreachable, connection ({REFUSED})"
    )
    assert error.metadata[DEAD_PORTAL].value == f"connection ({REFUSED})"
    assert_checks_of_an_unreached_portal(instance, dead)


def test_a_dead_portal_beside_a_live_one_has_nothing_to_check_but_its_answer(
    tmp_path: Path,
) -> None:
    resources = replay_resources(
        local_settings(tmp_path), recording_with_a_dead_portal(tmp_path, demo=True)
    )
    instance = replay_instance()
    dead = site_key_for(DEAD_PORTAL)
    instance.add_dynamic_partitions(site_partitions.name, [dead])
    result = materialize(
        [*PIPELINE_ASSETS, *PIPELINE_CHECKS],
        resources=resources,
        instance=instance,
        tags=range_tags([RECORDED_SITE, dead]),
    )
    assert result.success
    assert_checks_of_an_unreached_portal(instance, dead)
    live = check_records(instance, RECORDED_SITE)
    assert all(NOTHING_TO_CHECK not in metadata for _, metadata in live.values())
    assert live["identities_hold"][1]["identities_passed"] > 0  # evaluated as ever


def test_dg_lists_our_definitions() -> None:
    """Dagster's current CLI finds the code location from `[tool.dg]` in pyproject.toml."""
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("dg")), "list", "defs", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    definitions = json.loads(listed.stdout)
    assert {a["asset_key"] for a in definitions["assets"]} == {
        "site_registry",
        "captures",
        "documents",
        "reports",
        "warehouse_tables",
        "publication_coverage",
    }
    assert {j["name"] for j in definitions["jobs"]} == {"pipeline"}
    assert {s["name"] for s in definitions["sensors"]} == {"registry_sites"}
    assert len(definitions["asset_checks"]) == len(PIPELINE_CHECKS)
