"""Paging adapters: given a list page, its entries and the requests for its other pages.

Each site system pages its lists its own way; an adapter is a small class detecting its system
from the page itself. The spider runs every adapter named in the `XXGK_PAGERS` setting on each
navigation page, follows the union of their `anchors` and, on list pages, of their `pages`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.http import JsonResponse, Response, TextResponse

from spiders.links import Anchor, anchors, anchors_in, on_host_url

NEXT_TEXTS = {"下一页", "下页", "后页", "下一頁", ">", ">>", "›", "»"}
PAGE_NUMBER = re.compile(r"^\[?\d{1,4}\]?$")
CREATE_PAGE_HTML = re.compile(r"createPageHTML\(([^()]*)\)")
SCRIPT_VARIABLE = re.compile(r"\bvar\s+(\w+)\s*=\s*['\"]?([\w.-]+)['\"]?")
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
GKMLPT_CATEGORY = re.compile(r"/gkmlpt/index#(\d+)$")
GKMLPT_SID = re.compile(r"\bsid\b['\"]?\s*[:=]\s*['\"]?(\w+)", re.IGNORECASE)
GKMLPT_API = re.compile(r"/gkmlpt/api/all/(\d+)$")


class Pager:
    def anchors(self, response: Response) -> Iterator[Anchor]:
        """Entries the page holds where HTML links don't show them (script data, JSON)."""
        return iter(())

    def pages(self, response: Response) -> Iterator[str | Request]:
        """The list's other pages, as URLs to GET or ready requests."""
        raise NotImplementedError


def column_directory(url: str) -> str:
    path = urlsplit(url).path
    return path[: path.rfind("/") + 1]


def text_of(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else ""


class GenericPager(Pager):
    """Links titled 下一页 (and the like) or with a bare page number, within the list's folder."""

    def pages(self, response: Response) -> Iterator[str]:
        folder = column_directory(response.url)
        for anchor in anchors(response):
            text = anchor.text.strip()
            if text not in NEXT_TEXTS and not PAGE_NUMBER.match(text):
                continue
            if urlsplit(anchor.url).path.startswith(folder) and anchor.url != response.url:
                yield anchor.url


class TrsCreatePageHtmlPager(Pager):
    """TRS WCM lists write their pager in script, `createPageHTML(count, current, "index",
    "html")` or `createPageHTML("div", count, current, "index", "shtml", records)`, arguments
    as literals or `var`s (`var countPage = 3`): pages index.html, index_1.html …
    index_{count-1}.html, the current page counted from 0. Where the first page says it is
    page 1, the pages are numbered from 1: index.html, index_2.html … index_{count}.html.

    Only a list's first page (not itself an `index_N` page) is expanded: a later page can't
    tell which of the two numberings it is in, and the first page gave all pages already."""

    def pages(self, response: Response) -> Iterator[str]:
        text = text_of(response)
        variables = dict(SCRIPT_VARIABLE.findall(text))
        for match in CREATE_PAGE_HTML.finditer(text):
            arguments = [argument.strip(" \t\n'\"") for argument in match.group(1).split(",")]
            arguments = [variables.get(argument, argument) for argument in arguments]
            if len(arguments) == 6:  # element id first, record count last
                arguments = arguments[1:5]
            if len(arguments) != 4 or not arguments[0].isdigit():
                continue
            count, current, name, extension = arguments
            if re.search(rf"/{re.escape(name)}_\d+\.{re.escape(extension)}$", response.url):
                continue
            first = 1 if current == "1" else 0
            yield urljoin(response.url, f"{name}.{extension}")
            for number in range(first + 1, first + int(count)):
                yield urljoin(response.url, f"{name}_{number}.{extension}")


class HanwebJpagePager(Pager):
    """Hanweb (大汉) jpage lists: records as `<record><![CDATA[<li><a…>]]></record>` in a
    `<datastore>` (a `<script type="text/xml">` block of the page, or the XML answer of
    `dataproxy.jsp`), further groups from that proxy: POST `startrecord/endrecord/perpage` with
    the page's column parameters when a jpage script sets it up, else GET the `<nextgroup>`
    link's `page=N`; static pages `?uid=…&pageNum=N` when the pager links them."""

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


class GkmlptPager(Pager):
    """Guangdong's 政府信息公开目录平台 (gkmlpt): the index page names its categories as
    `/gkmlpt/index#{id}` links and its site id (`sid`); each category lists as JSON from
    `/gkmlpt/api/all/{id}?page=N&sid=…` (`{"articles": [{"title", "url"}], "total": n}`)."""

    def anchors(self, response: Response) -> Iterator[Anchor]:
        if isinstance(response, JsonResponse) and GKMLPT_API.search(urlsplit(response.url).path):
            for article in self.articles(response):
                if url := on_host_url(response.url, article["url"]):
                    yield Anchor(url, article.get("title", ""))
            return
        sid = GKMLPT_SID.search(text_of(response))
        if sid is None or "/gkmlpt/" not in response.url:
            return
        for link in Selector(text=text_of(response)).css("a[href]"):
            if category := GKMLPT_CATEGORY.search(urljoin(response.url, link.attrib["href"])):
                api = f"/gkmlpt/api/all/{category.group(1)}?page=1&sid={sid.group(1)}"
                yield Anchor(urljoin(response.url, api), " ".join(link.css("::text").getall()))

    def pages(self, response: Response) -> Iterator[str]:
        if not isinstance(response, JsonResponse):
            return
        parts = urlsplit(response.url)
        if not GKMLPT_API.search(parts.path):
            return
        query = dict(parse_qsl(parts.query))
        if query.get("page") != "1" or not (articles := self.articles(response)):
            return
        total = int(response.json().get("total") or 0)
        for page in range(2, -(-total // len(articles)) + 1):
            yield parts._replace(query=urlencode({**query, "page": page})).geturl()

    @staticmethod
    def articles(response: JsonResponse) -> list[dict[str, str]]:
        try:
            data = response.json()
        except json.JSONDecodeError:
            return []
        articles = data.get("articles") if isinstance(data, dict) else None
        return [a for a in articles or () if isinstance(a, dict) and a.get("url")]
