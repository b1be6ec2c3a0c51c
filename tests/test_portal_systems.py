"""Site systems' farm sites crawled from their home URL alone, as `xxgk run` crawls a portal:
every report found and archived (inline and as PDF, DOCX, DOC, WPS, TXT, a ZIP holding a PDF),
no decoy, nothing robots.txt disallows, nothing off the site; the reports parse."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from parsers.extract import sniff_media_type
from tests.farm import reports
from tests.farm.gkmlpt import gkmlpt_site
from tests.farm.jeecms import jeecms_site
from tests.farm.server import Farm, Reply
from tests.fixtures.render.blocks import load_seed
from tests.fixtures.render.pdfdoc import render_pdf
from tests.test_portal_farm import Crawl, crawl, path
from xxgk.archive import LocalArchive
from xxgk.documents import select_documents, unpack_containers
from xxgk.parsing import ParseService
from xxgk.records import Document, ParseResult

SYSTEMS: dict[str, Callable[[], reports.System]] = {"gkmlpt": gkmlpt_site, "jeecms": jeecms_site}
Crawled = tuple[reports.System, Crawl, Path]
#: Quick retries, but time enough for a loaded machine: a timeout here would be a missed report.
PATIENT = ["-s", "XXGK_RETRY_BACKOFF_BASE=0.2", "-s", "DOWNLOAD_TIMEOUT=30"]


@pytest.fixture(scope="module", params=sorted(SYSTEMS))
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    system = SYSTEMS[request.param]()
    out = tmp_path_factory.mktemp(request.param)
    with Farm(system.site) as farm:
        captures = crawl(farm, out, system.site, extra=PATIENT)
        return system, Crawl(farm, system.site, captures), out


def test_every_report_and_its_files_are_found_from_the_home_url(crawled: Crawled) -> None:
    system, crawl_, out = crawled
    assert crawl_.paths("report_page") == system.site.reports
    assert crawl_.paths("attachment") == system.site.attachments
    archive = LocalArchive(out / "archive")
    for capture in crawl_.captures:
        if capture.role == "attachment":
            route = system.site.routes[path(capture.url)]
            assert isinstance(route, Reply) and capture.sha256
            assert archive.get(capture.sha256) == route.body  # the ZIP and the TXT too


def test_no_decoy_nothing_disallowed_nothing_off_site(crawled: Crawled) -> None:
    system, crawl_, _ = crawled
    requested = set(crawl_.requested)
    assert not system.decoys & requested
    assert not system.disallowed & requested
    assert {call.host for call in crawl_.farm.calls} == {system.site.host}
    expected = {p: "robots_disallowed" for p in system.disallowed}
    assert crawl_.errors() == expected | {p: "http_404" for p in system.gone}


def format_of(document: Document) -> str:
    if document.file_url is None:
        return "html"
    return urlsplit(document.file_url).path.rsplit(".", 1)[1]


def test_the_reports_parse_the_zip_as_its_pdf_the_old_one_as_no_record(crawled: Crawled) -> None:
    system, crawl_, out = crawled
    archive = LocalArchive(out / "archive")
    documents = unpack_containers(select_documents(crawl_.captures), archive)
    zipped = [d for d in documents if format_of(d) == "zip"]
    assert [(d.file_name, sniff_media_type(archive.get(d.sha256))) for d in zipped] == [
        (f"{reports.title('zip')}.pdf", "application/pdf")
    ]
    service = ParseService(strict=True, workers=0)
    parsed: dict[str, list[ParseResult]] = {}
    old = []
    for document in documents:
        result = service.parse_document(archive, document)
        if path(document.url) == system.old:
            old.append(result)
            old_page = system.site.routes[system.old]
            assert isinstance(old_page, Reply) and archive.get(document.sha256) == old_page.body
        else:
            parsed.setdefault(format_of(document), []).append(result)
    found = {
        format: {(r.record["organ"], r.record["year"]) for r in results if r.record}
        for format, results in parsed.items()
    }
    for format in reports.FORMATS:
        assert expected(format) in found[format], format
    (pre_2019,) = old
    assert pre_2019.record is None and pre_2019.error is not None  # archived, no record
    assert pre_2019.error.kind == "old_template"


def expected(format: str) -> tuple[str, int]:
    """The organ and year of the seed `format` publishes, as its PDF rendering parses."""
    return pdf_record(reports.FORMATS[format])


@cache
def pdf_record(seed: str) -> tuple[str, int]:
    blocks = load_seed(seed).blocks
    record, error = ParseService(strict=True, workers=0).parse_bytes(render_pdf(blocks))
    assert record is not None, error
    return record["organ"], record["year"]
