"""Spider middleware: the robots.txt files the crawl obeyed are captured like any page.

Scrapy's `RobotsTxtMiddleware` fetches a host's robots.txt before its first request, outside
the spider: no callback sees it. This middleware picks those responses up (signal
`response_received`) and adds each, as a capture of role `robots`, to the output of the first
response from its host, which also tells whose site it belongs to. So the archive keeps the
rules a crawl followed, next to what it fetched under them.

A missing robots.txt (404) is an ordinary answer, not an error; a challenge page in its place
is still recorded as `blocked`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from spiders.errors import STOPPING_KINDS, response_error
from spiders.portal import now
from spiders.responses import headers_dict, media_type
from xxgk.records import Capture


def is_robots_txt(request: Request) -> bool:
    """A request `RobotsTxtMiddleware` made (not one of the spider's)."""
    return (
        request.meta.get("dont_obey_robotstxt") is True
        and "role" not in request.meta
        and urlsplit(request.url).path == "/robots.txt"
    )


class RobotsTxtCaptures:
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

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self.captures(response)
        yield from result

    async def process_spider_output_async(
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
            yield Capture(
                url=robots.url,
                site=response.meta["site"],
                role="robots",
                status=robots.status,
                fetched_at=fetched_at,
                headers=headers_dict(robots),
                media_type=media_type(robots),
                body=robots.body,
                error=error if error and error.kind in STOPPING_KINDS else None,
            )
