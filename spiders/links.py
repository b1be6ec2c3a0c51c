"""Which links matter: disclosure columns, annual-report columns, report pages, attachments."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector
from scrapy.http import HtmlResponse, Response, XmlResponse

from parsers.titles import is_report_title, not_a_report

#: Every type a report is published in, containers included (archived always; see
#: `xxgk.documents` for what is unpacked).
ATTACHMENT_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".wps", ".txt", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar",
}  # fmt: skip
ANY_EXTENSION = re.compile(
    "|".join(re.escape(extension) for extension in sorted(ATTACHMENT_EXTENSIONS)), re.IGNORECASE
)
#: Download scripts that answer with a file (or redirect to it) whatever the link's text:
#: Jeecms `attachment.jspx?cid=…`, `downfile.jsp?…`, `download.do?…`.
DOWNLOAD_SCRIPT = re.compile(
    r"/(?:attachment\.jspx|down(?:load)?(?:file)?\.(?:jsp|jspx|do|action|aspx?|php))$", re.I
)
DISCLOSURE_COLUMN = re.compile(
    r"^(?:(政府)?(信息|政务)公开(专栏|目录|平台|栏目)?|(法定)?主动公开(内容|信息|目录)?)$"
)
REPORT_COLUMN = re.compile(r"年报|年度报告")
YEAR = re.compile(r"(19|20)\d{2}")
YEAR_COLUMN = re.compile(r"^(19|20)\d{2}年?度?$")
#: Column URLs by their conventional pinyin paths (zwgk = 政务公开, zfxxgknb = 政府信息公开年报).
#: A gkmlpt index (`/gkmlpt/index`, a department's `/bm/gkmlpt/index`) is a disclosure column.
DISCLOSURE_PATH = re.compile(r"/(zwgk|xxgk|zfxxgk|zwgk/xxgk)/(index\.\w+)?$|/gkmlpt/m?index$")
REPORT_COLUMN_PATH = re.compile(r"/(zfxxgk|xxgk|gk)?nb/(index\.\w+)?$")
#: A column's list page (`/col/col12/index.html`, `index_2.shtml`, `list.jsp?columnid=5`).
LIST_PAGE = re.compile(r"/(index|default|list)[\w-]*\.\w+$")
#: A unit's sub-column in an annual-report column (县教育局, 城关镇, 乡镇街道, 部门).
UNIT_COLUMN = re.compile(
    r"^[\u4e00-\u9fff（）()·]{0,28}"
    r"(人民政府|政府|办公室|局|委员会|委|办|镇|乡|街道|街道办事处|管委会|中心|部门|单位|乡镇)$"
)
#: Where script leads on a click: `window.open('…')`, `location.href = '…'`,
#: `location.assign('…')`, `window.location='…'`.
SCRIPT_NAVIGATION = re.compile(
    r"(?:window\.open|location\.(?:assign|replace)|location(?:\.href)?\s*=)\s*\(?\s*"
    r"(['\"])(?P<url>[^'\"]+)\1"
)
#: A quoted path or URL as the argument of a `javascript:` href's call (`openArt('/a/1.html')`).
SCRIPT_ARGUMENT = re.compile(
    r"(['\"])(?P<url>(?:https?:)?//[^'\"\s]+|\.{0,2}/[^'\"\s]*"
    r"|[\w./-]+\.(?:s?html?|jhtml|jspx?|aspx?|php|do)(?:\?[^'\"\s]*)?|[\w./-]+\.[a-z]{2,4})\1",
    re.IGNORECASE,
)
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Anchor:
    url: str
    text: str
    #: what found it, for its capture's `found_by`: `links` (an `<a href>`), `script`
    #: (`onclick`, a `javascript:` href), or a pager's name
    found_by: str = field(default="links", compare=False)


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
        if not href or href.startswith(("#", "javascript:", "mailto:", "data:", "tel:")):
            return None
        if href.startswith("/") and not href.startswith("//") and "/." not in href:
            return self.origin + href.split("#", 1)[0]
        url = urljoin(self.base_url, href).split("#", 1)[0]
        return url if urlsplit(url).netloc == self.host else None


def anchors_in(selector: Selector, base_url: str) -> list[Anchor]:
    """Links as `<a href>`, `javascript:` hrefs and `onclick` handlers on any element write them;
    each named by its text, or its `title` or `alt` (gkmlpt's `nfw-cms-attachment` names the
    file there) where longer, or a button's `value`."""
    # on lxml's elements: parsel's per-link selectors cost more than all the rest of a page
    on_host = OnHost(base_url)
    found = []
    root = selector.root
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        found_by = "links"
        if href[:11].lower() == "javascript:":
            href, found_by = script_url(href[11:], calls=True) or "", "script"
        if (url := on_host.url(href)) is not None:
            found.append(Anchor(url, element_text(link), found_by))
    for element in root.xpath("//*[@onclick]"):
        if (href := script_url(element.get("onclick") or "")) and (url := on_host.url(href)):
            found.append(Anchor(url, element_text(element), "script"))
    return found


def element_text(element: Any) -> str:
    text = " ".join(" ".join(element.itertext()).split())
    named = (element.get("title") or element.get("alt") or "").strip()
    if not text and not named:
        named = (element.get("value") or "").strip()
    return named if len(named) > len(text) else text


def script_url(code: str, calls: bool = False) -> str | None:
    """The URL a snippet of script goes to: a `window.open`/`location` move, or, for a
    `javascript:` href (`calls`), the first quoted path its call is given."""
    if match := SCRIPT_NAVIGATION.search(code):
        return match["url"]
    if calls and (match := SCRIPT_ARGUMENT.search(code)):
        return match["url"]
    return None


def frames(response: Response) -> list[str]:
    """The on-host pages the page embeds as `<iframe>`/`<frame>` (a column's list, a year or unit
    tree): navigation of the page itself."""
    if not isinstance(response, HtmlResponse):
        return []
    on_host = OnHost(response.url)
    sources = response.selector.root.xpath("//iframe/@src | //frame/@src")
    return list(dict.fromkeys(url for src in sources if (url := on_host.url(str(src)))))


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


def embedded_file(url: str) -> str | None:
    """The file a frame shows: itself, or the one its viewer is given (`viewer.html?file=…`)."""
    parts = urlsplit(url)
    if attachment_extension(parts.path) or DOWNLOAD_SCRIPT.search(parts.path):
        return url
    for _, value in parse_qsl(parts.query):
        if attachment_extension(value):
            return on_host_url(url, value)
    return None


def is_report_column(anchor: Anchor) -> bool:
    title = normalise(anchor.text)
    if YEAR.search(title) or not_a_report(title):
        return False
    return bool(REPORT_COLUMN.search(title) or REPORT_COLUMN_PATH.search(urlsplit(anchor.url).path))


def is_year_column(text: str) -> bool:
    return bool(YEAR_COLUMN.match(normalise(text)))


def is_unit_column(anchor: Anchor) -> bool:
    """A unit's sub-column inside an annual-report column: a unit's name leading to a column."""
    title = normalise(anchor.text)
    if not UNIT_COLUMN.match(title) or not_a_report(title):
        return False
    return urlsplit(anchor.url).path not in ("", "/") and is_column_url(anchor.url)


def is_attachment(anchor: Anchor) -> bool:
    """A link to a file: a report type by its path, query or text, or a download script."""
    if attachment_extension(anchor.url, anchor.text):
        return True
    url = anchor.url.lower()
    return ("down" in url or "attachment" in url) and bool(
        DOWNLOAD_SCRIPT.search(urlsplit(url).path)
    )


def attachment_extension(url: str, text: str = "") -> str | None:
    """The attachment type a link points at, from its path, a query value or its text."""
    if "%" not in url and not ANY_EXTENSION.search(url) and not ANY_EXTENSION.search(text):
        return None  # most links: none of the extensions anywhere, not even percent-encoded
    parts = urlsplit(url)
    values = (value for _, value in parse_qsl(parts.query)) if parts.query else ()
    for candidate in (parts.path, *values, text.strip()):
        suffix = posixpath.splitext(candidate.rstrip("/"))[1].lower()
        if suffix in ATTACHMENT_EXTENSIONS:
            return suffix
    return None
