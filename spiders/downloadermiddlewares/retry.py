"""Scrapy's retries, spaced out per host, and `Retry-After` obeyed."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from time import monotonic, time
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from spiders.hosts import host

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (`RETRY_HTTP_CODES`, `RETRY_EXCEPTIONS`), spaced: the host waits
    `XXGK_RETRY_BACKOFF_BASE * 2**(attempt - 1)` seconds (at most `XXGK_RETRY_BACKOFF_MAX`)
    before its next request, or as long as a 429/503's `Retry-After` asks; a `Retry-After`
    beyond `XXGK_RETRY_AFTER_MAX` is a refusal, not retried."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.base = settings.getfloat("XXGK_RETRY_BACKOFF_BASE")
        self.max_backoff = settings.getfloat("XXGK_RETRY_BACKOFF_MAX")
        self.max_retry_after = settings.getfloat("XXGK_RETRY_AFTER_MAX")
        self.resume_at: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if (wait := self.resume_at.get(host(request), 0) - monotonic()) > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        asked = retry_after(response)
        if asked is not None and asked > self.max_retry_after:
            logger.warning("%s: Retry-After %.0fs, not retrying", request.url, asked)
            return response
        retry = super().process_response(request, response)
        if isinstance(retry, Request):
            self.pause(retry, asked)
        return retry

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            self.pause(retry, None)
        return retry

    def pause(self, retry: Request, asked: float | None) -> None:
        attempt = retry.meta.get("retry_times", 1)
        wait = asked if asked is not None else min(self.max_backoff, self.base * 2 ** (attempt - 1))
        self.resume_at[host(retry)] = max(self.resume_at.get(host(retry), 0), monotonic() + wait)
        logger.info("%s: retry %d in %.1fs", retry.url, attempt, wait)


def retry_after(response: Response) -> float | None:
    """Seconds a `Retry-After` header asks for, as a number or an HTTP date."""
    value = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time()) if value else None
    except (TypeError, ValueError):
        return None
