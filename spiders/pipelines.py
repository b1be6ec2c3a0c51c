"""Item pipelines: archive the raw bytes first, so nothing later can lose them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from spiders.capturelog import read_captures
from spiders.items import Capture
from xxgk.archive import SYNCFS, Archive, LocalArchive, open_archive

logger = logging.getLogger(__name__)

#: A body up to this size is archived and WARC-recorded on the reactor thread: a worker thread
#: would wait for the GIL after each of its system calls. A larger one would stall the crawl.
INLINE_MAX = 1 << 20


class GroupSync:
    """Awaitable syncs of a file system: callers that ask while a sync runs share the next one,
    which starts after all of them asked (group commit)."""

    def __init__(self, sync: Callable[[], None]) -> None:
        self.sync = sync
        self.waiting: list[asyncio.Future[None]] = []
        self.syncing: asyncio.Task[None] | None = None

    async def __call__(self) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self.waiting.append(future)
        if self.syncing is None:
            self.syncing = loop.create_task(self.run())
        await future

    async def run(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    await asyncio.to_thread(self.sync)
                except Exception as exc:
                    for future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for future in batch:
                    if not future.done():
                        future.set_result(None)
        finally:
            self.syncing = None


def crawl_archive(crawler: Crawler) -> Archive:
    """The archive the crawl writes to (setting `XXGK_ARCHIVE_URL`)."""
    archive_url = crawler.settings.get("XXGK_ARCHIVE_URL")
    if not archive_url:
        raise ValueError("XXGK_ARCHIVE_URL is not set: refusing to crawl without an archive")
    return open_archive(archive_url)


class ArchivePipeline:
    """Store `body` in the content-addressed archive, record sha256/size, drop the bytes.

    If the archive refuses a write, the crawl stops (reason `archive_failed`): fetching on
    without keeping what was fetched would only produce captures whose bytes are lost.
    """

    def __init__(self, crawler: Crawler, archive: Archive) -> None:
        self.crawler = crawler
        self.archive = archive
        # A local archive writes a small body on the reactor thread (see INLINE_MAX) and syncs
        # off it, each sync shared by all the bodies written meanwhile.
        self.synced = (
            GroupSync(archive.sync)
            if isinstance(archive, LocalArchive) and SYNCFS is not None
            else None
        )

    async def store(self, data: bytes) -> str:
        if self.synced is None or len(data) > INLINE_MAX:
            # off the reactor thread: an S3 upload must not stall the crawl
            return await asyncio.to_thread(self.archive.put, data)
        assert isinstance(self.archive, LocalArchive)
        staged = self.archive.stage(data)
        await self.synced()  # the bytes are durable
        self.archive.publish(staged)
        await self.synced()  # and so is their name
        return staged.digest

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawl_archive(crawler))

    async def process_item(self, item: Capture) -> Capture:
        if item.body is None:
            return item
        try:
            item.sha256 = await self.store(item.body)
        except Exception as exc:
            logger.error(
                "archive %s failed to store %s, stopping: %r", self.archive.url, item.url, exc
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))
            raise DropItem(f"not archived: {item.url}") from exc
        item.size = len(item.body)
        item.body = None
        logger.debug("archived %s: %d bytes as %s", item.url, item.size, item.sha256)
        return item


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
