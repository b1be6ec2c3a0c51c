"""Navigation built by script, rendered in the real headless Chromium: the reports found only
through the browser, its DOM and the JSON archived, the browser's requests the crawl's own
(polite, on the site's hosts), its bounds kept, a challenge never rendered, no browser no
rendering."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.farm import scripted
from tests.farm.server import Farm, Reply
from tests.test_portal_farm import FAST, Crawl, crawl, path
from tests.warcs import read_warc
from xxgk.archive import LocalArchive
from xxgk.records import Capture

DELAY = 0.4
POLITE = ["-s", f"DOWNLOAD_DELAY={DELAY}", "-s", "AUTOTHROTTLE_ENABLED=False"]

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed"
)


def crawled(out: Path, *extra: str, polite: bool = False, slow_api: float = 0) -> list[Crawl]:
    """The scripted site's crawl, then the challenged sites'."""
    sites = [scripted.scripted_site(), scripted.challenged_site(), scripted.cookie_wall_site()]
    nav = sites[0].routes[scripted.NAV_API]
    assert isinstance(nav, Reply)
    nav.delay = slow_api
    with Farm(*sites) as farm:
        captures = crawl(farm, out, *sites, polite=polite, extra=[*FAST, *extra])
    return [Crawl(farm, site, captures) for site in sites]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, list[Crawl], Path]:
    out = tmp_path_factory.mktemp("browser")
    site, *challenged = crawled(out, *POLITE, polite=True)
    return site, challenged, out


def captured(crawl_: Crawl, target: str) -> list[Capture]:
    return [c for c in crawl_.captures if path(c.url) == target]


def test_the_reports_are_found_only_through_the_browser(
    rendered: tuple[Crawl, list[Crawl], Path],
) -> None:
    site, _, _ = rendered
    assert site.paths("report_page") == site.site.reports
    assert not site.errors()
    for target, role in (("/", "home"), (scripted.COLUMN, "listing")):
        served, dom = sorted(captured(site, target), key=lambda c: c.rendered)
        assert (served.role, served.rendered, dom.role, dom.rendered) == (role, False, role, True)
        assert dom.media_type == "text/html" and dom.sha256 != served.sha256


def test_the_rendered_dom_and_what_its_scripts_fetched_are_archived(
    rendered: tuple[Crawl, list[Crawl], Path],
) -> None:
    site, _, out = rendered
    archive = LocalArchive(out / "archive")
    (dom,) = [c for c in captured(site, scripted.COLUMN) if c.rendered]
    assert dom.sha256
    shown = archive.get(dom.sha256).decode()
    assert all(urlsplit(url).path in shown for url in site.site.reports)
    fetched = {"/static/js/home.js", scripted.NAV_API, "/static/js/list.js", scripted.LIST_API}
    assert site.paths("other") == fetched
    for capture in (c for c in site.captures if c.role == "other"):
        route = site.site.routes[path(capture.url)]
        assert isinstance(route, Reply) and capture.sha256
        assert archive.get(capture.sha256) == route.body
        assert capture.referer in {site.site.url, f"http://{scripted.HOST}{scripted.COLUMN}"}
    (warc,) = (out / "archive" / "warc").glob("*.warc.gz")
    marked = [
        (r.warc["WARC-Target-URI"], b"role: listing" in r.content)
        for r in read_warc(warc.read_bytes())
        if r.type == "metadata" and b"rendered: True" in r.content
    ]
    assert marked == [(f"http://{scripted.HOST}/", False), (dom.url, True)]


def test_the_browser_fetches_only_through_the_crawl_politely_and_on_the_site(
    rendered: tuple[Crawl, list[Crawl], Path],
) -> None:
    site, _, _ = rendered
    # the farm is reached only as the crawl's proxy: what the browser asked for came through it
    requested = set(site.requested)
    assert {scripted.NAV_API, scripted.LIST_API} <= requested
    hosts = {scripted.HOST, scripted.CHALLENGED, scripted.COOKIE_WALL}
    assert {call.host for call in site.farm.calls} == hosts  # not the counter's
    assert "/static/img/logo.png" not in requested and "/static/css/site.css" not in requested
    times = [call.at for call in site.farm.calls if call.host == scripted.HOST]
    # one request at a time, the host's delay between them (less an arrival's jitter)
    assert times[-1] - times[0] >= DELAY * (len(times) - 1) * 0.95
    assert min(later - earlier for earlier, later in pairwise(times)) >= DELAY / 2


def test_a_challenge_is_never_rendered(rendered: tuple[Crawl, list[Crawl], Path]) -> None:
    site, (challenged, cookie_wall), _ = rendered
    assert any(c.rendered for c in site.captures)  # the browser was there
    assert challenged.errors() == {"/": "blocked"}
    assert cookie_wall.errors() == {"/": "needs_browser"}  # a shell, but a challenge's
    for walled in (challenged, cookie_wall):
        assert not any(c.rendered for c in walled.captures)
        assert walled.requested == ["/robots.txt", "/"]


def test_no_more_pages_than_the_bound_are_rendered(tmp_path: Path) -> None:
    site, *_ = crawled(tmp_path, "-s", "XXGK_BROWSER_PAGES=1")
    assert [path(c.url) for c in site.captures if c.rendered] == ["/"]
    assert site.errors() == {scripted.COLUMN: "needs_browser"}
    assert not site.paths("report_page") and scripted.LIST_API not in site.requested


def test_a_page_past_the_time_bound_is_rendered_as_it_stood(tmp_path: Path) -> None:
    site, *_ = crawled(tmp_path, "-s", "XXGK_BROWSER_SECONDS=0.5", slow_api=1.5)
    (home,) = [c for c in site.captures if c.rendered]
    assert home.role == "home"
    assert site.errors() == {"/": "needs_browser"}  # its links came too late: it shows none
    assert scripted.NAV_API in site.paths("other")  # what was under way is captured still
    assert not site.paths("report_page")


def test_without_the_browser_the_page_stays_needs_browser(tmp_path: Path) -> None:
    site, *_ = crawled(tmp_path, "-s", "XXGK_BROWSER_EXECUTABLE=/nonexistent/chromium")
    assert site.errors() == {"/": "needs_browser"}
    assert not any(c.rendered for c in site.captures)
    assert site.requested == ["/robots.txt", "/"]
