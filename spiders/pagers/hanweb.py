"""Hanweb (大汉): jpage lists, their data proxy and static `pageNum` pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.http import Response

from spiders.links import Anchor, anchors_in
from spiders.pagers import Pager, text_of

HANWEB_PROXY = re.compile(r"/module/(?:web/)?jpage/dataproxy\.jsp")
HANWEB_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
HANWEB_NEXT_GROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.DOTALL)
HANWEB_PARAMETER = re.compile(
    r"\b(columnid|unitid|webid|appid|path|webname|permissiontype|sourceContentType|col)"
    r"\s*[:=]\s*['\"]?([^'\",&\s}]+)"
)
HANWEB_PER_PAGE = re.compile(r"\bperpage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
HANWEB_TOTAL = re.compile(r"<totalrecord>\s*(\d+)|\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
HANWEB_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)|\btotalPage\s*[:=]\s*['\"]?(\d+)", re.I)
HANWEB_UID_PAGING = re.compile(r"[?&]uid=(\w+)&pageNum=")


class HanwebJpagePager(Pager):
    """Hanweb (大汉) jpage lists: records as `<record><![CDATA[<li><a…>]]></record>` in a
    `<datastore>` (a `<script type="text/xml">` block of the page, or the XML answer of
    `dataproxy.jsp`), further groups from that proxy: POST `startrecord/endrecord/perpage` with
    the page's column parameters when a jpage script sets it up, else GET the `<nextgroup>`
    link's `page=N`; static pages `?uid=…&pageNum=N` when the pager links them."""

    name = "hanweb_jpage"

    def anchors(self, response: Response) -> Iterator[Anchor]:
        for record in HANWEB_RECORD.findall(text_of(response)):
            yield from anchors_in(Selector(text=record), response.url)

    def pages(self, response: Response) -> Iterator[str | Request]:
        text = text_of(response)
        if (uid_paging := HANWEB_UID_PAGING.search(text)) and (total := total_pages(text)):
            base = response.url.split("?", 1)[0]
            for number in range(2, total + 1):
                yield f"{base}?uid={uid_paging.group(1)}&pageNum={number}"
            return
        proxy = HANWEB_PROXY.search(text)
        next_group = HANWEB_NEXT_GROUP.search(text)
        if proxy is None or (response.request and response.request.method == "POST"):
            return  # a group the list page asked for: the page asked for all of them
        if "jpage(" in text or "proxyUrl" in text:
            yield from self.post_groups(response, text, urljoin(response.url, proxy.group(0)))
        elif next_group and HANWEB_RECORD.search(text):
            yield from (a.url for a in anchors_in(Selector(text=next_group.group(1)), response.url))

    def post_groups(self, response: Response, text: str, proxy: str) -> Iterator[Request]:
        parameters = dict(HANWEB_PARAMETER.findall(text))
        per_page = int(match.group(1)) if (match := HANWEB_PER_PAGE.search(text)) else 15
        if (total := first_number(HANWEB_TOTAL, text)) is None:
            return
        for start in range(1, total + 1, per_page):
            query = {"startrecord": start, "endrecord": start + per_page - 1, "perpage": per_page}
            yield FormRequest(f"{proxy}?{urlencode(query)}", formdata=parameters)


def first_number(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(next(group for group in match.groups() if group)) if match else None


def total_pages(text: str) -> int | None:
    return first_number(HANWEB_TOTAL_PAGES, text)
