"""The generic portal spider: home → disclosure column → annual-report column → reports.

Site families that need more than link text (script pagers, JSON list APIs) plug in through
`XXGK_PAGERS` or subclass this spider and override the `parse_*` step that differs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, Self
from urllib.parse import unquote, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from spiders.article import PageImages, pasted_images
from spiders.captures import now, referer, response_capture
from spiders.downloadermiddlewares.blocked import SiteStopped
from spiders.downloadermiddlewares.browser import BROWSER_CAPTURES, RENDERED
from spiders.errors import failure_error, response_error
from spiders.hosts import hostname
from spiders.links import (
    Anchor,
    anchors,
    attachment_extension,
    embedded_file,
    frames,
    is_attachment,
    is_disclosure_column,
    is_report_column,
    is_report_link,
    is_unit_column,
    is_year_column,
)
from spiders.pagers import Pager, column_directory
from spiders.reached import ReportColumns
from spiders.responses import disposition_filename, page_title
from xxgk.records import Capture, Error, Role

logger = logging.getLogger(__name__)


class PortalSpider(Spider):
    name = "portal"

    def __init__(self, start_urls: list[str] | str = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # `scrapy crawl portal -a start_urls=URL,URL` passes a string
        self.start_urls = start_urls.split(",") if isinstance(start_urls, str) else start_urls
        self.pagers: list[Pager] = []
        self.max_list_pages = 0
        self.max_page_images = 0
        self.max_page_image_bytes = 0
        self.list_pages: defaultdict[str, set[str]] = defaultdict(set)
        self.report_columns = ReportColumns()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.pagers = [load_object(path)() for path in settings.getlist("XXGK_PAGERS")]
        spider.max_list_pages = settings.getint("XXGK_MAX_LIST_PAGES")
        spider.max_page_images = settings.getint("XXGK_MAX_PAGE_IMAGES")
        spider.max_page_image_bytes = settings.getint("XXGK_MAX_PAGE_IMAGE_BYTES")
        crawler.signals.connect(spider.conclude, signal=signals.spider_idle)
        return spider

    def conclude(self) -> None:
        """Once every request is done: for each site whose report column was not reached, a
        capture saying so, through the item pipelines like any other (`spiders.reached`)."""
        verdicts = list(self.report_columns.verdicts())
        if not verdicts:
            return
        scraper = self.crawler.engine.scraper
        for verdict in verdicts:
            logger.warning("%s: %s", verdict.site, verdict.error and verdict.error.message)
            deferred_from_coro(scraper.start_itemproc_async(verdict, response=None))
        raise DontCloseSpider  # until they are archived

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            logger.info("crawling portal %s", url)
            start = Anchor(url, "", "start")
            request = self.follow(start, "home", self.parse_navigation, site=url)
            yield request.replace(dont_filter=True)

    def follow(self, anchor: Anchor, role: Role, callback: Any, **meta: Any) -> Request:
        request = Request(anchor.url)
        return self.route(
            request, role, callback, title=anchor.text, found_by=anchor.found_by, **meta
        )

    def route(
        self, request: Request, role: Role, callback: Any, title: str | None, **meta: Any
    ) -> Request:
        meta = {"role": role, "title": title or None, **meta}
        return request.replace(callback=callback, errback=self.failed, meta=meta)

    def parse_navigation(self, response: Response) -> Iterator[Capture | Request]:
        """Home, disclosure column and list pages: capture, then follow what leads to reports."""
        capture = self.capture(response)
        yield capture
        for shown in response.meta.get(BROWSER_CAPTURES, ()):  # rendered: as served, its fetches
            shown.found_by = "browser" if shown.role == "other" else capture.found_by
            yield shown
        if capture.error:
            return
        scope, role = self.scope(response), response.meta["role"]
        listing = role == "listing"
        entries = [
            *page_anchors(response),
            *(replace(a, found_by=p.name) for p in self.pagers for a in p.anchors(response)),
        ]
        for anchor in entries:
            if is_report_link(anchor, in_report_column=listing):
                yield self.follow_report(anchor, scope)
            elif is_report_column(anchor) or (listing and is_sub_column(anchor, response)):
                yield from self.follow_list_page(
                    Request(anchor.url), anchor.text, scope, anchor.url, anchor.found_by
                )
            elif not listing and is_disclosure_column(anchor):
                yield self.follow(anchor, "column", self.parse_navigation, **scope)
        for pager in self.pagers:
            for anchor in pager.columns(response):
                request = Request(anchor.url)
                yield from self.follow_list_page(
                    request, anchor.text, scope, anchor.url, pager.name
                )
        for url in frames(response):  # part of this page: a list, a tree of years or units
            if embedded_file(url):
                continue
            if listing:
                paging = {**scope, "paging": True}
                column = response.meta["column"]
                yield from self.follow_list_page(Request(url), None, paging, column, "frame")
            else:
                frame = Anchor(url, "", "frame")
                yield self.follow(frame, "column", self.parse_navigation, **scope)
        if listing:
            column = response.meta["column"]
            paging = {**scope, "paging": True}  # the same column: no deeper (NavigationDepth)
            for request, found_by in self.list_pages_of(response).values():
                yield from self.follow_list_page(request, None, paging, column, found_by)

    def list_pages_of(self, response: Response) -> dict[str, tuple[Request, str]]:
        """The list's other pages, each with the pager that found it: of several, the last in
        `XXGK_PAGERS` (the pagers any system may use come first), asked as the first asks."""
        pages: dict[str, tuple[Request, str]] = {}
        for pager in self.pagers:
            for page in pager.pages(response):
                request = page if isinstance(page, Request) else Request(page)
                first = pages.get(request.url)
                pages[request.url] = (first[0] if first else request, pager.name)
        return pages

    def scope(self, response: Response) -> dict[str, Any]:
        """Meta for the requests a response leads to: its site, and the site's hosts (the start
        URL's and those the start request was redirected to; see `KeepToSite`)."""
        meta = response.meta
        if meta["role"] != "home":
            return {"site": meta["site"], "hosts": meta["hosts"]}
        visited = [meta["site"], *meta.get("redirect_urls", ()), response.url]
        return {"site": meta["site"], "hosts": sorted({hostname(url) for url in visited})}

    def follow_report(self, anchor: Anchor, scope: dict[str, Any]) -> Request:
        if is_attachment(anchor):
            return self.follow(anchor, "attachment", self.parse_attachment, **scope)
        return self.follow(anchor, "report_page", self.parse_report_page, **scope)

    def follow_list_page(
        self, request: Request, title: str | None, scope: dict[str, Any], column: str, found_by: str
    ) -> Iterator[Request]:
        pages = self.list_pages[column]
        if request.url in pages:
            return
        if len(pages) >= self.max_list_pages:
            logger.warning("column %s: stopped paging at %d pages", column, self.max_list_pages)
            return
        pages.add(request.url)
        meta = {"column": column, "found_by": found_by, **scope}
        yield self.route(request, "listing", self.parse_navigation, title, **meta)

    def parse_report_page(self, response: Response) -> Iterator[Capture | Request]:
        """A report page, its attachments; without any, the images of an article that pastes
        the report as pictures (`spiders.article`)."""
        capture = self.capture(response)
        if not capture.error:
            scope = self.scope(response)
            shown = (
                Anchor(file, "", "frame")
                for url in frames(response)
                if (file := embedded_file(url))
            )
            linked = (a for a in page_anchors(response) if is_attachment(a))
            found = list({a.url: a for a in (*linked, *shown)}.values())
            capture.attachments = [a.url for a in found]
            logger.debug("report page %s: %d attachment(s)", response.url, len(found))
            for anchor in found:
                yield self.follow(
                    anchor,
                    "attachment",
                    self.parse_attachment,
                    report_page_url=response.url,
                    **scope,
                )
            if not found and (images := pasted_images(response, scope["hosts"])):
                capture.images = images
                logger.debug("report page %s: %d page image(s)", response.url, len(images))
                pending = PageImages(response.url, tuple(images), 0, self.max_page_image_bytes)
                yield from self.next_page_image(pending, scope)
        yield capture

    def next_page_image(
        self, images: PageImages, scope: dict[str, Any]
    ) -> Iterator[Capture | Request]:
        """The page's images one after another, each allowed what the page's bytes have left
        (`download_maxsize`), so the page never costs more than its bounds; those past them are
        captured unfetched, with the bound they passed."""
        if images.done:
            return
        if images.index >= self.max_page_images or images.bytes_left <= 0:
            bound = (
                f"{self.max_page_images} images"
                if images.index >= self.max_page_images
                else f"{self.max_page_image_bytes} bytes"
            )
            for url in images.urls[images.index :]:
                yield Capture(
                    url=url, site=scope["site"], role="page_image", fetched_at=now(),
                    report_page_url=images.page_url, found_by="article",
                    error=Error("download", f"not fetched: the page's images passed {bound}"),
                )  # fmt: skip
            return
        request = self.route(
            Request(images.urls[images.index], dont_filter=True),  # another page may share it
            "page_image",
            self.parse_page_image,
            title=None,
            report_page_url=images.page_url,
            found_by="article",
            page_images=images,
            download_maxsize=images.bytes_left,
            paging=True,  # the page's images one after another: no deeper (NavigationDepth)
            **scope,
        )
        yield request.replace(errback=self.failed_page_image)

    def parse_page_image(self, response: Response) -> Iterator[Capture | Request]:
        capture = self.capture(response)
        yield capture
        images: PageImages = response.meta["page_images"]
        size = capture.size if capture.size is not None else len(response.body)
        yield from self.next_page_image(images.after(size), self.scope(response))

    def failed_page_image(self, failure: Failure) -> Iterator[Capture | Request]:
        if failure.check(SiteStopped):
            return
        yield from self.failed(failure)
        meta = failure.request.meta  # type: ignore[attr-defined]
        scope = {"site": meta["site"], "hosts": meta["hosts"]}
        yield from self.next_page_image(meta["page_images"].after(0), scope)

    def parse_attachment(self, response: Response) -> Iterator[Capture]:
        capture = self.capture(response)
        capture.file_name = attachment_file_name(response)
        logger.debug("attachment %s: %s", response.url, capture.file_name)
        yield capture

    def capture(self, response: Response) -> Capture:
        meta = response.meta
        capture = response_capture(
            response,
            meta["site"],
            meta["role"],
            referer=referer(response.request),
            title=meta["title"] or page_title(response),
            report_page_url=meta.get("report_page_url"),
            rendered=RENDERED in response.flags,
            error=response_error(response),
            found_by=meta.get("found_by"),
        )
        self.report_columns.tally(capture)
        if capture.error:
            logger.warning("%s %s: %s", capture.role, capture.url, capture.error.message)
        return capture

    def failed(self, failure: Failure) -> Iterator[Capture]:
        if failure.check(SiteStopped):  # never requested: nothing to capture
            return
        request: Request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        error = failure_error(failure)
        logger.warning("%s %s not fetched: %s", meta["role"], request.url, error.message)
        capture = Capture(
            url=request.url,
            site=meta["site"],
            role=meta["role"],
            fetched_at=now(),
            referer=referer(request),
            title=meta["title"],
            report_page_url=meta.get("report_page_url"),
            error=error,
            found_by=meta.get("found_by"),
        )
        self.report_columns.tally(capture)
        yield capture


def page_anchors(response: Response) -> list[Anchor]:
    """The page's links; those of a DOM the browser rendered are found by the browser."""
    found = anchors(response)
    if RENDERED in response.flags:
        return [replace(anchor, found_by="browser") for anchor in found]
    return found


def is_sub_column(anchor: Anchor, listing: Response) -> bool:
    """In an annual-report column: a year's sub-column, or a unit's inside the column's folder
    (a unit's name elsewhere on its pages is the portal's chrome: 新闻中心, 县政府办)."""
    if is_year_column(anchor.text):
        return True
    folder = column_directory(listing.meta["column"])
    return urlsplit(anchor.url).path.startswith(folder) and is_unit_column(anchor)


def attachment_file_name(response: Response) -> str | None:
    """Content-Disposition's name, else anchor text naming a file, else the URL's last segment."""
    text = response.meta["title"] or ""
    if named := disposition_filename(response):
        return named
    if attachment_extension("", text):
        return text
    return unquote(PurePosixPath(urlsplit(response.url).path).name) or text or None
