"""Keep a site's requests on its own hosts."""

from __future__ import annotations

from scrapy import Request

from spiders.errors import OffsiteRedirect
from spiders.hosts import hostname


class KeepToSite:
    """A site's requests go only to its hosts (meta `hosts`, see `PortalSpider.scope`): its start
    URL's and those the start request was redirected to (`gov.cn` → `www.gov.cn`, http →
    https). Any other host a redirect leads to is refused before a byte is sent there
    (`OffsiteRedirect`, captured with error kind `offsite_redirect`): the crawl goes no further."""

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if "hosts" not in meta:  # the start request and its redirects; robots.txt
            return
        if hostname(request.url) not in meta["hosts"]:
            came_from = (meta.get("redirect_urls") or ["a link"])[0]
            raise OffsiteRedirect(f"{request.url} is off the site (from {came_from})")
