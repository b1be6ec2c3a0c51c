"""Start a crawl in a child process (`python -m spiders.crawl`) and read what it captured,
without importing Scrapy here: only the child runs it (Twisted's reactor cannot restart inside
one process), so the processes that start crawls (the CLI, a Dagster step) start quickly."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from spiders.capturelog import read_captures
from xxgk.records import Capture


class CrawlFailed(RuntimeError):
    """The crawl subprocess could not run (bad arguments, archive unreachable, crash)."""


def crawl_command(
    start_urls: Sequence[str],
    archive_url: str,
    captures_out: str | Path,
    polite: bool = True,
    jobdir: str | Path | None = None,
    previous_captures: str | Path | None = None,
) -> list[str]:
    command = [sys.executable, "-m", "spiders.crawl", "--archive-url", archive_url]
    command += ["--captures-out", str(captures_out)]
    for url in start_urls:
        command += ["--start-url", url]
    if not polite:
        command.append("--no-polite")
    if jobdir is not None:
        command += ["--jobdir", str(jobdir)]
    if previous_captures is not None:
        command += ["--previous-captures", str(previous_captures)]
    return command


def run_crawl(
    start_urls: Sequence[str],
    archive_url: str,
    captures_out: str | Path,
    polite: bool = True,
    timeout: float | None = None,
    jobdir: str | Path | None = None,
    *,
    previous_captures: str | Path | None = None,
) -> None:
    """Crawl in a child process (its log goes to this process's stderr) into `captures_out`.

    Raises `CrawlFailed` if the crawl could not run, `subprocess.TimeoutExpired` after `timeout`
    seconds (the child is killed).
    """
    command = crawl_command(
        start_urls, archive_url, captures_out, polite, jobdir, previous_captures
    )
    result = subprocess.run(command, timeout=timeout, check=False)
    if result.returncode != 0:
        raise CrawlFailed(f"crawl of {list(start_urls)} exited with status {result.returncode}")


def run_crawl_subprocess(
    start_urls: Sequence[str],
    archive_url: str,
    captures_out: str | Path,
    polite: bool = True,
    timeout: float = 6 * 3600,
    jobdir: str | Path | None = None,
    *,
    previous_captures: str | Path | None = None,
) -> list[Capture]:
    """`run_crawl`, then the captures."""
    run_crawl(
        start_urls,
        archive_url,
        captures_out,
        polite,
        timeout,
        jobdir,
        previous_captures=previous_captures,
    )
    return read_captures(captures_out)


def crawl_sites(
    start_urls: Sequence[str], archive_url: str, out_dir: str | Path, polite: bool = True
) -> Path:
    """Crawl only: fetch and archive the portals, parse and load nothing. Returns the capture
    log, `<out_dir>/<UTC start time>.jsonl`. Raises `CrawlFailed` if the crawl could not run."""
    started = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    captures_out = Path(out_dir) / f"{started}.jsonl"
    captures_out.parent.mkdir(parents=True, exist_ok=True)
    run_crawl(start_urls, archive_url, captures_out, polite)
    return captures_out
