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

import functools
import logging
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

import parsers
from parsers.extract import MAX_BYTES
from parsers.page import read_page
from xxgk import workers
from xxgk.archive import Archive, DigestMismatch
from xxgk.convert import to_docx
from xxgk.records import Document, Error, PageMetadata, ParseContext, ParseResult
from xxgk.registry import sites_by_id, sites_by_start_url
from xxgk.settings import PARSE_MEMORY_MB, PARSE_SECONDS, Settings

logger = logging.getLogger(__name__)

#: What each worker imports once, before its first job.
PRELOAD = ("xxgk.parsing", "parsers.record", "parsers.extract")
LIMITS = workers.Limits(memory_bytes=PARSE_MEMORY_MB << 20, seconds=PARSE_SECONDS)
_T = TypeVar("_T")
_R = TypeVar("_R")
#: A parse's outcome: a record, or the error that says why there is none, or a parser bug's
#: message.
Outcome = tuple[dict | None, Error | None, str | None]


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


def parse_outcome(
    parser: Callable[..., dict],
    data: bytes,
    media_type: str | None,
    name: str | None,
    context: ParseContext | None,
) -> Outcome:
    """`parser` (`parsers.parse`) on the bytes, as a worker runs it. Out of memory is
    `too_large` (also where a reader took the MemoryError for damage); any exception but
    `ParseError` is a bug. A MemoryError raised here ends the worker."""
    try:
        return parser(data, media_type, name, context), None, None
    except parsers.ParseError as error:
        if _out_of_memory(error):
            raise MemoryError from error
        return None, Error(error.kind, error.message), None
    except MemoryError:
        raise
    except Exception as error:
        return None, None, bug_message(error)


def parse_image_pages(
    images: Sequence[bytes],
    media_type: str | None,
    name: str | None,
    context: ParseContext | None,
) -> dict:
    """`parsers.parse_images` as a service's `parser`: a report page's images, in page order."""
    return parsers.parse_images(images, context)


def _out_of_memory(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, MemoryError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


@dataclass
class ParseService:
    """`workers` processes parse, each parse under `limits` (`xxgk.workers`): a parse over its
    memory is `too_large`, over its time `too_complex`, and one that kills its worker a
    `parser_bug`; none of them costs the batch more. `workers=0` parses in this process,
    unbounded. `parser` is what the workers run (a module-level function)."""

    strict: bool = False
    convert: Callable[[bytes], bytes] = to_docx
    parser: Callable[..., dict] = parsers.parse
    workers: int = field(default_factory=workers.cpu_count)
    limits: workers.Limits = LIMITS

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseService:
        count = settings.parse_workers
        return cls(
            strict=settings.parser_bugs == "raise",
            workers=workers.cpu_count() if count is None else count,
            limits=workers.Limits(settings.parse_memory_mb << 20, settings.parse_seconds),
        )

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
            record, error, bug = self._outcome(self.convert(data), media_type, name, context)
        except parsers.ParseError as refused:  # by the conversion
            return None, Error(refused.kind, refused.message)
        except Exception as failure:
            record, error, bug = None, None, bug_message(failure)
        if bug is None:
            return record, error
        if self.strict:
            raise ParserBug(f"the parser failed on {name or 'a document'}: {bug}")
        logger.error("parser bug on %s: %s", name or "a document", bug)
        return None, Error("parser_bug", bug)

    def _outcome(
        self, data: bytes, media_type: str | None, name: str | None, context: ParseContext | None
    ) -> Outcome:
        if not self.workers:
            try:
                return parse_outcome(self.parser, data, media_type, name, context)
            except MemoryError:
                return None, Error("too_large", "out of memory"), None
        pool = workers.shared(self.workers, self.limits, PRELOAD)
        try:
            return pool.run(parse_outcome, self.parser, data, media_type, name, context)
        except workers.OverLimit as over:
            if over.limit == "crash":
                return None, None, f"the parse's worker died: {over.message}"
            kind = "too_large" if over.limit == "memory" else "too_complex"
            return None, Error(kind, f"the parse went {over.message}"), None

    def parse_documents(self, archive: Archive, documents: Sequence[Document]) -> list[ParseResult]:
        """`parse_document` of each document, `workers` at a time; in their order."""
        parse = functools.partial(self.parse_document, archive)
        return list(self._each(parse, documents, "document"))

    def parse_files(
        self, paths: Sequence[str | Path]
    ) -> Iterator[tuple[dict | None, Error | None]]:
        """`parse_file` of each path, `workers` at a time; in their order, each when ready."""
        return self._each(self.parse_file, paths, "file")

    def _each(self, parse: Callable[[_T], _R], items: Sequence[_T], unit: str) -> Iterator[_R]:
        """With a bar of the `unit`s parsed, their rate and the time left, on a terminal."""
        threads = ThreadPoolExecutor(max(1, self.workers), thread_name_prefix="xxgk-parse")
        progress = tqdm(
            total=len(items), desc=f"{unit}s parsed", unit=unit, disable=None, leave=False
        )
        try:
            for result in threads.map(parse, items):
                progress.update()
                yield result
        finally:
            progress.close()
            threads.shutdown(cancel_futures=True)  # a strict service's bug stops the batch

    def parse_document(self, archive: Archive, document: Document) -> ParseResult:
        """Parse a document from its archived bytes, and read its archived report page. A page
        that pastes its report as pictures is read from its archived images, in page order,
        under the same guards and limits as any other document."""
        page = self.page_metadata(archive, document)
        try:
            stored = [archive.get(digest) for digest in document.images or (document.sha256,)]
        except DigestMismatch as exc:
            return self.result(document, error=Error("corrupt_archive", str(exc)), page=page)
        except FileNotFoundError as exc:
            return self.result(document, error=Error("archive_missing", str(exc)), page=page)
        context = parse_context(document, page)
        if document.images:  # no DOC/WPS conversion: the parser is given the images
            pages = replace(self, parser=parse_image_pages, convert=lambda images: images)
            record, error = pages.parse_bytes(stored, context=context)  # type: ignore[arg-type]
        else:
            (data,) = stored
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
