"""Render in headless Chromium a navigation page whose links only its scripts build."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter, defaultdict
from contextlib import suppress
from typing import Any, Self

from playwright.async_api import Browser, Page, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from spiders.captures import now, referer, response_capture
from spiders.downloadermiddlewares.blocked import SiteStopped
from spiders.errors import WAF_MARKERS, failure_error, response_error
from spiders.hosts import host, hostname
from spiders.responses import page_title
from xxgk.records import Capture

logger = logging.getLogger(__name__)

#: The roles of the pages that lead to reports: only those are ever rendered.
NAVIGATION_ROLES = {"home", "column", "listing"}
#: What a page's scripts may fetch to build its links; images, styles, fonts, media, frames and
#: further navigations are refused (a frame's page is followed by the spider, like any frame).
FETCHED_TYPES = {"script", "xhr", "fetch"}
#: The response flag of a page as the browser left it (`Capture.rendered`).
RENDERED = "rendered"
#: Request meta: the captures of the rendering besides the rendered page, for the spider to yield.
BROWSER_CAPTURES = "browser_captures"
#: Nothing the routes do not answer leaves the browser: everything else goes to a dead proxy.
ISOLATED = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
#: Request headers a page's script sets that its server may answer by.
FORWARDED_HEADERS = ("accept", "content-type", "x-requested-with")


class RenderInBrowser:
    """A navigation page that came back as a script shell (`needs_browser`) is rendered in
    headless Chromium (`XXGK_BROWSER_EXECUTABLE`, driven by Playwright), and the spider gets
    the page as the browser left it: its links are those the scripts built.

    The browser fetches nothing itself. Its first request is answered with the bytes already
    downloaded; the scripts and JSON the page asks for on the site's own hosts are requested
    through the crawl's downloader (robots.txt, the host's download slot and delay, retries,
    stopping on a challenge, as any request) and captured with role `other`; everything else
    is refused. The page's bytes as served are captured too, the rendered page beside them
    (`rendered`). At most `XXGK_BROWSER_PAGES` pages per site are rendered, one at a time per
    host, each for at most `XXGK_BROWSER_SECONDS` (then as it stands). An anti-bot challenge is
    never rendered (it stays `blocked`); without the browser the page stays `needs_browser`."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.executable = settings.get("XXGK_BROWSER_EXECUTABLE")
        self.max_pages = settings.getint("XXGK_BROWSER_PAGES")
        self.seconds = settings.getfloat("XXGK_BROWSER_SECONDS")
        self.user_agent = settings.get("USER_AGENT")
        self.rendered: Counter[str] = Counter()
        self.rendering: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.launching = asyncio.Lock()
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.unavailable = False
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getint("XXGK_BROWSER_PAGES") <= 0:
            raise NotConfigured("XXGK_BROWSER_PAGES is 0")
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if not needs_rendering(request, response):
            return response
        site = request.meta["site"]
        if self.rendered[site] >= self.max_pages:
            logger.warning(
                "%s: not rendered, %s had its %d browser pages", response.url, site, self.max_pages
            )
            return response
        browser = await self.launched()
        if browser is None:
            return response
        self.rendered[site] += 1
        response = response.replace(request=request)  # its meta, as the spider reads it
        fetched: list[Capture] = []
        request.meta[BROWSER_CAPTURES] = fetched
        async with self.rendering[host(request)]:
            try:
                dom = await self.render(browser, response, fetched)
            except PlaywrightError as exc:  # the browser failed: the page stays a shell
                logger.warning("%s: not rendered (%s)", response.url, exc.message.splitlines()[0])
                return response
        shell = response_capture(
            response,
            site,
            request.meta["role"],
            referer=referer(request),
            title=request.meta["title"] or page_title(response),
        )
        fetched.insert(0, shell)
        logger.info("%s rendered in the browser (%d requests)", response.url, len(fetched) - 1)
        encoding = response.encoding  # as the page's own <meta charset> says, which it keeps
        return HtmlResponse(
            url=response.url,
            headers={"Content-Type": f"text/html; charset={encoding}"},
            body=dom.encode(encoding, errors="xmlcharrefreplace"),
            encoding=encoding,
            request=request,
            flags=[*response.flags, RENDERED],
        )

    async def launched(self) -> Browser | None:
        """The browser, started on first use; None (said once) if it cannot start."""
        async with self.launching:
            if self.browser is None and not self.unavailable:
                if not os.access(self.executable, os.X_OK):
                    self.off(f"no browser at {self.executable}")
                    return None
                try:
                    self.playwright = await async_playwright().start()
                    self.browser = await self.playwright.chromium.launch(
                        executable_path=self.executable, headless=True, args=ISOLATED
                    )
                except PlaywrightError as exc:
                    self.off(f"{self.executable} did not start: {exc.message}")
            return self.browser

    def off(self, reason: str) -> None:
        self.unavailable = True
        logger.warning("%s: pages that need a browser stay needs_browser", reason)

    async def render(self, browser: Browser, response: Response, fetched: list[Capture]) -> str:
        """The page's DOM once its network is idle (or at the time bound); the captures of what
        its scripts fetched, those still under way at the bound included, go to `fetched`."""
        pending: set[asyncio.Task[None]] = set()
        spider: Any = self.crawler.spider
        scope: dict[str, Any] = spider.scope(response)  # the site's hosts (`PortalSpider.scope`)
        context = await browser.new_context(user_agent=self.user_agent, service_workers="block")
        try:
            page = await context.new_page()
            served = asyncio.Event()

            async def route(route: Route) -> None:
                if not served.is_set() and route.request.resource_type == "document":
                    served.set()  # the page itself: the bytes downloaded already
                    await answer_with(route, response)
                    return
                task = asyncio.ensure_future(self.fetch(route, response.url, scope, fetched))
                pending.add(task)
                await asyncio.shield(task)  # its capture is kept, whenever the page closes

            await page.route("**/*", route)
            await self.settle(page, response.url)
            dom = await page.content()
        finally:
            await context.close()
            await asyncio.gather(*pending, return_exceptions=True)
        return dom

    async def settle(self, page: Page, url: str) -> None:
        try:
            await page.goto(url, wait_until="networkidle", timeout=self.seconds * 1000)
        except PlaywrightError as exc:
            logger.warning("%s: rendered as it stood (%s)", url, exc.message.splitlines()[0])

    async def fetch(
        self, route: Route, page_url: str, scope: dict[str, Any], fetched: list[Capture]
    ) -> None:
        """A request of the page's scripts, through the crawl's downloader if it is one the page
        may make (`FETCHED_TYPES`, on the site's hosts); refused otherwise."""
        wanted, site = route.request, scope["site"]
        if wanted.resource_type not in FETCHED_TYPES or hostname(wanted.url) not in scope["hosts"]:
            await abort(route)
            return
        headers = {k: v for k, v in wanted.headers.items() if k.lower() in FORWARDED_HEADERS}
        request = Request(
            wanted.url,
            method=wanted.method,
            headers={**headers, "Referer": page_url},
            body=wanted.post_data_buffer,
            meta={**scope, "role": "other", "title": None},
            dont_filter=True,
        )
        assert self.crawler.engine is not None
        try:
            answer = await self.crawler.engine.download_async(request)
        except Exception as exc:  # any way a download fails: captured as the spider would
            if not isinstance(exc, SiteStopped):
                error = failure_error(Failure(exc))
                logger.warning("other %s not fetched: %s", request.url, error.message)
                fetched.append(Capture(request.url, site, "other", fetched_at=now(), error=error))
            await abort(route)
            return
        fetched.append(
            response_capture(answer, site, "other", referer=page_url, error=response_error(answer))
        )
        await answer_with(route, answer)

    async def close(self) -> None:
        if self.browser is not None:
            await self.browser.close()
        if self.playwright is not None:
            await self.playwright.stop()


def needs_rendering(request: Request, response: Response) -> bool:
    """A navigation page, not rendered yet, that shows nothing without its scripts and says
    nothing of a challenge: those are never rendered."""
    if request.meta.get("role") not in NAVIGATION_ROLES or RENDERED in response.flags:
        return False
    error = response_error(response)
    return (
        error is not None
        and error.kind == "needs_browser"
        and not WAF_MARKERS.search(response.text)
    )


async def answer_with(route: Route, response: Response) -> None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    with suppress(PlaywrightError):  # the page closed already: rendered
        await route.fulfill(
            status=response.status,
            headers={"Content-Type": content_type} if content_type else {},
            body=response.body,
        )


async def abort(route: Route) -> None:
    with suppress(PlaywrightError):
        await route.abort("blockedbyclient")
