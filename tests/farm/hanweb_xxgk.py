"""A county portal on Hanweb (大汉) with its 信息公开 module, as such portals serve it.

Static pages are GBK, their charset only in the page (`text/html` without one). The 年报
column (`/col/col1229/index.html`) is an empty `<div>` its inline `$.ajax` fills by POSTing
`/module/xxgk/search.jsp` the column's parameters; the answer, a UTF-8 fragment (its charset in
the header), holds five rows a page and counts its pages (共3页), each asked for by `currpage`.
Beside it an iframe (`/module/xxgk/tree.jsp?divid=…&area=…`, UTF-8, no charset anywhere) holds
the column's year and unit trees, nodes calling `funclick(infotypeId)`, some written by script;
a node lists by `search.jsp` with its id, one over two pages. The 政府信息公开 page holds the
whole directory's tree the same way; the departments' column loads its list by the module's
`loadDynamic(url, divid, …)`, its parameters in the URL. Attachments (PDF, DOCX, DOC, WPS, TXT,
a ZIP holding a PDF) download from `/module/download/downfile.jsp?classid=0&filename=<stored
name>`: named in Content-Disposition (GBK bytes, or percent-encoded UTF-8), or only by their
link text behind a redirect to `/attach/0/…`; one is linked straight from a list. Among the
rows: decoys (解读, 图解, 一图读懂, 工作要点, 网站工作年度报表, a notice on compiling the
report), a pre-2019 report, one under a robots.txt Disallow, one gone (404), one off site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from tests.farm import sites
from tests.farm.reports import PRE_2019, PRE_2019_TITLE, inline, report_file
from tests.farm.server import Call, Reply, Site
from tests.farm.sites import METADATA, OFF_SITE, link, page

HOST = "hanwebxxgk.farm.test"
AREA = "113307810025812345"
DIRECTORY = "/col/col1228/index.html"
COLUMN = "/col/col1229/index.html"
DEPARTMENTS = "/col/col1236/index.html"
SEARCH = "/module/xxgk/search.jsp"
TREE = "/module/xxgk/tree.jsp"
DOWNFILE = "/module/download/downfile.jsp"
PER_PAGE = 5
WHO = "某县人民政府"
DEPARTMENT_NAMES = [
    "县卫生健康委员会",
    "县民政局",
    "县水利局",
    "县公安局",
    "县自然资源局",
    "县文化和旅游局",
]


@dataclass(frozen=True)
class Row:
    href: str
    title: str


def gbk(title: str, body: str) -> Reply:
    return Reply(page(title, body, "gbk"), content_type="text/html")


def article(title: str, files: str = "", text: str = "<p>正文……</p>") -> Reply:
    """A page of the site's: GBK, its metadata in a table, its text, attachments below."""
    metadata = METADATA["table"].format(publisher=WHO)
    return gbk(title, f"{metadata}<h1>{title}</h1><div id='zoom'>{text}{files}</div>")


def fragment(rows: list[Row], number: int) -> Reply:
    """search.jsp's answer: a page of rows, the pager counting the pages."""
    pages = max(1, -(-len(rows) // PER_PAGE))
    shown = rows[PER_PAGE * (number - 1) : PER_PAGE * number]
    cells = "".join(
        f"<tr class='tr_main_value_{'odd' if n % 2 else 'even'}'><td>{n}</td><td align='left'>"
        f"<a href='{escape(row.href)}' target='_blank' title='{escape(row.title)}'>"
        f"{escape(row.title[:16])}…</a></td><td>2024-01-15</td></tr>"
        for n, row in enumerate(shown, start=1)
    )
    pager = "".join(
        f"<a href='javascript:void(0);' onclick='javascript:gotoPage({n});'>{n}</a> "
        for n in range(1, pages + 1)
    )
    html = (
        "<table width='100%' class='xxgk_table'><tr class='tr_main_title'><td>序号</td>"
        f"<td>名称</td><td>发布日期</td></tr>{cells}</table><table class='tb_title'><tr><td>"
        f"共&nbsp;{len(rows)}&nbsp;条记录&nbsp;&nbsp;共{pages}页&nbsp;&nbsp;当前第{number}页"
        f"&nbsp;{pager}</td></tr></table>"
    )
    return Reply(html.encode(), content_type="text/html;charset=UTF-8")


def tree(nodes: dict[str, str], written: dict[str, str]) -> Reply:
    """tree.jsp: nodes as links, and more nodes written by script, as the module writes them."""
    links = "".join(
        f"<li><a href='javascript:void(0);' onclick=\"funclick('{node}','div1229','{label}')\">"
        f"{label}</a></li>"
        for node, label in nodes.items()
    )
    script = "".join(
        f"document.write(\"<li><a href=\\\"javascript:funclick('{node}','div1229')\\\">"
        f'{label}</a></li>");\n'
        for node, label in written.items()
    )
    html = (
        "<html><head><link rel='stylesheet' href='/module/xxgk/css/tree.css'>"
        "<script>var jdid = '3096';</script></head><body><div class='tree'>"
        f"<ul>{links}<script>{script}</script></ul></div></body></html>"
    )
    return Reply(html.encode(), content_type="text/html")


def downfile(
    site: Site, stored: str, data: bytes, disposition: str | None = None, moved: bool = False
) -> str:
    """A download by stored name; returns its link. `disposition`: the name as the header
    carries it; `moved`: answered by a redirect to `/attach/0/<stored>`."""
    target = f"{DOWNFILE}?classid=0&filename={stored}"
    if moved:
        site.routes[target] = Reply(status=302, headers={"Location": f"/attach/0/{stored}"})
        site.routes[f"/attach/0/{stored}"] = Reply(data, content_type="application/octet-stream")
        site.attachments.add(f"/attach/0/{stored}")
        return target
    headers = {"Content-Disposition": f"attachment;filename={disposition}"} if disposition else {}
    site.routes[target] = Reply(data, content_type="application/octet-stream", headers=headers)
    site.attachments.add(target)
    return target


def gbk_header(name: str) -> str:
    """A name as GBK bytes in the header, as servers send it (the header is Latin-1 on the wire)."""
    return name.encode("gbk").decode("latin-1")


def hanweb_xxgk() -> Site:
    site = Site(HOST, {}, disallow=["/preview/"])
    site.routes["/"] = gbk(
        "某县人民政府",
        link("/", "首页")
        + link(DIRECTORY, "政府信息公开")
        + link(OFF_SITE, sites.title(2023, "国务院"))
        + link("http://www.zjzwfw.gov.cn/", "浙江政务服务网"),
    )
    site.routes[DIRECTORY] = gbk(
        "政府信息公开",
        link("/col/col1227/index.html", "政府信息公开指南")
        + link(COLUMN, "政府信息公开年报")
        + link(DEPARTMENTS, "部门政府信息公开年报")
        + link("/art/2023/3/1/art_1228_50.html", "2023年某县政务公开工作要点")
        + frame("div1228"),
    )
    column = (
        f"{frame('div1229')}<div id='div1229'></div><script type='text/javascript'>"
        "$(function(){ $.ajax({ type: 'POST',\n url: '/module/xxgk/search.jsp?standardXxgk=1"
        "&isAllList=1&texttype=&fbtime=&vc_all=&vc_filenumber=&vc_title=&vc_number=&currpage=1"
        "&sortfield=createdatetime:0',\n data: { infotypeId: 'A0901', jdid: '3096', area: "
        f"'{AREA}', divid: 'div1229', sortfield: 'createdatetime:0', currpage: 1, standardXxgk:"
        " 1 },\n success: function(data){ $('#div1229').html(data); } }); });</script>"
    )
    site.routes[COLUMN] = gbk("政府信息公开年报", column)
    departments = (  # the module's own loader, its parameters in the query
        "<div id='div1236'></div><script>loadDynamic('/module/xxgk/search.jsp?infotypeId=A0903"
        f"&vc_title=&vc_number=&area={AREA}', 'div1236', '0', '0', '950', '3096', '', '');"
        "</script>"
    )
    site.routes[DEPARTMENTS] = gbk("部门政府信息公开年报", departments)
    lists = {
        "A0901": main_list(site),
        "A090101": [Row("/art/2024/1/15/art_1229_3101.html", sites.title(2023)), town_report(site)],
        "A090102": [
            Row("/art/2023/1/18/art_1229_2901.html", sites.title(2022)),
            street_report(site),
        ],
        "A090201": education_list(site),
        "A090202": [
            add_article(site, "/art/2024/1/22/art_1232_3401.html", sites.title(2023, "县财政局"))
        ],
        "A0903": [
            add_article(site, f"/art/2024/1/2{n}/art_1236_350{n}.html", sites.title(2023, who))
            for n, who in enumerate(DEPARTMENT_NAMES)
        ],
    }
    lists["A09"] = lists["A0901"]  # the category lists its sub-categories' documents too
    site.routes[SEARCH] = search(lists)
    directory_tree = tree(  # labels count their documents
        {"A01": "规划计划(0)", "A09": "政府信息公开年报(15)"}, {"A10": "政策解读(0)"}
    )
    column_tree = tree(
        {"A090101": "2023年(2)", "A090102": "2022年(2)"},
        {"A090201": "县教育局(6)", "A090202": "县财政局(1)"},
    )
    site.routes[TREE] = lambda call: (
        directory_tree if call.query.get("divid") == "div1228" else column_tree
    )
    return site


def frame(division: str) -> str:
    src = f"{TREE}?divid={division}&amp;area={AREA}&amp;standardXxgk=1"
    return f"<iframe src='{src}' frameborder='0' scrolling='no' width='230'></iframe>"


def search(lists: dict[str, list[Row]]) -> Callable[[Call], Reply]:
    """search.jsp reads its parameters from the query and the form alike (`getParameter`)."""

    def answer(call: Call) -> Reply:
        parameters = {**call.query, **call.form}
        rows = lists.get(parameters.get("infotypeId", ""))
        if rows is None or parameters.get("area") != AREA:
            return Reply("<p>暂无信息</p>".encode(), content_type="text/html;charset=UTF-8")
        return fragment(rows, int(parameters.get("currpage") or 1))

    return answer


def add_article(site: Site, path: str, title: str, files: str = "", text: str = "") -> Row:
    site.routes[path] = article(title, files, text or "<p>正文……</p>")
    site.reports.add(path)
    return Row(path, title)


def attachment(href: str, text: str) -> str:
    return f"<p>附件：{link(escape(href), text)}</p>"


DECOYS = {
    "/art/2023/1/19/art_1229_2902.html": f"{sites.title(2022)}解读",
    "/art/2022/1/21/art_1229_2702.html": f"图解{sites.title(2021)}",
    "/art/2021/1/23/art_1229_2502.html": "一图读懂某县2020年政府信息公开工作年度报告",
    "/art/2023/3/1/art_1229_3150.html": "2023年某县政务公开工作要点",
    "/art/2024/1/10/art_1229_3160.html": f"{WHO}2023年度政府网站工作年度报表",
    "/art/2023/12/1/art_1229_3170.html": "关于做好2023年政府信息公开年报编制发布工作的通知",
    "/art/2022/1/19/art_1235_2704.html": "县教育局2021年政府信息公开工作年度报告解读",
}
PRIVATE = "/preview/art/2019/1/20/art_1229_1701.html"
GONE = "/art/2024/1/20/art_1229_3199.html"


def main_list(site: Site) -> list[Row]:
    """The column's own list: 15 rows, three pages."""
    pdf = report_file("pdf").body
    pdf_link = downfile(site, "2301181024519.pdf", pdf, gbk_header(f"{sites.title(2022)}.pdf"))
    docx_link = downfile(site, "2201201530112.docx", report_file("docx").body, moved=True)
    doc = report_file("doc").body
    doc_link = downfile(site, "2101221012334.doc", doc, quote(f"{sites.title(2020)}.doc"))
    wps = report_file("wps").body
    wps_link = downfile(site, "2001211608551.wps", wps, gbk_header(f"{sites.title(2019)}.wps"))
    for path, text in DECOYS.items():
        site.routes[path] = article(text)
    decoy = [Row(path, text) for path, text in DECOYS.items()]
    site.routes[PRIVATE] = article(sites.title(2018))
    pages = {
        "/art/2023/1/18/art_1229_2901.html": (sites.title(2022), attachment(pdf_link, "附件")),
        "/art/2022/1/20/art_1229_2701.html": (
            sites.title(2021),
            attachment(docx_link, "2021年年报全文.docx"),
        ),
        "/art/2021/1/22/art_1229_2501.html": (sites.title(2020), attachment(doc_link, "下载")),
        "/art/2020/1/21/art_1229_2301.html": (sites.title(2019), attachment(wps_link, "附件1")),
    }
    rows = [add_article(site, path, title, files) for path, (title, files) in pages.items()]
    return [
        add_article(site, "/art/2024/1/15/art_1229_3101.html", sites.title(2023), text=inline()),
        rows[0],
        decoy[0],
        rows[1],
        decoy[1],
        rows[2],
        decoy[2],
        rows[3],
        add_article(site, "/art/2018/1/25/art_1229_1801.html", PRE_2019_TITLE, text=PRE_2019),
        *decoy[3:6],
        Row(PRIVATE, sites.title(2018)),
        Row(GONE, sites.title(2023, "某县司法局")),
        Row(
            "http://www.zj.gov.cn/art/2024/1/20/art_1229_1.html",
            sites.title(2023, "浙江省人民政府"),
        ),
    ]


def town_report(site: Site) -> Row:
    path, title = "/art/2024/1/16/art_1233_3102.html", sites.title(2023, "城关镇人民政府")
    return add_article(site, path, title, text=inline())


def street_report(site: Site) -> Row:
    text = f"{DOWNFILE}?classid=0&filename=2301201100223.txt"
    site.routes[text] = Reply(report_file("txt").body, content_type="text/plain")
    site.attachments.add(text)
    title = sites.title(2022, "新城街道办事处")
    return add_article(
        site, "/art/2023/1/20/art_1234_2903.html", title, attachment(text, f"{title}.txt")
    )


def education_list(site: Site) -> list[Row]:
    """A unit's list over two pages: a report as a ZIP, one linked straight from the list."""
    who = "县教育局"
    packed = report_file("zip").body
    packed_link = downfile(
        site, "2401181105217.zip", packed, quote(f"{sites.title(2023, who)}.zip")
    )
    pdf = report_file("pdf").body
    straight = downfile(site, "2301160930448.pdf", pdf, gbk_header(f"{sites.title(2022, who)}.pdf"))
    return [
        add_article(
            site,
            "/art/2024/1/18/art_1235_3103.html",
            sites.title(2023, who),
            attachment(packed_link, "附件"),
        ),
        Row(straight, sites.title(2022, who)),
        Row("/art/2022/1/19/art_1235_2704.html", DECOYS["/art/2022/1/19/art_1235_2704.html"]),
        add_article(site, "/art/2022/1/18/art_1235_2703.html", sites.title(2021, who)),
        add_article(site, "/art/2021/1/18/art_1235_2503.html", sites.title(2020, who)),
        add_article(site, "/art/2020/1/18/art_1235_2303.html", sites.title(2019, who)),
    ]
