"""Many portals in one run: one Dagster run materialises a batch of portal partitions, one polite
crawl fetches them all (per host one request at a time, the full delay between two), and each
portal keeps its own captures, metadata, checks and warehouse rows. A crawl waits while another
run holds the crawl pool, whoever launched it. Portals on loopback addresses of their own
(`tests.farm.loopback`)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    instance_for_test,
    materialize,
)

from dagster_project.assets import ANSWERED, CAPTURE_LOG
from dagster_project.definitions import PIPELINE_ASSETS, PIPELINE_CHECKS
from dagster_project.environments import resources_for
from dagster_project.jobs import partition_ranges, range_tags
from dagster_project.partitions import (
    CRAWL_POOL,
    PORTALS_PER_RUN,
    site_key_for,
    site_partitions,
)
from dagster_project.resources import capture_log_key
from spiders.launch import crawl_command
from spiders.settings import CONCURRENT_REQUESTS, CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY
from tests.farm.loopback import LoopbackFarm, requests_by_host, small_portal, smallest_gap
from tests.test_dagster import local_settings, query
from xxgk.pipeline import run_pipeline


def one_report_portal(host: str, number: int):
    return small_portal(host, number, reports=1)  # 6 requests: some 10 s, polite


def materialize_batch(instance: DagsterInstance, resources, keys: list[str]):
    return materialize(
        [*PIPELINE_ASSETS, *PIPELINE_CHECKS],
        resources=resources,
        instance=instance,
        tags=range_tags(keys),
        raise_on_error=False,
    )


def test_one_run_crawls_many_portals_politely_each_its_own_partition(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    instance = DagsterInstance.ephemeral()
    with LoopbackFarm(2, one_report_portal) as farm:
        keys = [site_key_for(url) for url in farm.urls]
        instance.add_dynamic_partitions(site_partitions.name, keys)
        result = materialize_batch(instance, resources_for(settings), keys)
        calls = farm.calls
    assert result.success
    [run] = instance.get_runs()
    captures = result.output_for_node("captures")
    for key, site in zip(keys, farm.sites, strict=True):
        assert {urlsplit(c.url).netloc for c in captures[key]} == {site.host}
        documents = {urlsplit(d.url).path for d in result.output_for_node("documents")[key]}
        assert documents and documents <= site.reports | site.attachments
    crawled = {
        e.partition: e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == AssetKey("captures")
    }
    assert {key: m[CAPTURE_LOG].value for key, m in crawled.items()} == {
        key: capture_log_key(key, run.run_id) for key in keys
    }
    assert {m["pages_fetched"].value for m in crawled.values()} == {6}  # robots.txt included
    answered = [e for e in result.get_asset_check_evaluations() if e.check_name == "site_answered"]
    assert sorted(e.partition for e in answered) == sorted(keys)
    assert query(settings, "SELECT count(DISTINCT site) FROM captures") == [(2,)]
    # one crawl, polite: both hosts at once, each one request at a time, the delay apart
    times = requests_by_host(calls)
    assert len(times) == 2 and all(len(at) == 6 for at in times.values())
    first, second = times.values()
    assert first[0] < second[-1] and second[0] < first[-1]
    assert smallest_gap(times) >= DOWNLOAD_DELAY - 0.05


@pytest.mark.slow  # the portal that is down is retried with backoff: some 35 s
def test_xxgk_run_crawls_its_portals_in_one_run_and_tells_the_one_that_did_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = local_settings(tmp_path)
    with LoopbackFarm(3) as farm:
        down = farm.sites[2].url
        farm.stop()  # nothing answers there any more
        with LoopbackFarm(2) as up:
            keys = [site_key_for(url) for url in [*up.urls, down]]
            summary = run_pipeline(keys, settings, polite=False, log_level="WARNING")
    assert summary.sites == 3
    assert summary.failed_sites == [down]
    assert summary.documents > 0
    instance = DagsterInstance.from_config(str(tmp_path / "dagster_home"))
    [run] = instance.get_runs()
    assert run.is_success  # the portals that answered are materialised, and so is the other:
    silent = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey("captures"), asset_partitions=[keys[2]]), limit=1
    ).records[0]
    assert silent.asset_materialization.metadata[ANSWERED].value is False
    answered = instance.event_log_storage.get_asset_check_execution_history(
        AssetCheckKey(AssetKey("captures"), "site_answered"), limit=10
    )
    assert sorted(e.partition for e in answered if e.status.value == "FAILED") == [keys[2]]
    assert query(settings, "SELECT count(DISTINCT site) FROM captures") == [(3,)]


def test_a_crawl_waits_while_another_run_holds_the_crawl_pool(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    with (
        instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance,
        LoopbackFarm(1, one_report_portal) as farm,
    ):
        keys = [site_key_for(farm.urls[0])]
        instance.add_dynamic_partitions(site_partitions.name, keys)
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(CRAWL_POOL)
        assert storage.claim_concurrency_slot(CRAWL_POOL, "other-run", "captures").is_claimed
        results = []
        run = threading.Thread(
            target=lambda: results.append(
                materialize_batch(instance, resources_for(settings, polite=False), keys)
            )
        )
        run.start()
        time.sleep(8)
        assert not farm.calls  # the other run still crawls
        storage.free_concurrency_slots_for_run("other-run")
        run.join(timeout=120)
        assert results and results[0].success
        assert farm.calls


def test_a_download_that_starts_late_still_keeps_the_next_request_the_delay_away(
    tmp_path: Path,
) -> None:
    # Scrapy counts a host's delay from when a request left its slot: a download the busy event
    # loop started late (`LateFirstPage`) put the next request to that host less than the
    # delay after it, as the crawl sent them and as the host saw them
    sent = tmp_path / "sent.json"
    handler = "tests.farm.latestart.LateFirstPage"
    with LoopbackFarm(1, one_report_portal) as farm:
        command = crawl_command(farm.urls, str(tmp_path / "archive"), tmp_path / "log.jsonl")
        command += ["-s", f"XXGK_SEND_TIMES_OUT={sent}"]
        command += ["-s", "DOWNLOAD_HANDLERS=" + json.dumps({"http": handler})]
        subprocess.run(command, check=True, timeout=120)
        calls = farm.calls
    [times] = json.loads(sent.read_text()).values()
    assert len(times) == 6
    assert smallest_gap({"sent": times}) >= DOWNLOAD_DELAY
    assert smallest_gap(requests_by_host(calls)) >= DOWNLOAD_DELAY - 0.05


def test_runs_cover_ranges_of_the_partitions_holding_only_the_portals_asked_for() -> None:
    ordered = ["a", "b", "c", "d", "e", "f", "g"]
    assert partition_ranges(ordered, {"a", "b", "d", "e", "f", "g"}, size=3) == [
        ["a", "b"],
        ["d", "e", "f"],
        ["g"],
    ]
    assert partition_ranges(ordered, {"c"}) == [["c"]]
    assert partition_ranges(ordered, set()) == []


def test_a_crawl_has_room_for_every_host_of_a_run_at_once() -> None:
    assert CONCURRENT_REQUESTS >= PORTALS_PER_RUN
    assert CONCURRENT_REQUESTS_PER_DOMAIN == 1
