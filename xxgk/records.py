"""The contracts every layer shares, in one place: what a crawl captured, what a report page
prints above its article, which captures are report documents, what parsing a document gave,
and the one closed list of error kinds (crawl and parse), each with its meaning.

Data flows one way through these types: the crawl makes `Capture`s (its capture log holds them
as JSON lines, `Capture.to_log` / `Capture.from_log`), `xxgk.documents` picks `Document`s from
them, the parse service gives the parser each one's `ParseContext` and makes one `ParseResult`
per document, the warehouse loads all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, Literal, get_args

CrawlErrorKind = Literal[
    "http_404", "http_4xx", "http_5xx", "soft_404", "timeout", "dns", "connection", "download",
    "redirect", "offsite_redirect", "robots_disallowed", "blocked", "needs_browser",
    "no_report_column",
]  # fmt: skip
ParseErrorKind = Literal[
    "not_a_report", "old_template", "needs_ocr", "corrupt", "encrypted", "unsupported",
    "too_large", "too_complex", "empty", "unreadable", "archive_missing", "corrupt_archive",
    "parser_bug",
]  # fmt: skip
ErrorKind = CrawlErrorKind | ParseErrorKind

#: Every error kind, with its one-line meaning (the README's error table is tested against it).
ERROR_KINDS: dict[str, str] = {
    # the crawl: in `captures.error_kind`
    "http_404": "the server answered 404 Not Found",
    "http_4xx": "the server refused the request with another 4xx status",
    "http_5xx": "the server failed with a 5xx status, still after the retries",
    "soft_404": "a 200 page that says it does not exist (页面不存在)",
    "timeout": "no answer within the download timeout, still after the retries",
    "dns": "the host name does not resolve",
    "connection": "the connection was refused, lost or cut short",
    "download": "the download failed for another reason (the message says which)",
    "redirect": "a redirect loop, or more redirects than allowed",
    "offsite_redirect": "a redirect led off the portal's own hosts: not followed",
    "robots_disallowed": "robots.txt forbids the URL: not fetched",
    "blocked": "an anti-bot challenge (412/521 or a WAF page): the host is left alone",
    "needs_browser": "the page renders its content in JavaScript only",
    "no_report_column": "the site's crawl ended without reaching an annual-report column "
    "(the message counts the pages tried and names the first few)",
    # parsing: in `parse_errors.kind`
    "not_a_report": "readable, but none of the report's tables (a notice, an interpretation)",
    "old_template": "a report for a year before 2019, in the tables of the 2008 regulations: "
    "archived, not made a record",
    "needs_ocr": "a PDF without a text layer or images, or images in which OCR found no text",
    "corrupt": "damaged, or not the format it claims to be",
    "encrypted": "a PDF that needs a password",
    "unsupported": "a format the parser does not read (DOC/WPS without LibreOffice)",
    "too_large": "over a size limit (the file, its pages, its tables' cells, what its archive "
    "unpacks to, or the memory of its parse)",
    "too_complex": "its parse went over the time limit, or its markup nests too deep",
    "empty": "no content",
    "unreadable": "the file could not be read (`xxgk parse`: an OS error)",
    "archive_missing": "the archive has no object under the document's sha256",
    "corrupt_archive": "the archived bytes no longer hash to their sha256",
    "parser_bug": "the parser raised an exception: a bug to fix, not bad input",
}
CRAWL_ERROR_KINDS = frozenset(get_args(CrawlErrorKind))
PARSE_ERROR_KINDS = frozenset(get_args(ParseErrorKind))

Role = Literal[
    "robots", "home", "column", "listing", "report_page", "attachment", "page_image", "other",
    "site",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Error:
    kind: ErrorKind
    message: str

    @classmethod
    def from_dict(cls, value: Mapping[str, Any] | None) -> Error | None:
        return cls(value["kind"], value.get("message") or "") if value else None


@dataclass(slots=True)
class Capture:
    """One fetched (or failed) request, the crawl's provenance record.

    `body` is the bytes fetched, handed to the archive and never logged; once stored, `sha256`
    and `size` name them. A 304 to a conditional recrawl carries no body: its `sha256`, `size`
    and `revisits` (the `fetched_at` of that earlier capture) are the earlier capture's, whose
    bytes the archive holds already.

    A report page lists the files it links (`attachments`) and, when it pastes the report as
    pictures, the URLs of its article's images in page order (`images`, captured with role
    `page_image`).

    A navigation page only a browser shows is captured twice: as served, and `rendered`, its DOM
    as headless Chromium left it (`spiders.downloadermiddlewares.browser`).

    `found_by` names what found the URL: the paging adapter (`Pager.name`: `gkmlpt`,
    `hanweb_jpage` …), or `links` (an `<a href>`), `script` (`onclick`, `window.open`,
    `javascript:`), `frame`, `article` (a report page's pasted images), `start` (a start URL),
    `browser` (a link of a page's rendered DOM, or what its scripts fetched), `robots`
    (robots.txt); None in logs written before it was recorded. A crawl that reaches no
    annual-report column of a site ends with a capture of role `site` (no fetch of its own) and
    error `no_report_column`.
    """

    url: str
    site: str
    role: Role
    status: int | None = None
    fetched_at: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    referer: str | None = None
    title: str | None = None
    report_page_url: str | None = None
    file_name: str | None = None
    attachments: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    media_type: str | None = None
    body: bytes | None = None
    sha256: str | None = None
    size: int | None = None
    revisits: str | None = None
    rendered: bool = False
    error: Error | None = None
    found_by: str | None = None

    def to_log(self) -> dict[str, Any]:
        """The capture log's JSON object: every field but `body`."""
        logged = {name: getattr(self, name) for name in LOG_FIELDS}
        logged["error"] = asdict(self.error) if self.error else None
        return logged

    @classmethod
    def from_log(cls, logged: Mapping[str, Any]) -> Capture:
        values = {name: logged[name] for name in LOG_FIELDS if name in logged}
        values["error"] = Error.from_dict(logged.get("error"))
        return cls(**values)

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        restore(self, state[1])


def restore(value: Capture | Document, pickled: Mapping[str, Any]) -> None:
    """Unpickle a contract pickled before it had all its fields (an asset value Dagster kept):
    the fields it lacks take their defaults."""
    for item in fields(value):
        if item.name in pickled:
            unpickled = pickled[item.name]
        elif item.default is not MISSING:
            unpickled = item.default
        else:
            unpickled = item.default_factory()  # type: ignore[misc]
        object.__setattr__(value, item.name, unpickled)


#: The fields a capture log line holds.
LOG_FIELDS = tuple(f.name for f in fields(Capture) if f.name != "body")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a report page prints above its article (None where it prints nothing); dates are
    ISO `YYYY-MM-DD`."""

    index_number: str | None = None  # 索引号
    publisher: str | None = None  # 发布机构
    document_number: str | None = None  # 文号
    issued_on: str | None = None  # 发文日期 / 发布日期
    written_on: str | None = None  # 成文日期


PAGE_METADATA_FIELDS = tuple(f.name for f in fields(PageMetadata))
PAGE_DATE_FIELDS = ("issued_on", "written_on")


@dataclass(frozen=True, slots=True)
class Document:
    """A report file: an attachment of a report page, a file linked straight from another page
    (a list page, the home page: `url` is that page's, `page_sha256` None), or a report page
    holding the report itself (then `file_url` is None). `page_sha256` names the archived report
    page, whose metadata the parse service reads. A report page that pastes the report as
    pictures is read from `images`, its images' digests in page order, not from its own bytes."""

    sha256: str
    url: str
    site: str
    file_url: str | None = None
    media_type: str | None = None
    size: int | None = None
    title: str | None = None
    file_name: str | None = None
    page_sha256: str | None = None
    images: tuple[str, ...] = ()

    def __setstate__(self, state: list[Any]) -> None:
        restore(self, dict(zip((f.name for f in fields(self)), state, strict=False)))


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the pipeline knows of a document besides its bytes, for the parser to read organ,
    year and region from where the report itself does not state them: the report page's title
    and 发布机构, and the GB/T 2260 code of the portal's division in the site registry."""

    page_title: str | None = None
    publisher: str | None = None
    site_adcode: str | None = None


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one parser version made of one document: a `xxgk.report/1` record or an error, and
    what the document's report page prints."""

    document_sha256: str
    parser_version: str
    record: dict[str, Any] | None = None
    error: Error | None = None
    page: PageMetadata = PageMetadata()

    def __post_init__(self) -> None:
        if (self.record is None) == (self.error is None):
            raise ValueError("a parse result holds a record or an error, not both or neither")
