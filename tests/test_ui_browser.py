"""The Dagster UI as an operator sees it, in Debian's Chromium: `xxgk ui --demo` on a data
directory where the demo pipeline ran (the demo portal, then a portal whose port is closed, as
`xxgk demo` and `xxgk run` run them) and a registry county's partition was materialised. The
asset graph loads, the county's partition page names it and shows its last run's metadata, the
failed run's page names the URL and the reason, and SIGTERM stops it all.

The README's screenshot, `docs/img/ui.png`, is this test's `ui.png`:
`pytest -m slow tests/test_ui_browser.py --basetemp=/tmp/ui` and copy it from there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dagster_project.partitions import site_key_for, site_partitions
from tests.test_dagster import (
    free_port,
    graphql,
    materialize_site,
    replay_resources,
    wait_for_webserver,
)
from tests.test_dagster_ui import registry_recording
from xxgk.demo.portal import DemoPortal
from xxgk.pipeline import dagster_instance, run_pipeline
from xxgk.registry import load_sites
from xxgk.settings import Settings

pytestmark = [
    pytest.mark.slow,  # a crawl of the demo portal, one of a closed port, and the UI: some 2 min
    pytest.mark.skipif(
        not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed"
    ),
]

COUNTY = "河南省 洛阳市 汝阳县"


@dataclass
class UI:
    url: str
    process: subprocess.Popen
    data: Path
    demo_url: str
    dead_url: str
    county: str  # the county's partition key


def operated_data(data: Path, demo_port: int) -> tuple[str, str, str]:
    """A data directory as an operator leaves it: the demo run, a run of a portal that does
    not answer (a closed port on 127.0.0.2), and 汝阳县's partition materialised from a replay
    of the demo portal's recorded crawl (no portal asked). Its demo URL, dead URL, county key."""
    settings = Settings.from_env(data)
    with DemoPortal(port=demo_port) as portal:
        demo = run_pipeline([site_key_for(portal.url)], settings, polite=False)
    assert not demo.unreachable, demo.unreachable
    dead_url = f"http://127.0.0.2:{free_port()}/"
    dead = run_pipeline([site_key_for(dead_url)], settings, polite=False)
    assert list(dead.unreachable) == [dead_url]
    [county] = load_sites("汝阳县")
    resources = replay_resources(settings, registry_recording(data.parent, county.start_url))
    with dagster_instance(settings) as instance:
        instance.add_dynamic_partitions(site_partitions.name, [county.id])
        assert materialize_site(instance, resources, county.id).success
    return portal.url, dead_url, county.id


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UI]:
    assert "DAGSTER_HOME" not in os.environ  # every command's home: <data>/dagster_home
    data = tmp_path_factory.mktemp("operated") / "data"
    demo_port = free_port()
    demo_url, dead_url, county = operated_data(data, demo_port)
    port = free_port()
    command = [sys.executable, "-m", "xxgk.cli", "-q", "ui", "--demo", "--data", str(data)]
    command += ["--port", str(port), "--demo-port", str(demo_port)]
    process = subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        wait_for_webserver(port, process)
        yield UI(f"http://127.0.0.1:{port}", process, data, demo_url, dead_url, county)
    finally:
        if process.poll() is None:  # a test failed before SIGTERM's
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=120)


@pytest.fixture(scope="module")
def browser(ui: UI) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(ui: UI, browser) -> Iterator:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    yield page
    page.close()


def ui_query(ui: UI, query: str) -> dict:
    return graphql(int(ui.url.rsplit(":", 1)[1]), query)


def test_the_ui_shows_every_command_s_runs_and_serves_the_demo_portal(ui: UI) -> None:
    runs = ui_query(
        ui, "{ runsOrError { ... on Runs { results { status tags { key value } } } } }"
    )["runsOrError"]["results"]
    partitions = {
        (run["status"], tag["value"])
        for run in runs
        for tag in run["tags"]
        if tag["key"] in ("dagster/asset_partition_range_start", "dagster/partition")
    }
    assert {
        ("SUCCESS", site_key_for(ui.demo_url)),
        ("FAILURE", site_key_for(ui.dead_url)),
        ("SUCCESS", ui.county),
    } <= partitions
    with urllib.request.urlopen(ui.demo_url, timeout=10) as response:
        assert response.status == 200
    keys = ui_query(
        ui, '{ assetNodeOrError(assetKey: {path: ["captures"]}) { ... on AssetNode {'
        " partitionKeys } } }",
    )["assetNodeOrError"]["partitionKeys"]  # fmt: skip
    assert site_key_for(ui.demo_url) in keys


def test_the_asset_graph_loads_without_error(ui: UI, page) -> None:
    page.goto(f"{ui.url}/assets/warehouse_tables?view=lineage&lineageScope=upstream&lineageDepth=4")
    for asset in ("site_registry", "captures", "documents", "reports", "warehouse_tables"):
        page.get_by_text(asset, exact=True).last.wait_for()
    assert not page.get_by_text("Something went wrong").count()
    assert not page.get_by_text("error", exact=False).filter(visible=True).count()


def test_a_partition_page_names_its_county_and_shows_its_last_run(
    ui: UI, page, tmp_path: Path
) -> None:
    [last] = ui_query(
        ui,
        '{ assetOrError(assetKey: {path: ["captures"]}) { ... on Asset {'
        f' assetMaterializations(partitions: ["{ui.county}"], limit: 1) {{ runId }} }} }} }}',
    )["assetOrError"]["assetMaterializations"]
    page.goto(f"{ui.url}/assets/captures?view=partitions&partition={ui.county}")
    page.get_by_text(COUNTY, exact=True).wait_for()
    for shown in ("Latest materialization", last["runId"][:8], "pages_fetched", "capture_log"):
        assert page.get_by_text(shown, exact=True).filter(visible=True).count(), shown
    assert page.get_by_text(f"crawls/{ui.county}/{last['runId']}.jsonl").count()
    page.wait_for_timeout(6000)  # when the community sign-up would show, loading dagster.io
    assert not page.get_by_text("Join the Dagster community").count()
    screenshot = tmp_path / "ui.png"
    page.screenshot(path=screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size < 300_000


def test_the_failed_run_page_names_the_url_and_the_reason(ui: UI, page) -> None:
    [failed] = ui_query(
        ui, "{ runsOrError(filter: {statuses: [FAILURE]}) { ... on Runs { results { runId } } } }"
    )["runsOrError"]["results"]
    page.goto(f"{ui.url}/runs/{failed['runId']}?logs=type:STEP_FAILURE")
    failure = page.get_by_text(f"no portal of the run answered: {ui.dead_url} unreachable")
    failure.first.wait_for()
    assert "connection (" in failure.first.inner_text()
    assert "Connection refused" in failure.first.inner_text()


def test_sigterm_stops_the_ui_its_services_and_the_demo_portal(ui: UI) -> None:
    ui.process.send_signal(signal.SIGTERM)
    assert ui.process.wait(timeout=120) == 0
    for url in (ui.url, ui.demo_url):
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=5)
    assert not processes_of(ui.data)


def processes_of(data: Path) -> list[int]:
    """The processes left that were started for the data directory `data` (their
    environment names it)."""
    marker = f"XXGK_DATA_DIR={data.resolve()}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found
