"""Run a crawl in its own process (Twisted's reactor can't restart inside one process).

    python -m spiders.crawl --start-url URL [--start-url URL …] --archive-url DIR_OR_S3
        --captures-out FILE.jsonl [--no-polite] [--jobdir DIR] [--previous-captures FILE.jsonl]
        [-s NAME=VALUE …]

`--jobdir` makes the crawl resumable, even after it was killed: run the same command again and
it goes on, appending to its capture log, without refetching or recapturing what that log holds.
`--previous-captures` makes it a recrawl asking only for what changed since those captures.

Exit status 0 means the crawl ran to the end, even if some requests failed (those are captures
with an `error`); non-zero means it could not run at all.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from spiders.capturelog import drop_torn_line
from spiders.portal import PortalSpider
from xxgk.logs import inherited_level, libraries_level, log_own_to_stderr

logger = logging.getLogger(__name__)
#: Scrapy's loggers of a request that failed, which its capture and the spider's warning tell
#: already (robots.txt's with a traceback): heard only at DEBUG.
REQUEST_FAILURE_LOGGERS = (
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.retry",
)


def crawl_settings(
    archive_url: str,
    captures_out: str,
    polite: bool,
    jobdir: str | None,
    previous_captures: str | None = None,
) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.setdict(
        {
            "XXGK_ARCHIVE_URL": archive_url,
            "XXGK_POLITE": polite,
            # resuming a job appends to its capture log; a fresh crawl starts a new one
            "XXGK_CAPTURES_OUT": captures_out,
            "XXGK_CAPTURES_APPEND": jobdir is not None,
            **({"JOBDIR": jobdir, "XXGK_RESUME_CAPTURES": captures_out} if jobdir else {}),
            "XXGK_PREVIOUS_CAPTURES": previous_captures,
        },
        priority="cmdline",
    )
    return settings


def prepare_resume(jobdir: Path, captures_out: Path) -> None:
    """Scrapy saves its request queue only when a crawl stops cleanly; after a kill, the job's
    seen-requests file names requests the lost queue held, which would never be fetched. Forget
    both: the resumed crawl walks its sites again, answered from the capture log."""
    if captures_out.exists():
        drop_torn_line(captures_out)
    if (jobdir / "requests.queue" / "active.json").exists():
        return
    (jobdir / "requests.seen").unlink(missing_ok=True)
    shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl", description=__doc__)
    parser.add_argument("--start-url", action="append", required=True, dest="start_urls")
    parser.add_argument("--archive-url", required=True)
    parser.add_argument("--captures-out", required=True)
    parser.add_argument("--no-polite", action="store_false", dest="polite")
    parser.add_argument("--jobdir")
    parser.add_argument("--previous-captures")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)

    if args.jobdir:
        prepare_resume(Path(args.jobdir), Path(args.captures_out))
    settings = crawl_settings(
        args.archive_url, args.captures_out, args.polite, args.jobdir, args.previous_captures
    )
    level = inherited_level()  # the level of the command that started the crawl
    settings.set("LOG_LEVEL", libraries_level(level), priority="cmdline")
    settings.setdict(dict(pair.split("=", 1) for pair in args.set), priority="cmdline")
    log_own_to_stderr(level)
    process = CrawlerProcess(settings)
    if level != "DEBUG":  # after Scrapy's logging configuration, which resets them
        for name in REQUEST_FAILURE_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawler = process.create_crawler(PortalSpider)
    failures: list[Failure] = []
    process.crawl(crawler, start_urls=args.start_urls).addErrback(failures.append)
    process.start()
    for failure in failures:
        logger.error("crawl could not run: %s", failure.getTraceback())
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    if reason == "finished" and crawler.stats and crawler.stats.get_value("xxgk/archive_refused"):
        reason = "archive_failed"  # refused after the crawl had finished fetching
    logger.info("crawl of %s ended: %s", args.start_urls, reason)
    return 0 if reason == "finished" and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
