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
from spiders.items import CAPTURE_FIELDS, Capture
from xxgk.archivist import Archivist

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Hand every capture to the crawl's archivist (`xxgk.archivist`, a process of its own
    storing into `XXGK_ARCHIVE_URL`), wait until its bytes are durable, record their sha256 and
    size, drop the bytes. The archivist also writes the crawl's WARC file, `warc/<crawl
    id>.warc.gz` (`XXGK_WARC`; crawl id `XXGK_CRAWL_ID`, by default `<spider>-<UTC start>`).

    If the archive refuses a write, the crawl stops (reason `archive_failed`): fetching on
    without keeping what was fetched would only produce captures whose bytes are lost.
    """

    def __init__(self, crawler: Crawler, archive_url: str, crawl_id: str | None) -> None:
        self.crawler = crawler
        self.archive_url = archive_url
        self.crawl_id = crawl_id
        self.archivist: Archivist | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        archive_url = settings.get("XXGK_ARCHIVE_URL")
        if not archive_url:
            raise ValueError("XXGK_ARCHIVE_URL is not set: refusing to crawl without an archive")
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        crawl_id = settings.get("XXGK_CRAWL_ID") or f"{crawler.spidercls.name}-{started}"
        return cls(crawler, archive_url, crawl_id if settings.getbool("XXGK_WARC") else None)

    async def open_spider(self) -> None:
        software = f"xxgk Scrapy/{scrapy.__version__}"
        self.archivist = await Archivist.start(self.archive_url, self.crawl_id, software)

    async def process_item(self, item: Capture) -> Capture:
        assert self.archivist is not None
        try:
            item.sha256 = await self.archivist.store(
                {name: getattr(item, name) for name in CAPTURE_FIELDS}, item.body
            )
        except Exception as exc:
            logger.error(
                "archive %s failed to store %s, stopping: %s", self.archive_url, item.url, exc
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))
            raise DropItem(f"not archived: {item.url}") from exc
        if item.body is not None:
            item.size = len(item.body)
            item.body = None
            logger.debug("archived %s: %d bytes as %s", item.url, item.size, item.sha256)
        return item

    async def close_spider(self) -> None:
        if self.archivist is None:
            return
        summary = await self.archivist.close()
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
        return cls({c["url"] for c in read_captures(path)} if path else set())

    def process_item(self, item: Capture) -> Capture:
        if item.url in self.captured:
            raise DropItem(f"already captured: {item.url}", log_level="DEBUG")
        self.captured.add(item.url)
        return item
