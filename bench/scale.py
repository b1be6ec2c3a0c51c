"""Benchmark: `xxgk run` on many portals at once, each on a loopback address of its own.

    .venv/bin/python -m bench.scale [--portals 24] [--under DIR]

`--portals` small county portals (`tests.farm.loopback.small_portal`: 14 requests, robots.txt
included, 5 report pages each with its PDF) are served on 127.0.0.2, 127.0.0.3, … by a process
of its own, so each is its own host to the crawl and the server shares no CPU time or GIL with
it. Then `xxgk run --start-url …` on all of them, polite (the real DOWNLOAD_DELAY), into a fresh
data directory (SQLite warehouse, local archive, its own Dagster instance on SQLite): the path
an operator takes. The data directory is made under `--under` (default: the system's temporary
directory): the SQLite Dagster instance syncs to disk several times for every event it records
(some 13 a portal), so on a disk with slow syncs the instance's bookkeeping, not the crawl, is
what a wide run waits for; `--under /dev/shm` takes the disk out of the figure.

Prints the run's wall time over the politeness bound (the most requests one host got, times
DOWNLOAD_DELAY: no polite crawl of that host can be quicker), the peak RSS of all the run's
processes together (sampled from /proc every 0.2 s: the command, its crawl, the crawl's
archivist, parse workers), and the smallest gap between two requests to one host, from the
server's own request log.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from spiders.settings import DOWNLOAD_DELAY
from tests.farm.loopback import LoopbackFarm, gaps, requests_by_host

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def serve(portals: int, log: Path) -> None:
    """Serve the portals, print their URLs (one JSON line), and at SIGTERM write the request log
    (`{host: [monotonic seconds, …]}`) to `log`."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with LoopbackFarm(portals) as farm:
        print(json.dumps(farm.urls), flush=True)
        stopped.wait()
        log.write_text(json.dumps(requests_by_host(farm.calls)))


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


def run_measured(command: list[str], env: dict[str, str], log: Path) -> tuple[float, int]:
    """Run `command` to its end; its wall time and the peak RSS of its process tree."""
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


def bench(portals: int, under: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=under) as directory:
        out = Path(directory)
        requests_log = out / "requests.json"
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
            started, took, peak = run_measured(command, env, out / "run.log")
        finally:
            server.terminate()
            server.wait()
        times = json.loads(requests_log.read_text())
    most = max(len(at) for at in times.values())
    bound = most * DOWNLOAD_DELAY
    between = gaps(times)
    gap = min(between)
    short = sum(g < DOWNLOAD_DELAY - 0.05 for g in between)
    first = min(at[0] for at in times.values()) - started
    last = max(at[-1] for at in times.values()) - started
    print(
        f"{portals} portals ({len(times)} hosts asked, at most {most} requests each): "
        f"{took:.1f} s, {took / bound:.2f} × the politeness bound ({bound:.0f} s); the first "
        f"request after {first:.1f} s, the last after {last:.1f} s\n"
        f"peak RSS of all processes {peak / 2**20:.0f} MB; smallest gap between two requests "
        f"to one host {gap:.2f} s (the delay: {DOWNLOAD_DELAY:.2f} s; {short} of {len(between)} "
        "gaps more than 50 ms under it, as the server logged them)"
    )
    figures = {
        "portals": portals,
        "seconds": took,
        "bound_seconds": bound,
        "ratio": took / bound,
        "peak_rss_mb": peak / 2**20,
        "smallest_gap_seconds": gap,
        "gaps_under_delay": short,
        "first_request_seconds": first,
        "last_request_seconds": last,
    }
    print(json.dumps(figures))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--portals", type=int, default=24, help="this many portals (hosts)")
    parser.add_argument("--under", help="make the run's data directory here")
    parser.add_argument("--serve", nargs=2, metavar=("PORTALS", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
    else:
        bench(args.portals, args.under)


if __name__ == "__main__":
    main()
