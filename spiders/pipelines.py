"""Item pipelines: archive the raw bytes first, so nothing later can lose them."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from spiders.capturelog import read_captures
from xxgk.archive.archivist.client import Archivist, ArchivistError
from xxgk.records import Capture
from xxgk.settings import Settings as XxgkSettings

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Hand every capture to the crawl's archivist (`xxgk.archive.archivist`), a process of its own
    that stores the bytes into the archive and, once they are durable, writes the capture to the
    capture log (appending if `XXGK_CAPTURES_APPEND`). It also writes the crawl's WARC files,
    `warc/<crawl id>-00000.warc.gz`, … (`XXGK_WARC`; crawl id `XXGK_CRAWL_ID`, by default
    `<spider>-<UTC start>`; each up to `XXGK_WARC_MAX_BYTES`).

    The archive is `XXGK_ARCHIVE_URL`, the capture log `XXGK_CAPTURES_OUT`; unset, they are where
    `xxgk crawl` keeps them (`xxgk.settings`): its archive, and `<crawls>/<crawl id>.jsonl`.

    If the archive refuses a write, the crawl stops (reason `archive_failed`): fetching on
    without keeping what was fetched would only produce captures whose bytes are lost.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        crawl_id = settings.get("XXGK_CRAWL_ID") or f"{crawler.spidercls.name}-{started}"
        self.archive_url = archive_url(settings)
        self.captures_out = settings.get("XXGK_CAPTURES_OUT") or str(
            XxgkSettings.from_env().crawls / f"{crawl_id}.jsonl"
        )
        self.crawl_id = crawl_id if settings.getbool("XXGK_WARC") else None
        self.archivist: asyncio.Future[Archivist] | None = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def started(self) -> asyncio.Future[Archivist]:
        """The archivist, started with the first capture: a crawl that captures nothing (`scrapy
        shell`) leaves no capture log and no WARC file behind."""
        if self.archivist is None:
            self.archivist = asyncio.ensure_future(
                Archivist.start(
                    self.archive_url,
                    self.captures_out,
                    self.refused,
                    append=self.crawler.settings.getbool("XXGK_CAPTURES_APPEND"),
                    crawl_id=self.crawl_id,
                    software=f"xxgk Scrapy/{scrapy.__version__}",
                    warc_max_bytes=self.crawler.settings.getint("XXGK_WARC_MAX_BYTES"),
                )
            )
        return self.archivist

    def refused(self, reason: str) -> None:
        if self.stopping:
            return
        self.stopping = True
        logger.error("%s; stopping the crawl: what it fetched could not be kept", reason)
        # the crawl may be ending already: its exit status must still say so (spiders.crawl)
        self.crawler.stats.set_value("xxgk/archive_refused", reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))

    async def process_item(self, item: Capture) -> Capture:
        try:
            await (await self.started()).send(item.to_log(), item.body)
        except (ArchivistError, OSError) as exc:  # ConnectionError: the archivist is gone
            self.refused(f"archivist for {self.archive_url}: {exc}")
            raise DropItem(f"not archived: {item.url}") from exc
        item.body = None  # the archivist's now
        return item

    async def close_spider(self) -> None:
        if self.archivist is None:
            return
        try:
            archivist = await self.archivist
        except (ArchivistError, OSError):
            return  # refused already
        summary = await archivist.close()
        logger.info(
            "%d captures archived in %s and logged to %s",
            summary.get("logged", 0), self.archive_url, self.captures_out,
        )  # fmt: skip
        if flushed := summary.get("flushed"):
            logger.info("uploaded %d spooled objects to %s", flushed, self.archive_url)


def archive_url(settings: BaseSettings) -> str:
    """The crawl's archive: `XXGK_ARCHIVE_URL`, else `xxgk crawl`'s (`xxgk.settings`)."""
    return settings.get("XXGK_ARCHIVE_URL") or XxgkSettings.from_env().archive_url


class OncePerUrl:
    """One capture per URL per crawl (and one rendered, `Capture.rendered`, and one verdict on
    its site, role `site`): drop a URL's later captures (a redirect reaching a page twice, a
    resumed crawl replaying what its capture log `XXGK_RESUME_CAPTURES` holds)."""

    def __init__(self, captured: set[tuple[str, bool, bool]]) -> None:
        self.captured = captured

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("XXGK_RESUME_CAPTURES")
        return cls({once(c) for c in read_captures(path)} if path else set())

    def process_item(self, item: Capture) -> Capture:
        if once(item) in self.captured:
            raise DropItem(f"already captured: {item.url}", log_level="DEBUG")
        self.captured.add(once(item))
        return item


def once(capture: Capture) -> tuple[str, bool, bool]:
    return capture.url, capture.rendered, capture.role == "site"
