"""What a crawl says happened: the adapter that found each capture (`found_by`), the sites whose
report column it never reached (`no_report_column`, naming the pages tried), and the warehouse
view of the system detected per site and the reports each adapter found (`v_site_systems`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from spiders.reached import ReportColumns
from tests import warehouse_fixtures
from tests.farm import hanweb_xxgk, jiyue, scripted, sites
from tests.farm.gkmlpt import gkmlpt_site
from tests.farm.jeecms import jeecms_site
from tests.farm.server import Farm, Reply, Site
from tests.test_portal_farm import FAST, Crawl, crawl, path
from tests.test_portal_systems import PATIENT
from warehouse import Warehouse
from xxgk.records import Capture, Error

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

#: What finds a URL on any site; the other `found_by` are the site systems' adapters.
GENERAL = {"links", "script", "frame", "start", "robots"}
SYSTEMS = {"gkmlpt", "jeecms", "hanweb_jpage", "hanweb_xxgk", "trs", "json_list", "generic"}
REPORTS = ("report_page", "attachment")


def plain() -> Site:
    """A portal whose disclosure column holds no annual-report column."""
    site = Site("plain.farm.test", {})
    home = sites.link("/xxgk/", "政府信息公开") + sites.link("/news/", "新闻中心")
    site.routes["/"] = Reply(sites.page("某县人民政府", home))
    site.routes["/xxgk/"] = Reply(sites.page("政府信息公开", sites.link("/xxgk/zcwj/", "政策文件")))
    site.routes["/xxgk/zcwj/"] = Reply(
        sites.page("政策文件", sites.li("/xxgk/zcwj/1.html", "通知"))
    )
    site.routes["/xxgk/zcwj/1.html"] = Reply(sites.page("通知", "<p>通知</p>"))
    return site


def walled() -> Site:
    """A portal whose home is an anti-bot challenge."""
    return Site("wall.farm.test", {"/": Reply(sites.CHALLENGE.encode(), status=412)})


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Crawl]:
    start, platform = jiyue.jiyue()
    named = {
        "gkmlpt": gkmlpt_site().site,
        "jeecms": jeecms_site().site,
        "hanweb_xxgk": hanweb_xxgk.hanweb_xxgk(),
        "jiyue": start,
        "hanweb": sites.hanweb(),
        "trs": sites.trs(),
        "plain": plain(),
        "walled": walled(),
        "gone": Site("gone.farm.test", {}),  # its home: 404
    }
    with Farm(*named.values(), platform) as farm:
        captures = crawl(farm, tmp_path_factory.mktemp("found_by"), *named.values(), extra=PATIENT)
        return {name: Crawl(farm, site, captures) for name, site in named.items()}


def found(crawled: Crawl, *roles: str) -> Counter[str | None]:
    return Counter(c.found_by for c in crawled.captures if c.role in roles and c.error is None)


def test_every_capture_names_what_found_it(crawled: dict[str, Crawl]) -> None:
    for crawl_ in crawled.values():
        for capture in crawl_.captures:
            if capture.role == "site":
                continue
            assert capture.found_by in GENERAL | SYSTEMS, capture
            assert (capture.found_by == "start") is (capture.role == "home"), capture
            assert (capture.found_by == "robots") is (capture.role == "robots"), capture


@pytest.mark.parametrize(
    ("name", "system", "role"),
    [
        ("gkmlpt", "gkmlpt", "report_page"),  # the articles of its list API
        ("hanweb", "hanweb_jpage", "report_page"),  # the records of its datastore
        ("jiyue", "json_list", "report_page"),  # the entries of its JSON interface
        ("gkmlpt", "gkmlpt", "listing"),  # its report categories, asked of the API
        ("jeecms", "jeecms", "listing"),  # index_2.jhtml … from the pager's count
        ("hanweb_xxgk", "hanweb_xxgk", "listing"),  # search.jsp, posted as its script posts
        ("trs", "trs", "listing"),  # index_1.html … from createPageHTML
    ],
)
def test_a_system_s_adapter_is_named_for_what_it_found(
    crawled: dict[str, Crawl], name: str, system: str, role: str
) -> None:
    assert found(crawled[name], role)[system] > 0


def test_system_reports_are_all_credited_to_the_system(crawled: dict[str, Crawl]) -> None:
    gkmlpt = crawled["gkmlpt"]
    assert found(gkmlpt, "report_page") == {"gkmlpt": len(gkmlpt.site.reports)}
    hanweb = crawled["hanweb"]
    assert found(hanweb, "report_page") == {"hanweb_jpage": len(hanweb.site.reports)}


def test_script_links_and_frames_are_named_as_such(crawled: dict[str, Crawl]) -> None:
    jeecms = crawled["jeecms"]
    assert found(jeecms, "report_page", "listing", "column")["script"] > 0  # onclick=location…
    assert found(crawled["hanweb_xxgk"], "column", "listing")["frame"] > 0  # the tree's iframe
    for crawl_ in crawled.values():  # a report page's files: its links, or the frame showing one
        assert set(found(crawl_, "attachment")) <= {"links", "frame", *SYSTEMS}


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Debian chromium")
def test_what_a_rendered_page_leads_to_is_found_by_the_browser(tmp_path: Path) -> None:
    site = scripted.scripted_site()
    with Farm(site) as farm:
        rendered = Crawl(farm, site, crawl(farm, tmp_path, site, extra=FAST))
    assert rendered.paths("report_page") == site.reports
    # the reports, the column the rendered home links (as served and rendered), their fetches
    leads = [c for c in rendered.captures if c.role in ("report_page", "listing", "other")]
    assert len(leads) > len(site.reports) and {c.found_by for c in leads} == {"browser"}
    assert {
        (path(c.url), c.rendered, c.found_by) for c in rendered.captures if c.role == "home"
    } == {
        ("/", False, "start"),
        ("/", True, "start"),
    }  # the home as served and as rendered: found by its start URL


def verdicts(crawled: Crawl) -> list[Capture]:
    return [c for c in crawled.captures if c.role == "site"]


def test_a_site_without_a_report_column_says_so_naming_the_pages_tried(
    crawled: dict[str, Crawl],
) -> None:
    (verdict,) = verdicts(crawled["plain"])
    assert verdict.url == crawled["plain"].site.url and verdict.status is None
    assert verdict.error is not None and verdict.error.kind == "no_report_column"
    home, column = (f"http://plain.farm.test{path}" for path in ("/", "/xxgk/"))
    assert verdict.error.message.endswith(f"2 page(s) tried: {home}, {column}")
    assert crawled["plain"].errors() == {"/": "no_report_column"}  # the verdict is its only error


def test_a_site_blocked_or_unreachable_keeps_its_own_error(crawled: dict[str, Crawl]) -> None:
    assert crawled["walled"].errors() == {"/": "blocked"}
    assert crawled["gone"].errors() == {"/": "http_404"}
    reached = [name for name in crawled if name not in ("plain", "walled", "gone")]
    assert not [c for name in [*reached, "walled", "gone"] for c in verdicts(crawled[name])]


def test_a_verdict_counts_every_page_tried_and_names_the_first_few() -> None:
    tally = ReportColumns()
    site, blocked, gone = "http://a.test/", "http://b.test/", "http://c.test/"
    tally.tally(Capture(site, site, "home"))
    for n in range(7):
        tally.tally(Capture(f"{site}c{n}/", site, "column"))
        tally.tally(Capture(f"{site}c{n}/", site, "column", rendered=True))  # one page still
    tally.tally(Capture(f"{site}x.js", site, "other"))  # not a page
    tally.tally(Capture(blocked, blocked, "home"))
    tally.tally(Capture(f"{blocked}xxgk/", blocked, "column", error=Error("blocked", "412")))
    tally.tally(Capture(gone, gone, "home", error=Error("dns", "no such host")))
    (verdict,) = tally.verdicts()
    assert verdict.site == site and verdict.error is not None
    tried = ", ".join([site, *(f"{site}c{n}/" for n in range(4))])
    assert verdict.error.message.endswith(f"8 page(s) tried: {tried} …")
    assert list(tally.verdicts()) == []  # given once


def site_systems(warehouse: Warehouse) -> dict[str, list[tuple]]:
    with warehouse.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT site, system, adapter, specificity, list_pages, reports, listed "
                "FROM v_site_systems ORDER BY site, specificity"
            )
        ).all()
    by_site: dict[str, list[tuple]] = {}
    for site, system, *adapter in rows:
        by_site.setdefault(site, []).append((system, *adapter))
    return by_site


def report_counts(crawled: Crawl) -> dict[str, int]:
    """Per adapter, the distinct URLs of the reports (pages and files) it found."""
    urls = {(c.found_by, c.url) for c in crawled.captures if c.role in REPORTS and not c.error}
    return dict(Counter(found_by for found_by, _ in urls))


def listed_counts(crawled: Crawl) -> dict[str, int]:
    """Per adapter, the distinct URLs of the reports the list pages it found link."""
    lists = {c.url: c.found_by for c in crawled.captures if c.role == "listing"}
    reports = [c for c in crawled.captures if c.role in REPORTS and not c.error]
    urls = {(lists[c.referer], c.url) for c in reports if c.referer in lists}
    return dict(Counter(found_by for found_by, _ in urls))


def test_the_warehouse_shows_each_site_s_system_and_the_reports_each_adapter_found(
    crawled: dict[str, Crawl], wh: Warehouse
) -> None:
    wh.migrate()
    wh.load([c for crawl_ in crawled.values() for c in crawl_.captures], [], [])
    view = site_systems(wh)
    systems = {
        "gkmlpt": "gkmlpt", "jeecms": "jeecms", "hanweb_xxgk": "hanweb_xxgk",
        "jiyue": "json_list", "hanweb": "hanweb_jpage", "trs": "trs", "plain": "links",
    }  # fmt: skip
    for name, system in systems.items():
        rows = view[crawled[name].site.url]
        assert {row[0] for row in rows} == {system}, name
        assert [row[2] for row in rows] == list(range(1, len(rows) + 1))
        adapters = [row[1] for row in rows]
        assert adapters[0] == system
        assert set(adapters[adapters.index("links") :]) <= GENERAL  # the general ones last
        reports = {adapter: count for _, adapter, _, _, count, _ in rows if count}
        assert reports == report_counts(crawled[name]), name
        listed = {adapter: count for _, adapter, _, _, _, count in rows if count}
        assert listed == listed_counts(crawled[name]), name
    gkmlpt = crawled["gkmlpt"].site
    assert view[gkmlpt.url][0][4] == len(gkmlpt.reports)  # gkmlpt found every report page
    (trs,) = [row[1:] for row in view[crawled["trs"].site.url] if row[1] == "trs"]
    assert trs[:4] == ("trs", 1, found(crawled["trs"], "listing")["trs"], 0)  # lists, no report
    assert trs[4] > len(crawled["trs"].site.reports) / 2  # but its lists link most of them


def test_a_reload_from_a_log_recording_found_by_fills_in_what_an_older_log_lacked(
    crawled: dict[str, Crawl], wh: Warehouse, tmp_path: Path
) -> None:
    captures = crawled["trs"].captures
    logged = [{k: v for k, v in c.to_log().items() if k != "found_by"} for c in captures]
    older = [Capture.from_log(line) for line in logged]  # a log written before `found_by`
    assert {c.found_by for c in older} == {None}
    wh.migrate()
    wh.load(older, [], [])
    assert crawled["trs"].site.url not in site_systems(wh)
    wh.load(captures, [], [])
    assert site_systems(wh)[crawled["trs"].site.url][0][0] == "trs"
