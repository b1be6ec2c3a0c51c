"""The paging adapters and failure classifiers on single responses."""

from __future__ import annotations

import json

from scrapy import FormRequest
from scrapy.http import HtmlResponse, JsonResponse, Response, XmlResponse

from spiders.downloadermiddlewares.retry import retry_after
from spiders.errors import response_error
from spiders.pagers.gkmlpt import GkmlptPager
from spiders.pagers.hanweb import HanwebJpagePager
from spiders.pagers.jeecms import JeecmsPager
from spiders.pagers.trs import TrsCreatePageHtmlPager

BASE = "http://www.example.gov.cn"


def html(body: str, url: str = f"{BASE}/col/col1/index.html", status: int = 200) -> HtmlResponse:
    page = f"<html><head><title>t</title></head><body>{body}</body></html>"
    return HtmlResponse(url, body=page.encode(), encoding="utf-8", status=status)


def test_trs_six_argument_and_variable_forms() -> None:
    six = html("<script>createPageHTML('page_div', 3, 0, 'index', 'shtml', 45);</script>")
    assert list(TrsCreatePageHtmlPager().pages(six))[1:] == [
        f"{BASE}/col/col1/index_1.shtml",
        f"{BASE}/col/col1/index_2.shtml",
    ]
    variables = html(
        "<script>var countPage = 2//共多少页\nvar prefixName = 'list';\nvar suffixName = 'htm';"
        "createPageHTML(countPage, currentPage, prefixName, suffixName);</script>"
    )
    assert list(TrsCreatePageHtmlPager().pages(variables)) == [
        f"{BASE}/col/col1/list.htm",
        f"{BASE}/col/col1/list_1.htm",
    ]


def test_trs_pages_counted_from_1_when_the_first_page_is_page_1() -> None:
    first = html("<script>createPageHTML(3, 1, 'index', 'html');</script>")
    assert list(TrsCreatePageHtmlPager().pages(first)) == [
        f"{BASE}/col/col1/index.html",
        f"{BASE}/col/col1/index_2.html",
        f"{BASE}/col/col1/index_3.html",
    ]
    later = html(
        "<script>createPageHTML(3, 2, 'index', 'html');</script>",
        url=f"{BASE}/col/col1/index_2.html",
    )
    assert list(TrsCreatePageHtmlPager().pages(later)) == []


def test_hanweb_records_and_post_groups() -> None:
    link = '<li><a href="/art/1.html">某县2023年政府信息公开工作年度报告</a></li>'
    record = f"<record><![CDATA[{link}]]></record>"
    page = html(
        f'<script type="text/xml"><datastore><recordset>{record}</recordset></datastore></script>'
        "<script>$('#9').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 10,"
        " totalRecord: 25, columnid: '77', unitid: '9', webid: '2'});</script>"
    )
    pager = HanwebJpagePager()
    assert [a.url for a in pager.anchors(page)] == [f"{BASE}/art/1.html"]
    requests = list(pager.pages(page))
    assert [r.url.rsplit("?", 1)[1] for r in requests] == [
        "startrecord=1&endrecord=10&perpage=10",
        "startrecord=11&endrecord=20&perpage=10",
        "startrecord=21&endrecord=30&perpage=10",
    ]
    assert all(isinstance(r, FormRequest) and r.method == "POST" for r in requests)
    assert b"columnid=77" in requests[0].body and b"unitid=9" in requests[0].body


def test_hanweb_get_groups_follow_nextgroup_until_empty() -> None:
    def group(next_link: str) -> XmlResponse:
        body = (
            f"<datastore><nextgroup><![CDATA[{next_link}]]></nextgroup><recordset><record>"
            "<![CDATA[<li><a href='/art/2.html'>x</a></li>]]></record></recordset></datastore>"
        )
        return XmlResponse(f"{BASE}/module/jpage/dataproxy.jsp?page=1", body=body.encode())

    link = '<a href="/module/jpage/dataproxy.jsp?page=2&columnid=5"></a>'
    assert list(HanwebJpagePager().pages(group(link))) == [
        f"{BASE}/module/jpage/dataproxy.jsp?page=2&columnid=5"
    ]
    assert list(HanwebJpagePager().pages(group(""))) == []


def test_gkmlpt_categories_and_json_pages() -> None:
    index = html(
        "<script>var SID = 'g001';</script><a href='./index#2855'>政府信息公开年报</a>"
        "<a href='./index#2850'>规划计划</a>",
        url=f"{BASE}/gkmlpt/index",
    )
    (category,) = GkmlptPager().columns(index)
    assert category.url == f"{BASE}/gkmlpt/api/all/2855?page=1&sid=g001"
    article = {"title": "a", "url": "//www.example.gov.cn/gkmlpt/content/1.html#2855"}
    body = json.dumps({"articles": [article], "total": 3}).encode()
    listing = JsonResponse(category.url, body=body)
    assert [a.url for a in GkmlptPager().anchors(listing)] == [f"{BASE}/gkmlpt/content/1.html"]
    assert list(GkmlptPager().columns(listing)) == []
    assert list(GkmlptPager().pages(listing)) == [
        f"{BASE}/gkmlpt/api/all/2855?page=2&sid=g001",
        f"{BASE}/gkmlpt/api/all/2855?page=3&sid=g001",
    ]


def test_gkmlpt_report_categories_from_the_config_tree_of_a_department_site() -> None:
    tree = [
        {"id": 1, "name": "法定主动公开内容", "children": [{"id": 2, "name": "规划计划"}]},
        {
            "id": 3,
            "name": "政府信息公开年报",
            "children": [{"id": 4, "name": "2023年"}, {"id": 5, "name": "县教育局"}],
        },
    ]
    config = f"window._CONFIG = {{\n  SID: '755031',\n  TREE: {json.dumps(tree)},\n  X: 1}};"
    index = html(f"<script>{config}</script><div id='app'></div>", url=f"{BASE}/jyj/gkmlpt/index")
    columns = {a.url.rsplit("/", 1)[1]: a.text for a in GkmlptPager().columns(index)}
    assert columns == {
        "3?page=1&sid=755031": "政府信息公开年报",
        "4?page=1&sid=755031": "2023年",
        "5?page=1&sid=755031": "县教育局",
    }
    assert all("/jyj/gkmlpt/api/all/" in a.url for a in GkmlptPager().columns(index))


def test_jeecms_first_list_page_gives_every_page() -> None:
    pager = (
        "<div class='pagination'>共 45 条 每页 20 条 页次:1/3 "
        "<input type='button' value='下一页' onclick=\"location.href='index_2.jhtml'\"/></div>"
    )
    first = html(pager, url=f"{BASE}/zfxxgknb/index.jhtml")
    assert list(JeecmsPager().pages(first)) == [
        f"{BASE}/zfxxgknb/index_2.jhtml",
        f"{BASE}/zfxxgknb/index_3.jhtml",
    ]
    assert list(JeecmsPager().pages(html(pager, url=f"{BASE}/zfxxgknb/index_2.jhtml"))) == []
    assert list(JeecmsPager().pages(html("页次:1/3", url=f"{BASE}/col/index.html"))) == []


def kind(response: Response) -> str | None:
    error = response_error(response)
    return error.kind if error else None


def test_challenges_and_shells_are_told_apart_from_pages() -> None:
    assert kind(html("", status=521)) == "blocked"
    stub = "<script>document.cookie='__jsl_clearance=1';location.reload()</script>"
    assert kind(html(stub)) == "blocked"
    shell = '<div id="app"></div><script src="/app.js"></script>'
    assert kind(html(shell)) == "needs_browser"
    data = '<script type="text/xml"><datastore></datastore></script><script src="/j.js"></script>'
    assert kind(html(data)) is None
    assert kind(html('<a href="/x">政府信息公开</a><script src="/app.js"></script>')) is None


def test_retry_after_as_seconds_or_date() -> None:
    assert retry_after(Response("http://x", headers={"Retry-After": "120"})) == 120
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after(Response("http://x", headers={"Retry-After": past})) == 0
    assert retry_after(Response("http://x")) is None
