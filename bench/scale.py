"""Benchmark: `xxgk run` on many portals at once, each on a loopback address of its own.

    .venv/bin/python -m bench.scale [--portals 24] [--under DIR] [--postgres URL]
        [--event-batch N]

`--portals` small county portals (`tests.farm.loopback.small_portal`: 14 requests, robots.txt
included, 5 report pages each with its PDF) are served on 127.0.0.2, 127.0.0.3, … by a process
of its own, so each is its own host to the crawl and the server shares no CPU time or GIL with
it. Then `xxgk run --start-url …` on all of them, polite (the real DOWNLOAD_DELAY), into a fresh
data directory (SQLite warehouse, local archive, its own Dagster instance on SQLite, with
`dagster_project.event_log`): the path an operator takes. The farm's PDFs are not reports (each
portal's parses to `corrupt`): the figure is the crawl's and the orchestration's, not the
parsers' (`bench.parse`). The data directory is made under `--under` (default: the system's
temporary directory; `--under /dev/shm` takes the disk out of the figure): the instance records
some 14 events a portal. `--postgres` puts the instance on PostgreSQL as production has it,
`--event-batch` sets DAGSTER_EVENT_BATCH_SIZE (default: what xxgk's commands set; 0: off).

Prints the run's wall time over the politeness bound (the most requests one host got, times
DOWNLOAD_DELAY: no polite crawl of that host can be quicker), the peak RSS of all the run's
processes together (sampled from /proc every 0.2 s: the command, its crawl, the crawl's
archivist, parse workers), and the smallest gap between two requests to one host: as the crawl
sent them (`spiders.extensions.sendtimes`: when its download handler started each), and as the
server logged their arrival (later than they were sent when the server is busy, by more for
one request than for the next, so its gaps can be shorter than the crawl's). Then the load
average, and each run's timeline from its Dagster events: when it began, each step's seconds,
how many events it recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy
from dagster import DagsterEventType, DagsterInstance

import dagster_project
from spiders.settings import DOWNLOAD_DELAY
from tests.farm.loopback import LoopbackFarm, gaps, requests_by_host
from tests.warehouse_fixtures import fresh_database
from xxgk.cli import EVENT_BATCH_SIZE

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
STEP_ENDS = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


def serve(portals: int, log: Path) -> None:
    """Serve the portals, print their URLs (one JSON line), and at SIGTERM write the request log
    (`{host: [monotonic seconds, …]}`) to `log`."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with LoopbackFarm(portals) as farm:
        print(json.dumps(farm.urls), flush=True)
        stopped.wait()
        log.write_text(json.dumps(requests_by_host(farm.calls)))
        # its servers' threads end with the process: stopping each in turn takes a poll
        # interval (half a second), minutes for hundreds
        os._exit(0)


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        resident[pid] = pages * PAGE_SIZE
    tree = {root}
    grew = True
    while grew:
        members = {pid for pid, parent in parents.items() if parent in tree} | tree
        grew = members != tree
        tree = members
    return sum(resident.get(pid, 0) for pid in tree)


def run_measured(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """Run `command` to its end: when it started (monotonic), its wall time, and the peak RSS
    of its process tree."""
    started = time.monotonic()
    with log.open("wb") as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        peak = 0
        while child.poll() is None:
            peak = max(peak, tree_rss(child.pid))
            time.sleep(0.2)
    took = time.monotonic() - started
    if child.returncode:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        raise SystemExit("\n".join([*tail, f"xxgk run exited with {child.returncode}"]))
    return started, took, peak


def smallest(times: dict[str, list[float]], slack: float = 0) -> tuple[float, int, int]:
    """The smallest gap between two requests to one host, how many gaps were more than `slack`
    under the delay, and how many gaps there were."""
    between = gaps(times)
    return min(between), sum(g < DOWNLOAD_DELAY - slack for g in between), len(between)


def steps_timeline(home: Path, started: float) -> tuple[str, dict[str, float]]:
    """When each run began after the command did, how long each step of it took (its start
    to its success or failure), and how many events the runs recorded: one line, and the
    figures."""
    lines, figures = [], {}
    wall_started = time.time() - (time.monotonic() - started)
    with DagsterInstance.from_config(str(home)) as instance:
        for run in reversed(instance.get_runs()):
            events = instance.all_logs(run.run_id)
            begun: dict[str, float] = {}
            took: dict[str, float] = {}
            for event in events:
                if event.step_key is None or not event.is_dagster_event:
                    continue
                if event.dagster_event_type == DagsterEventType.STEP_START:
                    begun[event.step_key] = event.timestamp
                elif event.dagster_event_type in STEP_ENDS and event.step_key in begun:
                    took[event.step_key] = event.timestamp - begun[event.step_key]
            first = events[0].timestamp - wall_started
            end = events[-1].timestamp - events[0].timestamp
            steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in took.items())
            lines.append(
                f"run {run.run_id[:8]}: from {first:.1f} s for {end:.1f} s, {len(events)} "
                f"events; steps (s): {steps}"
            )
            figures |= {f"step_{step}_seconds": seconds for step, seconds in took.items()}
            figures["events"] = figures.get("events", 0) + len(events)
    return "\n".join(lines), figures


@contextmanager
def dagster_home(directory: Path, postgres: str | None) -> Iterator[dict[str, str]]:
    """A Dagster home for the run (its environment variables): on SQLite in `directory`, as
    `xxgk run` makes it, or as production has it (`dagster.production.yaml`), in a database of
    its own made on the PostgreSQL server of the URL `postgres` (its query string goes to the
    instance's connections too: `?options=-csynchronous_commit%3Doff`), and dropped after."""
    if postgres is None:
        yield {}
        return
    directory.mkdir()
    shutil.copy(
        Path(dagster_project.__file__).parent / "dagster.production.yaml",
        directory / "dagster.yaml",
    )
    with fresh_database(postgres, "xxgk_bench_scale") as database:
        url = sqlalchemy.make_url(database).set(drivername="postgresql+psycopg2")
        env = {
            "DAGSTER_HOME": str(directory),
            "DAGSTER_POSTGRES_URL": url.render_as_string(hide_password=False),
        }
        os.environ["DAGSTER_POSTGRES_URL"] = env["DAGSTER_POSTGRES_URL"]  # for steps_timeline
        try:
            with DagsterInstance.from_config(str(directory)):  # its tables, as a deployed one has
                pass
            yield env
        finally:
            os.environ.pop("DAGSTER_POSTGRES_URL", None)


def bench(
    portals: int, under: str | None, postgres: str | None = None, event_batch: int | None = None
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=under) as directory:
        out = Path(directory)
        requests_log, sent_log = out / "requests.json", out / "sent.json"
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.scale", "--serve", str(portals), str(requests_log)],
            stdout=subprocess.PIPE,
        )
        assert server.stdout
        urls = json.loads(server.stdout.readline())
        try:
            command = [sys.executable, "-m", "xxgk.cli", "run", "--data", str(out / "data")]
            for url in urls:
                command += ["--start-url", url]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("XXGK_", "DAGSTER_"))}
            env["XXGK_SEND_TIMES_OUT"] = str(sent_log)
            if event_batch is not None:
                env["DAGSTER_EVENT_BATCH_SIZE"] = str(event_batch)
            with dagster_home(out / "dagster_home", postgres) as instance_env:
                env |= instance_env
                started, took, peak = run_measured(command, env, out / "run.log")
                timeline, steps = steps_timeline(
                    Path(instance_env.get("DAGSTER_HOME") or out / "data" / "dagster_home"),
                    started,
                )
        finally:
            server.terminate()
            server.wait()
        times = json.loads(requests_log.read_text())
        sent = json.loads(sent_log.read_text())
    most = max(len(at) for at in times.values())
    bound = most * DOWNLOAD_DELAY
    first = min(at[0] for at in times.values()) - started
    last = max(at[-1] for at in times.values()) - started
    crawler_gap, crawler_short, crawler_gaps = smallest(sent)
    server_gap, server_short, server_gaps = smallest(times, slack=0.05)
    load = os.getloadavg()[0]
    print(
        f"{portals} portals ({len(times)} hosts asked, at most {most} requests each): "
        f"{took:.1f} s, {took / bound:.2f} × the politeness bound ({bound:.0f} s); the first "
        f"request after {first:.1f} s, the last after {last:.1f} s\n"
        f"peak RSS of all processes {peak / 2**20:.0f} MB\n"
        f"smallest gap between two requests to one host (the delay: {DOWNLOAD_DELAY:.2f} s): "
        f"{crawler_gap:.3f} s as the crawl sent them ({crawler_short} of {crawler_gaps} gaps "
        f"under the delay), {server_gap:.3f} s as the server logged their arrival "
        f"({server_short} of {server_gaps} more than 50 ms under it)\n"
        f"load average {load:.2f} at the end; the instance on "
        f"{'PostgreSQL' if postgres else 'SQLite'}, DAGSTER_EVENT_BATCH_SIZE="
        f"{EVENT_BATCH_SIZE[1] if event_batch is None else event_batch}\n"
        f"{timeline}"
    )
    figures = {
        "portals": portals,
        "seconds": took,
        "bound_seconds": bound,
        "ratio": took / bound,
        "peak_rss_mb": peak / 2**20,
        "smallest_gap_sent_seconds": crawler_gap,
        "gaps_sent_under_delay": crawler_short,
        "smallest_gap_arrived_seconds": server_gap,
        "gaps_arrived_under_delay": server_short,
        "first_request_seconds": first,
        "last_request_seconds": last,
        "load_average": load,
        **steps,
    }
    print(json.dumps(figures))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--portals", type=int, default=24, help="this many portals (hosts)")
    parser.add_argument("--under", help="make the run's data directory here")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="the Dagster instance on this PostgreSQL server, as production has it, in a "
        "database made for the run and dropped after (e.g. postgresql://postgres@127.0.0.1/test)",
    )
    parser.add_argument(
        "--event-batch",
        type=int,
        metavar="N",
        help=f"DAGSTER_EVENT_BATCH_SIZE for the run (0: off; default: xxgk's, "
        f"{EVENT_BATCH_SIZE[1]})",
    )
    parser.add_argument("--serve", nargs=2, metavar=("PORTALS", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
    else:
        bench(args.portals, args.under, args.postgres, args.event_batch)


if __name__ == "__main__":
    main()
