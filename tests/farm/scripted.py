"""A portal whose navigation only its scripts build, as a single-page front end serves it.

Its home and its annual-report column are empty shells: a box and a script file (`/static/js/…`)
that `fetch`es the links as JSON from the site's `/api/` and writes them into the box. The
scripts also ask for what a navigation page needs no fetch of to show its links: a logo, a
stylesheet, a counter on another host. No adapter reads such a page; only a browser does.

Two more hosts answer their home with an anti-bot challenge, never to be rendered: one with HTTP
412 and a script that would set the cookie, one with a 200 page too large for a WAF stub whose
inline script sets the cookie and reloads (加速乐's `__jsl_clearance`).
"""

from __future__ import annotations

import json

from tests.farm.reports import inline
from tests.farm.server import Reply, Site
from tests.farm.sites import METADATA, page, title

HOST = "spa.farm.test"
CHALLENGED = "waf.farm.test"
COOKIE_WALL = "jsl.farm.test"
COLUMN = "/xxgk/nb/index.html"
COUNTER = "http://count.example.test/hit.json"
NAV_API = "/api/nav.json"
LIST_API = "/api/list.json"
WHO = "某县人民政府"

#: Fetches `api`, writes each `{title, url}` into `#box` as a link; also loads what a browser
#: loads but the links never need.
BUILD_LINKS = """
fetch('%s').then(function (r) { return r.json(); }).then(function (items) {
  document.getElementById('box').innerHTML = items.map(function (item) {
    return '<li><a href="' + item.url + '">' + item.title + '</a></li>';
  }).join('');
});
fetch('%s', {mode: 'no-cors'}).catch(function () {});
var logo = new Image(); logo.src = '/static/img/logo.png';
"""


def shell(name: str, script: str) -> Reply:
    body = (
        "<link rel='stylesheet' href='/static/css/site.css'>"
        f"<ul id='box'></ul><script src='{script}'></script>"
    )
    return Reply(page(name, body))


def script(api: str) -> Reply:
    return Reply((BUILD_LINKS % (api, COUNTER)).encode(), content_type="application/javascript")


def listing(*items: tuple[str, str]) -> Reply:
    entries = [{"title": text, "url": url} for text, url in items]
    return Reply(json.dumps(entries, ensure_ascii=False).encode(), content_type="application/json")


def report(name: str) -> Reply:
    metadata = METADATA["line"].format(publisher=WHO)
    return Reply(page(name, f"{metadata}<h1>{name}</h1>{inline()}"))


def scripted_site() -> Site:
    reports = {
        "/xxgk/nb/202401/t20240115_101.html": title(2023),
        "/xxgk/nb/202301/t20230116_87.html": title(2022),
    }
    decoy = "/xxgk/nb/202401/t20240118_102.html"
    routes = {
        "/": shell("首页", "/static/js/home.js"),
        "/static/js/home.js": script(NAV_API),
        NAV_API: listing(("首页", "/"), ("政府信息公开年报", COLUMN)),
        COLUMN: shell("政府信息公开年报", "/static/js/list.js"),
        "/static/js/list.js": script(LIST_API),
        LIST_API: listing(
            *((text, url) for url, text in reports.items()),
            (f"{title(2023)}解读", decoy),
        ),
        "/static/css/site.css": Reply(b"ul { margin: 0 }", content_type="text/css"),
        "/static/img/logo.png": Reply(b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        decoy: report(f"{title(2023)}解读"),
        **{path: report(text) for path, text in reports.items()},
    }
    return Site(HOST, routes, reports=set(reports))


def challenged_site() -> Site:
    challenge = page("", "<script src='/static/js/challenge.js'></script>")
    routes = {
        "/": Reply(challenge, status=412),
        "/static/js/challenge.js": Reply(b"document.cookie='x=1'; location.reload();"),
    }
    return Site(CHALLENGED, routes)


def cookie_wall_site() -> Site:
    padding = "/*" + "x" * 20_000 + "*/"
    wall = (
        f"<script>{padding}document.cookie='__jsl_clearance=1';location.reload();</script>"
        "<script src='/static/js/clearance.js'></script>"
    )
    routes = {
        "/": Reply(page("", wall)),
        "/static/js/clearance.js": Reply(b"location.reload();"),
    }
    return Site(COOKIE_WALL, routes)
