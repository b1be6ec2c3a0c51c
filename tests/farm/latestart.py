"""A download handler standing for a crawl's busy event loop: the first page request (not
robots.txt) leaves its host's download slot on time but its download starts `LATE` seconds
later, as when the loop had other hosts' work to do first."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

LATE = 0.4


class LateFirstPage(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.late = True

    async def download_request(self, request: Request) -> Response:
        if self.late and not request.url.endswith("/robots.txt"):
            self.late = False
            await asyncio.sleep(LATE)
        return await super().download_request(request)
