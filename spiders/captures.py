"""Captures of responses, as the spider and the robots.txt middleware make them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response

from spiders.downloadermiddlewares.conditional import NOT_MODIFIED_HEADERS, REVISITS
from spiders.responses import headers_dict, media_type
from xxgk.records import Capture, Role


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def response_capture(
    response: Response, site: str, role: Role, fetched_at: str | None = None, **fields: Any
) -> Capture:
    """What `response` brought, with `fields`. A 304 to a conditional recrawl carries no body:
    it names the capture it confirms (`revisits`: that capture's `fetched_at`) and its bytes
    (`sha256`, `size`), archived already, and keeps the headers the 304 itself brought."""
    capture = Capture(
        url=response.url,
        site=site,
        role=role,
        status=response.status,
        fetched_at=fetched_at or now(),
        headers=headers_dict(response),
        media_type=media_type(response),
        body=response.body,
        **fields,
    )
    if (earlier := response.meta.get(REVISITS)) is not None:
        capture.body = None
        capture.sha256, capture.size, capture.revisits = (
            earlier.sha256,
            earlier.size,
            earlier.fetched_at,
        )
        capture.headers = response.meta.get(NOT_MODIFIED_HEADERS, capture.headers)
    return capture


def referer(request: Request | None) -> str | None:
    value = request.headers.get(b"Referer") if request is not None else None
    return value.decode("latin-1") if value else None
