"""Which host a request goes to: the key of per-host back-off and stopping."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached


def host(request: Request) -> str:
    """`host:port` as requested."""
    return urlparse_cached(request).netloc


def hostname(url: str) -> str:
    """The host without port: `http://x:80/` and `https://x/` are on the same host."""
    return (urlsplit(url).hostname or "").lower()
