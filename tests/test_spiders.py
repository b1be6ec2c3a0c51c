"""End to end: crawl the demo portal in a subprocess into a temporary archive, then recrawl it;
and the Scrapy project run with the `scrapy` command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from ast import literal_eval
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from parsers.page import read_page
from spiders.capturelog import read_captures
from spiders.launch import CrawlFailed, run_crawl_subprocess
from spiders.settings import USER_AGENT
from xxgk.archive import open_archive, sha256_hex
from xxgk.demo.portal import DemoPortal, load_manifest
from xxgk.records import LOG_FIELDS, Capture, PageMetadata

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = [sys.executable, "-m", "scrapy"]
MANIFEST = load_manifest()
DECOYS = MANIFEST["decoys"]


class Crawl:
    def __init__(self, portal: DemoPortal, log: Path, archive: str) -> None:
        self.url = portal.url.rstrip("/")
        self.requested = portal.requested
        self.log = log
        self.captures = read_captures(log)
        self.archive = archive

    def paths(self, role: str) -> set[str]:
        return {self.path(c.url) for c in self.captures if c.role == role}

    def path(self, url: str) -> str:
        return url.removeprefix(self.url)

    def by_path(self, path: str) -> Capture:
        (capture,) = [c for c in self.captures if self.path(c.url) == path]
        return capture


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, Crawl]:
    """The demo portal crawled, then recrawled into the same archive."""
    root = tmp_path_factory.mktemp("crawl")
    archive = str(root / "archive")
    with DemoPortal() as portal:
        first, second = root / "first.jsonl", root / "second.jsonl"
        run_crawl_subprocess([portal.url], archive, first, polite=False, timeout=120)
        crawled = Crawl(portal, first, archive)
        run_crawl_subprocess(
            [portal.url], archive, second, polite=False, timeout=120, previous_captures=first
        )
        return crawled, Crawl(portal, second, archive)


@pytest.fixture(scope="module")
def crawl(crawls: tuple[Crawl, Crawl]) -> Crawl:
    return crawls[0]


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
            assert attachment.report_page_url
            assert crawl.path(attachment.report_page_url) == report["page"]
            assert crawl.by_path(report["page"]).attachments == [attachment.url]


def test_walks_home_column_and_both_list_pages(crawl: Crawl) -> None:
    assert crawl.paths("home") == {"/"}
    assert crawl.paths("column") == {"/zwgk/", "/zwgk/fdzdgknr/index.html"}  # 法定主动公开内容
    assert crawl.paths("listing") == {
        "/zwgk/zfxxgknb/index.html",
        "/zwgk/zfxxgknb/index_1.html",
        "/zwgk/zfxxgknb/2017/index.html",
        DECOYS["robots_disallowed"],
    }


def test_dead_link_is_captured_as_http_404(crawl: Crawl) -> None:
    capture = crawl.by_path(DECOYS["missing"])
    assert capture.status == 404
    assert capture.error and capture.error.kind == "http_404"
    assert capture.sha256  # the error page's bytes are archived too
    ok = [c for c in crawl.captures if c.status == 200]
    assert ok and all(c.error is None for c in ok)


def test_every_body_is_in_the_archive_under_its_hash(crawl: Crawl) -> None:
    archive = open_archive(crawl.archive)
    fetched = [c for c in crawl.captures if c.status is not None]
    assert len(fetched) == len(crawl.captures) - 1  # all but the robots-blocked one
    for capture in fetched:
        assert capture.sha256 and capture.body is None and capture.revisits is None
        data = archive.get(capture.sha256)
        assert sha256_hex(data) == capture.sha256
        assert len(data) == capture.size
    expected_pdf = ROOT / "xxgk/demo/site" / DECOYS["corrupt_pdf"]["attachment"][1:]
    corrupt = crawl.by_path(DECOYS["corrupt_pdf"]["attachment"])
    assert corrupt.sha256 and archive.get(corrupt.sha256) == expected_pdf.read_bytes()


def test_docx_file_name_comes_from_content_disposition(crawl: Crawl) -> None:
    (report,) = [r for r in MANIFEST["reports"] if r["format"] == "docx"]
    capture = crawl.by_path(report["attachment"])
    assert capture.file_name == report["file_name"]
    assert capture.media_type and capture.media_type.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in capture.headers["Content-Disposition"]


def test_gbk_page_title_is_decoded_from_meta_charset(crawl: Crawl) -> None:
    (report,) = [r for r in MANIFEST["reports"] if r["charset"] == "gbk"]
    capture = crawl.by_path(report["page"])
    assert capture.title == report["title"]
    assert capture.media_type == "text/html"


def test_robots_disallowed_path_is_never_fetched(crawl: Crawl) -> None:
    assert not [path for path in crawl.requested if path.startswith("/admin/")]
    assert "/robots.txt" in crawl.requested
    blocked = crawl.by_path(DECOYS["robots_disallowed"])
    assert blocked.status is None and blocked.sha256 is None
    assert blocked.error and blocked.error.kind == "robots_disallowed"


def test_stays_on_the_portal_host(crawl: Crawl) -> None:
    hosts = {urlsplit(c.url).netloc for c in crawl.captures}
    assert hosts == {urlsplit(crawl.url).netloc}


def test_the_log_holds_exactly_the_capture_fields(crawl: Crawl) -> None:
    lines = [json.loads(line) for line in crawl.log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(crawl.captures)
    for logged in lines:
        assert tuple(logged) == LOG_FIELDS  # no body, no page metadata: read at parse time
        assert logged["site"] == crawl.url + "/"
        assert logged["fetched_at"].endswith("+00:00")
    assert crawl.by_path("/zwgk/").referer == crawl.url + "/"


def test_archived_report_pages_give_their_metadata(crawl: Crawl) -> None:
    archive = open_archive(crawl.archive)
    for report in MANIFEST["reports"]:  # four layouts, one page in GBK
        page = crawl.by_path(report["page"])
        assert page.sha256
        assert read_page(archive.get(page.sha256)) == PageMetadata(**report["publication"])


def test_recrawl_records_unchanged_pages_as_304_revisits_without_a_body(
    crawls: tuple[Crawl, Crawl],
) -> None:
    first, second = crawls
    assert {c.url for c in second.captures} == {c.url for c in first.captures}
    before = {c.url: c for c in first.captures}
    unchanged = [c for c in second.captures if c.status == 304]
    # every page and robots.txt: all that had a 200 and an ETag
    assert {c.url for c in unchanged} == {c.url for c in first.captures if c.status == 200}
    assert len(unchanged) == 17
    for capture in unchanged:
        earlier = before[capture.url]
        assert capture.revisits == earlier.fetched_at != capture.fetched_at
        assert (capture.sha256, capture.size) == (earlier.sha256, earlier.size)
        assert capture.error is None and capture.role == earlier.role
        # the headers the 304 brought, not the earlier response's merged in
        brought = {name.lower(): value for name, value in capture.headers.items()}
        assert "content-type" not in brought and brought.get("content-length", "0") == "0"
        assert "etag" in brought
    # the pages a 304 leads to are still visited, from the archived bytes
    assert second.by_path(DECOYS["missing"]).status == 404
    assert second.paths("attachment") == first.paths("attachment")


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


def project_env(data_dir: Path) -> dict[str, str]:
    """The environment of a command run with `XXGK_DATA_DIR` and no other location set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XXGK_")}
    return {**env, "XXGK_DATA_DIR": str(data_dir)}


def run(command: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=ROOT,
        env=project_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_scrapy_list_finds_the_portal_spider(tmp_path: Path) -> None:
    assert run([*SCRAPY, "list"], tmp_path).stdout.split() == ["portal"]


def test_scrapy_crawl_archives_what_xxgk_crawl_archives(tmp_path: Path) -> None:
    no_deprecations = ["-W", "error::scrapy.exceptions.ScrapyDeprecationWarning"]
    with DemoPortal() as portal:
        run([sys.executable, "-m", "xxgk.cli", "crawl", "--no-polite", portal.url], tmp_path)
        (by_xxgk,) = (tmp_path / "crawls").glob("*.jsonl")
        scrapy_crawl = ["crawl", "portal", "-a", f"start_urls={portal.url}"]
        done = run(
            [
                sys.executable,
                *no_deprecations,
                "-m",
                "scrapy",
                *scrapy_crawl,
                "-s",
                "XXGK_POLITE=0",
            ],
            tmp_path,
        )
    assert "Deprecat" not in done.stderr
    assert "'finish_reason': 'finished'" in done.stderr
    (by_scrapy,) = set((tmp_path / "crawls").glob("*.jsonl")) - {by_xxgk}
    assert by_scrapy.name.startswith("portal-")

    def kept(log: Path) -> set[tuple[str, str, int | None, str | None]]:
        return {(c.url, c.role, c.status, c.sha256) for c in read_captures(log)}

    assert kept(by_scrapy) == kept(by_xxgk)
    assert len(kept(by_scrapy)) == 20
    archive = open_archive(str(tmp_path / "archive"))
    for _, _, _, sha256 in kept(by_scrapy):
        assert sha256 is None or sha256_hex(archive.get(sha256)) == sha256
    assert {p.name for p in (tmp_path / "archive" / "warc").glob("portal-*.warc.gz")}


def test_scrapy_shell_fetches_with_the_project_settings_and_archives_nothing(
    tmp_path: Path,
) -> None:
    show = "response.status, response.request.headers[b'User-Agent'].decode()"
    with DemoPortal() as portal:
        done = run([*SCRAPY, "shell", portal.url, "-c", show], tmp_path)
        requested = portal.requested
    assert literal_eval(done.stdout.strip()) == (200, USER_AGENT)  # not Scrapy's default
    assert requested == ["/robots.txt", "/"]  # robots.txt obeyed
    assert not list(tmp_path.rglob("*.jsonl")) and not list(tmp_path.rglob("*.warc.gz"))
