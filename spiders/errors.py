"""Classify what went wrong with a request into a capture's `error`."""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost, DNSLookupError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from spiders.responses import page_title
from xxgk.records import Error


class OffsiteRedirect(IgnoreRequest):
    """Not requested: a redirect led off the site's hosts."""


#: Titles of "not found" pages served with status 200.
SOFT_404_TITLE = re.compile(r"404|页面不存在|页面未找到|找不到|已删除|not found", re.IGNORECASE)
#: Anti-bot answers: Ruishu (瑞数) 412, Jiasule (加速乐) 521, both with a JS cookie page.
CHALLENGE_STATUSES = {412, 521}
#: What WAF stubs served with status 200 say or set.
WAF_MARKERS = re.compile(
    r"__jsl_clearance|_waf_|wzws|yunsuo|safedog|安全狗|云锁|创宇盾|安全验证|人机验证|访问验证"
    r"|document\.cookie\s*=",
    re.IGNORECASE,
)
#: A page smaller than this that has no links but says a WAF marker is a challenge stub.
WAF_STUB_MAX_BYTES = 16 * 1024
#: A page showing fewer characters than this, no links and no data of its own (a
#: `<script type="text/xml">` list, say), but loading a script bundle, renders only in a browser.
SHELL_MAX_TEXT = 30
VISIBLE_TEXT = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
#: Error kinds after which the crawl requests nothing more from the site's host.
STOPPING_KINDS = {"blocked", "needs_browser"}
FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, TwistedTimeoutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    (
        (
            DownloadConnectionRefusedError,
            DownloadFailedError,
            ResponseDataLossError,
            ConnectError,
            ConnectionLost,
            ConnectionDone,
        ),
        "connection",
    ),
)


def response_error(response: Response) -> Error | None:
    status = response.status
    if status in CHALLENGE_STATUSES:
        return Error("blocked", f"HTTP {status}: anti-bot challenge")
    if status == 404:
        return Error("http_404", "HTTP 404 Not Found")
    if 400 <= status < 600:
        return Error(f"http_{status // 100}xx", f"HTTP {status}")
    if status != 200 or not isinstance(response, HtmlResponse):
        return None
    title = page_title(response)
    if title and SOFT_404_TITLE.search(title):
        return Error("soft_404", f"page titled {title!r}")
    if any(link.get("href") is not None for link in response.selector.root.iter("a")):
        return None
    if len(response.body) < WAF_STUB_MAX_BYTES and (marker := WAF_MARKERS.search(response.text)):
        return Error("blocked", f"WAF challenge page ({marker.group(0)})")
    shown = "".join("".join(response.xpath(VISIBLE_TEXT).getall()).split())
    data = response.css('script[type*="xml"], script[type*="json"]')
    if len(shown) < SHELL_MAX_TEXT and response.css("script[src]") and not data:
        return Error("needs_browser", "page renders its content in script only")
    return None


def failure_error(failure: Failure) -> Error:
    message = f"{failure.type.__name__}: {failure.getErrorMessage()}"
    if failure.check(IgnoreRequest) and "max redirections" in message:
        return Error("redirect", message)
    if failure.check(OffsiteRedirect):
        return Error("offsite_redirect", message)
    if failure.check(IgnoreRequest) and "robots.txt" in message:
        return Error("robots_disallowed", message)
    kind = next((kind for types, kind in FAILURE_KINDS if failure.check(*types)), "download")
    return Error(kind, message)
