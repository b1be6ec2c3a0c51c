"""Redirects that a loop cannot hide from the capture log."""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response


class RedirectMiddlewareNoDupes(RedirectMiddleware):
    """Redirects bypass the duplicate filter, so a loop (A → B → A) runs into
    `REDIRECT_MAX_TIMES` and is captured (kind `redirect`) instead of silently vanishing; the
    capture pipeline keeps one capture per URL."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        redirected = super().process_response(request, response)
        return (
            redirected.replace(dont_filter=True) if isinstance(redirected, Request) else redirected
        )
