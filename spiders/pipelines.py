"""Item pipelines: archive the raw bytes first, so nothing later can lose them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from spiders.capturelog import read_captures
from xxgk.archive.archivist.client import Archivist, ArchivistError
from xxgk.records import Capture

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Hand every capture to the crawl's archivist (`xxgk.archive.archivist`), a process of its own
    that stores the bytes into `XXGK_ARCHIVE_URL` and, once they are durable, writes the capture
    to the capture log `XXGK_CAPTURES_OUT` (appending if `XXGK_CAPTURES_APPEND`). It also
    writes the crawl's WARC file, `warc/<crawl id>.warc.gz` (`XXGK_WARC`; crawl id
    `XXGK_CRAWL_ID`, by default `<spider>-<UTC start>`).

    If the archive refuses a write, the crawl stops (reason `archive_failed`): fetching on
    without keeping what was fetched would only produce captures whose bytes are lost.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.archive_url = settings.get("XXGK_ARCHIVE_URL")
        self.captures_out = settings.get("XXGK_CAPTURES_OUT")
        if not self.archive_url or not self.captures_out:
            raise ValueError(
                "XXGK_ARCHIVE_URL and XXGK_CAPTURES_OUT must be set: refusing to crawl without "
                "an archive and a capture log"
            )
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        crawl_id = settings.get("XXGK_CRAWL_ID") or f"{crawler.spidercls.name}-{started}"
        self.crawl_id = crawl_id if settings.getbool("XXGK_WARC") else None
        self.archivist: Archivist | None = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def open_spider(self) -> None:
        self.archivist = await Archivist.start(
            self.archive_url,
            self.captures_out,
            self.refused,
            append=self.crawler.settings.getbool("XXGK_CAPTURES_APPEND"),
            crawl_id=self.crawl_id,
            software=f"xxgk Scrapy/{scrapy.__version__}",
        )

    def refused(self, reason: str) -> None:
        if self.stopping:
            return
        self.stopping = True
        logger.error("%s; stopping the crawl: what it fetched could not be kept", reason)
        # the crawl may be ending already: its exit status must still say so (spiders.crawl)
        self.crawler.stats.set_value("xxgk/archive_refused", reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))

    async def process_item(self, item: Capture) -> Capture:
        assert self.archivist is not None
        try:
            await self.archivist.send(item.to_log(), item.body)
        except (ArchivistError, ConnectionError) as exc:
            self.refused(f"archivist for {self.archive_url}: {exc}")
            raise DropItem(f"not archived: {item.url}") from exc
        item.body = None  # the archivist's now
        return item

    async def close_spider(self) -> None:
        if self.archivist is None:
            return
        summary = await self.archivist.close()
        logger.info(
            "%d captures archived in %s and logged to %s",
            summary.get("logged", 0), self.archive_url, self.captures_out,
        )  # fmt: skip
        if flushed := summary.get("flushed"):
            logger.info("uploaded %d spooled objects to %s", flushed, self.archive_url)


class OncePerUrl:
    """One capture per URL per crawl: drop a URL's later captures (a redirect reaching a page
    twice, a resumed crawl replaying what its capture log `XXGK_RESUME_CAPTURES` holds)."""

    def __init__(self, captured: set[str]) -> None:
        self.captured = captured

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("XXGK_RESUME_CAPTURES")
        return cls({c.url for c in read_captures(path)} if path else set())

    def process_item(self, item: Capture) -> Capture:
        if item.url in self.captured:
            raise DropItem(f"already captured: {item.url}", log_level="DEBUG")
        self.captured.add(item.url)
        return item
