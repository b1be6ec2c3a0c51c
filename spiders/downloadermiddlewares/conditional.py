"""A recrawl asks only for what changed since the previous crawl."""

from __future__ import annotations

from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response

from spiders.downloadermiddlewares.replay import ArchivedResponses
from spiders.responses import headers_dict

#: The meta key naming the previous capture a 304 answer confirms.
REVISITS = "revisits"
#: The meta key holding the headers the 304 itself brought (the response goes on with the
#: previous capture's merged in, for the spider to read it as that page).
NOT_MODIFIED_HEADERS = "not_modified_headers"


class ConditionalRecrawl:
    """Recrawling (`XXGK_PREVIOUS_CAPTURES`, the previous crawl's capture log): GETs carry
    `If-None-Match` / `If-Modified-Since` from the previous capture's validators; a 304 goes on
    as the previous body (from the archive) with status 304, so the pages it links are still
    visited, and names the previous capture (meta `revisits`), whose bytes its capture names
    instead of carrying them again (`spiders.captures.response_capture`)."""

    def __init__(self, archived: ArchivedResponses) -> None:
        self.archived = archived

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ArchivedResponses.from_setting(crawler, "XXGK_PREVIOUS_CAPTURES"))

    def process_request(self, request: Request) -> None:
        capture = self.archived.captures.get(request.url)
        if capture is None or request.method != "GET":
            return
        headers = Headers(capture.headers)
        if etag := headers.get(b"ETag"):
            request.headers.setdefault(b"If-None-Match", etag)
        if modified := headers.get(b"Last-Modified"):
            request.headers.setdefault(b"If-Modified-Since", modified)

    async def process_response(self, request: Request, response: Response) -> Response:
        capture = self.archived.captures.get(request.url)
        if response.status != 304 or capture is None:
            return response
        headers = Headers(capture.headers)
        headers.update(response.headers)
        request.meta[REVISITS] = capture
        request.meta[NOT_MODIFIED_HEADERS] = headers_dict(response)
        return await self.archived.response(request, capture, 304, headers, "unchanged")
