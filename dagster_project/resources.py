"""The resources the assets use: the archive, the warehouse, and the crawler, one interface with
two implementations (a crawl in a subprocess, or a replay of recorded captures).

Which ones a run gets is chosen per environment in `dagster_project.environments`.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from dagster import ConfigurableResource, Failure, InitResourceContext

from spiders.capturelog import read_captures
from spiders.crawl import run_crawl_subprocess
from warehouse import Warehouse
from xxgk.archive import Archive, ArchiveUnreachable, LocalArchive, open_archive
from xxgk.records import Capture

logger = logging.getLogger(__name__)

RECORDED_LOG = "captures.jsonl"  # a recording's capture log, beside its `archive/`


class ArchiveResource(ConfigurableResource):
    """The raw archive: a local directory or `s3://bucket/prefix`."""

    url: str

    def open(self) -> Archive:
        return open_archive(self.url)


_migrated: set[str] = set()
_migrating = threading.Lock()


def migrate_once(url: str) -> None:
    """Migrate the warehouse at `url` to the current schema, once per process; first check
    that it can be used (WarehouseUnusable within seconds, not the step's retries)."""
    with _migrating:
        if url not in _migrated:
            warehouse = Warehouse(url)
            warehouse.check()
            warehouse.migrate()
            warehouse.dispose()
            _migrated.add(url)


class WarehouseResource(ConfigurableResource):
    """The SQL warehouse, migrated to the current schema the first time a process sets it up
    for a run (not on every asset that loads it)."""

    url: str

    def setup_for_execution(self, context: InitResourceContext) -> None:
        migrate_once(self.url)

    def open(self) -> Warehouse:
        return Warehouse(self.url)


@dataclass(frozen=True)
class Crawl:
    """What one crawl of a portal gave: its captures (bytes in the archive) and the archive key
    of its capture log, for the next crawl, on whichever worker, to recrawl conditionally."""

    captures: list[Capture]
    log: str


class Crawler(ConfigurableResource, ABC):
    """Crawls one portal into the archive."""

    archive: ArchiveResource

    @abstractmethod
    def crawl(self, start_url: str, site_key: str, run_id: str, previous_log: str | None) -> Crawl:
        """Crawl the portal at `start_url`; with `previous_log` (the archive key of an earlier
        crawl's capture log), ask only for what changed since."""


def capture_log_key(site_key: str, run_id: str) -> str:
    return f"crawls/{site_key}/{run_id}.jsonl"


class SubprocessCrawler(Crawler):
    """The Scrapy crawl in a subprocess (Twisted's reactor cannot restart in one process). Its
    capture log is written at `<workdir>/<site>/<run id>.jsonl` and then kept in the archive
    (`crawls/<site>/<run id>.jsonl`), so that the next crawl finds it on any worker."""

    polite: bool = True
    timeout_seconds: int = 6 * 3600
    workdir: str = "data/crawls"

    def crawl(self, start_url: str, site_key: str, run_id: str, previous_log: str | None) -> Crawl:
        work = Path(self.workdir) / site_key
        work.mkdir(parents=True, exist_ok=True)
        archive = self.archive.open()
        previous = None
        if previous_log is not None and Path(previous_log).is_file():
            previous = Path(previous_log)  # materialised before capture logs were archived
        elif previous_log is not None:
            try:
                previous_bytes = archive.get_named(previous_log)
            except ArchiveUnreachable as error:  # S3 down: crawl it all, into the spool
                logger.warning("%s: no conditional recrawl: %s", site_key, error)
            else:
                previous = work / f"{run_id}.previous.jsonl"
                previous.write_bytes(previous_bytes)
        log = work / f"{run_id}.jsonl"
        captures = run_crawl_subprocess(
            [start_url],
            self.archive.url,
            log,
            polite=self.polite,
            timeout=self.timeout_seconds,
            previous_captures=previous,
        )
        key = capture_log_key(site_key, run_id)
        archive.put_file(key, log)
        return Crawl(captures, key)


class ReplayCrawler(Crawler):
    """A crawl replayed from a recording: a directory holding a capture log (`captures.jsonl`)
    and the bytes it archived (`archive/`, a local archive), as `tests/fixtures/record_replay.py`
    makes them. The bytes go into the archive and the captures come back, as from a real crawl,
    without asking any portal anything: for fast, offline asset tests."""

    recording: str

    def crawl(self, start_url: str, site_key: str, run_id: str, previous_log: str | None) -> Crawl:
        log = Path(self.recording) / RECORDED_LOG
        captures = [c for c in read_captures(log) if c.site == start_url]
        if not captures:
            raise Failure(f"{self.recording} holds no crawl of {start_url}", allow_retries=False)
        recorded = LocalArchive(Path(self.recording) / "archive")
        digests = sorted({c.sha256 for c in captures if c.sha256})
        archive = self.archive.open()
        archive.put_many([recorded.get(digest) for digest in digests])
        key = capture_log_key(site_key, run_id)
        archive.put_file(key, log)
        return Crawl(captures, key)
