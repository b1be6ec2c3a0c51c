"""Run a crawl in its own process (Twisted's reactor can't restart inside one process).

    python -m spiders.crawl --start-url URL [--start-url URL …] --archive-url DIR_OR_S3
        --captures-out FILE.jsonl [--no-polite] [--jobdir DIR]

Exit status 0 means the crawl ran to the end, even if some requests failed (those are captures
with an `error`); non-zero means it could not run at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from spiders.portal import PortalSpider

logger = logging.getLogger(__name__)


class CrawlFailed(RuntimeError):
    """The crawl subprocess could not run (bad arguments, archive unreachable, crash)."""


def crawl_settings(
    archive_url: str, captures_out: str, polite: bool, jobdir: str | None
) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.setdict(
        {
            "XXGK_ARCHIVE_URL": archive_url,
            "XXGK_POLITE": polite,
            # resuming a job appends to its capture log; a fresh crawl starts a new one
            "FEEDS": {captures_out: {"format": "jsonlines", "overwrite": jobdir is None}},
            **({"JOBDIR": jobdir} if jobdir else {}),
        },
        priority="cmdline",
    )
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl", description=__doc__)
    parser.add_argument("--start-url", action="append", required=True, dest="start_urls")
    parser.add_argument("--archive-url", required=True)
    parser.add_argument("--captures-out", required=True)
    parser.add_argument("--no-polite", action="store_false", dest="polite")
    parser.add_argument("--jobdir")
    args = parser.parse_args(argv)

    settings = crawl_settings(args.archive_url, args.captures_out, args.polite, args.jobdir)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    failures: list[Failure] = []
    process.crawl(crawler, start_urls=args.start_urls).addErrback(failures.append)
    process.start()
    for failure in failures:
        logger.error("crawl could not run: %s", failure.getTraceback())
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    logger.info("crawl of %s ended: %s", args.start_urls, reason)
    return 0 if reason == "finished" and not failures else 1


def run_crawl_subprocess(
    start_urls: Sequence[str],
    archive_url: str,
    captures_out: str | Path,
    polite: bool = True,
    timeout: float = 6 * 3600,
    jobdir: str | Path | None = None,
) -> list[dict[str, Any]]:
    """Crawl in a child process (its log goes to this process's stderr); return the captures.

    Raises `CrawlFailed` if the crawl could not run, `subprocess.TimeoutExpired` after `timeout`
    seconds (the child is killed).
    """
    command = [sys.executable, "-m", "spiders.crawl", "--archive-url", archive_url]
    command += ["--captures-out", str(captures_out)]
    for url in start_urls:
        command += ["--start-url", url]
    if not polite:
        command.append("--no-polite")
    if jobdir is not None:
        command += ["--jobdir", str(jobdir)]
    result = subprocess.run(command, timeout=timeout, check=False)
    if result.returncode != 0:
        raise CrawlFailed(f"crawl of {list(start_urls)} exited with status {result.returncode}")
    with Path(captures_out).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


if __name__ == "__main__":
    sys.exit(main())
