"""End to end: crawl the demo portal in a subprocess into a temporary archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from spiders.crawl import CrawlFailed, run_crawl_subprocess
from spiders.items import CAPTURE_FIELDS
from xxgk.archive import open_archive, sha256_hex
from xxgk.demo.portal import DemoPortal, load_manifest

MANIFEST = load_manifest()
DECOYS = MANIFEST["decoys"]


class Crawl:
    def __init__(self, portal: DemoPortal, captures: list[dict[str, Any]], archive: str) -> None:
        self.url = portal.url.rstrip("/")
        self.requested = portal.requested
        self.captures = captures
        self.archive = archive

    def paths(self, role: str) -> set[str]:
        return {self.path(c["url"]) for c in self.captures if c["role"] == role}

    def path(self, url: str) -> str:
        return url.removeprefix(self.url)

    def by_path(self, path: str) -> dict[str, Any]:
        (capture,) = [c for c in self.captures if self.path(c["url"]) == path]
        return capture


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    root = tmp_path_factory.mktemp("crawl")
    archive = str(root / "archive")
    with DemoPortal() as portal:
        captures = run_crawl_subprocess(
            [portal.url], archive, root / "captures.jsonl", polite=False, timeout=120
        )
        return Crawl(portal, captures, archive)


def test_finds_exactly_the_report_pages(crawl: Crawl) -> None:
    expected = {r["page"] for r in MANIFEST["reports"]} | {
        DECOYS["corrupt_pdf"]["page"],
        DECOYS["not_a_report"],
        DECOYS["missing"],
    }
    assert crawl.paths("report_page") == expected
    for decoy in (DECOYS["interpretation"], DECOYS["notice"]):
        assert decoy not in crawl.requested


def test_finds_exactly_the_attachments(crawl: Crawl) -> None:
    expected = {r["attachment"] for r in MANIFEST["reports"] if r["attachment"]}
    expected.add(DECOYS["corrupt_pdf"]["attachment"])
    assert crawl.paths("attachment") == expected
    for report in MANIFEST["reports"]:
        if report["attachment"]:
            attachment = crawl.by_path(report["attachment"])
            assert crawl.path(attachment["report_page_url"]) == report["page"]
            assert crawl.by_path(report["page"])["attachments"] == [attachment["url"]]


def test_walks_home_column_and_both_list_pages(crawl: Crawl) -> None:
    assert crawl.paths("home") == {"/"}
    assert crawl.paths("column") == {"/zwgk/"}
    assert crawl.paths("listing") == {
        "/zwgk/zfxxgknb/index.html",
        "/zwgk/zfxxgknb/index_1.html",
        "/zwgk/zfxxgknb/2017/index.html",
        DECOYS["robots_disallowed"],
    }


def test_dead_link_is_captured_as_http_404(crawl: Crawl) -> None:
    capture = crawl.by_path(DECOYS["missing"])
    assert capture["status"] == 404
    assert capture["error"]["kind"] == "http_404"
    assert capture["sha256"]  # the error page's bytes are archived too
    ok = [c for c in crawl.captures if c["status"] == 200]
    assert ok and all(c["error"] is None for c in ok)


def test_every_body_is_in_the_archive_under_its_hash(crawl: Crawl) -> None:
    archive = open_archive(crawl.archive)
    fetched = [c for c in crawl.captures if c["status"] is not None]
    assert len(fetched) == len(crawl.captures) - 1  # all but the robots-blocked one
    for capture in fetched:
        data = archive.get(capture["sha256"])
        assert sha256_hex(data) == capture["sha256"]
        assert len(data) == capture["size"]
    expected_pdf = (
        Path(__file__).parents[1] / "xxgk/demo/site" / DECOYS["corrupt_pdf"]["attachment"][1:]
    )
    corrupt = crawl.by_path(DECOYS["corrupt_pdf"]["attachment"])
    assert archive.get(corrupt["sha256"]) == expected_pdf.read_bytes()


def test_docx_file_name_comes_from_content_disposition(crawl: Crawl) -> None:
    (report,) = [r for r in MANIFEST["reports"] if r["format"] == "docx"]
    capture = crawl.by_path(report["attachment"])
    assert capture["file_name"] == report["file_name"]
    assert capture["media_type"].endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in capture["headers"]["Content-Disposition"]


def test_gbk_page_title_is_decoded_from_meta_charset(crawl: Crawl) -> None:
    (report,) = [r for r in MANIFEST["reports"] if r["charset"] == "gbk"]
    capture = crawl.by_path(report["page"])
    assert capture["title"] == report["title"]
    assert capture["media_type"] == "text/html"


def test_robots_disallowed_path_is_never_fetched(crawl: Crawl) -> None:
    assert not [path for path in crawl.requested if path.startswith("/admin/")]
    assert "/robots.txt" in crawl.requested
    blocked = crawl.by_path(DECOYS["robots_disallowed"])
    assert blocked["status"] is None
    assert blocked["error"]["kind"] == "robots_disallowed"


def test_stays_on_the_portal_host(crawl: Crawl) -> None:
    hosts = {urlsplit(c["url"]).netloc for c in crawl.captures}
    assert hosts == {urlsplit(crawl.url).netloc}


def test_records_carry_exactly_the_capture_fields(crawl: Crawl) -> None:
    for capture in crawl.captures:
        assert list(capture) == CAPTURE_FIELDS
        assert capture["site"] == crawl.url + "/"
        assert capture["fetched_at"].endswith("+00:00")
    assert crawl.by_path("/zwgk/")["referer"] == crawl.url + "/"


def test_report_pages_publication_metadata_reaches_the_capture_log(crawl: Crawl) -> None:
    (docx,) = [r for r in MANIFEST["reports"] if r["format"] == "docx"]
    assert crawl.by_path(docx["page"])["publication"] == {
        "index_number": "11410000000000000X/2020-3101",
        "publisher": "演示县人民政府办公室",
        "document_number": "演示政办〔2020〕3号",
        "issued_on": "2020-01-20",
        "written_on": "2020-01-19",
    }
    for report in MANIFEST["reports"]:  # four layouts, one page in GBK
        assert crawl.by_path(report["page"])["publication"] == report["publication"]
    assert crawl.by_path(DECOYS["missing"])["publication"] is None  # a 404
    assert {c["role"] for c in crawl.captures if c["publication"] is not None} == {"report_page"}


def test_crawl_that_cannot_run_raises(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with DemoPortal() as portal, pytest.raises(CrawlFailed):
        run_crawl_subprocess(
            [portal.url],
            str(not_a_directory),
            tmp_path / "captures.jsonl",
            polite=False,
            timeout=60,
        )
