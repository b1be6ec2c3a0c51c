"""Jeecms (金磊): `.jhtml` channels paged as `index_2.jhtml`, pagers written as buttons.

A Jeecms channel lists at `/{channel}/index.jhtml` (or, published static, `index.htm`), its
later pages at `index_2.jhtml` … `index_N.jhtml`; the pager, from `[@cms_pagination]`, says
`页次:1/N` or `共N页` and moves by `onclick="location.href='index_2.jhtml'"` buttons (which
`spiders.links` reads) or a `_gotoPage(n)` script. Documents are `/{channel}/{id}.jhtml`,
their files behind `attachment.jspx?cid=…&i=…` (a redirect to the upload) or straight under
`/u/cms/{site}/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response

from spiders.pagers import Pager, text_of

#: A channel's list page: `index.jhtml`, `index_3.jhtml`, `index.htm`.
JEECMS_LIST = re.compile(r"/(?P<name>index|list)(?:_(?P<number>\d+))?\.(?P<ext>jhtml|html?)$")
#: The pager's count of pages: `页次：1/5`, `1/5页`, `共5页`, `totalPages = 5`.
JEECMS_PAGES = re.compile(
    r"页次\s*[:：]?\s*\d+\s*/\s*(\d+)|\b\d+\s*/\s*(\d+)\s*页|共\s*(\d+)\s*页|\btotalPages?\s*=\s*(\d+)"
)
#: What marks a page as Jeecms's: its `.jhtml` links, `_gotoPage`, its upload folder.
JEECMS_MARKERS = re.compile(r"\.jhtml\b|_gotoPage|/u/cms/|jeecms", re.IGNORECASE)


class JeecmsPager(Pager):
    """A Jeecms channel's first list page gives all its pages, `index_2` … `index_N` (each
    further page only repeats the count); the `onclick` buttons are links already."""

    name = "jeecms"

    def pages(self, response: Response) -> Iterator[str]:
        listing = JEECMS_LIST.search(urlsplit(response.url).path)
        if listing is None or listing["number"]:
            return
        text = text_of(response)
        if not JEECMS_MARKERS.search(text) and listing["ext"] != "jhtml":
            return
        count = page_count(text)
        for number in range(2, count + 1):
            yield urljoin(response.url, f"{listing['name']}_{number}.{listing['ext']}")


def page_count(text: str) -> int:
    match = JEECMS_PAGES.search(text)
    return int(next(group for group in match.groups() if group)) if match else 0
