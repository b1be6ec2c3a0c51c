"""Every use of Scrapy's internals, in one place; `tests/test_spiders_units.py` runs them on
the installed Scrapy, so an upgrade that changes them fails there first.

- The downloader keeps each download slot's waiting requests in `engine.downloader.slots[key]
  .queue`, a deque of (request, Deferred), the Deferred firing with the response.
- A download slot counts its delay from `slot.lastseen`, `time.monotonic()` when its last
  request left it.
- `RobotsTxtMiddleware` asks for a host's robots.txt with a request of its own: meta
  `dont_obey_robotstxt` and callback `NO_CALLBACK`.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http.request import NO_CALLBACK


def drop_waiting(
    crawler: Crawler, request: Request, refusal: Callable[[Request], Exception]
) -> int:
    """Fail every request still waiting in `request`'s download slot, not yet sent, with
    `refusal(waiting)` (its errback gets it); how many."""
    assert crawler.engine is not None
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    dropped = 0
    while slot is not None and slot.queue:
        waiting, deferred = slot.queue.popleft()
        deferred.errback(refusal(waiting))
        dropped += 1
    return dropped


def restart_delay(crawler: Crawler, request: Request) -> None:
    """The delay of `request`'s download slot counted from now on, not only from when the
    request left the slot."""
    assert crawler.engine is not None
    downloader = crawler.engine.downloader
    if slot := downloader.slots.get(downloader.get_slot_key(request)):
        slot.lastseen = max(slot.lastseen, monotonic())


def is_robots_txt(request: Request) -> bool:
    """A request `RobotsTxtMiddleware` made, not one of the spider's."""
    return (
        request.callback is NO_CALLBACK
        and request.meta.get("dont_obey_robotstxt") is True
        and urlsplit(request.url).path == "/robots.txt"
    )
