"""The robots.txt files the crawl obeyed are captured like any page.

Scrapy's `RobotsTxtMiddleware` fetches a host's robots.txt before its first request, outside
the spider: no callback sees it. This middleware picks those responses up (signal
`response_received`) and adds each, as a capture of role `robots`, to the output of the first
response from its host, which also tells whose site it belongs to. So the archive keeps the
rules a crawl followed, next to what it fetched under them.

A missing robots.txt (404) is an ordinary answer, not an error; a challenge page in its place
is still recorded as `blocked`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from spiders.captures import now, response_capture
from spiders.errors import STOPPING_KINDS, response_error
from spiders.internals import is_robots_txt
from xxgk.records import Capture


class RobotsTxtCaptures:
    """Adds captures to a response's output rather than processing each item of it, so it has
    the one asynchronous `process_spider_output`."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[Response, str]] = {}  # by host: response, time

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls()
        crawler.signals.connect(middleware.received, signal=signals.response_received)
        return middleware

    def received(self, response: Response, request: Request, **_: Any) -> None:
        if is_robots_txt(request):
            self.pending[urlsplit(request.url).netloc] = (response, now())

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        for capture in self.captures(response):
            yield capture
        async for item in result:
            yield item

    def captures(self, response: Response) -> Iterator[Capture]:
        if not self.pending or "site" not in response.meta:
            return
        requested = response.request.url if response.request else response.url
        for url in {requested, response.url}:
            if (fetched := self.pending.pop(urlsplit(url).netloc, None)) is None:
                continue
            robots, fetched_at = fetched
            error = response_error(robots)
            yield response_capture(
                robots,
                response.meta["site"],
                "robots",
                fetched_at,
                error=error if error and error.kind in STOPPING_KINDS else None,
                found_by="robots",
            )
