"""Pagers any system may use: 下一页 links and bare page numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy.http import Response

from spiders.links import anchors
from spiders.pagers import Pager, column_directory

NEXT_TEXTS = {"下一页", "下页", "后页", "下一頁", ">", ">>", "›", "»"}
PAGE_NUMBER = re.compile(r"^\[?\d{1,4}\]?$")


class GenericPager(Pager):
    """Links titled 下一页 (and the like) or with a bare page number, within the list's folder."""

    name = "generic"

    def pages(self, response: Response) -> Iterator[str]:
        folder = column_directory(response.url)
        for anchor in anchors(response):
            text = anchor.text.strip()
            if text not in NEXT_TEXTS and not PAGE_NUMBER.match(text):
                continue
            if urlsplit(anchor.url).path.startswith(folder) and anchor.url != response.url:
                yield anchor.url
