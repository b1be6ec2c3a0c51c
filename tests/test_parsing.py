"""The parse service: archived bytes → record or error, stamped with the parser version, with
the report page's metadata read from the archived page."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import parsers
from xxgk.archive import LocalArchive
from xxgk.archive.base import object_key
from xxgk.demo.portal import SITE_DIR
from xxgk.parsing import ParserBug, ParseService
from xxgk.records import Document, Error, PageMetadata
from xxgk.workers import Limits

OFFICIAL = Path(__file__).parent / "fixtures" / "official"
REPORT = OFFICIAL / "000_332b3b6b687ea38f.docx"
PAGE = SITE_DIR / "zwgk" / "zfxxgknb" / "201901" / "t20190130_0801.html"


@pytest.fixture
def archive(tmp_path: Path) -> LocalArchive:
    return LocalArchive(tmp_path / "archive")


def document(archive: LocalArchive, report: bytes, page: bytes | None = None) -> Document:
    return Document(
        sha256=archive.put(report),
        url="http://portal.test/zfxxgknb/1.html",
        site="http://portal.test/",
        file_url="http://portal.test/files/1.docx",
        file_name="1.docx",
        page_sha256=archive.put(page) if page is not None else None,
    )


def test_a_report_and_its_page_from_the_archive(archive: LocalArchive) -> None:
    result = ParseService().parse_document(
        archive, document(archive, REPORT.read_bytes(), PAGE.read_bytes())
    )
    assert result.error is None and result.record is not None
    assert result.parser_version == parsers.PARSER_VERSION
    assert result.record["organ"]
    assert result.page == PageMetadata(
        index_number="11410000000000000X/2019-0801",
        publisher="演示县人民政府办公室",
        issued_on="2019-01-30",
    )


def test_bad_input_is_its_kind_and_still_reads_the_page(archive: LocalArchive) -> None:
    result = ParseService().parse_document(
        archive, document(archive, PAGE.read_bytes().replace(b"<table", b"<div"), PAGE.read_bytes())
    )
    assert result.record is None and result.error is not None
    assert result.error.kind == "old_template"  # the page's title: 2018年…年度报告
    assert result.page.publisher == "演示县人民政府办公室"


def test_archive_missing_and_corrupt_are_their_own_kinds(archive: LocalArchive) -> None:
    missing = Document(sha256="0" * 64, url="http://portal.test/", site="http://portal.test/")
    assert ParseService().parse_document(archive, missing).error.kind == "archive_missing"
    damaged = document(archive, REPORT.read_bytes())
    (archive.root / object_key(damaged.sha256)).write_bytes(b"not what was archived")
    assert ParseService().parse_document(archive, damaged).error.kind == "corrupt_archive"


def broken(*_: object) -> dict:
    """A parser with a bug: module-level, for a worker process to run it."""
    raise KeyError("applications")


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
def test_a_parser_exception_is_a_bug_not_bad_input(archive: LocalArchive, workers: int) -> None:
    target = document(archive, REPORT.read_bytes())
    result = ParseService(strict=False, parser=broken, workers=workers).parse_document(
        archive, target
    )
    assert result.error is not None and result.error.kind == "parser_bug"
    assert "KeyError('applications')" in result.error.message
    assert "test_parsing.py" in result.error.message  # where it was raised
    with pytest.raises(ParserBug, match="KeyError"):
        ParseService(strict=True, parser=broken, workers=workers).parse_document(archive, target)


def test_the_tests_run_strict() -> None:
    from xxgk.settings import Settings

    assert ParseService.from_settings(Settings.from_env()).strict


def test_a_file_that_cannot_be_read_is_unreadable(tmp_path: Path) -> None:
    record, error = ParseService().parse_file(tmp_path / "absent.pdf")
    assert record is None and error is not None and error.kind == "unreadable"


def hog(*_: object) -> dict:
    """A parser that needs more memory than any limit."""
    return {"held": len(bytearray(1 << 40))}


def stall(*_: object) -> dict:
    time.sleep(60)
    return {}


def crash(*_: object) -> dict:
    os._exit(70)  # as a crash in C code ends a worker


def damaged_by_memory(*_: object) -> dict:
    """A reader that takes its MemoryError for damage, as pdfminer's callers do."""
    try:
        bytearray(1 << 40)
    except MemoryError as error:
        raise parsers.ParseError("corrupt", "unreadable PDF: MemoryError()") from error
    return {}


@pytest.mark.parametrize(
    ("parser", "kind"),
    [(hog, "too_large"), (damaged_by_memory, "too_large"), (stall, "too_complex")],
)
def test_a_parse_over_its_limits_is_one_bounded_error(parser: object, kind: str) -> None:
    service = ParseService(parser=parser, workers=1, limits=Limits(1 << 30, seconds=2))  # type: ignore[arg-type]
    start = time.monotonic()
    record, error = service.parse_bytes(b"report", name="report.txt")
    assert record is None and error is not None and error.kind == kind
    assert time.monotonic() - start < 10
    assert ParseService(workers=1, limits=service.limits).parse_bytes(REPORT.read_bytes())[0]


def test_out_of_memory_in_process_is_too_large_not_corrupt() -> None:
    service = ParseService(parser=damaged_by_memory, workers=0)
    assert service.parse_bytes(b"report")[1] == Error("too_large", "out of memory")


def test_a_batch_outlives_its_bad_files_in_order(archive: LocalArchive) -> None:
    """Good reports among parses that crash their worker or go over its memory: each its own
    result, in the documents' order, from a pool of two workers."""
    good = document(archive, REPORT.read_bytes())
    page = document(archive, PAGE.read_bytes().replace(b"<table", b"<div"))
    documents = [good, page, good, page, good]
    results = ParseService(workers=2).parse_documents(archive, documents)
    assert [r.error.kind if r.error else "record" for r in results] == [
        "record", "old_template", "record", "old_template", "record",
    ]  # fmt: skip
    crashing = ParseService(strict=False, parser=crash, workers=2)
    outcomes = list(crashing.parse_files([REPORT] * 3))
    assert [error.kind for _, error in outcomes if error] == ["parser_bug"] * 3
    assert "worker died" in outcomes[0][1].message  # type: ignore[union-attr]
