"""Operating the pipeline in Dagster. The assets run on a replay of the demo portal's recorded
crawl (`tests/fixtures/replay/`, no portal): a new parser version re-parses from the archive
without fetching, a loaded result keeps its own version, a better page reader reaches the
warehouse by re-parse, and the archive IO manager keeps every value on a local archive or S3.
The subprocess crawl keeps its end-to-end tests: a failed partition reruns alone, and a recrawl
asks for what changed since the crawl of the last materialisation. Then schedules, the registry
sensor and the UI's GraphQL API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    PartitionKeyRange,
    RunRequest,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from sqlalchemy import text

import parsers
import xxgk.parsing
from dagster_project.assets import CAPTURE_LOG, previous_capture_logs
from dagster_project.checks import coverage_gaps, due_years
from dagster_project.definitions import PIPELINE_ASSETS, PIPELINE_CHECKS, defs
from dagster_project.environments import Resources, production_resources, resources_for
from dagster_project.io_managers import ArchiveIOManager
from dagster_project.partitions import site_key_for, site_partitions
from dagster_project.resources import RECORDED_LOG, ReplayCrawler, WarehouseResource
from dagster_project.schedules import reporting_season_crawl, weekly_crawl
from dagster_project.sensors import registry_sites
from spiders.capturelog import read_captures
from tests.fixtures.record_replay import RECORDING
from tests.s3server import s3_endpoint, s3_env  # noqa: F401
from warehouse import Warehouse
from xxgk.archive import open_archive
from xxgk.demo.portal import DemoPortal
from xxgk.records import ParseResult
from xxgk.registry import load_sites
from xxgk.settings import Settings, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = defs.get_repository_def()
RECORDED_SITE = site_key_for(read_captures(RECORDING / RECORDED_LOG)[0].site)
OLD_VERSION = PIPELINE_ASSETS[2].code_versions_by_key[AssetKey("reports")]
NEW_VERSION = "99.0.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_settings(tmp_path: Path, database: str = "wh.db") -> Settings:
    return Settings(tmp_path, sqlite_url(tmp_path / database), str(tmp_path / "archive"))


def replay_resources(settings: Settings, recording: Path = RECORDING) -> Resources:
    """The local resources, with the recorded crawl replayed instead of a portal crawled."""
    resources = resources_for(settings)
    archive = resources["archive"]
    return {**resources, "crawler": ReplayCrawler(archive=archive, recording=str(recording))}


def materialize_site(instance, resources: Resources, site: str, selection=None):
    return materialize(
        [*PIPELINE_ASSETS, *PIPELINE_CHECKS],
        resources=resources,
        partition_key=site,
        instance=instance,
        selection=selection,
        raise_on_error=False,
    )


def replay_instance() -> DagsterInstance:
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(site_partitions.name, [RECORDED_SITE])
    return instance


def query(settings: Settings, sql: str) -> list[tuple]:
    with Warehouse(settings.database_url).engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql)).all()]


def reports_by_version(settings: Settings) -> dict[str, int]:
    return dict(query(settings, "SELECT parser_version, count(*) FROM reports GROUP BY 1"))


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_a_new_parser_version_reparses_from_the_archive_without_fetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = local_settings(tmp_path)
    instance = replay_instance()
    assert materialize_site(instance, replay_resources(settings), RECORDED_SITE).success
    monkeypatch.setattr(parsers, "PARSER_VERSION", NEW_VERSION)
    # a crawler that cannot crawl: the re-parse reads the archive alone
    no_crawl = replay_resources(settings, recording=tmp_path / "no-recording")
    reparse = materialize_site(
        instance, no_crawl, RECORDED_SITE, selection=["reports", "warehouse_tables"]
    )
    assert reparse.success
    assert materialized(reparse) == {"reports", "warehouse_tables"}
    assert reports_by_version(settings) == {OLD_VERSION: 5, NEW_VERSION: 5}


@pytest.fixture
def replayed(tmp_path: Path) -> tuple[Settings, DagsterInstance, Resources]:
    """A warehouse, instance and resources after one materialisation of the recorded crawl."""
    settings = local_settings(tmp_path)
    instance = replay_instance()
    resources = replay_resources(settings)
    assert materialize_site(instance, resources, RECORDED_SITE).success
    return settings, instance, resources


def test_reloading_old_results_after_a_version_bump_keeps_their_version(
    replayed: tuple[Settings, DagsterInstance, Resources], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, instance, resources = replayed
    monkeypatch.setattr(parsers, "PARSER_VERSION", NEW_VERSION)
    reload = materialize_site(instance, resources, RECORDED_SITE, selection=["warehouse_tables"])
    assert reload.success
    assert not any(reload.output_for_node("warehouse_tables")[RECORDED_SITE].values())
    assert reports_by_version(settings) == {OLD_VERSION: 5}
    versions = query(settings, "SELECT DISTINCT parser_version FROM page_metadata")
    assert versions == [(OLD_VERSION,)]


def test_a_fixed_page_reader_reaches_the_warehouse_by_reparse(
    replayed: tuple[Settings, DagsterInstance, Resources], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, instance, resources = replayed
    printed = "演示县人民政府办公室"
    assert query(settings, "SELECT DISTINCT publisher FROM v_reports") == [(printed,)]

    corrected = "演示县人民政府"
    read_page = xxgk.parsing.read_page

    def fixed_reader(data: bytes):
        return dataclasses.replace(read_page(data), publisher=corrected)

    monkeypatch.setattr(xxgk.parsing, "read_page", fixed_reader)
    monkeypatch.setattr(parsers, "PARSER_VERSION", NEW_VERSION)
    reparse = materialize_site(
        instance, resources, RECORDED_SITE, selection=["reports", "warehouse_tables"]
    )
    assert reparse.success
    assert query(settings, "SELECT DISTINCT parser_version, publisher FROM v_reports") == [
        (NEW_VERSION, corrected)
    ]
    kept = query(
        settings,
        "SELECT parser_version, publisher, count(*) FROM page_metadata GROUP BY 1, 2 ORDER BY 1",
    )
    assert kept == [(OLD_VERSION, printed, 7), (NEW_VERSION, corrected, 7)]


def test_the_warehouse_migrates_once_per_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = local_settings(tmp_path)
    instance = replay_instance()
    resources = replay_resources(settings)
    caplog.set_level(logging.INFO, logger="alembic")

    def migrations() -> int:  # alembic says which database it talks to once per upgrade
        return sum(r.getMessage().startswith("Context impl") for r in caplog.records)

    assert materialize_site(instance, resources, RECORDED_SITE).success
    assert migrations() == 1
    again = materialize_site(instance, resources, RECORDED_SITE, selection=["warehouse_tables"])
    assert again.success
    assert migrations() == 1


def archive_io_roundtrip(resources: Resources, fresh: Resources, archive_url: str) -> None:
    """Materialise every asset with `resources`, then only `warehouse_tables` in another
    instance with `fresh` (another warehouse): its inputs can only come from the archive."""
    first = materialize_site(replay_instance(), resources, RECORDED_SITE)
    assert first.success
    archive = open_archive(archive_url)
    stored = pickle.loads(archive.get_named(f"dagster/reports/{RECORDED_SITE}.pickle"))
    assert stored == first.output_for_node("reports")[RECORDED_SITE]
    assert len(stored) == 7
    [event] = [
        e for e in first.get_asset_materialization_events() if e.asset_key == AssetKey("captures")
    ]
    metadata = event.materialization.metadata
    assert metadata["archive_key"].value == f"dagster/captures/{RECORDED_SITE}.pickle"
    again = materialize_site(replay_instance(), fresh, RECORDED_SITE, ["warehouse_tables"])
    assert again.success
    assert again.output_for_node("warehouse_tables")[RECORDED_SITE]["reports"] == 5


def with_archive_io(resources: Resources) -> Resources:
    return {**resources, "io_manager": ArchiveIOManager(archive=resources["archive"])}


def test_the_archive_io_manager_keeps_values_in_a_local_archive(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    fresh = with_archive_io(replay_resources(local_settings(tmp_path, "other.db")))
    archive_io_roundtrip(with_archive_io(replay_resources(settings)), fresh, settings.archive_url)
    assert reports_by_version(local_settings(tmp_path, "other.db")) == {OLD_VERSION: 5}


def test_production_keeps_values_in_the_s3_archive(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_env: str,  # noqa: F811
) -> None:
    monkeypatch.setenv("XXGK_S3_SPOOL_DIR", str(tmp_path / "spool"))
    archive_url = "s3://xxgk-dagster-io/values"
    monkeypatch.setenv("XXGK_ARCHIVE_URL", archive_url)
    monkeypatch.setenv("XXGK_CRAWL_DIR", str(tmp_path / "crawls"))

    monkeypatch.setenv("XXGK_DATABASE_URL", sqlite_url(tmp_path / "wh.db"))
    production = production_resources()
    replay = ReplayCrawler(archive=production["archive"], recording=str(RECORDING))
    production["crawler"] = replay
    other = WarehouseResource(url=sqlite_url(tmp_path / "other.db"))
    archive_io_roundtrip(production, {**production, "warehouse": other}, archive_url)
    assert not list((tmp_path / "spool").rglob("*"))  # every value went to S3 itself


def subprocess_resources(settings: Settings) -> Resources:
    return resources_for(settings, polite=False)


@pytest.mark.slow  # the crawl of a portal that is down retries with backoff: some 35 s
def test_a_failed_partition_reruns_alone(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    resources = subprocess_resources(settings)
    instance = DagsterInstance.ephemeral()
    down_port = free_port()
    with DemoPortal() as up:
        up_site = site_key_for(up.url)
        down_site = site_key_for(f"http://127.0.0.1:{down_port}/")
        instance.add_dynamic_partitions(site_partitions.name, [up_site, down_site])
        assert materialize_site(instance, resources, up_site).success
        failed = materialize_site(instance, resources, down_site)
        assert not failed.success
        with DemoPortal(port=down_port):
            rerun = materialize_site(instance, resources, down_site)
        assert rerun.success
        assert up.requested.count("/") == 1  # the healthy portal was not crawled again
    latest = instance.get_latest_materialization_event(AssetKey("warehouse_tables"))
    assert latest.run_id == rerun.run_id
    assert query(settings, "SELECT count(*) FROM sites") == [(2,)]


def captures_metadata(result) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key == AssetKey("captures")
    ]
    return {key: entry.value for key, entry in event.materialization.metadata.items()}


def test_a_recrawl_asks_what_changed_since_the_last_materialised_crawl(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    resources = subprocess_resources(settings)
    instance = DagsterInstance.ephemeral()
    port = free_port()
    site = site_key_for(f"http://127.0.0.1:{port}/")
    instance.add_dynamic_partitions(site_partitions.name, [site])
    with DemoPortal(port=port):
        first = materialize_site(instance, resources, site)
    assert first.success
    first_log = captures_metadata(first)[CAPTURE_LOG]
    assert previous_capture_logs(instance, [site, "another"]) == {site: first_log}
    assert not [p for p in settings.crawls.rglob("*") if p.is_file()]  # nothing kept on the worker
    with DemoPortal(port=port) as portal:
        recrawl = materialize_site(instance, resources, site)
    assert recrawl.success
    metadata = captures_metadata(recrawl)
    assert metadata["previous_capture_log"] == first_log
    assert metadata["pages_unchanged"] == 17  # 16 pages and robots.txt answer 304
    assert portal.requested  # it did ask the portal
    assert previous_capture_logs(instance, [site]) == {site: metadata[CAPTURE_LOG]}


@pytest.fixture
def instance_with_sites():
    with instance_for_test() as instance:
        sites = load_sites("汝阳县") + load_sites("温县")
        instance.add_dynamic_partitions(site_partitions.name, [s.id for s in sites])
        yield instance, sites


def test_weekly_schedule_crawls_every_site_once_in_one_run(instance_with_sites) -> None:
    instance, sites = instance_with_sites
    when = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=REPOSITORY
    )
    [request] = weekly_crawl.evaluate_tick(context).run_requests
    assert request.partition_key_range == PartitionKeyRange(sites[0].id, sites[-1].id)


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        (dt.date(2026, 1, 14), 0),
        (dt.date(2026, 1, 15), 1),
        (dt.date(2026, 4, 15), 1),
        (dt.date(2026, 4, 16), 0),
    ],
)
def test_season_schedule_runs_only_from_mid_january_to_mid_april(
    instance_with_sites, day: dt.date, runs: int
) -> None:
    instance, _ = instance_with_sites
    when = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=REPOSITORY
    )
    result = reporting_season_crawl.evaluate_tick(context)
    assert len(result.run_requests or []) == runs
    assert bool(result.skip_message) == (runs == 0)


def test_registry_sensor_adds_partitions_then_crawls_only_new_sites() -> None:
    with instance_for_test() as instance:
        evaluate_registry_sensor(instance)


def evaluate_registry_sensor(instance: DagsterInstance) -> None:
    first = registry_sites(build_sensor_context(instance=instance, repository_def=REPOSITORY))
    assert isinstance(first, SensorResult)
    [added] = first.dynamic_partitions_requests
    every_id = [s.id for s in load_sites()]
    assert sorted(added.partition_keys) == sorted(every_id)
    assert not first.run_requests  # the first sync leaves crawling to the schedules

    instance.add_dynamic_partitions(site_partitions.name, every_id[:-1])
    later = registry_sites(
        build_sensor_context(instance=instance, repository_def=REPOSITORY, cursor=first.cursor)
    )
    [request] = later.run_requests
    assert request.partition_key_range == PartitionKeyRange(every_id[-1], every_id[-1])
    assert isinstance(later.run_requests[0], RunRequest)

    instance.add_dynamic_partitions(site_partitions.name, every_id[-1:])
    assert isinstance(
        registry_sites(
            build_sensor_context(instance=instance, repository_def=REPOSITORY, cursor=later.cursor)
        ),
        SkipReason,
    )


def test_coverage_counts_years_due_by_each_legal_deadline() -> None:
    assert list(due_years("温县人民政府", dt.date(2022, 3, 31))) == [2019, 2020]
    assert list(due_years("温县人民政府", dt.date(2022, 4, 1))) == [2019, 2020, 2021]
    assert list(due_years("温县财政局", dt.date(2022, 2, 1))) == [2019, 2020, 2021]
    results = [
        ParseResult(f"{y}", "1", record={"organ": "温县人民政府", "year": y}) for y in (2019, 2021)
    ]
    assert coverage_gaps(results, dt.date(2023, 1, 1)) == {"温县人民政府": [2020]}


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert "errors" not in body, body
    return body["data"]


def wait_for_webserver(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the Dagster webserver exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("the Dagster webserver did not start")


@pytest.mark.slow
def test_ui_serves_the_asset_graph_schedules_and_run_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    instance = DagsterInstance.get()
    instance.add_dynamic_partitions(site_partitions.name, [RECORDED_SITE])
    resources = replay_resources(Settings.from_env())
    assert materialize_site(instance, resources, RECORDED_SITE).success

    port = free_port()
    command = [
        sys.executable,
        "-m",
        "dagster_webserver",
        "-w",
        str(ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=os.environ.copy(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_webserver(port, process)
        nodes = graphql(port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        assert {n["assetKey"]["path"][0] for n in nodes} == {
            "site_registry",
            "captures",
            "documents",
            "reports",
            "warehouse_tables",
            "publication_coverage",
        }
        repos = graphql(
            port,
            "{ repositoriesOrError { ... on RepositoryConnection {"
            " nodes { schedules { name } sensors { name } } } } }",
        )
        [repo] = repos["repositoriesOrError"]["nodes"]
        assert {s["name"] for s in repo["schedules"]} == {"weekly_crawl", "reporting_season_crawl"}
        assert {s["name"] for s in repo["sensors"]} == {"registry_sites"}
        asset = graphql(
            port,
            '{ assetOrError(assetKey: {path: ["reports"]}) { ... on Asset {'
            " assetMaterializations(limit: 1) { runId metadataEntries {"
            " label ... on IntMetadataEntry { intValue } } } } } }",
        )
        [materialization] = asset["assetOrError"]["assetMaterializations"]
        entries = {e["label"]: e.get("intValue") for e in materialization["metadataEntries"]}
        assert entries["reports_parsed"] == 5
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
