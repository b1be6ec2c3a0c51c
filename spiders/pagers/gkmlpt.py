"""Guangdong's 政府信息公开目录平台 (gkmlpt): the category tree and its JSON list API.

A gkmlpt site (`/gkmlpt/index`, a department's sub-site at `/{dept}/gkmlpt/index`, its
年报 entry `/gkmlpt/annualreport`) renders everything in script from `window._CONFIG`: the
site's id (`SID: '755123'`) and its category tree (`TREE: [{"id": 2855, "name": "…",
"children": […]}, …]`). Each category lists as JSON from `{prefix}/gkmlpt/api/all/{id}?page=N
&sid={SID}`, 100 articles a page: `{"articles": [{"title", "url", …}], "total": n}`, the
`url` often protocol-relative (`//www…/gkmlpt/content/2/2855/post_1.html#2855`). Report pages
link their files as `<a class="nfw-cms-attachment" alt="name.pdf">` (`spiders.links` names
them from `alt`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy.http import JsonResponse, Response

from spiders.links import Anchor, is_report_column, on_host_url
from spiders.pagers import Pager, text_of

#: A category named by a link of the page: `index#2855`, `annualreport#2629`, `mindex#12`.
GKMLPT_CATEGORY = re.compile(r"/gkmlpt/(index|mindex|annualreport)#(\d+)$")
GKMLPT_SID = re.compile(r"\bsid\b['\"]?\s*[:=]\s*['\"]?(\w+)", re.IGNORECASE)
GKMLPT_TREE = re.compile(r"\bTREE\b['\"]?\s*:\s*(?=[\[{])")
GKMLPT_API = re.compile(r"/gkmlpt/api/all/(\d+)$")
#: Where a site's own paths start: `/gkmlpt/…` or a department's `/{dept}/gkmlpt/…`.
GKMLPT_PREFIX = re.compile(r"^(.*?)/gkmlpt/")
CHILDREN = ("children", "child", "sub", "nodes")


class GkmlptPager(Pager):
    """gkmlpt's report categories (`columns`: from the tree in `window._CONFIG`, and any
    `#id` links), their articles (`anchors`) and their further pages (`pages`)."""

    name = "gkmlpt"

    def anchors(self, response: Response) -> Iterator[Anchor]:
        if not is_api(response):
            return
        for article in articles(response):
            href = article.get("url") or article.get("post_url") or ""
            if url := on_host_url(response.url, href):
                yield Anchor(url, str(article.get("title") or ""))

    def columns(self, response: Response) -> Iterator[Anchor]:
        text = text_of(response)
        prefix = GKMLPT_PREFIX.match(urlsplit(response.url).path)
        sid = GKMLPT_SID.search(text) if prefix else None
        if prefix is None or sid is None or is_api(response):
            return
        api = f"{prefix.group(1)}/gkmlpt/api/all/{{}}?page=1&sid={sid.group(1)}"
        seen = set()
        for category, name in (*report_categories(tree(text)), *linked_categories(response)):
            if category not in seen:
                seen.add(category)
                yield Anchor(urljoin(response.url, api.format(category)), name)

    def pages(self, response: Response) -> Iterator[str]:
        if not is_api(response):
            return
        parts = urlsplit(response.url)
        query = dict(parse_qsl(parts.query))
        if query.get("page") not in ("1", None) or not (found := articles(response)):
            return
        data = response.json()
        total = int(data.get("total") or 0) if isinstance(data, dict) else 0
        for page in range(2, -(-total // len(found)) + 1):
            yield parts._replace(query=urlencode({**query, "page": page})).geturl()


def is_api(response: Response) -> bool:
    return isinstance(response, JsonResponse) and bool(
        GKMLPT_API.search(urlsplit(response.url).path)
    )


def articles(response: JsonResponse) -> list[dict[str, Any]]:
    try:
        data = response.json()
    except json.JSONDecodeError:
        return []
    found = data.get("articles") if isinstance(data, dict) else None
    return [a for a in found or () if isinstance(a, dict) and (a.get("url") or a.get("post_url"))]


def tree(text: str) -> list[Any]:
    """The category tree of `window._CONFIG` (`TREE: [...]`, JSON inside an object literal)."""
    match = GKMLPT_TREE.search(text)
    if match is None:
        return []
    try:
        nodes, _ = json.JSONDecoder().raw_decode(text, match.end())
    except json.JSONDecodeError:
        return []
    return nodes if isinstance(nodes, list) else [nodes]


def report_categories(nodes: Iterable[Any], inside: bool = False) -> Iterator[tuple[str, str]]:
    """(id, name) of each category named as a report column, and of every category under it
    (its years, its units)."""
    for node in nodes:
        if not isinstance(node, dict):
            continue
        name = str(node.get("name") or node.get("title") or "")
        identifier = str(node.get("id") or "")
        is_report = inside or is_report_column(Anchor(f"/gkmlpt/index#{identifier}", name))
        if is_report and identifier.isdigit():
            yield identifier, name
        children = next((node[key] for key in CHILDREN if isinstance(node.get(key), list)), [])
        yield from report_categories(children, is_report)


def linked_categories(response: Response) -> Iterator[tuple[str, str]]:
    """(id, text) of the categories the page links as `#id` that are report columns; every
    category of the 年报 entry (`annualreport#id`)."""
    for link in Selector(text=text_of(response)).css("a[href]"):
        if not (found := GKMLPT_CATEGORY.search(urljoin(response.url, link.attrib["href"]))):
            continue
        name = " ".join(" ".join(link.css("::text").getall()).split())
        if found.group(1) == "annualreport" or is_report_column(Anchor(found.group(0), name)):
            yield found.group(2), name
