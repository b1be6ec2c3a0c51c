"""Paging adapters: given a list page, the URLs of its other pages.

Each site system pages its lists its own way; an adapter is a small class with `pages(response)`.
The spider runs every adapter named in the `XXGK_PAGERS` setting and follows the union.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse

from spiders.links import anchors

NEXT_TEXTS = {"下一页", "下页", "后页", "下一頁", ">", ">>", "›", "»"}
PAGE_NUMBER = re.compile(r"^\[?\d{1,4}\]?$")
CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
    r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)


class Pager(Protocol):
    def pages(self, response: Response) -> Iterator[str]: ...


def column_directory(url: str) -> str:
    path = urlsplit(url).path
    return path[: path.rfind("/") + 1]


class GenericPager:
    """Links titled 下一页 (and the like) or with a bare page number, within the list's folder."""

    def pages(self, response: Response) -> Iterator[str]:
        folder = column_directory(response.url)
        for anchor in anchors(response):
            text = anchor.text.strip()
            if text not in NEXT_TEXTS and not PAGE_NUMBER.match(text):
                continue
            if urlsplit(anchor.url).path.startswith(folder) and anchor.url != response.url:
                yield anchor.url


class TrsCreatePageHtmlPager:
    """TRS WCM lists write their pager in script: `createPageHTML(count, current, "index", "html")`
    for pages index.html, index_1.html … index_{count-1}.html."""

    def pages(self, response: Response) -> Iterator[str]:
        if not isinstance(response, TextResponse):
            return
        for match in CREATE_PAGE_HTML.finditer(response.text):
            count, _, name, extension = match.groups()
            for page in range(int(count)):
                suffix = "" if page == 0 else f"_{page}"
                yield urljoin(response.url, f"{name}{suffix}.{extension}")
