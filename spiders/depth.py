"""Spider middleware: how deep into a portal the crawl goes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class NavigationDepth:
    """A depth limit that counts moves between kinds of pages, not list pages.

    Scrapy's DEPTH_LIMIT counts every request, so a column's tenth list page would sit ten
    deep and the reports behind it would be dropped silently. Here a list page reached by
    paging (meta `paging`) keeps its column's depth; a column, report page or attachment is one
    deeper than the page linking it. Paging is bounded by `XXGK_MAX_LIST_PAGES` instead.
    """

    def __init__(self, limit: int, stats: StatsCollector) -> None:
        self.limit = limit
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("XXGK_NAVIGATION_DEPTH"), crawler.stats)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from (item for item in result if self.within_reach(response, item))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            if self.within_reach(response, item):
                yield item

    def within_reach(self, response: Response, item: Any) -> bool:
        if not isinstance(item, Request):
            return True
        depth = response.meta.get("navigation_depth", 0) + (0 if item.meta.get("paging") else 1)
        item.meta["navigation_depth"] = depth
        if depth <= self.limit:
            return True
        logger.debug("not following %s: %d pages deep", item.url, depth)
        self.stats.inc_value("xxgk/navigation_depth_exceeded")
        return False
