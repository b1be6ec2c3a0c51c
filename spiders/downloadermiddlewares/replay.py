"""Answer requests from the archive: resuming a killed crawl replays what its log holds."""

from __future__ import annotations

import asyncio
import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from spiders.capturelog import read_captures
from spiders.pipelines import archive_url
from xxgk.archive import Archive, open_archive
from xxgk.records import Capture

logger = logging.getLogger(__name__)


class ArchivedResponses:
    """Answers from captures whose bytes are in the crawl's archive, by URL."""

    def __init__(self, captures: list[Capture], archive: Archive) -> None:
        self.captures = {c.url: c for c in captures if c.sha256}
        self.archive = archive

    @classmethod
    def from_setting(cls, crawler: Crawler, setting: str) -> Self:
        """From the capture log the setting names; the middleware is off if it names none."""
        path = crawler.settings.get(setting)
        if not path:  # the usual case, not worth a warning (Scrapy's, for a message)
            logger.debug("%s is not set: no answers from the archive", setting)
            raise NotConfigured
        return cls(read_captures(path), open_archive(archive_url(crawler.settings)))

    async def response(
        self, request: Request, capture: Capture, status: int, headers: Headers, flag: str
    ) -> Response:
        assert capture.sha256 is not None
        body = await asyncio.to_thread(self.archive.get, capture.sha256)
        headers.pop(b"Content-Encoding", None)  # archived bytes are decoded already
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return response_class(
            url=request.url,
            status=status,
            headers=headers,
            body=body,
            request=request,
            flags=[flag],
        )


class ReplayCaptured:
    """Resuming a killed crawl (`XXGK_RESUME_CAPTURES`, its capture log): a URL the log already
    holds is answered from the archive, so its links are followed again without refetching;
    the capture pipeline drops the repeated capture."""

    def __init__(self, archived: ArchivedResponses) -> None:
        self.archived = archived

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ArchivedResponses.from_setting(crawler, "XXGK_RESUME_CAPTURES"))

    async def process_request(self, request: Request) -> Response | None:
        capture = self.archived.captures.get(request.url)
        if capture is None:
            return None
        assert capture.status is not None
        status, headers = capture.status, Headers(capture.headers)
        return await self.archived.response(request, capture, status, headers, "replayed")
