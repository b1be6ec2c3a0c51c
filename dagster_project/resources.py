"""The resources the assets use: the archive, the warehouse, and the crawler, one interface with
two implementations (a crawl in a subprocess, or a replay of recorded captures).

Which ones a run gets is chosen per environment in `dagster_project.environments`.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dagster import ConfigurableResource, Failure, InitResourceContext

from spiders.capturelog import parse_captures, read_captures, split_by_site
from spiders.launch import run_crawl
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
    """One portal's part of a crawl: its capture log, kept in the archive under `key`, where
    any step reads it and the next crawl, on whichever worker, recrawls conditionally."""

    archive: Archive
    key: str

    def captures(self) -> list[Capture]:
        return parse_captures(self.archive.get_named(self.key))


class Crawler(ConfigurableResource, ABC):
    """Crawls a batch of portals into the archive, all in one crawl."""

    archive: ArchiveResource

    @abstractmethod
    def crawl(
        self, start_urls: Mapping[str, str], run_id: str, previous_logs: Mapping[str, str]
    ) -> dict[str, Crawl]:
        """Crawl the portals at `start_urls` (site key → start URL) together; a portal with a
        previous log (site key → the archive key of an earlier crawl's capture log) is asked
        only for what changed since. Each site key's part of the crawl."""


def capture_log_key(site_key: str, run_id: str) -> str:
    return f"crawls/{site_key}/{run_id}.jsonl"


def keep_site_logs(
    archive: Archive,
    log: Path,
    start_urls: Mapping[str, str],
    run_id: str,
    workdir: Path,
) -> dict[str, Crawl]:
    """Split a crawl's capture log into one log per portal, each kept in the archive
    (`crawls/<site>/<run id>.jsonl`); the split is made in `workdir`, which it leaves as it
    found it."""
    keys_by_url: dict[str, list[str]] = {}
    for site_key, url in start_urls.items():
        keys_by_url.setdefault(url, []).append(site_key)
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sites-", dir=workdir) as split:
        logs = {key: Path(split) / f"{number}.jsonl" for number, key in enumerate(start_urls)}
        split_by_site(log, {url: [logs[k] for k in keys] for url, keys in keys_by_url.items()})
        for key, site_log in logs.items():
            archive.put_file(capture_log_key(key, run_id), site_log)
    return {key: Crawl(archive, capture_log_key(key, run_id)) for key in start_urls}


class SubprocessCrawler(Crawler):
    """The Scrapy crawl in a subprocess (Twisted's reactor cannot restart in one process), all
    the batch's portals in one crawl: Scrapy's per-host download slots keep each host to one
    request at a time and its delay. Each portal's part of the crawl's log is kept in the
    archive (`crawls/<site>/<run id>.jsonl`), so that later steps and the next crawl find it
    on any worker. `workdir` is scratch space only: the crawl's own log and the previous
    crawls' are made there, in a directory of the crawl's, and removed when it ends; a worker
    keeps nothing another needs (a crawl cut short is crawled again by its rerun, whose
    fetches of what the archive already holds store no byte twice)."""

    polite: bool = True
    timeout_seconds: int = 6 * 3600
    workdir: str = "data/crawls"

    def crawl(
        self, start_urls: Mapping[str, str], run_id: str, previous_logs: Mapping[str, str]
    ) -> dict[str, Crawl]:
        Path(self.workdir).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"{run_id}-", dir=self.workdir) as scratch:
            return self.crawl_in(Path(scratch), start_urls, run_id, previous_logs)

    def crawl_in(
        self,
        scratch: Path,
        start_urls: Mapping[str, str],
        run_id: str,
        previous_logs: Mapping[str, str],
    ) -> dict[str, Crawl]:
        archive = self.archive.open()
        previous = scratch / "previous.jsonl"
        with previous.open("wb") as out:
            for site_key, previous_log in previous_logs.items():
                if Path(previous_log).is_file():  # materialised before logs were archived
                    out.write(Path(previous_log).read_bytes())
                    continue
                try:
                    out.write(archive.get_named(previous_log))
                except ArchiveUnreachable as error:  # S3 down: crawl it all, into the spool
                    logger.warning("%s: no conditional recrawl: %s", site_key, error)
        log = scratch / "captures.jsonl"
        run_crawl(
            list(dict.fromkeys(start_urls.values())),
            self.archive.url,
            log,
            polite=self.polite,
            timeout=self.timeout_seconds,
            previous_captures=previous if previous.stat().st_size else None,
        )
        return keep_site_logs(archive, log, start_urls, run_id, scratch)


class ReplayCrawler(Crawler):
    """A crawl replayed from a recording: a directory holding a capture log (`captures.jsonl`)
    and the bytes it archived (`archive/`, a local archive), as `tests/fixtures/record_replay.py`
    makes them. The bytes go into the archive and the captures come back, as from a real crawl,
    without asking any portal anything: for fast, offline asset tests."""

    recording: str

    def crawl(
        self, start_urls: Mapping[str, str], run_id: str, previous_logs: Mapping[str, str]
    ) -> dict[str, Crawl]:
        log = Path(self.recording) / RECORDED_LOG
        wanted = set(start_urls.values())
        captures = [c for c in read_captures(log) if c.site in wanted]
        if missing := wanted - {c.site for c in captures}:
            raise Failure(
                f"{self.recording} holds no crawl of {sorted(missing)}", allow_retries=False
            )
        recorded = LocalArchive(Path(self.recording) / "archive")
        digests = sorted({c.sha256 for c in captures if c.sha256})
        archive = self.archive.open()
        archive.put_many([recorded.get(digest) for digest in digests])
        return keep_site_logs(archive, log, start_urls, run_id, Path(tempfile.gettempdir()))
