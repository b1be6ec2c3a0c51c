"""The parse service, the one way a report is parsed: archived bytes → DOC/WPS conversion →
`parsers.parse` → a `ParseResult` stamped with the parser version that made it, with what the
document's archived report page prints above its article.

The parser is given what the pipeline knows of a document (`ParseContext`): the report page's
title and 发布机构, and the portal's division in the site registry (`Document.site` is the
portal's start URL). The `reports` asset and `xxgk parse` both use it. Bad input is a
`ParseError` of its kind; any other exception from the parser is a bug, recorded as
`parser_bug` (counted apart from bad input), or raised when the service is strict
(`XXGK_PARSER_BUGS=raise`, as under the tests).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import parsers
from parsers.extract import MAX_BYTES
from parsers.page import read_page
from xxgk.archive import Archive, DigestMismatch
from xxgk.convert import to_docx
from xxgk.records import Document, Error, PageMetadata, ParseContext, ParseResult
from xxgk.registry import sites_by_id, sites_by_start_url
from xxgk.settings import Settings

logger = logging.getLogger(__name__)


class ParserBug(RuntimeError):
    """The parser raised something other than `ParseError` (strict services only)."""


def site_adcode(site: str) -> str | None:
    """The registry's GB/T 2260 code of a portal, named by its start URL or its registry id."""
    found = sites_by_id().get(site) or sites_by_start_url().get(site)
    return found.adcode if found else None


def parse_context(document: Document, page: PageMetadata) -> ParseContext:
    return ParseContext(
        page_title=document.title, publisher=page.publisher, site_adcode=site_adcode(document.site)
    )


def bug_message(error: Exception) -> str:
    """The exception and where the parser raised it, in one line."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{error!r} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"[:500]


@dataclass
class ParseService:
    strict: bool = False
    convert: Callable[[bytes], bytes] = to_docx

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseService:
        return cls(strict=settings.parser_bugs == "raise")

    @property
    def version(self) -> str:
        return parsers.PARSER_VERSION

    def parse_bytes(
        self,
        data: bytes,
        media_type: str | None = None,
        name: str | None = None,
        context: ParseContext | None = None,
    ) -> tuple[dict | None, Error | None]:
        """A record, or the error that says why there is none."""
        try:
            return parsers.parse(self.convert(data), media_type, name, context), None
        except parsers.ParseError as error:
            return None, Error(error.kind, error.message)
        except Exception as error:
            if self.strict:
                raise ParserBug(f"the parser failed on {name or 'a document'}") from error
            message = bug_message(error)
            logger.error("parser bug on %s: %s", name or "a document", message)
            return None, Error("parser_bug", message)

    def parse_document(self, archive: Archive, document: Document) -> ParseResult:
        """Parse a document from its archived bytes, and read its archived report page."""
        page = self.page_metadata(archive, document)
        try:
            data = archive.get(document.sha256)
        except DigestMismatch as exc:
            return self.result(document, error=Error("corrupt_archive", str(exc)), page=page)
        except FileNotFoundError as exc:
            return self.result(document, error=Error("archive_missing", str(exc)), page=page)
        context = parse_context(document, page)
        record, error = self.parse_bytes(data, document.media_type, document.file_name, context)
        return self.result(document, record=record, error=error, page=page)

    def page_metadata(self, archive: Archive, document: Document) -> PageMetadata:
        if document.page_sha256 is None:
            return PageMetadata()
        try:
            return read_page(archive.get(document.page_sha256))
        except (DigestMismatch, FileNotFoundError) as exc:
            logger.warning("report page %s unreadable in the archive: %s", document.url, exc)
            return PageMetadata()

    def result(self, document: Document, **outcome: object) -> ParseResult:
        return ParseResult(document.sha256, self.version, **outcome)  # type: ignore[arg-type]

    def parse_file(self, path: str | Path) -> tuple[dict | None, Error | None]:
        """`xxgk parse`: a file on disk; `unreadable` if it cannot be read."""
        try:
            if Path(path).stat().st_size > MAX_BYTES:
                return None, Error("too_large", f"over the {MAX_BYTES}-byte limit")
            data = Path(path).read_bytes()
        except OSError as error:
            return None, Error("unreadable", str(error))
        return self.parse_bytes(data, name=str(path))
