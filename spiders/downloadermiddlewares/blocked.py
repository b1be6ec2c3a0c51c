"""Leave a host alone once it shows an anti-bot wall or a page only a browser can render."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from spiders.errors import STOPPING_KINDS, response_error
from spiders.hosts import host
from spiders.internals import drop_waiting

logger = logging.getLogger(__name__)


class SiteStopped(IgnoreRequest):
    """Not requested: the host answered an earlier request with a challenge or a JS shell."""


class StopBlockedSites:
    """Once a host answers with an anti-bot challenge or a JS-only shell, request nothing more
    from it (the crawl never tries to get past either): requests waiting in its download slot
    are dropped and later ones refused. With no download delay, one request already on its way
    may still go out."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if host(request) in self.stopped:
            raise self.refusal(request)

    def process_response(self, request: Request, response: Response) -> Response:
        error = response_error(response)
        if error and error.kind in STOPPING_KINDS and host(request) not in self.stopped:
            logger.warning("%s: %s, crawling this host no further", request.url, error.message)
            self.stopped.add(host(request))
            drop_waiting(self.crawler, request, self.refusal)
        return response

    def refusal(self, request: Request) -> SiteStopped:
        self.crawler.stats.inc_value("xxgk/site_stopped/requests_dropped")
        return SiteStopped(f"{host(request)} stopped the crawl earlier")
