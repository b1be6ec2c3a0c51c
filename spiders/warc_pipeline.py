"""Item pipeline: every capture also goes into the crawl's WARC file (`xxgk.warc`).

Order 75: after `OncePerUrl` (50), so a duplicate never enters the WARC, and before
`ArchivePipeline` (100), which drops the body; so it takes the bytes from memory instead of
reading each one back from the archive (an S3 GET per capture). Its WARC payload digests are
the sha256 that `ArchivePipeline` then stores the bytes under.

At the end of the crawl it stores the WARC file in the archive as `warc/<XXGK_CRAWL_ID>.warc.gz`
(default crawl id: `<spider>-<UTC start time>`), then uploads whatever the archive spooled
while its store was down.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Self

import scrapy
from scrapy.crawler import Crawler

from spiders.items import CAPTURE_FIELDS, Capture
from spiders.pipelines import INLINE_MAX, crawl_archive
from xxgk.archive import Archive
from xxgk.warc import CrawlWarc

logger = logging.getLogger(__name__)


class WarcPipeline:
    def __init__(self, archive: Archive, warc: CrawlWarc) -> None:
        self.archive = archive
        self.warc = warc

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        crawl_id = crawler.settings.get("XXGK_CRAWL_ID") or f"{crawler.spidercls.name}-{started}"
        archive = crawl_archive(crawler)
        return cls(
            archive, CrawlWarc(archive, crawl_id, software=f"xxgk Scrapy/{scrapy.__version__}")
        )

    async def process_item(self, item: Capture) -> Capture:
        capture = {name: getattr(item, name) for name in CAPTURE_FIELDS}
        try:
            if item.body is not None and len(item.body) > INLINE_MAX:
                await asyncio.to_thread(self.warc.add, capture, item.body)
            else:
                self.warc.add(capture, item.body)
        except Exception as exc:  # the WARC is a copy: never lose the capture over it
            logger.error("WARC %s could not record %s: %r", self.warc.key, item.url, exc)
        return item

    async def close_spider(self) -> None:
        key = await asyncio.to_thread(self.warc.close)
        logger.info("stored the crawl's WARC file as %s in %s", key, self.archive.url)
        try:
            flushed = await asyncio.to_thread(self.archive.flush_spool)
        except Exception as exc:
            logger.warning("archive %s still down, objects stay spooled: %r", self.archive.url, exc)
            return
        if flushed:
            logger.info("uploaded %d spooled objects to %s", flushed, self.archive.url)
