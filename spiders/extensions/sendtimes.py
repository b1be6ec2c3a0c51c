"""When the crawl sent each request, as its downloader saw it: for measuring politeness on the
crawler's side (`bench.scale`), where a loaded server's own log would show when it got round to
a request instead. Kept only when `XXGK_SEND_TIMES_OUT` names a file: at the crawl's end it
holds `{host: [monotonic seconds, …]}`, per host (`host:port`, as the request's URL names it)
the times its download handler started each request that was answered, in order, this crawl's
added to those of the crawls before it (a command's runs, one crawl each)."""

from __future__ import annotations

import json
from pathlib import Path
from time import monotonic
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class SendTimes:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.sent: dict[str, list[float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("XXGK_SEND_TIMES_OUT")
        if not out:
            raise NotConfigured
        times = cls(Path(out))
        crawler.signals.connect(times.headers_received, signal=signals.headers_received)
        crawler.signals.connect(times.spider_closed, signal=signals.spider_closed)
        return times

    def headers_received(self, request: Request, **_: object) -> None:
        # the handler measured `download_latency` from its start to these headers, just now
        started = monotonic() - request.meta["download_latency"]
        self.sent.setdefault(urlsplit(request.url).netloc, []).append(started)

    def spider_closed(self) -> None:
        sent = json.loads(self.out.read_text()) if self.out.exists() else {}
        for host, at in self.sent.items():
            sent[host] = sorted([*sent.get(host, ()), *at])
        self.out.write_text(json.dumps(sent))
