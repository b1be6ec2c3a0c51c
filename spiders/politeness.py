"""Crawl politeness: the add-on that lifts it when `XXGK_POLITE` is False (local demo portal,
tests), and the extension that counts a host's delay from its last answer."""

from __future__ import annotations

from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from spiders.internals import restart_delay

IMPOLITE = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    # a few local hosts at full speed: the polite room for hundreds of hosts would only fill
    # the downloader's queues (half the pages a second on one host)
    "CONCURRENT_REQUESTS": 16,
}


class Politeness:
    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool("XXGK_POLITE"):
            return
        # at XXGK_POLITE's own priority, so the switch beats the project's polite defaults
        settings.setdict(IMPOLITE, priority=settings.getpriority("XXGK_POLITE") or "project")


class DelayFromAnswer:
    """A host's next request waits the delay from when its last request was answered (the
    response's headers arrived), not only from when that request left the host's download slot,
    which is where Scrapy counts it from: in a crawl of hundreds of hosts the event loop may
    start a download well after it left its slot, and the next one, started on time, would
    reach the host less than the delay after it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getfloat("DOWNLOAD_DELAY"):
            raise NotConfigured  # no delay to keep (a message would log a warning)
        delay = cls(crawler)
        crawler.signals.connect(delay.headers_received, signal=signals.headers_received)
        return delay

    def headers_received(self, request: Request, **_: object) -> None:
        restart_delay(self.crawler, request)
