"""The robots.txt files a crawl obeyed are captured and archived like any page."""

from __future__ import annotations

from pathlib import Path

from tests.farm import sites
from tests.farm.server import Farm, Site
from tests.test_portal_farm import crawl, path
from xxgk.archive import LocalArchive


def test_each_sites_robots_txt_is_captured_once_and_archived(tmp_path: Path) -> None:
    ruled = sites.generic()
    unruled = Site("norobots.farm.test", {}, robots_txt=False)
    sites.navigation(unruled, "/xxgk/", "/xxgk/nb/")
    with Farm(ruled, unruled) as farm:
        captures = crawl(farm, tmp_path, ruled, unruled)
    robots = {c.site: c for c in captures if c.role == "robots"}
    assert [c.site for c in captures if c.role == "robots"].count(ruled.url) == 1
    assert robots.keys() == {ruled.url, unruled.url}
    found = robots[ruled.url]
    assert (path(found.url), found.status, found.error) == ("/robots.txt", 200, None)
    assert found.sha256 and found.media_type == "text/plain"
    body = LocalArchive(tmp_path / "archive").get(found.sha256).decode()
    assert body.startswith("User-agent: *\n")
    assert all(f"Disallow: {rule}\n" in body for rule in ruled.disallow)
    missing = robots[unruled.url]
    assert (missing.status, missing.error) == (404, None)  # no robots.txt: no error
