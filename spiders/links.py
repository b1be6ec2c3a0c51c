"""Which links matter: disclosure columns, annual-report columns, report pages, attachments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from scrapy.http import HtmlResponse, Response, XmlResponse

ATTACHMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd", ".zip"}
DISCLOSURE_COLUMN = re.compile(r"^(政府)?(信息|政务)公开(专栏|目录|平台|栏目)?$")
REPORT_COLUMN = re.compile(r"年报|年度报告")
YEAR = re.compile(r"(19|20)\d{2}")
YEAR_COLUMN = re.compile(r"^(19|20)\d{2}年?度?$")
REPORT_TITLE = re.compile(r"(19|20)\d{2}年度?.*政府信息公开.*(年度报告|年报)")
NOT_A_REPORT = ("解读", "图解", "通知", "关于", "答记者问")
#: Column URLs by their conventional pinyin paths (zwgk = 政务公开, zfxxgknb = 政府信息公开年报).
DISCLOSURE_PATH = re.compile(r"/(zwgk|xxgk|zfxxgk|zwgk/xxgk)/(index\.\w+)?$")
REPORT_COLUMN_PATH = re.compile(r"/(zfxxgk|xxgk|gk)?nb/(index\.\w+)?$")
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
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    url = urljoin(base_url, href).split("#", 1)[0]
    return url if urlsplit(url).netloc == urlsplit(base_url).netloc else None


def anchors_in(selector: Selector, base_url: str) -> list[Anchor]:
    found = []
    for link in selector.css("a[href]"):
        url = on_host_url(base_url, link.attrib.get("href") or "")
        if url is None:
            continue
        text = " ".join(" ".join(link.css("::text").getall()).split())
        title = (link.attrib.get("title") or "").strip()
        found.append(Anchor(url, title if len(title) > len(text) else text))
    return found


def is_disclosure_column(anchor: Anchor) -> bool:
    return bool(
        DISCLOSURE_COLUMN.match(normalise(anchor.text))
        or DISCLOSURE_PATH.search(urlsplit(anchor.url).path)
    )


def is_report_title(text: str) -> bool:
    title = normalise(text)
    return bool(REPORT_TITLE.search(title)) and not any(word in title for word in NOT_A_REPORT)


def is_report_column(anchor: Anchor) -> bool:
    title = normalise(anchor.text)
    if YEAR.search(title) or any(word in title for word in NOT_A_REPORT):
        return False
    return bool(REPORT_COLUMN.search(title) or REPORT_COLUMN_PATH.search(urlsplit(anchor.url).path))


def is_year_column(text: str) -> bool:
    return bool(YEAR_COLUMN.match(normalise(text)))


def attachment_extension(url: str, text: str = "") -> str | None:
    """The attachment type a link points at, from its path, a query value or its text."""
    parts = urlsplit(url)
    candidates = [parts.path, *(value for _, value in parse_qsl(parts.query)), text.strip()]
    for candidate in candidates:
        suffix = PurePosixPath(candidate).suffix.lower()
        if suffix in ATTACHMENT_EXTENSIONS:
            return suffix
    return None
