"""Guangdong's 政府信息公开目录平台 (gkmlpt): categories and their JSON list API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy.http import JsonResponse, Response

from spiders.links import Anchor, on_host_url
from spiders.pagers import Pager, text_of

GKMLPT_CATEGORY = re.compile(r"/gkmlpt/index#(\d+)$")
GKMLPT_SID = re.compile(r"\bsid\b['\"]?\s*[:=]\s*['\"]?(\w+)", re.IGNORECASE)
GKMLPT_API = re.compile(r"/gkmlpt/api/all/(\d+)$")


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
