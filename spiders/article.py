"""A report page that pastes its report as pictures: the images of its article, in page order.

Such a page has images in its article but no table text. "No table text" is decided on the
words, not the markup, so that a table laid out as text counts as much as a `<table>`: the
article names fewer than `TABLE_TEXT_MIN` of the items of section 三's 不予公开, 无法提供,
不予处理 and 其他处理 groups (属于国家秘密, 重复申请, …; `parsers.templates`). Every report's
table lists all of them; a cover note or a prose summary beside the pictures names one or two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from lxml.html import HtmlElement
from scrapy.http import HtmlResponse, Response

from parsers.cells import label_key
from parsers.extract.html import ARTICLE_CONTAINERS
from parsers.templates import TEMPLATES
from spiders.hosts import hostname

#: The items of section 三's groups of rows, as `label_key` reduces them (`1.属于国家秘密` →
#: `属于国家秘密`); the bare 其他 is left out, prose says it everywhere.
TABLE_WORDS = frozenset(
    key
    for template in TEMPLATES.values()
    for row in template.application_rows
    if row.group and len(key := label_key(row.label.split(".", 1)[1])) > 2
)
TABLE_TEXT_MIN = 4


def article(root: HtmlElement) -> HtmlElement | None:
    """The page's article, as the parser finds it (`ARTICLE_CONTAINERS`), though it may hold
    pictures only; else the body."""
    for xpath in ARTICLE_CONTAINERS:
        for element in root.xpath(xpath):
            if element.text_content().strip() or element.find(".//img") is not None:
                return element
    return root.find("body")


def has_table_text(element: HtmlElement) -> bool:
    text = label_key(element.text_content())
    return sum(word in text for word in TABLE_WORDS) >= TABLE_TEXT_MIN


def pasted_images(response: Response, hosts: list[str]) -> list[str]:
    """The article's image URLs in page order, on the portal's own `hosts`, if the page pastes
    its report as pictures (images but no table text); else none."""
    if not isinstance(response, HtmlResponse):
        return []
    element = article(response.selector.root)
    if element is None or has_table_text(element):
        return []
    found: list[str] = []
    for image in element.iter("img"):
        src = (image.get("src") or "").strip()
        url = response.urljoin(src).split("#", 1)[0] if src else ""
        # data: URIs carry no URL to fetch; another host is not the portal's
        on_site = urlsplit(url).scheme in ("http", "https") and hostname(url) in hosts
        if on_site and url not in found:
            found.append(url)
    return found


@dataclass(frozen=True)
class PageImages:
    """A report page's images, fetched one after another: the next is `urls[index]`, and the
    page's images may bring `bytes_left` more bytes."""

    page_url: str
    urls: tuple[str, ...]
    index: int
    bytes_left: int

    @property
    def done(self) -> bool:
        return self.index >= len(self.urls)

    def after(self, size: int) -> PageImages:
        """The images after this one, which brought `size` bytes."""
        return replace(self, index=self.index + 1, bytes_left=self.bytes_left - size)
