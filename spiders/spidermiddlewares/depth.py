"""How deep into a portal the crawl goes."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

logger = logging.getLogger(__name__)


class NavigationDepth(BaseSpiderMiddleware):
    """A depth limit (`XXGK_NAVIGATION_DEPTH`) that counts moves between kinds of pages, not
    list pages.

    Scrapy's DEPTH_LIMIT counts every request, so a column's tenth list page would sit ten
    deep and the reports behind it would be dropped silently. Here a list page reached by
    paging (meta `paging`) keeps its column's depth; a column, report page or attachment is one
    deeper than the page linking it. Paging is bounded by `XXGK_MAX_LIST_PAGES` instead.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.limit = crawler.settings.getint("XXGK_NAVIGATION_DEPTH")

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is None:  # a start request
            return request
        step = 0 if request.meta.get("paging") else 1
        depth = request.meta["navigation_depth"] = response.meta.get("navigation_depth", 0) + step
        if depth <= self.limit:
            return request
        logger.debug("not following %s: %d pages deep", request.url, depth)
        self.crawler.stats.inc_value("xxgk/navigation_depth_exceeded")
        return None
