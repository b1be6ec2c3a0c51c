"""Which links matter: disclosure columns, annual-report columns, report pages, attachments."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from scrapy.http import HtmlResponse, Response, XmlResponse

from parsers.titles import is_report_title, not_a_report

ATTACHMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd", ".zip"}
DISCLOSURE_COLUMN = re.compile(r"^(政府)?(信息|政务)公开(专栏|目录|平台|栏目)?$")
REPORT_COLUMN = re.compile(r"年报|年度报告")
YEAR = re.compile(r"(19|20)\d{2}")
YEAR_COLUMN = re.compile(r"^(19|20)\d{2}年?度?$")
#: Column URLs by their conventional pinyin paths (zwgk = 政务公开, zfxxgknb = 政府信息公开年报).
DISCLOSURE_PATH = re.compile(r"/(zwgk|xxgk|zfxxgk|zwgk/xxgk)/(index\.\w+)?$")
REPORT_COLUMN_PATH = re.compile(r"/(zfxxgk|xxgk|gk)?nb/(index\.\w+)?$")
#: A column's list page (`/col/col12/index.html`, `index_2.shtml`, `list.jsp?columnid=5`).
LIST_PAGE = re.compile(r"/(index|default|list)[\w-]*\.\w+$")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Anchor:
    url: str
    text: str


def normalise(text: str) -> str:
    return WHITESPACE.sub("", text)


def anchors(response: Response) -> list[Anchor]:
    """The page's links on its own host, absolute, with their text (or longer `title`)."""
    if not isinstance(response, HtmlResponse | XmlResponse):
        return []
    return anchors_in(response.selector, response.url)


def on_host_url(base_url: str, href: str) -> str | None:
    """`href` made absolute and without fragment, if it stays on `base_url`'s host."""
    return OnHost(base_url).url(href)


class OnHost:
    """Resolves a page's links, keeping those on its host; a path from the root (most of a
    portal's links: menus, columns) joins without parsing the page's URL again."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.host = parts.netloc
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def url(self, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            return None
        if href.startswith("/") and not href.startswith("//") and "/." not in href:
            return self.origin + href.split("#", 1)[0]
        url = urljoin(self.base_url, href).split("#", 1)[0]
        return url if urlsplit(url).netloc == self.host else None


def anchors_in(selector: Selector, base_url: str) -> list[Anchor]:
    # on lxml's elements: parsel's per-link selectors cost more than all the rest of a page
    on_host = OnHost(base_url)
    found = []
    for link in selector.root.iter("a"):
        url = on_host.url(link.get("href") or "")
        if url is None:
            continue
        text = " ".join(" ".join(link.itertext()).split())
        title = (link.get("title") or "").strip()
        found.append(Anchor(url, title if len(title) > len(text) else text))
    return found


def is_disclosure_column(anchor: Anchor) -> bool:
    return bool(
        DISCLOSURE_COLUMN.match(normalise(anchor.text))
        or DISCLOSURE_PATH.search(urlsplit(anchor.url).path)
    )


def is_report_link(anchor: Anchor, in_report_column: bool = False) -> bool:
    """A link to a report, by its title (`parsers.titles`); in an annual-report column a bare
    year (`2022年度`) is a report unless it leads to a column (the year's sub-column)."""
    if not is_report_title(anchor.text, in_report_column):
        return False
    return not (is_year_column(anchor.text) and is_column_url(anchor.url))


def is_column_url(url: str) -> bool:
    """A column's URL rather than a document's: a list page, or a folder (`/nb/2019/`,
    `/gkmlpt/index`) without a query naming a document (`/download?id=…`)."""
    parts = urlsplit(url)
    if LIST_PAGE.search(parts.path):
        return True
    return "." not in parts.path.rsplit("/", 1)[-1] and not parts.query


def is_report_column(anchor: Anchor) -> bool:
    title = normalise(anchor.text)
    if YEAR.search(title) or not_a_report(title):
        return False
    return bool(REPORT_COLUMN.search(title) or REPORT_COLUMN_PATH.search(urlsplit(anchor.url).path))


def is_year_column(text: str) -> bool:
    return bool(YEAR_COLUMN.match(normalise(text)))


def attachment_extension(url: str, text: str = "") -> str | None:
    """The attachment type a link points at, from its path, a query value or its text."""
    lowered = f"{url} {text}".lower()
    if "%" not in url and not any(extension in lowered for extension in ATTACHMENT_EXTENSIONS):
        return None  # most links: none of the extensions anywhere, not even percent-encoded
    parts = urlsplit(url)
    values = (value for _, value in parse_qsl(parts.query)) if parts.query else ()
    for candidate in (parts.path, *values, text.strip()):
        suffix = posixpath.splitext(candidate.rstrip("/"))[1].lower()
        if suffix in ATTACHMENT_EXTENSIONS:
            return suffix
    return None
