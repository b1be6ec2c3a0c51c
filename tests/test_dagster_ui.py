"""What an operator reads in the Dagster UI: descriptions, kinds and owners on every definition,
the warehouse's columns and rows, partitions named by their county, the registry's partitions
from the first tick, and the cross-year carry breaks as a check. Materialised on a replay of the
demo portal's recorded crawl (no portal)."""

from __future__ import annotations

import json
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

from dagster_project.assets import PORTAL_TAG, warehouse_tables
from dagster_project.checks import carry_unbroken
from dagster_project.definitions import PIPELINE_ASSETS, PIPELINE_CHECKS, defs
from dagster_project.jobs import range_tags
from dagster_project.partitions import site_key_for, site_partitions
from dagster_project.sensors import registry_sites
from tests.fixtures.record_replay import RECORDING
from tests.test_dagster import (
    RECORDED_SITE,
    local_settings,
    materialize_site,
    replay_instance,
    replay_resources,
)
from tests.test_warehouse_organs import COUNTY_SITE, GOVERNMENT_2021
from tests.test_warehouse_organs import inputs as organ_reports
from warehouse import Warehouse
from warehouse.tables import metadata as warehouse_metadata
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
    instance = replay_instance()  # the demo portal is a partition already: no registry site is
    result = registry_sites.evaluate_tick(
        build_sensor_context(instance=instance, repository_def=REPOSITORY)
    )
    [added] = result.dynamic_partitions_requests
    assert set(added.partition_keys) == {s.id for s in load_sites()}
    assert not result.run_requests


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
