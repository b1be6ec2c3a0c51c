"""Classify what went wrong with a request into a capture's `error`."""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from spiders.items import CaptureError
from spiders.responses import page_title

#: Titles of "not found" pages served with status 200.
SOFT_404_TITLE = re.compile(r"404|页面不存在|页面未找到|找不到|已删除|not found", re.IGNORECASE)
FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((IgnoreRequest,), "blocked"),
    ((DownloadTimeoutError, TwistedTimeoutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, ConnectError, ConnectionLost), "connection"),
)


def response_error(response: Response) -> CaptureError | None:
    status = response.status
    if status == 404:
        return {"kind": "http_404", "message": "HTTP 404 Not Found"}
    if 400 <= status < 600:
        return {"kind": f"http_{status // 100}xx", "message": f"HTTP {status}"}
    title = page_title(response)
    if status == 200 and title and SOFT_404_TITLE.search(title):
        return {"kind": "soft_404", "message": f"page titled {title!r}"}
    return None


def failure_error(failure: Failure) -> CaptureError:
    kind = next((kind for types, kind in FAILURE_KINDS if failure.check(*types)), "download")
    return {"kind": kind, "message": f"{failure.type.__name__}: {failure.getErrorMessage()}"}
