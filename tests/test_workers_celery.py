"""Runs executed by two Celery workers, standing for two machines (each a process group with a
working directory of its own), that share only the Dagster instance and the warehouse
(PostgreSQL), the archive (S3: `weed mini`) and the broker (RabbitMQ, a virtual host of the
test's own). Six farm portals in three runs of two, launched as production launches them
(`XXGK_ENV=production`: the Celery executor): their steps spread over both workers, every report
is loaded once, no host is asked by two crawls at once, and a worker killed mid-crawl (SIGKILL to
its whole process group, as when its machine dies) leaves its step to the other worker, with
nothing lost or doubled; a rerun of those portals changes nothing."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, EventRecordsFilter
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from sqlalchemy import create_engine, text

from dagster_project.environments import environment_executor
from dagster_project.jobs import partition_ranges, range_tags
from dagster_project.partitions import CRAWL_POOL, site_key_for, site_partitions
from dagster_project.workers import BROKER_VARIABLE, production_executor, worker_app
from spiders.settings import DOWNLOAD_DELAY
from tests.farm.loopback import LoopbackFarm, requests_by_host, smallest_gap
from tests.farm.reports import FORMATS
from tests.farm.server import Reply, Site
from tests.fixtures.render.blocks import load_seed
from tests.fixtures.render.pdfdoc import render_pdf
from tests.s3server import point_aws_at, s3_endpoint  # noqa: F401
from tests.test_instance_postgres import dagster_url, fresh_database, production_home
from tests.test_scale import one_report_portal
from xxgk.settings import Settings

PORTALS = 6
PORTALS_PER_RUN = 2
RUNS_SECONDS = 420
#: A crawl is killed once it has run this long: past robots.txt and the portal's first pages.
KILL_AFTER_SECONDS = 4.0
CRAWL_COMMAND = "spiders.crawl"


def report_portal(host: str, number: int) -> Site:
    """A portal publishing one real report: a seed rendered as PDF, titled for the portal (so
    that each portal's PDF is a document of its own)."""
    site = one_report_portal(host, number)
    pdf = render_pdf(load_seed(FORMATS["pdf"]).blocks, title=f"{host} report")
    for attachment in site.attachments:
        site.routes[attachment] = Reply(pdf, content_type="application/pdf")
    return site


@contextlib.contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """A virtual host of the local RabbitMQ for this test alone: its broker URL."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("no rabbitmqctl: RabbitMQ is not installed here")
    name = f"xxgk_test_{secrets.token_hex(4)}"
    subprocess.run([ctl, "-q", "add_vhost", name], check=True)
    try:
        subprocess.run(
            [ctl, "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True
        )
        yield f"pyamqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        subprocess.run([ctl, "-q", "delete_vhost", name], check=False)


@dataclass
class Worker:
    """A Celery worker in a process group and a working directory of its own: a machine."""

    name: str
    root: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] = field(init=False)

    def start(self) -> None:
        self.root.mkdir(parents=True)
        env = {
            **self.env,
            "DAGSTER_HOME": str(production_home(self.root / "dagster_home")),
            "XXGK_CRAWL_DIR": str(self.root / "crawls"),
            "XXGK_S3_SPOOL_DIR": str(self.root / "spool"),
        }
        command = [sys.executable, "-m", "celery", "-A", "dagster_project.workers", "worker"]
        command += ["--pool", "solo", "--queues", "dagster", "--hostname", f"{self.name}@%h"]
        command += ["--concurrency", "1", "--without-gossip", "--without-mingle"]
        command += ["--loglevel", "INFO"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def log(self) -> Path:
        return self.root.with_suffix(".log")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while b" ready." not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"{self.name} not ready"
            time.sleep(0.5)

    def crawls(self) -> list[int]:
        """The crawl processes running under this worker."""
        return [pid for pid in descendants(self.process.pid) if CRAWL_COMMAND in cmdline(pid)]

    def kill(self) -> None:
        """SIGKILL to the worker and everything it started, as when its machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def launch(keys: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A run of the pipeline for the partitions `keys`, as the daemon launches one: a process
    on this machine that sends the run's steps to the workers."""
    command = [str(Path(sys.executable).with_name("dagster")), "job", "execute"]
    command += ["-m", "dagster_project.definitions", "-j", "pipeline"]
    command += ["--tags", json.dumps(range_tags(keys))]
    log = (cwd / f"run-{len(list(cwd.glob('run-*.log')))}.log").open("wb")
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


class Step(NamedTuple):
    run_id: str
    key: str
    pid: int  # of the process that ran it: a worker's
    at: float  # seconds since the epoch


def steps(instance: DagsterInstance, kind: DagsterEventType) -> list[Step]:
    """Every event of `kind`: its step, run, worker and time."""
    records = instance.get_event_records(EventRecordsFilter(kind), limit=10_000)
    return [
        Step(entry.run_id, entry.step_key, entry.dagster_event.pid, entry.timestamp)
        for entry in (record.event_log_entry for record in records)
    ]


def crawl_intervals(instance: DagsterInstance, killed: int, killed_at: float) -> list[tuple]:
    """When each `captures` step ran, from its start to its success, or to the kill of the
    worker `killed`, in order."""
    ends = {
        (step.run_id, step.pid): step.at
        for step in steps(instance, DagsterEventType.STEP_SUCCESS)
        if step.key == "captures"
    }
    return sorted(
        (step.at, ends.get((step.run_id, step.pid), killed_at if step.pid == killed else None))
        for step in steps(instance, DagsterEventType.STEP_START)
        if step.key == "captures"
    )


def warehouse_counts(url: str) -> dict[str, object]:
    engine = create_engine(url)
    with engine.connect() as connection:

        def rows(sql: str) -> list[tuple]:
            return [tuple(row) for row in connection.execute(text(sql)).all()]

        counts = {
            "reports": rows("SELECT count(*), count(DISTINCT document_id) FROM reports"),
            "sites": rows(
                "SELECT count(DISTINCT d.site) FROM reports r JOIN documents d"
                " ON d.id = r.document_id"
            ),
            "cells": rows("SELECT count(*) FROM report_cells"),
            "cells_per_report": rows(
                "SELECT DISTINCT count(c.report_id) FROM reports r"
                " LEFT JOIN report_cells c ON c.report_id = r.id GROUP BY r.id"
            ),
            "captures_per_site": rows("SELECT DISTINCT count(*) FROM captures GROUP BY site"),
        }
    engine.dispose()
    return counts


def test_production_runs_send_their_steps_to_workers_that_take_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert environment_executor(Settings.from_env(environ={})) is None  # Dagster's default
    production = Settings.from_env(environ={"XXGK_ENV": "production"})
    assert environment_executor(production) is production_executor
    monkeypatch.setenv(BROKER_VARIABLE, "pyamqp://guest:guest@127.0.0.1:5672/elsewhere")
    worker_app.cache_clear()
    conf = worker_app().conf
    assert conf.broker_url == "pyamqp://guest:guest@127.0.0.1:5672/elsewhere"
    assert (conf.task_acks_late, conf.worker_prefetch_multiplier) == (True, 1)
    assert "execute_plan" in worker_app().tasks  # dagster-celery's step task
    worker_app.cache_clear()


@pytest.mark.slow  # two workers, three runs, five crawls: some three minutes
def test_two_workers_share_the_runs_and_a_killed_one_loses_nothing(
    tmp_path: Path,
    s3_endpoint: str,  # noqa: F811  (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    point_aws_at(monkeypatch, s3_endpoint)
    with (
        fresh_database("dagster") as instance_db,
        fresh_database("warehouse") as warehouse_db,
        rabbitmq_vhost() as broker,
        LoopbackFarm(PORTALS, report_portal) as farm,
    ):
        monkeypatch.setenv("DAGSTER_POSTGRES_URL", dagster_url(instance_db))
        home = production_home(tmp_path / "dagster_home")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("XXGK_", "DAGSTER_"))},
            "XXGK_S3_ENDPOINT_URL": s3_endpoint,
            "XXGK_ENV": "production",
            "XXGK_ARCHIVE_URL": f"s3://xxgk-{secrets.token_hex(4)}/archive",
            "XXGK_DATABASE_URL": warehouse_db,
            "XXGK_PARSE_WORKERS": "0",
            "XXGK_LOG_LEVEL": "WARNING",
            "DAGSTER_POSTGRES_URL": dagster_url(instance_db),
            BROKER_VARIABLE: broker,
            "PYTHONUNBUFFERED": "1",
        }
        keys = [site_key_for(url) for url in farm.urls]
        with DagsterInstance.from_config(str(home)) as instance:
            instance.add_dynamic_partitions(site_partitions.name, keys)
            # as deploying does (docs/deploy.md): runs starting together on a fresh instance
            # would each make the pool's row, and all but one fail on its unique key
            instance.event_log_storage.initialize_concurrency_limit_to_default(CRAWL_POOL)
        workers = [Worker(name, tmp_path / name, env) for name in ("east", "west")]
        try:
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.wait_ready()
            daemon = tmp_path / "daemon"
            daemon.mkdir()
            run_env = {**env, "DAGSTER_HOME": str(home), "XXGK_CRAWL_DIR": str(daemon / "c")}
            batches = partition_ranges(keys, set(keys), size=PORTALS_PER_RUN)
            runs = [launch(batch, run_env, daemon) for batch in batches]
            killed, killed_at, seen = None, 0.0, {}
            deadline = time.monotonic() + RUNS_SECONDS
            with DagsterInstance.from_config(str(home)) as instance:
                while any(run.poll() is None for run in runs):
                    assert time.monotonic() < deadline, "the runs did not end"
                    time.sleep(0.5)
                    if killed:
                        continue
                    done = {step.pid for step in steps(instance, DagsterEventType.STEP_SUCCESS)}
                    for worker in workers:
                        for pid in worker.crawls():
                            seen.setdefault(pid, time.monotonic())
                            ran_long = time.monotonic() - seen[pid] > KILL_AFTER_SECONDS
                            both_worked = all(w.process.pid in done for w in workers)
                            if ran_long and both_worked and not killed:
                                worker.kill()
                                killed, killed_at = worker, time.monotonic()
                                killed_wall = time.time()
                assert killed, "no crawl ran after both workers had run a step"
                assert [run.returncode for run in runs] == [0] * len(runs)
                assert {r.status for r in instance.get_runs()} == {DagsterRunStatus.SUCCESS}
                successes = steps(instance, DagsterEventType.STEP_SUCCESS)
                starts = steps(instance, DagsterEventType.STEP_START)
                counts = warehouse_counts(warehouse_db)
                [cut_short] = {
                    step.run_id
                    for step in starts
                    if step.key == "captures" and step.pid == killed.process.pid
                } - {step.run_id for step in successes if step.pid == killed.process.pid}
                # a rerun of the killed crawl's portals changes nothing
                tags = instance.get_run_by_id(cut_short).tags
                rerun_keys = [
                    tags[ASSET_PARTITION_RANGE_START_TAG],
                    tags[ASSET_PARTITION_RANGE_END_TAG],
                ]
                rerun_at = time.monotonic()
                rerun = launch(rerun_keys, run_env, daemon)
                assert rerun.wait(timeout=RUNS_SECONDS) == 0
                assert warehouse_counts(warehouse_db) == counts
                crawls = crawl_intervals(instance, killed.process.pid, killed_wall)
            calls = list(farm.calls)
        finally:
            for worker in workers:
                worker.stop()
    [survivor] = [w for w in workers if w is not killed]
    assert {step.pid for step in successes} == {w.process.pid for w in workers}  # both worked
    crawled = {step.run_id: step.pid for step in successes if step.key == "captures"}
    assert len(crawled) == len(batches)  # every run's crawl succeeded, the killed one's…
    assert crawled[cut_short] == survivor.process.pid  # …on the worker left
    assert counts["reports"] == [(PORTALS, PORTALS)]  # one report a portal, each loaded once
    assert counts["sites"] == [(PORTALS,)]
    [(cells,)] = counts["cells"]
    assert cells > 0 and len(counts["cells_per_report"]) == 1  # every report whole
    assert counts["captures_per_site"] == [(6,)]  # robots.txt and five pages, none doubled
    times = requests_by_host(calls)
    assert len(times) == PORTALS
    # the crawl pool's one slot, in PostgreSQL, holds across workers: no two crawls at once
    # (the three runs', the killed one's step given to the other worker, and the rerun's)
    assert len(crawls) == len(batches) + 2
    for (_, end), (next_start, _) in itertools.pairwise(crawls):
        assert end is not None and end <= next_start
    # and no host is asked by two crawls at once, which would show requests moments apart. (The
    # server logs a request when it arrives: on a busy machine a few arrive a little under the
    # delay after the one before; and the kill loses the dead crawl's timing.)
    assert smallest_gap(times) >= DOWNLOAD_DELAY / 2
    cut_hosts = {
        farm.sites[keys.index(key)].host
        for key in next(batch for batch in batches if batch[0] == rerun_keys[0])
    }
    interrupted = {
        host
        for host, at in times.items()
        if any(t < killed_at for t in at) and any(killed_at < t < rerun_at for t in at)
    }
    assert interrupted and interrupted <= cut_hosts  # the killed crawl's, crawled again
    leftovers = [p for p in (survivor.root / "crawls").rglob("*") if p.is_file()]
    assert not leftovers  # the worker keeps nothing on its disk
