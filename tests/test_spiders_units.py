"""The spider's small parts, on real Scrapy responses and settings."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings

from spiders.crawl import crawl_settings
from spiders.errors import response_error
from spiders.links import Anchor, anchors, attachment_extension, is_report_column, is_report_title
from spiders.paging import GenericPager, TrsCreatePageHtmlPager
from spiders.politeness import Politeness
from spiders.responses import disposition_filename, media_type

LIST_URL = "http://www.example.gov.cn/zwgk/zfxxgknb/index.html"


def html(body: str, url: str = LIST_URL) -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


@pytest.mark.parametrize(
    ("title", "is_report"),
    [
        ("汝阳县人民政府2019年政府信息公开工作年度报告", True),
        ("洛宁县人民政府 2020 年政府信息公开工作 年度报告", True),
        ("县卫健委2021年度政府信息公开工作年报", True),
        ("温县2022年政府信息公开工作年度报告解读", False),
        ("关于做好2019年政府信息公开工作年度报告编制发布工作的通知", False),
        ("政府信息公开年报", False),
        ("2019年政务公开工作要点", False),
    ],
)
def test_report_titles(title: str, is_report: bool) -> None:
    assert is_report_title(title) is is_report


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
    assert response_error(html("", LIST_URL).replace(status=404))["kind"] == "http_404"
    assert response_error(html("", LIST_URL).replace(status=403))["kind"] == "http_4xx"
    assert response_error(html("", LIST_URL).replace(status=503))["kind"] == "http_5xx"
    soft = html("<title>404 页面不存在</title>")
    assert response_error(soft)["kind"] == "soft_404"
    assert response_error(html("<title>政府信息公开年报</title>")) is None


def apply_politeness(polite: bool) -> Settings:
    settings = crawl_settings("/tmp/archive", "/tmp/captures.jsonl", polite=polite, jobdir=None)
    Politeness().update_settings(settings)
    return settings


def test_polite_by_default_and_lifted_by_xxgk_polite() -> None:
    polite = apply_politeness(True)
    assert polite.getbool("ROBOTSTXT_OBEY")
    assert polite.getfloat("DOWNLOAD_DELAY") > 0
    assert polite.getbool("AUTOTHROTTLE_ENABLED")
    assert polite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    fast = apply_politeness(False)
    assert fast.getbool("ROBOTSTXT_OBEY")
    assert fast.getfloat("DOWNLOAD_DELAY") == 0
    assert not fast.getbool("AUTOTHROTTLE_ENABLED")
    assert fast.getint("CONCURRENT_REQUESTS_PER_DOMAIN") > 1


def test_retries_server_errors_and_throttling_but_not_other_client_errors() -> None:
    codes = set(apply_politeness(True).getlist("RETRY_HTTP_CODES"))
    assert {500, 502, 503, 504, 429, 408} <= codes
    assert not codes & {400, 401, 403, 404, 410}
