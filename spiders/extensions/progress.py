"""A bar of the pages a crawl has fetched, on a terminal only: drawn on stderr when stderr is a
TTY (never into a pipe or a log file), with the rate, the requests that got no answer (refused,
timed out, forbidden by robots.txt …) and those still queued; redrawn every second, so that it
shows the crawl alive while it waits out a delay or a retry. While it is drawn, the crawl's log
lines are written above it."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from tqdm import tqdm
from twisted.internet.task import LoopingCall

from xxgk.logs import lines_above_bars
from xxgk.records import Capture

#: Seconds between two drawings of the bar while nothing arrives.
REDRAW_SECONDS = 1.0


class PagesProgress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.bar: tqdm | None = None
        self.not_fetched = 0
        self.redraws = LoopingCall(self.redraw)
        self.on_screen = ExitStack()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        progress = cls(crawler)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.response_received, signal=signals.response_received)
        crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider: Spider) -> None:
        bar = tqdm(desc="pages fetched", unit="page", disable=None, leave=False)
        if bar.disable:
            return
        self.bar = bar
        self.on_screen.enter_context(lines_above_bars())
        self.redraws.start(REDRAW_SECONDS, now=False)

    def response_received(self, response: Response) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(self.waiting(), refresh=False)
            self.bar.update()

    def item_scraped(self, item: Capture) -> None:
        if item.error is not None and item.status is None and item.role != "site":
            self.not_fetched += 1
            if self.bar is not None:
                self.bar.set_postfix_str(self.waiting(), refresh=False)

    def redraw(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(self.waiting())  # redraws it

    def waiting(self) -> str:
        stats = self.crawler.stats
        assert stats is not None
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        return f"{self.not_fetched} not fetched, {queued} queued"

    def spider_closed(self, spider: Spider) -> None:
        if self.bar is None:
            return
        self.redraws.stop()
        self.bar.close()
        self.on_screen.close()
