"""Downloader middlewares: back off when a server struggles, stop at anti-bot walls, and on a
recrawl ask only for what changed or replay what a killed run already captured."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from time import monotonic, time
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.httpobj import urlparse_cached

from spiders.capturelog import read_captures
from spiders.errors import STOPPING_KINDS, OffsiteRedirect, response_error
from xxgk.archive import Archive, open_archive
from xxgk.records import Capture

logger = logging.getLogger(__name__)


class SiteStopped(IgnoreRequest):
    """Not requested: the host answered an earlier request with a challenge or a JS shell."""


def host(request: Request) -> str:
    return urlparse_cached(request).netloc


def hostname(url: str) -> str:
    """The host without port: `http://x:80/` and `https://x/` are on the same host."""
    return (urlsplit(url).hostname or "").lower()


class KeepToSite:
    """A site's requests go only to its hosts (meta `hosts`, see `PortalSpider.scope`): its start
    URL's and those the start request was redirected to (`gov.cn` → `www.gov.cn`, http →
    https). Any other host a redirect leads to is refused before a byte is sent there
    (`OffsiteRedirect`, captured with error kind `offsite_redirect`): the crawl goes no further."""

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if "hosts" not in meta:  # the start request and its redirects; robots.txt
            return
        if hostname(request.url) not in meta["hosts"]:
            came_from = (meta.get("redirect_urls") or ["a link"])[0]
            raise OffsiteRedirect(f"{request.url} is off the site (from {came_from})")


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


class RedirectMiddlewareNoDupes(RedirectMiddleware):
    """Redirects bypass the duplicate filter, so a loop (A → B → A) runs into
    `REDIRECT_MAX_TIMES` and is captured (kind `redirect`) instead of silently vanishing; the
    capture pipeline keeps one capture per URL."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        redirected = super().process_response(request, response)
        return (
            redirected.replace(dont_filter=True) if isinstance(redirected, Request) else redirected
        )


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
            assert self.crawler.engine
            slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot", ""))
            while slot and slot.queue:
                waiting, deferred = slot.queue.popleft()
                deferred.errback(self.refusal(waiting))
        return response

    def refusal(self, request: Request) -> SiteStopped:
        assert self.crawler.stats
        self.crawler.stats.inc_value("xxgk/site_stopped/requests_dropped")
        return SiteStopped(f"{host(request)} stopped the crawl earlier")


class ArchivedResponses:
    """Answers from captures whose bytes are in the archive (`XXGK_ARCHIVE_URL`), by URL."""

    def __init__(self, captures: list[Capture], archive: Archive) -> None:
        self.captures = {c.url: c for c in captures if c.sha256}
        self.archive = archive

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


def archived_responses(crawler: Crawler, setting: str) -> ArchivedResponses:
    path = crawler.settings.get(setting)
    if not path:
        raise NotConfigured(f"{setting} is not set")
    archive = open_archive(crawler.settings["XXGK_ARCHIVE_URL"])
    return ArchivedResponses(read_captures(path), archive)


class ReplayCaptured:
    """Resuming a killed crawl (`XXGK_RESUME_CAPTURES`, its capture log): a URL the log already
    holds is answered from the archive, so its links are followed again without refetching;
    the capture pipeline drops the repeated capture."""

    def __init__(self, archived: ArchivedResponses) -> None:
        self.archived = archived

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(archived_responses(crawler, "XXGK_RESUME_CAPTURES"))

    async def process_request(self, request: Request) -> Response | None:
        capture = self.archived.captures.get(request.url)
        if capture is None:
            return None
        assert capture.status is not None
        status, headers = capture.status, Headers(capture.headers)
        return await self.archived.response(request, capture, status, headers, "replayed")


class ConditionalRecrawl:
    """Recrawling (`XXGK_PREVIOUS_CAPTURES`, the previous crawl's capture log): GETs carry
    `If-None-Match` / `If-Modified-Since` from the previous capture's validators; a 304 goes on
    as the previous body (from the archive) with status 304, so the pages it links are still
    visited; its capture names the earlier capture (meta `revisits`) and the bytes already
    archived, and carries no body."""

    def __init__(self, archived: ArchivedResponses) -> None:
        self.archived = archived

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(archived_responses(crawler, "XXGK_PREVIOUS_CAPTURES"))

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
        # the capture names the earlier capture's bytes instead of sending them again
        request.meta["revisits"] = capture
        return await self.archived.response(request, capture, 304, headers, "unchanged")
