"""The spider's small parts, on real Scrapy responses and settings."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request, Spider, signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from spiders.article import pasted_images
from spiders.captures import response_capture
from spiders.crawl import crawl_settings
from spiders.downloadermiddlewares.conditional import ConditionalRecrawl
from spiders.downloadermiddlewares.replay import ArchivedResponses
from spiders.errors import response_error
from spiders.internals import drop_waiting, is_robots_txt
from spiders.links import (
    Anchor,
    anchors,
    attachment_extension,
    embedded_file,
    frames,
    is_attachment,
    is_disclosure_column,
    is_report_column,
    is_report_link,
    is_unit_column,
)
from spiders.pagers.generic import GenericPager
from spiders.pagers.trs import TrsCreatePageHtmlPager
from spiders.politeness import Politeness
from spiders.portal import PortalSpider
from spiders.responses import disposition_filename, media_type
from spiders.spidermiddlewares.depth import NavigationDepth
from tests.farm.server import Farm, Reply, Site
from xxgk.archive import LocalArchive
from xxgk.records import Capture

LIST_URL = "http://www.example.gov.cn/zwgk/zfxxgknb/index.html"


def html(body: str, url: str = LIST_URL) -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


@pytest.mark.parametrize(
    ("title", "is_report"),
    [
        ("汝阳县人民政府2019年政府信息公开工作年度报告", True),
        ("洛宁县人民政府 2020 年政府信息公开工作 年度报告", True),
        ("县卫健委2021年度政府信息公开工作年报", True),
        ("关于2021年度政府信息公开工作的年度报告", True),
        ("县应急管理局2022年政务公开工作年度报告", True),
        ("温县2022年政府信息公开工作年度报告解读", False),
        ("关于做好2019年政府信息公开工作年度报告编制发布工作的通知", False),
        ("政府信息公开年报", False),
        ("2019年政务公开工作要点", False),
        ("2022年度", False),  # terse: only in a report column
    ],
)
def test_report_links_by_title(title: str, is_report: bool) -> None:
    assert is_report_link(Anchor(f"{LIST_URL[:-10]}t20230115_1.html", title)) is is_report


@pytest.mark.parametrize(
    ("url", "title", "is_report"),
    [
        ("http://x/bm/jyj/nb/t20230120_88.html", "2022年度", True),
        ("http://x/bm/jyj/nb/art_1.html", "2021年", True),
        ("http://x/bm/jyj/nb/P020230120.pdf", "2022年度报告.pdf", True),
        ("http://x/bm/jyj/nb/content_7.html", "县教育局2022年年报", True),
        ("http://x/bm/jyj/download?id=8f14e45f", "2021年度", True),
        ("http://x/zwgk/zfxxgknb/2019/", "2019年", False),  # the year's sub-column
        ("http://x/col/col2019/index.html", "2019年度", False),
        ("http://x/zwgk/zfxxgknb/2019/list_2.html", "2019", False),
        ("http://x/gkmlpt/index#2019", "2019年", False),
        ("http://x/module/list.jsp?columnid=2019", "2019年", False),
        ("http://x/bm/jyj/nb/t20230120_89.html", "2022年统计年报", False),
        ("http://x/bm/jyj/nb/t20230120_90.html", "2022年度解读", False),
    ],
)
def test_terse_titles_in_a_report_column(url: str, title: str, is_report: bool) -> None:
    assert is_report_link(Anchor(url, title), in_report_column=True) is is_report


def test_report_columns_by_text_or_path() -> None:
    assert is_report_column(Anchor("http://x/zwgk/a/", "政府信息公开年报"))
    assert is_report_column(Anchor("http://x/zwgk/zfxxgknb/", "更多"))
    assert not is_report_column(Anchor("http://x/zwgk/zfxxgknb/1.html", "2019年度报告解读"))


def test_anchors_are_absolute_on_host_and_prefer_full_titles() -> None:
    response = html(
        '<a href="../a/t1.html" title="某县2019年政府信息公开工作年度报告">某县2019年政府...</a>'
        '<a href="http://www.gov.cn/x.htm">中国政府网</a><a href="javascript:void(0)">打印</a>'
    )
    assert anchors(response) == [
        Anchor("http://www.example.gov.cn/zwgk/a/t1.html", "某县2019年政府信息公开工作年度报告")
    ]


@pytest.mark.parametrize(
    ("url", "text", "extension"),
    [
        ("http://x/uploadfiles/P0201.PDF", "", ".pdf"),
        ("http://x/module/download/downfile.jsp?classid=0&filename=ab12.docx", "", ".docx"),
        ("http://x/attach?id=9", "2019年年报.wps", ".wps"),
        ("http://x/zwgk/t1.html", "详情", None),
    ],
)
def test_attachment_extension(url: str, text: str, extension: str | None) -> None:
    assert attachment_extension(url, text) == extension


def test_links_written_in_script_are_anchors_too() -> None:
    response = html(
        "<a href=\"javascript:openArt('../a/t2.html')\">某县2022年政府信息公开工作年度报告</a>"
        "<a href='javascript:void(0)' onclick=\"window.open('/xxgk/index.jhtml')\">信息公开</a>"
        "<li onclick=\"location.href='../../nb/index.jhtml'\">政府信息公开年报</li>"
        "<input type='button' value='下一页' onclick=\"location.href = 'index_2.jhtml';\"/>"
        "<span onclick=\"window.location='http://www.gov.cn/'\">中国政府网</span>"
        "<a class='nfw-cms-attachment' href='//www.example.gov.cn/attachment/0/1/2.pdf'"
        " alt='某县2022年年报.pdf'>点击下载</a><a href='javascript:;'>打印</a>"
    )
    assert anchors(response) == [
        Anchor("http://www.example.gov.cn/zwgk/a/t2.html", "某县2022年政府信息公开工作年度报告"),
        Anchor("http://www.example.gov.cn/attachment/0/1/2.pdf", "某县2022年年报.pdf"),
        Anchor("http://www.example.gov.cn/xxgk/index.jhtml", "信息公开"),
        Anchor("http://www.example.gov.cn/nb/index.jhtml", "政府信息公开年报"),
        Anchor(f"{LIST_URL[:-10]}index_2.jhtml", "下一页"),
    ]


def test_frames_are_the_page_s_own_navigation() -> None:
    response = html(
        '<iframe src="tree.html"></iframe><iframe src="http://cdn.example.com/x.html"></iframe>'
        '<frameset><frame src="/list.jsp?columnid=5"></frameset><iframe src="tree.html#a">'
    )
    assert embedded_file("http://x/pdfjs/web/viewer.html?file=/u/cms/www/1.pdf") == (
        "http://x/u/cms/www/1.pdf"
    )
    assert embedded_file("http://x/tree.html") is None
    assert frames(response) == [
        f"{LIST_URL[:-10]}tree.html",
        "http://www.example.gov.cn/list.jsp?columnid=5",
    ]


def test_disclosure_unit_and_attachment_links_of_every_system() -> None:
    assert is_disclosure_column(Anchor("http://x/xxgk/fdzdgknr/", "法定主动公开内容"))
    assert is_disclosure_column(Anchor("http://x/gkmlpt/index", "政府信息公开目录"))
    assert is_disclosure_column(Anchor("http://x/jyj/gkmlpt/index", "县教育局"))
    assert is_unit_column(Anchor("http://x/nb/jyj/index.jhtml", "县教育局"))
    assert is_unit_column(Anchor("http://x/nb/cgz/", "城关镇"))
    assert not is_unit_column(Anchor("http://x/", "某县人民政府"))  # the home page
    assert not is_unit_column(Anchor("http://x/nb/jyj/1.html", "县教育局"))  # a document
    for url in ("http://x/u/cms/www/2024/a.txt", "http://x/a.et", "http://x/a.rar"):
        assert is_attachment(Anchor(url, ""))
    assert is_attachment(Anchor("http://x/attachment.jspx?cid=6001&i=0&k=9f", "附件1"))
    assert not is_attachment(Anchor("http://x/nb/6001.jhtml", "附件1"))


def test_generic_pager_follows_next_and_numbers_within_the_column() -> None:
    response = html(
        '<a href="index.html">1</a><a href="index_1.html">2</a><a href="index_1.html">下一页</a>'
        '<a href="/xwzx/index_1.html">下一页</a><a href="2017/index.html">2017年度</a>'
    )
    assert set(GenericPager().pages(response)) == {
        "http://www.example.gov.cn/zwgk/zfxxgknb/index_1.html"
    }


def test_trs_pager_expands_create_page_html() -> None:
    response = html('<script>createPageHTML(3, 0, "index", "shtml");</script>')
    assert list(TrsCreatePageHtmlPager().pages(response)) == [
        "http://www.example.gov.cn/zwgk/zfxxgknb/index.shtml",
        "http://www.example.gov.cn/zwgk/zfxxgknb/index_1.shtml",
        "http://www.example.gov.cn/zwgk/zfxxgknb/index_2.shtml",
    ]


OFFICIAL = Path(__file__).parent / "fixtures" / "official"
PAGE_URL = "http://www.example.gov.cn/zfxxgknb/2022/t1.html"
HOSTS = ["www.example.gov.cn"]


def report_page(article: str, outside: str = "") -> HtmlResponse:
    page = f"<html><body>{outside}<div id='zoom'>{article}</div></body></html>"
    return HtmlResponse(PAGE_URL, body=page.encode(), encoding="utf-8")


def test_a_report_page_of_pictures_gives_its_article_images_in_page_order() -> None:
    article = (
        "<p>某县2022年政府信息公开工作年度报告</p>"
        "<p><img src='/u/2.jpg'></p><p><img src='1.png#top'></p><img src='/u/2.jpg'>"
        "<img src='http://cdn.example.com/3.jpg'><img src='data:image/png;base64,iVBO'><img>"
    )
    response = report_page(article, outside="<img src='/images/logo.png'>")
    assert pasted_images(response, HOSTS) == [
        "http://www.example.gov.cn/u/2.jpg",
        "http://www.example.gov.cn/zfxxgknb/2022/1.png",
    ]


def test_prose_beside_the_pictures_is_not_table_text() -> None:
    prose = (
        "<p>全年收到申请12件，其中属于国家秘密不予公开1件，重复申请2件，"
        "本机关不掌握相关政府信息3件。</p><p><img src='/u/1.jpg'></p>"
    )
    assert pasted_images(report_page(prose), HOSTS) == ["http://www.example.gov.cn/u/1.jpg"]


@pytest.mark.parametrize("name", sorted(p.name for p in OFFICIAL.glob("*.utf-8.html")))
def test_a_report_with_its_tables_in_text_pastes_no_pictures(name: str) -> None:
    page = (OFFICIAL / name).read_bytes().replace(b"</table>", b"</table><img src='/seal.png'>")
    response = HtmlResponse(PAGE_URL, body=page, encoding="utf-8")
    assert pasted_images(response, HOSTS) == []


def test_file_name_from_content_disposition() -> None:
    rfc5987 = "attachment; filename=\"a.docx\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.docx"
    raw_gbk = 'attachment; filename="年报.pdf"'.encode("gbk")
    assert (
        disposition_filename(Response("http://x/d", headers={"Content-Disposition": rfc5987}))
        == "年报.docx"
    )
    assert (
        disposition_filename(Response("http://x/d", headers={"Content-Disposition": raw_gbk}))
        == "年报.pdf"
    )
    assert disposition_filename(Response("http://x/d")) is None


def test_media_type_is_sniffed_only_when_the_server_does_not_say() -> None:
    pdf = b"%PDF-1.7\n..."
    assert media_type(Response("http://x/f", body=pdf)) == "application/pdf"
    octet = {"Content-Type": "application/octet-stream"}
    assert media_type(Response("http://x/f", body=pdf, headers=octet)) == "application/pdf"
    declared = {"Content-Type": "Application/MSWord; charset=x"}
    assert media_type(Response("http://x/f", body=pdf, headers=declared)) == "application/msword"


def test_errors_by_status_and_soft_404() -> None:
    def kind(response: Response) -> str | None:
        error = response_error(response)
        return error.kind if error else None

    assert kind(html("", LIST_URL).replace(status=404)) == "http_404"
    assert kind(html("", LIST_URL).replace(status=403)) == "http_4xx"
    assert kind(html("", LIST_URL).replace(status=503)) == "http_5xx"
    assert kind(html("<title>404 页面不存在</title>")) == "soft_404"
    assert kind(html("<title>政府信息公开年报</title>")) is None


def apply_politeness(polite: bool) -> Settings:
    settings = crawl_settings("/tmp/archive", "/tmp/captures.jsonl", polite=polite, jobdir=None)
    Politeness().update_settings(settings)
    return settings


def test_polite_by_default_and_lifted_by_xxgk_polite() -> None:
    polite = apply_politeness(True)
    assert polite.getbool("ROBOTSTXT_OBEY")
    assert polite.getfloat("DOWNLOAD_DELAY") > 0
    assert polite.getfloat("DOWNLOAD_DELAY_JITTER") == 0  # every gap the full delay
    assert polite.getbool("AUTOTHROTTLE_ENABLED")
    assert polite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    fast = apply_politeness(False)
    assert fast.getbool("ROBOTSTXT_OBEY")
    assert fast.getfloat("DOWNLOAD_DELAY") == 0
    assert fast.getfloat("DOWNLOAD_DELAY_JITTER") == 0
    assert not fast.getbool("AUTOTHROTTLE_ENABLED")
    assert fast.getint("CONCURRENT_REQUESTS_PER_DOMAIN") > 1


def test_retries_server_errors_and_throttling_but_not_other_client_errors() -> None:
    codes = set(apply_politeness(True).getlist("RETRY_HTTP_CODES"))
    assert {500, 502, 503, 504, 429, 408} <= codes
    assert not codes & {400, 401, 403, 404, 410}


def test_navigation_depth_counts_moves_between_kinds_of_pages_not_paging() -> None:
    crawler = get_crawler(PortalSpider, {"XXGK_NAVIGATION_DEPTH": 2})
    depth = NavigationDepth.from_crawler(crawler)
    listing = html("").replace(request=Request(LIST_URL, meta={"navigation_depth": 2}))
    capture = Capture(LIST_URL, "http://www.example.gov.cn/", "listing")
    next_page = Request(f"{LIST_URL}?page=2", meta={"paging": True})
    report = Request("http://www.example.gov.cn/zwgk/zfxxgknb/t1.html")
    kept = list(depth.process_spider_output(listing, [capture, next_page, report]))
    assert kept == [capture, next_page]
    assert next_page.meta["navigation_depth"] == 2
    assert crawler.stats.get_value("xxgk/navigation_depth_exceeded") == 1
    start = Request("http://www.example.gov.cn/")
    assert depth.get_processed_request(start, None) is start


REPORT_URL = "http://www.example.gov.cn/zwgk/zfxxgknb/t1.html"


def test_a_304_goes_on_as_the_archived_page_and_its_capture_carries_no_body(
    tmp_path: Path,
) -> None:
    archive = LocalArchive(tmp_path)
    page = "<html><head><title>某县2023年政府信息公开工作年度报告</title></head></html>".encode()
    earlier = Capture(
        REPORT_URL,
        "http://www.example.gov.cn/",
        "report_page",
        status=200,
        fetched_at="2025-01-15T00:00:00.000+00:00",
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'},
        sha256=archive.put(page),
        size=len(page),
    )
    recrawl = ConditionalRecrawl(ArchivedResponses([earlier], archive))
    request = Request(REPORT_URL)
    recrawl.process_request(request)
    assert request.headers[b"If-None-Match"] == b'"v1"'
    not_modified = Response(REPORT_URL, status=304, headers={"ETag": '"v1"'}, request=request)
    response = asyncio.run(recrawl.process_response(request, not_modified))
    assert (response.status, response.body, response.flags) == (304, page, ["unchanged"])
    assert isinstance(response, HtmlResponse)  # its links can be followed
    capture = response_capture(response, earlier.site, "report_page")
    assert capture.body is None  # nothing for the archivist to store again
    assert (capture.sha256, capture.size, capture.revisits) == (
        earlier.sha256,
        earlier.size,
        earlier.fetched_at,
    )
    assert (capture.status, capture.media_type) == (304, "text/html")
    changed = Response(REPORT_URL, body=b"<html></html>", request=Request(REPORT_URL))
    assert asyncio.run(recrawl.process_response(changed.request, changed)) is changed
    assert response_capture(changed, earlier.site, "report_page").body == b"<html></html>"


class InternalsProbe(Spider):
    """Four requests to one host, one at a time; the first response's callback drops the
    requests still waiting (`spiders.internals.drop_waiting`)."""

    name = "internals-probe"
    custom_settings = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0.3,
        "DOWNLOAD_DELAY_JITTER": 0,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }

    def __init__(self, site: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.seen: list[tuple[str, bool]] = []  # every response's URL, and whether robots.txt
        self.dropped: list[int] = []
        self.refused: list[str] = []

    async def start(self) -> AsyncIterator[Request]:
        for n in range(4):
            yield Request(f"{self.site}p{n}", errback=self.refuse)

    def parse(self, response: Response) -> None:
        refusal = lambda waiting: IgnoreRequest(f"dropped {waiting.url}")  # noqa: E731
        self.dropped.append(drop_waiting(self.crawler, response.request, refusal))

    def refuse(self, failure: Failure) -> None:
        assert failure.check(IgnoreRequest)
        self.refused.append(failure.request.url)  # type: ignore[attr-defined]


def probe_internals() -> None:
    """Run `InternalsProbe` against `http://probe.farm.test/` (through `http_proxy`) and print
    what it saw as JSON."""
    process = CrawlerProcess()
    crawler = process.create_crawler(InternalsProbe)

    def received(response: Response, request: Request, **_: Any) -> None:
        crawler.spider.seen.append((request.url, is_robots_txt(request)))

    crawler.signals.connect(received, signal=signals.response_received)
    process.crawl(crawler, site="http://probe.farm.test/")
    process.start()
    spider = crawler.spider
    print(json.dumps({"seen": spider.seen, "dropped": spider.dropped, "refused": spider.refused}))


def test_the_scrapy_internals_we_rely_on_still_hold() -> None:
    site = Site("probe.farm.test", {f"/p{n}": Reply(b"<html></html>") for n in range(4)})
    with Farm(site) as farm:
        probe = [sys.executable, "-c", f"from {__name__} import probe_internals; probe_internals()"]
        env = {**os.environ, "http_proxy": farm.proxy}
        done = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60)
        requested = farm.requested(site.host)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    robots, (page, *more) = seen["seen"][0], seen["seen"][1:]
    assert robots == ["http://probe.farm.test/robots.txt", True]  # is_robots_txt
    assert page[1] is False and not more
    assert seen["dropped"] == [3]  # drop_waiting: the slot's queue held the other three
    assert sorted([page[0], *seen["refused"]]) == [f"{site.url}p{n}" for n in range(4)]
    assert requested == ["/robots.txt", urlsplit(page[0]).path]
