"""Crawls of a Hanweb 信息公开 module portal and of 集约化 platform portals (a JSON interface its
scripts name; Hanweb's jpaas), each from its home URL alone: every report, no decoy, nothing
disallowed, nothing off site."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.farm import hanweb_xxgk, jiyue, sites
from tests.farm.reports import PRE_2019_TITLE
from tests.farm.server import Call, Farm, Reply, Site
from tests.test_portal_farm import Crawl, crawl, path
from xxgk.archive import LocalArchive
from xxgk.documents import select_documents, unpack_containers
from xxgk.parsing import ParseService


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("systems")


@pytest.fixture(scope="module")
def hanweb(out: Path) -> Crawl:
    site = hanweb_xxgk.hanweb_xxgk()
    with Farm(site) as farm:
        return Crawl(farm, site, crawl(farm, out / "hanweb_xxgk", site))


@pytest.fixture(scope="module")
def platform(out: Path) -> tuple[Crawl, Site]:
    start, site = jiyue.jiyue()
    with Farm(start, site) as farm:
        return Crawl(farm, start, crawl(farm, out / "jiyue", start)), site


def archived_as_served(crawled: Crawl, site: Site, archive: Path) -> dict[str, bool]:
    """Each attachment: whether the archive holds the bytes the site served for it."""
    stored = LocalArchive(archive)
    found = {path(c.url): c.sha256 for c in crawled.captures if c.role == "attachment"}
    return {
        target: isinstance(route := site.routes[target], Reply)
        and sha256 is not None
        and stored.get(sha256) == route.body
        for target, sha256 in found.items()
    }


def calls_to(crawled: Crawl, target: str) -> list[Call]:
    return [call for call in crawled.farm.calls if call.path == target]


def test_hanweb_xxgk_portal_gives_every_report_from_its_home_alone(hanweb: Crawl) -> None:
    assert hanweb.paths("report_page") == hanweb.site.reports
    assert hanweb.paths("attachment") == hanweb.site.attachments
    assert hanweb.errors() == {
        hanweb_xxgk.GONE: "http_404",
        hanweb_xxgk.PRIVATE: "robots_disallowed",
    }
    requested = set(hanweb.requested)
    assert not set(hanweb_xxgk.DECOYS) & requested
    assert hanweb_xxgk.PRIVATE not in requested
    assert {call.host for call in hanweb.farm.calls} == {hanweb_xxgk.HOST}


def test_hanweb_xxgk_attachments_are_archived_as_served(hanweb: Crawl, out: Path) -> None:
    archived = archived_as_served(hanweb, hanweb.site, out / "hanweb_xxgk" / "archive")
    assert archived == dict.fromkeys(hanweb.site.attachments, True)  # the ZIP and the TXT too


def test_hanweb_xxgk_list_is_posted_as_its_script_posts_it_page_by_page(hanweb: Crawl) -> None:
    posts = [c for c in calls_to(hanweb, hanweb_xxgk.SEARCH) if c.method == "POST"]
    by_ajax = [c for c in posts if c.form["infotypeId"] == "A0901"]
    assert sorted(c.form["currpage"] for c in by_ajax) == ["1", "2", "3"]
    for call in by_ajax:
        assert call.query["currpage"] == call.form["currpage"]
        assert call.query["standardXxgk"] == "1"  # the script's query, kept
        passed = {
            "infotypeId": "A0901",
            "jdid": "3096",
            "area": hanweb_xxgk.AREA,
            "divid": "div1229",
        }
        assert passed.items() <= call.form.items()
    by_loader = [c for c in posts if c.form["infotypeId"] == "A0903"]  # `loadDynamic(url, divid…`
    assert sorted(c.query["currpage"] for c in by_loader) == ["1", "2"]
    assert {(c.form["divid"], c.form["area"]) for c in by_loader} == {("div1236", hanweb_xxgk.AREA)}


def test_hanweb_xxgk_tree_nodes_in_an_iframe_are_listed_by_their_infotype(hanweb: Crawl) -> None:
    asked = {
        (c.query["infotypeId"], c.query["currpage"])
        for c in calls_to(hanweb, hanweb_xxgk.SEARCH)
        if c.method == "GET"
    }
    year_and_unit_nodes = {("A090101", "1"), ("A090102", "1"), ("A090202", "1")}
    assert asked == year_and_unit_nodes | {("A090201", "1"), ("A090201", "2")} | {
        ("A09", n) for n in "123"
    }  # the directory's tree: its 年报 node only, not 规划计划 nor 政策解读
    # the tree is UTF-8 and says so nowhere, its labels read right
    listed = {c.title for c in hanweb.captures if c.role == "listing" and "infotypeId" in c.url}
    assert {"2023年", "2022年", "县教育局", "县财政局", "政府信息公开年报"} <= listed


def test_hanweb_xxgk_gbk_pages_and_utf8_fragments_both_read_right(hanweb: Crawl) -> None:
    column = hanweb.by_path(hanweb_xxgk.COLUMN)  # titled by a link of a GBK page
    assert (column.title, column.headers["Content-Type"]) == ("政府信息公开年报", "text/html")
    titles = {c.title for c in hanweb.captures if c.role == "report_page"}  # by the fragments
    assert {sites.title(2023, "县教育局"), sites.title(2022, "新城街道办事处")} <= titles


def test_hanweb_downfile_attachments_are_named_by_disposition_or_link_text(hanweb: Crawl) -> None:
    downfile = f"{hanweb_xxgk.DOWNFILE}?classid=0&filename="
    names = {
        f"{downfile}2301181024519.pdf": f"{sites.title(2022)}.pdf",  # GBK in the header
        f"{downfile}2101221012334.doc": f"{sites.title(2020)}.doc",  # percent-encoded UTF-8
        "/attach/0/2201201530112.docx": "2021年年报全文.docx",  # redirected, the link's text
    }
    assert {target: hanweb.by_path(target).file_name for target in names} == names


def test_jiyue_portal_gives_every_report_from_its_home_alone(
    platform: tuple[Crawl, Site],
) -> None:
    crawled, site = platform
    assert crawled.paths("report_page") == site.reports
    assert crawled.paths("attachment") == site.attachments
    assert crawled.errors() == {
        jiyue.GONE: "http_404",
        jiyue.PRIVATE: "robots_disallowed",
        jiyue.REMOVED: "soft_404",  # its refresh home, after 5 s, is the page's own
        path(jiyue.ELSEWHERE): "offsite_redirect",  # a meta refresh off the site, refused
    }
    requested = set(crawled.farm.requested(jiyue.HOST))
    assert not set(jiyue.DECOYS) & requested
    assert jiyue.PRIVATE not in requested
    assert {call.host for call in crawled.farm.calls} == {jiyue.START, jiyue.HOST}


def test_jiyue_attachments_are_archived_as_served(platform: tuple[Crawl, Site], out: Path) -> None:
    crawled, site = platform
    archived = archived_as_served(crawled, site, out / "jiyue" / "archive")
    assert archived == dict.fromkeys(site.attachments, True)


def test_a_home_that_is_only_a_meta_refresh_leads_to_the_site(
    platform: tuple[Crawl, Site],
) -> None:
    crawled, _ = platform
    assert crawled.requested == ["/robots.txt", "/"]
    home = [c for c in crawled.captures if c.role == "home"]
    assert [c.url for c in home] == [f"http://{jiyue.HOST}/"]


def test_jiyue_lists_are_asked_of_the_json_interface_as_their_scripts_ask(
    platform: tuple[Crawl, Site],
) -> None:
    crawled, _ = platform
    asked = {
        (c.method, {**c.query, **c.form}["columnId"], {**c.query, **c.form}["pageNo"])
        for c in calls_to(crawled, jiyue.INTERFACE)
    }
    assert asked == {("GET", "6731", n) for n in "1234"} | {("GET", "6740", n) for n in "12"} | {
        ("POST", "6750", n) for n in "12"
    }
    list_pages = {
        "6731": jiyue.COLUMN,
        "6740": jiyue.YEAR_COLUMN,
        "6750": jiyue.UNITS,
    }
    for call in calls_to(crawled, jiyue.INTERFACE):
        column = {**call.query, **call.form}["columnId"]
        assert call.headers["Referer"] == f"http://{jiyue.HOST}{list_pages[column]}"
    # relative item URLs lead from the list page, never from the interface
    data = [t for t in crawled.farm.requested(jiyue.HOST) if t.startswith("/interface/")]
    assert {urlsplit(t).path for t in data} == {jiyue.INTERFACE}
    assert {path(c.url) for c in crawled.captures if c.role == "report_page"} >= {
        "/zwgk/zfxxgknb/2020/t20210125_46325.html",  # the sub-column's second page
        "/zwgk/bmnb/202401/t20240115_96325.html",  # the posted list's second page
    }


def test_jpaas_unit_lists_are_asked_page_by_page_from_their_query_data(tmp_path: Path) -> None:
    site = jiyue.jpaas()
    with Farm(site) as farm:
        crawled = Crawl(farm, site, crawl(farm, tmp_path, site))
    assert crawled.paths("report_page") == site.reports
    assert crawled.paths("attachment") == site.attachments
    assert crawled.errors() == {jiyue.JPAAS_GONE: "http_404"}
    asked = [c.query for c in calls_to(crawled, jiyue.UNIT)]
    assert sorted(json.loads(query["paramJson"])["pageNo"] for query in asked) == [1, 2, 3]
    assert {(q["webId"], q["pageId"], q["tagId"]) for q in asked} == {
        (jiyue.WEB_ID, "4521", "信息列表")
    }
    assert "/art/2024/1/16/art_4521_30100.html" not in crawled.requested  # 解读


@pytest.mark.parametrize("system", ["hanweb_xxgk", "jiyue"])
def test_attachments_parse_and_the_pre_2019_report_is_old_template(
    system: str, request: pytest.FixtureRequest, out: Path
) -> None:
    crawled = request.getfixturevalue("hanweb") if system == "hanweb_xxgk" else None
    if crawled is None:
        crawled, _ = request.getfixturevalue("platform")
    archive = LocalArchive(out / system / "archive")
    documents = unpack_containers(select_documents(crawled.captures), archive)
    service = ParseService(strict=True, workers=0)
    (old,) = (c.url for c in crawled.captures if c.title == PRE_2019_TITLE)
    results = {(d.url, d.file_url): service.parse_document(archive, d) for d in documents}
    assert [r.error.kind for (url, _), r in results.items() if url == old and r.error] == [
        "old_template"
    ]
    files = {file: r for (_, file), r in results.items() if file}
    assert len(files) >= 6 and all(r.record for r in files.values()), files
