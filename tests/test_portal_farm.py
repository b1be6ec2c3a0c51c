"""The spider against the portal farm: every site system, failure and politeness rule."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from parsers import parse
from parsers.page import read_page
from spiders.capturelog import read_captures
from spiders.launch import crawl_command
from tests.farm import sites
from tests.farm.server import Farm, Site
from tests.warcs import read_warc
from xxgk import cli
from xxgk.archive import LocalArchive
from xxgk.archive.base import sha256_hex
from xxgk.documents import select_documents
from xxgk.parsing import ParseService
from xxgk.records import Capture, PageMetadata

FAST = ["-s", "XXGK_RETRY_BACKOFF_BASE=0.2", "-s", "DOWNLOAD_TIMEOUT=2"]


class Crawl:
    def __init__(self, farm: Farm, site: Site, captures: list[Capture]) -> None:
        self.farm = farm
        self.site = site
        self.captures = [c for c in captures if c.site == site.url]

    def paths(self, role: str, ok: bool = True) -> set[str]:
        return {path(c.url) for c in self.captures if c.role == role and (c.error is None) is ok}

    def by_path(self, target: str) -> Capture:
        (capture,) = [c for c in self.captures if path(c.url) == target]
        return capture

    def errors(self) -> dict[str, str]:
        return {path(c.url): c.error.kind for c in self.captures if c.error}

    @property
    def requested(self) -> list[str]:
        return self.farm.requested(self.site.host)


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(
    farm: Farm, out: Path, *start: Site, polite: bool = False, extra: list[str] = FAST, **kw: Any
) -> list[Capture]:
    command = crawl_command(
        [site.url for site in start], str(out / "archive"), out / "captures.jsonl", polite, **kw
    )
    env = {**os.environ, "http_proxy": farm.proxy}
    subprocess.run([*command, *extra], env=env, timeout=120, check=True)
    return read_captures(out / "captures.jsonl")


@pytest.fixture(scope="module")
def farm_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("farm")


@pytest.fixture(scope="module")
def farm_crawl(farm_out: Path) -> Iterator[dict[str, Crawl]]:
    farm_sites = list(sites.all_sites())
    with Farm(*farm_sites) as farm:
        extra = [*FAST, "-s", "XXGK_MAX_LIST_PAGES=6"]
        captures = crawl(farm, farm_out, *farm_sites, extra=extra)
        yield {site.host.split(".")[0]: Crawl(farm, site, captures) for site in farm_sites}


@pytest.mark.parametrize("name", ["hanweb", "oldhanweb", "trs", "gkmlpt"])
def test_site_system_lists_yield_exactly_their_reports(
    farm_crawl: dict[str, Crawl], name: str
) -> None:
    crawled = farm_crawl[name]
    assert crawled.paths("report_page") == crawled.site.reports
    assert crawled.paths("attachment") == crawled.site.attachments
    assert not crawled.errors()


def test_generic_site_finds_its_reports_and_records_every_failure(
    farm_crawl: dict[str, Crawl],
) -> None:
    crawled = farm_crawl["generic"]
    assert crawled.paths("report_page") == crawled.site.reports
    assert crawled.paths("attachment") == crawled.site.attachments
    assert crawled.errors() == {
        "/xxgk/nb/2019.html": "http_404",
        "/xxgk/nb/2018.html": "soft_404",
        "/loop/a": "redirect",
        "/private/2021.html": "robots_disallowed",
    }
    assert crawled.requested.count("/loop/a") <= 3


def test_gbk_page_without_header_charset_is_decoded(farm_crawl: dict[str, Crawl]) -> None:
    crawled = farm_crawl["generic"]
    capture = crawled.by_path("/xxgk/nb/2023.html")
    assert capture.title == sites.title(2023)
    assert "charset" not in capture.headers["Content-Type"]


def test_hash_url_attachments_are_named_from_disposition_or_anchor_text(
    farm_crawl: dict[str, Crawl],
) -> None:
    crawled = farm_crawl["generic"]
    by_header = crawled.by_path("/getfile/c9f0f895fb98ab91")
    assert by_header.file_name == "某县2022年政府信息公开工作年度报告.pdf"
    assert by_header.media_type == "application/pdf"
    by_text = crawled.by_path("/download?id=8f14e45fceea167a")
    assert by_text.file_name == "2023年年度报告.pdf"
    assert by_text.report_page_url == "http://generic.farm.test/xxgk/nb/2023.html"


def test_archived_report_pages_give_their_metadata(
    farm_crawl: dict[str, Crawl], farm_out: Path
) -> None:
    archive = LocalArchive(farm_out / "archive")

    def page(name: str, target: str) -> PageMetadata:
        sha256 = farm_crawl[name].by_path(target).sha256
        assert sha256
        return read_page(archive.get(sha256))

    assert page("hanweb", "/art/2024/1/15/art_101_0.html") == PageMetadata(
        index_number="000000/2024-00001", publisher="某县人民政府", issued_on="2024-01-15"
    )
    assert page("trs", "/zwgk/zfxxgknb/202401/t20240115_1.shtml") == PageMetadata(
        publisher="城关镇人民政府",
        issued_on="2024-01-15",  # 来源 on a line
    )
    assert page("gkmlpt", "/gkmlpt/content/2/2855/post_1007.html") == PageMetadata(
        index_number="007542/2024-00012",
        publisher="某区第7街道办事处",
        document_number="某府办〔2024〕1号",
        issued_on="2024-01-15",
        written_on="2024-01-12",
    )
    assert page("generic", "/xxgk/nb/2023.html") == PageMetadata()  # a page that prints none


def test_endless_next_links_stop_at_the_page_cap(farm_crawl: dict[str, Crawl]) -> None:
    crawled = farm_crawl["generic"]
    lists = [t for t in crawled.requested if t.startswith(("/xxgk/nb/list_", "/xxgk/nb/index"))]
    assert len(lists) == len(crawled.paths("listing")) == 6
    assert "/xxgk/nb/list_7.html" not in crawled.requested


def test_paging_does_not_count_against_the_depth_limit(tmp_path: Path) -> None:
    site = sites.deep(pages=14)
    with Farm(site) as farm:
        captures = crawl(farm, tmp_path, site)
    crawled = Crawl(farm, site, captures)
    assert len(crawled.paths("listing")) == 14
    assert crawled.paths("report_page") == site.reports == {"/xxgk/nb/last.html"}


def test_robots_disallowed_off_site_and_mirror_links_are_not_fetched(
    farm_crawl: dict[str, Crawl],
) -> None:
    farm = farm_crawl["generic"].farm
    assert "/private/2021.html" not in farm.requested("generic.farm.test")
    hosts = {call.host for call in farm.calls}
    assert hosts == {site.site.host for site in farm_crawl.values()}
    for crawled in farm_crawl.values():
        assert crawled.requested[0] == "/robots.txt"


def test_decoys_are_not_followed(farm_crawl: dict[str, Crawl]) -> None:
    assert "/art/2024/1/15/art_101_99.html" not in farm_crawl["hanweb"].requested
    trs = farm_crawl["trs"].requested
    assert not [t for t in trs if t.startswith("/zwgk/zfxxgknb/202401/t20240116")]
    assert "/gkmlpt/api/all/2850?page=1&sid=755123" not in farm_crawl["gkmlpt"].requested


def test_reports_titled_as_in_the_field_are_found_and_their_look_alikes_left(
    tmp_path: Path,
) -> None:
    site = sites.field_titles()
    with Farm(site) as farm:
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site))
        requested = set(crawled.requested)
    assert crawled.paths("report_page") == site.reports
    assert crawled.paths("attachment") == site.attachments
    assert crawled.paths("listing") == {"/xxgk/nb/", "/xxgk/nb/2020/", "/xxgk/bm/jyj/"}
    assert crawled.by_path("/xxgk/bm/jyj/t20230120_1.html").title == "2022年度"
    decoys = {"/news/t20240110_5.html", "/xxgk/bm/jyj/t20230121_9.html"}
    decoys |= {"/xxgk/nb/202212/t20221201_6.html"}  # the notice about compiling
    decoys |= {f"/xxgk/nb/202302/t20230201_{n}.html" for n in (4, 5, 7, 8)}
    assert not decoys & requested
    assert not crawled.errors()


def test_hanweb_proxy_is_asked_by_post_with_the_page_parameters(
    farm_crawl: dict[str, Crawl],
) -> None:
    farm = farm_crawl["hanweb"].farm
    posts = [c for c in farm.calls if c.host == "hanweb.farm.test" and c.method == "POST"]
    assert sorted(c.query["startrecord"] for c in posts) == ["1", "4", "7"]
    assert all(c.form["columnid"] == "101" and c.form["unitid"] == "5001" for c in posts)


def test_trs_pages_numbered_from_2_when_the_first_page_says_it_is_page_1(
    farm_crawl: dict[str, Crawl],
) -> None:
    crawled = farm_crawl["trs"]
    assert {"/zwgk/zfxxgknb/2020/index_2.html", "/zwgk/zfxxgknb/2020/index_3.html"} <= set(
        crawled.requested
    )
    assert "/zwgk/zfxxgknb/2020/index_1.html" not in crawled.requested
    assert {p for p in crawled.paths("report_page") if "/2020/" in p} == {
        f"/zwgk/zfxxgknb/2020/t2020_{n}.html" for n in range(1, 4)
    }


def test_start_redirect_widens_the_site_later_redirects_off_it_are_refused(
    tmp_path: Path,
) -> None:
    start, www, elsewhere = sites.moved()
    with Farm(start, www, elsewhere) as farm:
        crawled = Crawl(farm, start, crawl(farm, tmp_path, start))
        calls = farm.calls
    assert crawled.paths("report_page") == www.reports
    assert crawled.paths("attachment") == www.attachments
    refused = "http://elsewhere.farm.test/nb/2021.html"
    assert {c.url: c.error.kind for c in crawled.captures if c.error} == {
        refused: "offsite_redirect"
    }
    assert (
        "http://www.moved.farm.test/xxgk/nb/2021.html"
        in crawled.by_path("/nb/2021.html").error.message  # type: ignore[union-attr]
    )
    assert not [call for call in calls if call.host == elsewhere.host]
    hosts = {urlsplit(c.url).hostname for c in crawled.captures if c.status}
    assert hosts == {www.host}


def test_server_trouble_is_retried_with_backoff_client_errors_are_not(tmp_path: Path) -> None:
    site = sites.flaky()
    with Farm(site) as farm:
        backoff = ["-s", "XXGK_RETRY_BACKOFF_BASE=1", "-s", "DOWNLOAD_TIMEOUT=1"]
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site, extra=backoff))
        assert crawled.paths("report_page") == site.reports
        assert crawled.errors() == {
            "/xxgk/nb/2021.html": "timeout",
            "/xxgk/nb/2020.html": "connection",
            "/xxgk/nb/2019.html": "http_4xx",
        }
        times = {t: [c.at for c in farm.calls if c.target == t] for t in crawled.requested}
    assert len(times["/xxgk/nb/2019.html"]) == 1  # 403: not retried
    assert len(times["/xxgk/nb/2021.html"]) == 3  # RETRY_TIMES = 2
    busy, throttled = times["/xxgk/nb/2023.html"], times["/xxgk/nb/2022.html"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 1.0
    assert len(throttled) == 2 and throttled[1] - throttled[0] >= 2.0  # Retry-After: 2
    reset = times["/xxgk/nb/2020.html"]  # retried by Scrapy twice (Twisted may add its own)
    assert reset[-1] - reset[0] >= 3.0  # 1s, then 2s


def test_anti_bot_challenge_is_recorded_and_stops_the_site(tmp_path: Path) -> None:
    site = sites.challenged()
    with Farm(site) as farm:
        polite_but_quick = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "AUTOTHROTTLE_ENABLED=False"]
        crawled = Crawl(
            farm, site, crawl(farm, tmp_path, site, polite=True, extra=polite_but_quick)
        )
        requested = crawled.requested
    assert crawled.errors() == {"/xxgk/nb/": "blocked"}
    assert requested[-1] == "/xxgk/nb/"  # nothing after the challenge
    never_asked = {f"/xxgk/bm{n}/{page}" for n in range(3) for page in ("", "1.html")}
    assert never_asked - set(requested)  # though the site still had pages to give
    assert crawled.by_path("/xxgk/nb/").status == 412


def test_js_only_shell_is_marked_needs_browser(tmp_path: Path) -> None:
    site = sites.shell()
    with Farm(site) as farm:  # without the browser (rendering it: tests/test_browser.py)
        no_browser = [*FAST, "-s", "XXGK_BROWSER_PAGES=0"]
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site, extra=no_browser))
        assert crawled.errors() == {"/": "needs_browser"}
        assert crawled.requested == ["/robots.txt", "/"]


def test_recrawl_asks_conditionally_and_records_304_as_unchanged(tmp_path: Path) -> None:
    site = sites.trs()
    changed = "/zwgk/zfxxgknb/202401/t20240115_0.shtml"
    with Farm(site) as farm:
        first = crawl(farm, tmp_path / "first", site)
        site.routes[changed] = sites.report(sites.title(2023) + "（更正）", changed[:-6] + ".pdf")
        archive = tmp_path / "first" / "archive"
        objects = {p.name for p in (archive / "sha256").rglob("*") if p.is_file()}
        second = crawl(
            farm,
            tmp_path / "second",
            site,
            previous_captures=tmp_path / "first/captures.jsonl",
            extra=[*FAST, "-s", f"XXGK_ARCHIVE_URL={archive}"],
        )
        conditional = [c for c in farm.calls if "If-None-Match" in c.headers]
    assert {c.url for c in second} == {c.url for c in first}
    statuses = {path(c.url): c.status for c in second if c.status}
    assert statuses[changed] == 200
    assert {s for p, s in statuses.items() if p != changed} == {304}  # robots.txt too
    assert len(conditional) == len(statuses)
    before = {c.url: c for c in first}
    for capture in second:
        earlier = before[capture.url]
        if capture.status == 304:  # the earlier capture's bytes, named, not sent again
            assert (capture.sha256, capture.size) == (earlier.sha256, earlier.size)
            assert capture.revisits == earlier.fetched_at
        else:
            assert capture.revisits is None
    new_objects = {p.name for p in (archive / "sha256").rglob("*") if p.is_file()} - objects
    assert len(new_objects) == 1  # the changed page's bytes, nothing else


def test_killed_crawl_resumes_from_its_jobdir_without_loss_or_repeats(tmp_path: Path) -> None:
    site = sites.slow()
    sequential = ["-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_ENABLED=False"]
    with Farm(site) as farm:
        clean = crawl(farm, tmp_path / "clean", site, polite=True, extra=sequential)
        out, jobdir = tmp_path / "resumed", tmp_path / "resumed" / "job"
        command = crawl_command(
            [site.url], str(out / "archive"), out / "captures.jsonl", True, jobdir=jobdir
        )
        env = {**os.environ, "http_proxy": farm.proxy}
        child = subprocess.Popen([*command, *sequential], env=env)
        while len(read_captures(out / "captures.jsonl")) < 12:
            assert child.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.05)
        child.kill()
        child.wait()
        killed = read_captures(out / "captures.jsonl")
        calls_before = len(farm.calls)
        resumed = crawl(farm, out, site, polite=True, extra=sequential, jobdir=jobdir)
        refetched = [c.target for c in farm.calls[calls_before:]]
    assert 12 <= len(killed) < len(clean)
    urls = [c.url for c in resumed]
    assert len(urls) == len(set(urls))
    assert {(c.url, c.role) for c in resumed} == {(c.url, c.role) for c in clean}
    assert not {path(c.url) for c in killed if c.role == "report_page"} & set(refetched)


def test_crawl_only_command_archives_and_logs_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("XXGK_ARCHIVE_URL", "XXGK_CRAWL_DIR"):
        monkeypatch.delenv(name, raising=False)
    site = sites.trs()
    with Farm(site) as farm:
        monkeypatch.setenv("http_proxy", farm.proxy)
        assert cli.main(["crawl", "--data", str(tmp_path), "--no-polite", site.url]) == 0
    log = Path(capsys.readouterr().out.strip())
    assert log.parent == tmp_path / "crawls"
    crawled = Crawl(farm, site, read_captures(log))
    assert crawled.paths("report_page") == site.reports
    stored = {p.name for p in (tmp_path / "archive" / "sha256").rglob("*") if p.is_file()}
    assert {c.sha256 for c in crawled.captures} == stored
    assert not (tmp_path / "warehouse.db").exists()


def test_crawl_only_command_with_nothing_to_crawl(tmp_path: Path) -> None:
    command = ["crawl", "--data", str(tmp_path), "--registry-filter", "no-such-portal-anywhere"]
    assert cli.main(command) == 2
    assert not (tmp_path / "crawls").exists()


def test_report_files_linked_straight_from_any_page_are_documents_once(tmp_path: Path) -> None:
    site = sites.straight()
    with Farm(site) as farm:
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site))
    assert crawled.paths("attachment") == site.attachments
    documents = {path(d.file_url or ""): d for d in select_documents(crawled.captures)}
    assert set(documents) == set(sites.STRAIGHT_REPORTS)  # the copy is the page's attachment
    from_home, from_list = documents["/files/nb2019.pdf"], documents["/xxgk/nb/P2020.pdf"]
    assert (from_home.url, from_home.title, from_home.page_sha256) == (
        site.url, sites.title(2019), None
    )  # fmt: skip
    assert (from_list.url, from_list.title) == (f"{site.url}xxgk/nb/", sites.title(2020))
    attached = documents["/xxgk/nb/2021/qw.pdf"]
    assert attached.url == f"{site.url}xxgk/nb/2021.html"
    assert attached.page_sha256 == crawled.by_path("/xxgk/nb/2021.html").sha256
    archive, service = LocalArchive(tmp_path / "archive"), ParseService(strict=True, workers=0)
    for target, name in sites.STRAIGHT_REPORTS.items():
        record = service.parse_document(archive, documents[target]).record
        expected = parse((sites.OFFICIAL / name).read_bytes(), "application/pdf", name)
        assert record is not None and record["applications"] == expected["applications"]


@pytest.fixture(scope="module")
def pasted_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, Path]:
    site, out = sites.pasted(), tmp_path_factory.mktemp("pasted")
    with Farm(site) as farm:
        return Crawl(farm, site, crawl(farm, out, site)), out


def scanned_pages(site: Site) -> dict[str, bytes]:
    """The pasted report's page images by URL, in page order."""
    return {
        site.url.rstrip("/") + target: route.body  # type: ignore[union-attr]
        for target, route in site.routes.items()
        if target.endswith(".jpg")
    }


def test_a_report_page_of_pictures_has_its_article_images_fetched_in_page_order(
    pasted_crawl: tuple[Crawl, Path],
) -> None:
    crawled, out = pasted_crawl
    images = scanned_pages(crawled.site)
    assert len(images) == 4
    assert crawled.by_path(sites.PASTED_PAGE).images == list(images)
    fetched = [c for c in crawled.captures if c.role == "page_image"]
    assert [(c.url, c.sha256, c.report_page_url) for c in fetched] == [
        (url, sha256_hex(data), f"{crawled.site.url}xxgk/nb/2020.html")
        for url, data in images.items()
    ]
    assert crawled.by_path(sites.TEXT_PAGE).images == []  # its tables are text: no pictures
    for target in (sites.LOGO, sites.SEAL):
        assert target not in crawled.requested
    assert "cdn.farm.test" not in {call.host for call in crawled.farm.calls}
    archive = LocalArchive(out / "archive")
    assert all(archive.get(sha256_hex(data)) == data for data in images.values())
    (warc,) = (out / "archive" / "warc").glob("*.warc.gz")
    responses = {
        r.warc["WARC-Target-URI"]: r for r in read_warc(warc.read_bytes()) if r.type == "response"
    }
    assert set(images) <= set(responses)


def test_a_report_page_of_pictures_is_one_document_of_its_images(
    pasted_crawl: tuple[Crawl, Path],
) -> None:
    crawled, _ = pasted_crawl
    documents = {d.url: d for d in select_documents(crawled.captures)}
    pasted = documents[f"{crawled.site.url}xxgk/nb/2020.html"]
    page = crawled.by_path(sites.PASTED_PAGE)
    assert (pasted.sha256, pasted.page_sha256, pasted.file_url) == (page.sha256, page.sha256, None)
    assert pasted.images == tuple(sha256_hex(data) for data in scanned_pages(crawled.site).values())
    assert documents[f"{crawled.site.url}xxgk/nb/2021.html"].images == ()


@pytest.mark.ocr
def test_a_report_page_of_pictures_gives_the_numbers_of_its_source(
    pasted_crawl: tuple[Crawl, Path],
) -> None:
    crawled, out = pasted_crawl
    (pasted,) = [d for d in select_documents(crawled.captures) if d.images]
    result = ParseService(strict=True, workers=0).parse_document(
        LocalArchive(out / "archive"), pasted
    )
    source = (sites.OFFICIAL / sites.PASTED_SOURCE).read_bytes()
    expected = parse(source, "application/pdf", sites.PASTED_SOURCE)
    assert result.error is None and result.record is not None
    read = {
        (table, row, column): (value, result.record[table][row][column])
        for table in ("active_disclosure", "applications", "review_litigation")
        for row, cells in expected[table].items()
        for column, value in cells.items()
        if value is not None
    }
    assert not [cell for cell, (want, got) in read.items() if got not in (None, want)]
    assert (result.record["organ"], result.record["year"]) == (expected["organ"], expected["year"])
    share = sum(want == got for want, got in read.values()) / len(read)
    assert share >= 0.98, f"{share:.1%} of the numbers read"  # 195 of 198 (98.5%)


@pytest.mark.parametrize(
    ("bound", "fetched"),
    [("XXGK_MAX_PAGE_IMAGES=2", 2), ("XXGK_MAX_PAGE_IMAGE_BYTES={first_and_one}", 1)],
)
def test_a_page_s_pictures_are_fetched_within_its_bounds(
    tmp_path: Path, bound: str, fetched: int
) -> None:
    site = sites.pasted()
    images = scanned_pages(site)
    bound = bound.format(first_and_one=len(next(iter(images.values()))) + 1)
    with Farm(site) as farm:
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site, extra=[*FAST, "-s", bound]))
    captured = {c.url: c for c in crawled.captures if c.role == "page_image"}
    assert list(captured) == list(images)  # every one, fetched or not
    assert [url for url, c in captured.items() if c.error is None] == list(images)[:fetched]
    assert {c.error.kind for c in captured.values() if c.error} == {"download"}
    if bound.startswith("XXGK_MAX_PAGE_IMAGES"):  # those past the count are never asked for
        assert [t for t in crawled.requested if t.endswith(".jpg")] == [
            path(url) for url in list(images)[:fetched]
        ]
    assert not [d for d in select_documents(crawled.captures) if d.images]  # not all arrived
