"""A county portal on a 集约化 platform (a province's shared site platform), as such portals
serve it.

The portal's own host answers only a `<meta http-equiv="refresh">` to the platform's `www.`
host. There a column's list page is an empty box its inline script fills from the platform's
JSON interface (`/interface/content/list?columnId=…&pageNo=…&pageSize=…`, `{"data": {"list":
[{"title", "url"}], "total", "pageCount"}}`), item URLs relative to the list page (`./202401/
t….html`): the 年报 column asks by `$.ajax` GET with its `data` built from script variables,
over four pages; its 2020 sub-column by `$.getJSON` with the query written out, the answer
served as `text/html`, over two pages; the departments' column by `$.ajax` POST, over two; the
townships' column `fetch`es a static `./data/list.json`. Reports as inline HTML, as PDF
(linked straight from the list), DOCX, DOC, WPS, TXT and a ZIP holding a PDF; decoys (解读,
图解, 一图读懂, 工作要点, 网站工作年度报表, a notice on compiling the report), a pre-2019
report, one under a robots.txt Disallow, one gone (404), one removed whose page goes home by a
slow refresh, one moved off the site by a meta refresh, one off site.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.farm import sites
from tests.farm.reports import PRE_2019, PRE_2019_TITLE, inline, report_file
from tests.farm.server import Call, Reply, Site
from tests.farm.sites import METADATA, OFF_SITE, link, page

START = "jiyue.farm.test"
HOST = f"www.{START}"
INTERFACE = "/interface/content/list"
COLUMN = "/zwgk/zfxxgknb/index.html"
YEAR_COLUMN = "/zwgk/zfxxgknb/2020/"
UNITS = "/zwgk/bmnb/index.html"
TOWNS = "/zwgk/xznb/index.html"
WHO = "某县人民政府"
NAV = (
    link("/index.html", "首页")
    + link("/zwgk/index.html", "政务公开")
    + link("/hdjl/index.html", "互动交流")
)


def shell(title: str, script: str) -> Reply:
    """A list page: the site's navigation, an empty list box and the script that fills it."""
    body = (
        f"<div class='nav'>{NAV}</div><div class='main'><h2>{title}</h2><ul id='listBox'></ul>"
        "<div id='pageBox'></div></div><script src='/static/js/jquery.min.js'></script>"
        f"<script src='/static/js/laypage.js'></script><script>{script}</script>"
    )
    return Reply(page(title, body))


def article(title: str, text: str = "<p>正文……</p>", files: str = "") -> Reply:
    metadata = METADATA["line"].format(publisher=WHO)
    return Reply(
        page(title, f"<div class='nav'>{NAV}</div>{metadata}<h1>{title}</h1>{text}{files}")
    )


COLUMN_SCRIPT = """
var columnId = "6731";
var pageSize = 5;
function getList(pageNo) {
  $.ajax({
    url: "/interface/content/list",
    type: "GET",
    dataType: "json",
    data: { columnId: columnId, pageNo: pageNo, pageSize: pageSize },
    success: function (res) {
      var html = "";
      $.each(res.data.list, function (i, item) {
        html += '<li><a href="' + item.url + '" target="_blank">' + item.title + '</a><span>'
          + item.publishTime + '</span></li>';
      });
      $("#listBox").html(html);
      laypage({ cont: "pageBox", pages: res.data.pageCount, curr: pageNo,
        jump: function (obj, first) { if (!first) { getList(obj.curr); } } });
    }
  });
}
getList(1);
"""
YEAR_SCRIPT = """
$.getJSON("/interface/content/list?columnId=6740&pageNo=1&pageSize=5", function (res) {
  render(res.data.list);
});
"""
UNITS_SCRIPT = """
$(function () {
  $.ajax({ type: "POST", url: "/interface/content/list", dataType: "json",
    data: { columnId: "6750", pageNo: 1, pageSize: 5 },
    success: function (res) { render(res.data.list, res.data.totalCount); } });
});
"""

TOWNS_SCRIPT = """
fetch("./data/list.json").then(function (r) { return r.json(); }).then(render);
"""


def jiyue() -> list[Site]:
    """The portal's host (a meta refresh) and the platform's, which holds the reports."""
    start = Site(START, {})
    start.routes["/"] = Reply(
        b'<html><head><meta http-equiv="refresh" content="0; url=http://www.jiyue.farm.test/">'
        b"</head><body></body></html>"
    )
    site = Site(HOST, {}, disallow=["/internal/"])
    home = Reply(page("某县人民政府门户网站", NAV + link(OFF_SITE, sites.title(2023, "国务院"))))
    site.routes["/"] = site.routes["/index.html"] = home
    site.routes["/zwgk/index.html"] = Reply(
        page(
            "政务公开",
            NAV
            + link(COLUMN, "政府信息公开年报")
            + link(UNITS, "部门政府信息公开年报")
            + link(TOWNS, "乡镇政府信息公开年报")
            + link("/zwgk/zcjd/index.html", "政策解读"),
        )
    )
    site.routes[COLUMN] = shell("政府信息公开年报", COLUMN_SCRIPT)
    site.routes[YEAR_COLUMN] = shell("2020年", YEAR_SCRIPT)
    site.routes[UNITS] = shell("部门政府信息公开年报", UNITS_SCRIPT)
    site.routes[TOWNS] = shell("乡镇政府信息公开年报", TOWNS_SCRIPT)
    towns = json.dumps(town_list(site), ensure_ascii=False).encode()
    site.routes["/zwgk/xznb/data/list.json"] = Reply(towns, content_type="application/json")
    lists = {
        "6731": (column_list(site), "application/json;charset=UTF-8", "pageCount"),
        "6740": (year_list(site), "text/html;charset=UTF-8", "total"),
        "6750": (unit_list(site), "application/json", "totalCount"),
    }
    site.routes[INTERFACE] = interface(lists)
    return [start, site]


def interface(lists: dict[str, tuple[list[dict[str, str]], str, str]]) -> Callable[[Call], Reply]:
    def answer(call: Call) -> Reply:
        parameters = {**call.query, **call.form}
        if parameters.get("columnId") not in lists:
            return Reply(b'{"code": 404, "msg": "column"}', content_type="application/json")
        items, content_type, count = lists[parameters["columnId"]]
        number, size = int(parameters.get("pageNo", 1)), int(parameters.get("pageSize", 10))
        pages = -(-len(items) // size)
        data = {
            "pageNo": number,
            "pageSize": size,
            "list": items[size * (number - 1) : size * number],
            count: pages if count == "pageCount" else len(items),
        }
        body = json.dumps({"code": 200, "msg": "success", "data": data}, ensure_ascii=False)
        return Reply(body.encode(), content_type=content_type)

    return answer


def item(title: str, url: str) -> dict[str, str]:
    return {"title": title, "url": url, "publishTime": "2024-01-15"}


def add_report(site: Site, path: str, title: str, **kw: str) -> None:
    site.routes[path] = article(title, **kw)
    site.reports.add(path)


def add_file(site: Site, path: str, format: str) -> str:
    file = report_file(format)
    site.routes[path] = Reply(file.body, content_type=file.content_type)
    site.attachments.add(path)
    return path


def files(href: str, name: str) -> str:
    return f"<p>附件：{link(href, name)}</p>"


DECOYS = {
    "/zwgk/zfxxgknb/202401/t20240116_86322.html": f"{sites.title(2023)}解读",
    "/zwgk/zfxxgknb/202401/t20240117_86323.html": f"图解：{sites.title(2023)}",
    "/zwgk/zfxxgknb/202301/t20230118_76320.html": f"一图读懂{sites.title(2022)}",
    "/zwgk/zfxxgknb/202303/t20230301_76400.html": "某县2023年政务公开工作要点",
    "/zwgk/zfxxgknb/202401/t20240110_86300.html": "某县人民政府2023年度政府网站工作年度报表",
    "/zwgk/zfxxgknb/202312/t20231201_86200.html": "关于做好2023年度政府信息公开年报编制工作的通知",
}
PRIVATE = "/internal/zfxxgknb/t20220120_1.html"
GONE = "/zwgk/zfxxgknb/202201/t20220125_66999.html"
#: A removed page that says so and goes home after five seconds: recorded, not followed.
REMOVED = "/zwgk/zfxxgknb/202201/t20220126_66998.html"
#: A page that moved to another host by meta refresh: refused like any redirect off the site.
MOVED = "/zwgk/zfxxgknb/202201/t20220127_66997.html"
ELSEWHERE = "http://tjj.elsewhere.farm.test/nb/2021.html"


def column_list(site: Site) -> list[dict[str, str]]:
    """The 年报 column: 17 entries, four pages, URLs relative to the list page."""
    base = "/zwgk/zfxxgknb/"
    add_report(site, f"{base}202401/t20240115_86321.html", sites.title(2023), text=inline())
    add_file(site, f"{base}202301/P020230117391234567890.pdf", "pdf")
    add_report(
        site,
        f"{base}202201/t20220120_66321.html",
        sites.title(2021),
        files=files(add_file(site, f"{base}202201/P020220120.docx", "docx"), "年报全文.docx"),
    )
    add_report(
        site,
        f"{base}202101/t20210122_56321.html",
        sites.title(2020, "县发展和改革局"),
        files=files("./P020210122.doc", f"{sites.title(2020, '县发展和改革局')}.doc"),
    )
    add_file(site, f"{base}202101/P020210122.doc", "doc")
    add_report(site, f"{base}201801/t20180125_16321.html", PRE_2019_TITLE, text=PRE_2019)
    for path, text in DECOYS.items():
        site.routes[path] = article(text)
    site.routes[PRIVATE] = article(sites.title(2021, "县审计局"))
    site.routes[REMOVED] = Reply(
        (
            '<html><head><meta http-equiv="refresh" content="5; url=/"><title>页面不存在</title>'
            "</head><body><p>您访问的页面不存在，5秒后返回首页</p></body></html>"
        ).encode()
    )
    refresh = f'<meta http-equiv="refresh" content="0;url={ELSEWHERE}">'
    site.routes[MOVED] = Reply(f"<html><head>{refresh}</head></html>".encode())
    entries = [
        item(sites.title(2023), "./202401/t20240115_86321.html"),
        item(DECOYS[f"{base}202401/t20240116_86322.html"], "./202401/t20240116_86322.html"),
        item(sites.title(2022), "./202301/P020230117391234567890.pdf"),
        item(DECOYS[f"{base}202401/t20240117_86323.html"], "./202401/t20240117_86323.html"),
        item(sites.title(2021), "./202201/t20220120_66321.html"),
        item(DECOYS[f"{base}202301/t20230118_76320.html"], "./202301/t20230118_76320.html"),
        item(sites.title(2020, "县发展和改革局"), "./202101/t20210122_56321.html"),
        item("2020年", "./2020/"),
        item(DECOYS[f"{base}202303/t20230301_76400.html"], "./202303/t20230301_76400.html"),
        item(DECOYS[f"{base}202401/t20240110_86300.html"], "./202401/t20240110_86300.html"),
        item(DECOYS[f"{base}202312/t20231201_86200.html"], "./202312/t20231201_86200.html"),
        item(PRE_2019_TITLE, "./201801/t20180125_16321.html"),
        item(sites.title(2021, "县审计局"), "../../internal/zfxxgknb/t20220120_1.html"),
        item(sites.title(2021, "县司法局"), "./202201/t20220125_66999.html"),  # gone: 404
        item(sites.title(2021, "县应急管理局"), "./202201/t20220126_66998.html"),
        item(sites.title(2021, "县统计局"), "./202201/t20220127_66997.html"),
        item(sites.title(2023, "某市人民政府"), "http://www.gov.cn/xxgk/nb/t20240120_1.html"),
    ]
    return entries


def year_list(site: Site) -> list[dict[str, str]]:
    """The 2020 sub-column: seven entries, two pages; a WPS, a TXT and a ZIP among them."""
    base = YEAR_COLUMN
    entries = []
    for n, (who, format) in enumerate(
        [("某县人民政府", "wps"), ("城关镇人民政府", "txt"), ("县教育局", "zip"), ("县财政局", "")]
        + [(f"第{n}街道办事处", "") for n in range(1, 4)]
    ):
        path = f"{base}t2021012{n}_4632{n}.html"
        attached = ""
        if format:
            href = add_file(site, f"{base}P02021012{n}.{format}", format)
            attached = files(href, f"{sites.title(2020, who)}.{format}")
        add_report(site, path, sites.title(2020, who), files=attached)
        entries.append(item(sites.title(2020, who), f"t2021012{n}_4632{n}.html"))
    return entries


def unit_list(site: Site) -> list[dict[str, str]]:
    """The departments' column: six reports, two pages, asked by POST."""
    entries = []
    for n, who in enumerate(
        ["县教育局", "县卫生健康委员会", "县财政局", "县公安局", "县民政局", "县水利局"]
    ):
        path = f"/zwgk/bmnb/202401/t2024011{n}_9632{n}.html"
        add_report(site, path, sites.title(2023, who), text=inline())
        entries.append(item(sites.title(2023, who), f"202401/t2024011{n}_9632{n}.html"))
    return entries


def town_list(site: Site) -> list[dict[str, str]]:
    """The townships' column: a static JSON file of every entry, no paging."""
    entries = []
    for n, who in enumerate(["城关镇人民政府", "河口乡人民政府", "新城街道办事处"]):
        path = f"/zwgk/xznb/202401/t2024012{n}_9732{n}.html"
        add_report(site, path, sites.title(2023, who))
        entries.append(item(sites.title(2023, who), f"./202401/t2024012{n}_9732{n}.html"))
    return entries


JPAAS = "jpaas.farm.test"
UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
WEB_ID = "3ad7a6c1a3e54e4fbd9e4e5f3c2b1a09"
#: What the 年报 column's list element gives the platform's `unitbuild.js`.
QUERY_DATA = (
    f"{{'webId':'{WEB_ID}','pageId':'4521','tplSetId':'b0a5c1ef8f2b4c7a9d3e',"
    "'pageType':'column','tagId':'信息列表','editType':'null'}"
)
JPAAS_GONE = "/art/2021/1/20/art_4521_20999.html"


def jpaas() -> Site:
    """A county portal on Hanweb's jpaas, the 集约化 platform of Jiangsu's sites: the 年报
    column's list element names its unit (`queryData`), which `unitbuild.js` asks of the unit
    interface, 15 a page (`paramJson={"pageNo":1,"pageSize":15}`); the answer carries the list
    as HTML (`data.html`) and its record count in the pager (`count="33"`): three pages."""
    site = Site(JPAAS, {})
    site.routes["/"] = Reply(page("某县人民政府", link("/col/col4520/index.html", "政府信息公开")))
    site.routes["/col/col4520/index.html"] = Reply(
        page("政府信息公开", link("/col/col4521/index.html", "政府信息公开年报"))
    )
    unit = f'<div class="xxgk-list" id="4521" queryData="{QUERY_DATA}"></div>'
    script = '<script src="/module/jpaas/unitbuild.js"></script>'
    site.routes["/col/col4521/index.html"] = Reply(page("政府信息公开年报", NAV + unit + script))
    rows = []
    for n, who in enumerate(["某县人民政府", *(f"第{k}街道办事处" for k in range(1, 30))]):
        path = f"/art/2024/1/{n % 28 + 1}/art_4521_{30000 + n}.html"
        add_report(site, path, sites.title(2023, who))
        rows.append((path, sites.title(2023, who)))
    pdf = add_file(site, "/attach/0/a1b2c3d4e5f6.pdf", "pdf")
    decoy = "/art/2024/1/16/art_4521_30100.html"
    site.routes[decoy] = article(f"{sites.title(2023)}解读")
    rows[1:1] = [(pdf, sites.title(2022)), (decoy, f"{sites.title(2023)}解读")]
    rows.append((JPAAS_GONE, sites.title(2020, "县司法局")))

    def answer(call: Call) -> Reply:
        wanted = json.loads(call.query.get("paramJson") or "{}")
        if (call.query.get("webId"), call.query.get("pageId")) != (WEB_ID, "4521"):
            return Reply(b'{"success": false, "data": null}', content_type="application/json")
        number, size = int(wanted.get("pageNo", 1)), int(wanted.get("pageSize", 15))
        shown = rows[size * (number - 1) : size * number]
        items = "".join(
            f"<li><a href='{href}' title='{text}' target='_blank'>{text}</a>"
            "<span>2024-01-15</span></li>"
            for href, text in shown
        )
        html = (
            f"<ul class='list'>{items}</ul><div class='pagination' count='{len(rows)}' "
            f"pagesize='{size}' page='{number}'></div>"
        )
        body = json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False)
        return Reply(body.encode(), content_type="application/json;charset=UTF-8")

    site.routes[UNIT] = answer
    return site
