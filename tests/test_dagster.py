"""Operating the pipeline in Dagster: partitions rerun alone, a new parser re-parses without
fetching, schedules and the registry sensor, and the UI's GraphQL API."""

from __future__ import annotations

import datetime as dt
import json
import os
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
from dagster_project.checks import coverage_gaps, due_years
from dagster_project.definitions import PIPELINE_ASSETS, PIPELINE_CHECKS, defs
from dagster_project.partitions import site_key_for, site_partitions
from dagster_project.resources import resources_for
from dagster_project.schedules import HOST_TAG, reporting_season_crawl, weekly_crawl
from dagster_project.sensors import registry_sites
from warehouse import Warehouse
from xxgk.settings import Settings, sqlite_url
from xxgk.demo.portal import DemoPortal
from xxgk.registry import load_sites

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = defs.get_repository_def()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path, sqlite_url(tmp_path / "wh.db"), str(tmp_path / "archive"))


def materialize_site(instance, settings: Settings, site: str, selection=None):
    return materialize(
        [*PIPELINE_ASSETS, *PIPELINE_CHECKS],
        resources=resources_for(settings, polite=False),
        partition_key=site,
        instance=instance,
        selection=selection,
        raise_on_error=False,
    )


def test_a_failed_partition_reruns_alone(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    instance = DagsterInstance.ephemeral()
    down_port = free_port()
    with DemoPortal() as up:
        up_site = site_key_for(up.url)
        down_site = site_key_for(f"http://127.0.0.1:{down_port}/")
        instance.add_dynamic_partitions(site_partitions.name, [up_site, down_site])
        assert materialize_site(instance, settings, up_site).success
        failed = materialize_site(instance, settings, down_site)
        assert not failed.success
        with DemoPortal(port=down_port):
            rerun = materialize_site(instance, settings, down_site)
        assert rerun.success
        assert up.requested.count("/") == 1  # the healthy portal was not crawled again
    latest = instance.get_latest_materialization_event(AssetKey("warehouse_tables"))
    assert latest.run_id == rerun.run_id
    with Warehouse(settings.database_url).engine.connect() as connection:
        sites = connection.execute(text("SELECT count(*) FROM sites")).scalar_one()
    assert sites == 2


def test_a_new_parser_version_reparses_from_the_archive_without_fetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = local_settings(tmp_path)
    instance = DagsterInstance.ephemeral()
    with DemoPortal() as portal:
        site = site_key_for(portal.url)
        instance.add_dynamic_partitions(site_partitions.name, [site])
        assert materialize_site(instance, settings, site).success
        fetched = len(portal.requested)
        monkeypatch.setattr(parsers, "PARSER_VERSION", "99.0.0")
        reparse = materialize_site(
            instance, settings, site, selection=["reports", "warehouse_tables"]
        )
        assert reparse.success
        assert len(portal.requested) == fetched
    with Warehouse(settings.database_url).engine.connect() as connection:
        versions = dict(
            connection.execute(
                text("SELECT parser_version, count(*) FROM reports GROUP BY parser_version")
            ).all()
        )
    assert versions == {
        PIPELINE_ASSETS[2].code_versions_by_key[AssetKey("reports")]: 5,
        "99.0.0": 5,
    }


@pytest.fixture
def instance_with_sites():
    with instance_for_test() as instance:
        sites = load_sites("汝阳县") + load_sites("温县")
        instance.add_dynamic_partitions(site_partitions.name, [s.id for s in sites])
        yield instance, sites


def test_weekly_schedule_crawls_every_site_once_tagged_by_host(instance_with_sites) -> None:
    instance, sites = instance_with_sites
    when = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=REPOSITORY
    )
    requests = list(weekly_crawl.evaluate_tick(context).run_requests)
    assert sorted(r.partition_key for r in requests) == sorted(s.id for s in sites)
    assert {r.tags[HOST_TAG] for r in requests} == {s.host for s in sites}


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        (dt.date(2026, 1, 14), 0),
        (dt.date(2026, 1, 15), 2),
        (dt.date(2026, 4, 15), 2),
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
    later = registry_sites(build_sensor_context(instance=instance, repository_def=REPOSITORY))
    assert [r.partition_key for r in later.run_requests] == every_id[-1:]
    assert isinstance(later.run_requests[0], RunRequest)

    instance.add_dynamic_partitions(site_partitions.name, every_id[-1:])
    assert isinstance(
        registry_sites(build_sensor_context(instance=instance, repository_def=REPOSITORY)),
        SkipReason,
    )


def test_coverage_counts_years_due_by_each_legal_deadline() -> None:
    assert list(due_years("温县人民政府", dt.date(2022, 3, 31))) == [2019, 2020]
    assert list(due_years("温县人民政府", dt.date(2022, 4, 1))) == [2019, 2020, 2021]
    assert list(due_years("温县财政局", dt.date(2022, 2, 1))) == [2019, 2020, 2021]
    results = [{"record": {"organ": "温县人民政府", "year": y}} for y in (2019, 2021)]
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
    settings = Settings.from_env()
    with DemoPortal() as portal:
        site = site_key_for(portal.url)
        instance.add_dynamic_partitions(site_partitions.name, [site])
        assert materialize_site(instance, settings, site).success

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
