"""The farm's sites, one per site system or failure; each knows the reports a crawl must find."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from tests.farm.server import Call, Reply, Route, Site
from tests.fixtures.render.scans import SCANS, image_page

PDF = b"%PDF-1.4\n%farm\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OFF_SITE = "http://www.gov.cn/zhengce/2023年国务院政府信息公开工作年度报告.html"


def page(title: str, body: str, charset: str = "utf-8") -> bytes:
    html = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body>{body}</body></html>"
    )
    return html.encode(charset)


def link(href: str, text: str) -> str:
    return f'<a href="{href}">{text}</a>'


def li(href: str, text: str) -> str:
    return f"<li>{link(href, text)}<span>2024-01-15</span></li>"


#: What a report page prints above its article, in the layouts of three site systems.
METADATA = {
    "table": (
        "<table><tr><td>索引号</td><td>000000/2024-00001</td><td>发布机构</td><td>{publisher}</td>"
        "</tr><tr><td>发文日期</td><td>2024-01-15</td><td>文号</td><td></td></tr></table>"
    ),
    "line": (
        "<div class='info'><span>发布时间：2024-01-15 10:30</span><span>来源：{publisher}</span>"
        "<span>【字体：<a href='#'>大</a> <a href='#'>中</a> <a href='#'>小</a>】</span></div>"
    ),
    "gkmlpt": (
        "<div class='classify'><table><tr><td class='first'>索 引 号：</td>"
        "<td>007542/2024-00012</td><td class='first'>分类：</td><td>综合政务</td></tr>"
        "<tr><td class='first'>发布机构：</td><td>{publisher}</td>"
        "<td class='first'>成文日期：</td><td>2024年01月12日</td></tr>"
        "<tr><td class='first'>文号：</td><td>某府办〔2024〕1号</td>"
        "<td class='first'>发布日期：</td><td>2024-01-15</td></tr></table></div>"
    ),
}


def report(
    title: str,
    attachment: str | None = None,
    name: str = "",
    layout: str = "table",
    publisher: str = "县政府办",
) -> Reply:
    metadata = METADATA[layout].format(publisher=publisher)
    files = f"<p>附件：{link(attachment, name or '年报全文.pdf')}</p>" if attachment else ""
    return Reply(page(title, f"{metadata}<h1>{title}</h1><p>正文……</p>{files}"))


def pdf(name: str | None = None) -> Reply:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"} if name else {}
    return Reply(PDF, content_type="application/octet-stream", headers=headers)


def title(year: int, who: str = "某县人民政府") -> str:
    return f"{who}{year}年政府信息公开工作年度报告"


def navigation(
    site: Site, column: str, reports_column: str, name: str = "政府信息公开年报"
) -> None:
    site.routes["/"] = Reply(
        page("首页", link(column, "政府信息公开") + link(OFF_SITE, title(2023)))
    )
    site.routes[column] = Reply(page("政府信息公开", link(reports_column, name)))


def add_report(
    site: Site, path: str, year: int, who: str = "某县人民政府", layout: str = "table"
) -> str:
    """A report page with its attachment; returns the title the lists show."""
    attachment = path.rsplit(".", 1)[0] + ".pdf"
    site.routes[path] = report(title(year, who), attachment, layout=layout, publisher=who)
    site.routes[attachment] = pdf()
    site.reports.add(path)
    site.attachments.add(attachment)
    return title(year, who)


def hanweb() -> Site:
    """大汉 jpage: 8 records (one a 解读 decoy), 3 a page, the first page's records in the
    column page's `<script type="text/xml">`, the rest by POST to the data proxy."""
    site = Site("hanweb.farm.test", {})
    navigation(site, "/col/col100/index.html", "/col/col101/index.html")
    records = [
        li(
            f"/art/2024/1/15/art_101_{n}.html",
            add_report(site, f"/art/2024/1/15/art_101_{n}.html", 2023 - n),
        )
        for n in range(7)
    ]
    records.insert(2, li("/art/2024/1/15/art_101_99.html", title(2022) + "解读"))
    site.routes["/art/2024/1/15/art_101_99.html"] = report(title(2022) + "解读")

    def datastore(chosen: list[str], extra: str = "") -> str:
        rows = "".join(f"<record><![CDATA[{record}]]></record>" for record in chosen)
        return (
            '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1'
            '&webid=3&path=/&columnid=101&unitid=5001&permissiontype=0"></a>]]></nextgroup>'
            f"<recordset>{rows}</recordset>{extra}</datastore>"
        )

    column = (
        f'<div id="5001"><script type="text/xml">{datastore(records[:3])}</script></div>'
        "<script>$(document).ready(function(){$('#5001').jpage({dataStore: dataStore,"
        " proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 3, totalRecord: 8,"
        " webid: '3', columnid: '101', unitid: '5001', groupSize: 1});});</script>"
    )
    site.routes["/col/col101/index.html"] = Reply(page("政府信息公开年报", column))

    def proxy(call: Call) -> Reply:
        if call.method != "POST" or call.form.get("columnid") != "101":
            return Reply(b"", status=405)
        start, end = int(call.query["startrecord"]), int(call.query["endrecord"])
        body = datastore(records[start - 1 : end], f"<totalrecord>{len(records)}</totalrecord>")
        return Reply(body.encode(), content_type="text/xml; charset=utf-8")

    site.routes["/module/web/jpage/dataproxy.jsp"] = proxy
    return site


def old_hanweb() -> Site:
    """Older 大汉: `/module/jpage/dataproxy.jsp?page=N` groups chained by `<nextgroup>`, and a
    department column paged as static `?uid=…&pageNum=N`."""
    site = Site("oldhanweb.farm.test", {})
    site.routes["/"] = Reply(page("首页", link("/col/col200/index.html", "信息公开")))
    site.routes["/col/col200/index.html"] = Reply(
        page(
            "信息公开",
            link("/col/col201/index.html", "政府信息公开年报")
            + link("/col/col202/index.html", "部门政府信息公开年报"),
        )
    )
    records = [li(f"/art/{n}.html", add_report(site, f"/art/{n}.html", 2017 + n)) for n in range(7)]

    def group(number: int) -> str:
        chosen = records[3 * (number - 1) : 3 * number]
        following = (
            f'<a href="/module/jpage/dataproxy.jsp?page={number + 1}&webid=1&columnid=201"></a>'
            if 3 * number < len(records)
            else ""
        )
        rows = "".join(f"<record><![CDATA[{record}]]></record>" for record in chosen)
        return (
            f"<datastore><nextgroup><![CDATA[{following}]]></nextgroup>"
            f"<recordset>{rows}</recordset></datastore>"
        )

    column = f'<script type="text/xml">{group(1)}</script>'
    site.routes["/col/col201/index.html"] = Reply(page("政府信息公开年报", column))
    site.routes["/module/jpage/dataproxy.jsp"] = lambda call: Reply(
        group(int(call.query["page"])).encode(), content_type="text/xml; charset=utf-8"
    )
    departments = ["县教育局", "县卫生健康委员会", "县财政局", "县公安局"]
    pages = [departments[:2], departments[2:]]
    for number, names in enumerate(pages, start=1):
        paths = [f"/art/d{number}{i}.html" for i in range(len(names))]
        rows = "".join(
            f"<record><![CDATA[{li(path, add_report(site, path, 2023, who))}]]></record>"
            for path, who in zip(paths, names, strict=True)
        )
        body = (
            f'<script type="text/xml"><datastore><recordset>{rows}</recordset>'
            f"<totalpage>{len(pages)}</totalpage></datastore></script>"
            "<script>document.write('<a href=\"?uid=6001&pageNum='"
            " + (pageNum + 1) + '\">下一页</a>');</script>"
        )
        target = "/col/col202/index.html" + ("" if number == 1 else f"?uid=6001&pageNum={number}")
        site.routes[target] = Reply(page("部门政府信息公开年报", body))
    return site


def trs() -> Site:
    """TRS WCM: the report column pages by `createPageHTML` (six-argument form, `.shtml`),
    a per-year sub-column by `var countPage` (four-argument form, `.htm`), another whose pages
    count from 1 (`index_2.html` is the second page); township and department reports and
    解读/通知 decoys."""
    site = Site("trs.farm.test", {})
    navigation(site, "/zwgk/", "/zwgk/zfxxgknb/")
    lists: list[list[str]] = [[], [], []]
    for n in range(6):
        who = ["某县人民政府", "城关镇人民政府", "县发展和改革委员会"][n % 3]
        path = f"/zwgk/zfxxgknb/202401/t20240115_{n}.shtml"
        entry = add_report(site, path, 2023, who, layout="line")
        lists[n // 2].append(li(f"./202401/t20240115_{n}.shtml", entry))
    lists[0].append(li("./202401/t20240116_1.shtml", title(2023) + "解读"))
    lists[1].append(li("./202401/t20240116_2.shtml", f"关于做好{title(2023)}编制工作的通知"))
    lists[0].append(li("./2019/", "2019年"))
    lists[0].append(li("./2020/", "2020年"))
    for number, items in enumerate(lists):
        script = f"<script>createPageHTML('page_div',3, {number},'index','shtml',8);</script>"
        body = f"<ul>{''.join(items)}</ul><div id='page_div'></div>{script}"
        name = "index.shtml" if number == 0 else f"index_{number}.shtml"
        site.routes[f"/zwgk/zfxxgknb/{name}"] = Reply(page("政府信息公开年报", body))
    site.routes["/zwgk/zfxxgknb/"] = site.routes["/zwgk/zfxxgknb/index.shtml"]
    for number in range(2):
        path = f"/zwgk/zfxxgknb/2019/t2019_{number}.htm"
        item = li(
            f"t2019_{number}.htm",
            add_report(site, path, 2019, ["某县人民政府", "河口乡人民政府"][number]),
        )
        script = (
            f"<script>var currentPage = {number};//所在页从0开始\nvar prefixName = 'index';\n"
            "var suffixName = 'htm';\nvar countPage = 2//共多少页\n"
            "createPageHTML(countPage, currentPage, prefixName, suffixName);</script>"
        )
        name = "index.htm" if number == 0 else "index_1.htm"
        site.routes[f"/zwgk/zfxxgknb/2019/{name}"] = Reply(
            page("2019年", f"<ul>{item}</ul>{script}")
        )
    site.routes["/zwgk/zfxxgknb/2019/"] = site.routes["/zwgk/zfxxgknb/2019/index.htm"]
    for number in range(1, 4):  # numbered from 1: index.html, index_2.html, index_3.html
        path = f"/zwgk/zfxxgknb/2020/t2020_{number}.html"
        item = li(f"t2020_{number}.html", add_report(site, path, 2020, f"第{number}街道办事处"))
        script = (
            f"<script>var currentPage = {number};//所在页从1开始\nvar countPage = 3;\n"
            "createPageHTML(countPage, currentPage, 'index', 'html');</script>"
        )
        name = "index.html" if number == 1 else f"index_{number}.html"
        site.routes[f"/zwgk/zfxxgknb/2020/{name}"] = Reply(
            page("2020年", f"<ul>{item}</ul>{script}")
        )
    site.routes["/zwgk/zfxxgknb/2020/"] = site.routes["/zwgk/zfxxgknb/2020/index.html"]
    return site


def gkmlpt() -> Site:
    """广东 gkmlpt: categories on the index page, 12 articles as JSON, 5 a page."""
    site = Site("gkmlpt.farm.test", {})
    site.routes["/"] = Reply(page("首页", link("/gkmlpt/index", "政府信息公开")))
    index = (
        "<script>window._CONFIG = {SID: '755123', TYPE: 'gkmlpt'};</script><div id='app'>"
        + link("/gkmlpt/index#2850", "规划计划")
        + link("/gkmlpt/index#2855", "政府信息公开年报")
        + "</div>"
    )
    site.routes["/gkmlpt/index"] = Reply(page("政府信息公开目录", index))
    articles = []
    for n in range(12):
        path = f"/gkmlpt/content/2/2855/post_{1000 + n}.html"
        who = "某区人民政府" if n < 6 else f"某区第{n}街道办事处"
        articles.append(
            {
                "title": add_report(site, path, 2023 - n % 6, who, layout="gkmlpt"),
                "url": f"http://{site.host}{path}#2855",
                "date": 1705276800,
            }
        )

    def api(call: Call) -> Reply:
        if call.query.get("sid") != "755123":
            return Reply(b'{"error": "sid"}', status=400, content_type="application/json")
        number = int(call.query.get("page", "1"))
        chosen = articles[5 * (number - 1) : 5 * number]
        data = {"articles": chosen, "total": len(articles), "page": number}
        return Reply(json.dumps(data, ensure_ascii=False).encode(), content_type="application/json")

    site.routes["/gkmlpt/api/all/2855"] = api
    site.routes["/gkmlpt/api/all/2850"] = api
    return site


def generic() -> Site:
    """A GBK site (charset only in the page) paged by 下一页 without end; attachments behind
    hash URLs; a dead link, a soft 404, a redirect loop, a report under robots.txt Disallow,
    and links to the same report on a mirror domain and off site."""
    site = Site("generic.farm.test", {}, disallow=["/private/"])

    def gbk(title_: str, body: str) -> Reply:
        return Reply(page(title_, body, "gbk"), content_type="text/html")

    site.routes["/"] = gbk("首页", link("/xxgk/", "信息公开") + link(OFF_SITE, title(2023)))
    site.routes["/xxgk/"] = gbk("信息公开", link("/xxgk/nb/index.html", "政府信息公开年报"))
    first = [
        li("/xxgk/nb/2023.html", title(2023)),
        li("/xxgk/nb/2022.html", title(2022)),
        li("/private/2021.html", title(2021)),
        li("http://mirror.generic.farm.test/xxgk/nb/2020.html", title(2020)),
        li("/xxgk/nb/2019.html", title(2019)),
    ]
    second = [
        li("/xxgk/nb/2018.html", title(2018)),
        li("/xxgk/nb/2017.html", title(2017)),
    ]
    site.routes["/xxgk/nb/2023.html"] = Reply(
        page(title(2023), link("/download?id=8f14e45fceea167a", "2023年年度报告.pdf"), "gbk"),
        content_type="text/html",
    )
    site.routes["/download"] = Reply(PDF, content_type="application/octet-stream")
    site.routes["/xxgk/nb/2022.html"] = gbk(
        title(2022), link("/getfile/c9f0f895fb98ab91", "年报全文.pdf")
    )
    site.routes["/getfile/c9f0f895fb98ab91"] = pdf("某县2022年政府信息公开工作年度报告.pdf")
    site.routes["/xxgk/nb/2018.html"] = Reply(page("页面不存在", "<p>您访问的页面不存在</p>"))
    site.routes["/xxgk/nb/2017.html"] = Reply(status=302, headers={"Location": "/loop/a"})
    site.routes["/loop/a"] = Reply(status=302, headers={"Location": "/loop/b"})
    site.routes["/loop/b"] = Reply(status=302, headers={"Location": "/loop/a"})
    site.routes["/private/2021.html"] = report(title(2021))
    site.reports = {"/xxgk/nb/2023.html", "/xxgk/nb/2022.html"}
    site.attachments = {"/download?id=8f14e45fceea167a", "/getfile/c9f0f895fb98ab91"}

    def listing(call: Call) -> Reply:
        number = 1 if call.path.endswith("index.html") else int(call.path.rsplit("_", 1)[1][:-5])
        items = {1: first, 2: second}.get(number, [])
        pager = link(f"list_{number + 1}.html", "下一页")
        return gbk("政府信息公开年报", f"<ul>{''.join(items)}</ul>{pager}")

    site.routes["/xxgk/nb/index.html"] = listing
    for number in range(2, 200):
        site.routes[f"/xxgk/nb/list_{number}.html"] = listing
    return site


def moved() -> list[Site]:
    """A portal whose start URL redirects to its `www.` host, with a report link redirecting
    to another host, where that report links its attachment."""
    start = Site("moved.farm.test", {})
    start.routes["/"] = Reply(status=301, headers={"Location": "http://www.moved.farm.test/"})
    site = Site("www.moved.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    items = [
        li(f"/xxgk/nb/{y}.html", add_report(site, f"/xxgk/nb/{y}.html", y)) for y in (2022, 2023)
    ]
    items.append(li("/xxgk/nb/2021.html", title(2021)))
    site.routes["/xxgk/nb/2021.html"] = Reply(
        status=302, headers={"Location": "http://elsewhere.farm.test/nb/2021.html"}
    )
    site.routes["/xxgk/nb/"] = Reply(page("年报", "".join(items)))
    elsewhere = Site("elsewhere.farm.test", {})
    add_report(elsewhere, "/nb/2021.html", 2021)
    return [start, site, elsewhere]


def flaky() -> Site:
    """A server that struggles: a 503 then a page, a 429 (Retry-After: 2) then a page, a page
    that never answers in time, a connection reset, a 403."""
    site = Site("flaky.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    paths = {year: f"/xxgk/nb/{year}.html" for year in range(2018, 2024)}
    site.routes["/xxgk/nb/"] = Reply(
        page("年报", "".join(li(p, title(y)) for y, p in paths.items()))
    )
    answered: dict[str, int] = {}

    def once(failure: Reply, year: int) -> Route:
        def route(call: Call) -> Reply:
            answered[call.path] = answered.get(call.path, 0) + 1
            return failure if answered[call.path] == 1 else report(title(year))

        return route

    site.routes[paths[2023]] = once(Reply(b"busy", status=503), 2023)
    site.routes[paths[2022]] = once(
        Reply(b"slow down", status=429, headers={"Retry-After": "2"}), 2022
    )
    site.routes[paths[2021]] = Reply(report(title(2021)).body, delay=5)
    site.routes[paths[2020]] = Reply(reset=True)
    site.routes[paths[2019]] = Reply(b"forbidden", status=403)
    site.routes[paths[2018]] = report(title(2018))
    site.reports = {paths[2023], paths[2022], paths[2018]}
    return site


CHALLENGE = (
    "<html><head><script>document.cookie='__jsl_clearance=1700000000.1|0|abc';"
    "location.href=location.pathname+location.search</script></head><body></body></html>"
)


def challenged() -> Site:
    """An anti-bot wall: one of four report columns answers 412 with a JS cookie page."""
    site = Site("waf.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    site.routes["/xxgk/"] = Reply(
        page(
            "信息公开",
            "".join(link(f"/xxgk/bm{n}/", f"部门年报{n}") for n in range(3))
            + link("/xxgk/nb/", "政府信息公开年报"),
        )
    )
    site.routes["/xxgk/nb/"] = Reply(CHALLENGE.encode(), status=412)
    for n in range(3):
        department = title(2023, "县教育局")
        site.routes[f"/xxgk/bm{n}/"] = Reply(
            page("部门年报", li(f"/xxgk/bm{n}/1.html", department))
        )
        site.routes[f"/xxgk/bm{n}/1.html"] = report(department)
    return site


def shell() -> Site:
    """A JS-only portal: an empty app root and a script bundle."""
    body = '<div id="app"></div><script src="/static/js/app.9f1c.js"></script>'
    app = b"fetch('/api/columns').then(render)"
    return Site(
        "shell.farm.test",
        {
            "/": Reply(page("某县人民政府", body)),
            "/static/js/app.9f1c.js": Reply(app, content_type="application/javascript"),
        },
    )


def slow(reports: int = 24, delay: float = 0.15) -> Site:
    """Many reports on pages that take a while: a crawl long enough to kill mid-way."""
    site = Site("slow.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    items = []
    for n in range(reports):
        path = f"/xxgk/nb/{n}.html"
        items.append(li(path, add_report(site, path, 2000 + n)))
        site.routes[path] = Reply(site.routes[path].body, delay=delay)  # type: ignore[union-attr]
    site.routes["/xxgk/nb/"] = Reply(page("年报", "".join(items)))
    return site


def deep(pages: int = 14) -> Site:
    """A column paged by 下一页 far past Scrapy's depth limit, a report on its last page."""
    site = Site("deep.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/list_1.html")
    for number in range(1, pages):
        next_page = link(f"list_{number + 1}.html", "下一页")
        site.routes[f"/xxgk/nb/list_{number}.html"] = Reply(page("年报", next_page))
    items = li("/xxgk/nb/last.html", add_report(site, "/xxgk/nb/last.html", 2019))
    site.routes[f"/xxgk/nb/list_{pages}.html"] = Reply(page("年报", items))
    return site


def field_titles() -> Site:
    """Reports titled as portals title them (关于…的年度报告, 政务公开工作年度报告, 信息公开年报)
    and a unit's column of bare years (a report page, an attachment), beside a year sub-column,
    a bare year outside any column, and decoys: 一图读懂, 解读, the website's annual table, a
    compiling notice, 工作要点, 统计年报."""
    site = Site("field.farm.test", {})
    site.routes["/"] = Reply(
        page("首页", link("/xxgk/", "政府信息公开") + link("/news/t20240110_5.html", "2023年度"))
    )
    site.routes["/news/t20240110_5.html"] = Reply(page("2023年度", "<p>新闻</p>"))
    site.routes["/xxgk/"] = Reply(
        page(
            "政府信息公开",
            link("/xxgk/nb/", "政府信息公开年报") + link("/xxgk/bm/jyj/", "县教育局年报"),
        )
    )
    titles = {
        "/xxgk/nb/202201/t20220125_1.html": "关于2021年度政府信息公开工作的年度报告",
        "/xxgk/nb/202301/t20230120_2.html": "县应急管理局2022年政务公开工作年度报告",
        "/xxgk/nb/202301/t20230120_3.html": "县教育局 2022 年信息公开年报",
    }
    decoys = {
        "/xxgk/nb/202302/t20230201_4.html": "一图读懂2022年政府信息公开工作年度报告",
        "/xxgk/nb/202302/t20230201_5.html": "2022年度政府网站工作年度报表",
        "/xxgk/nb/202212/t20221201_6.html": "关于做好2022年度政府信息公开年报编制工作的通知",
        "/xxgk/nb/202302/t20230201_7.html": "2023年政务公开工作要点",
        "/xxgk/nb/202302/t20230201_8.html": "2022年统计年报",
    }
    for year, path in enumerate(titles, start=2021):
        add_report(site, path, year)
    for path, text in decoys.items():
        site.routes[path] = report(text)
    in_2020 = "/xxgk/nb/2020/t20210120_1.html"
    site.routes["/xxgk/nb/2020/"] = Reply(
        page("2020年", li(in_2020, add_report(site, in_2020, 2020)))
    )
    listed = [*titles.items(), *decoys.items(), ("/xxgk/nb/2020/", "2020年")]
    site.routes["/xxgk/nb/"] = Reply(
        page("政府信息公开年报", "".join(li(*item) for item in listed))
    )
    add_report(site, "/xxgk/bm/jyj/t20230120_1.html", 2022, "县教育局")
    site.routes["/xxgk/bm/jyj/P020220118.pdf"] = pdf()
    site.attachments.add("/xxgk/bm/jyj/P020220118.pdf")
    site.routes["/xxgk/bm/jyj/t20230121_9.html"] = report("2022年度解读")
    unit = [
        li("/xxgk/bm/jyj/t20230120_1.html", "2022年度"),
        li("/xxgk/bm/jyj/P020220118.pdf", "2021年度"),
        li("/xxgk/bm/jyj/t20230121_9.html", "2022年度解读"),
    ]
    site.routes["/xxgk/bm/jyj/"] = Reply(page("县教育局年报", "".join(unit)))
    return site


OFFICIAL = Path(__file__).parents[1] / "fixtures" / "official"
#: Three official-layout reports, each its own bytes (the farm's `PDF` is one for all).
STRAIGHT_REPORTS = {
    "/files/nb2019.pdf": "000_332b3b6b687ea38f.reportlab.pdf",  # linked from the home page
    "/xxgk/nb/P2020.pdf": "001_c09b12af01aeb506.reportlab.pdf",  # from the list page
    "/xxgk/nb/2021/qw.pdf": "002_3c99cf29d2b59166.reportlab.pdf",  # from a report page
}
#: The report page's attachment, also linked straight from the list page under another URL.
STRAIGHT_COPY = "/xxgk/nb/copy-2021.pdf"


def straight() -> Site:
    """Report files linked straight from the home page and from a list page, beside a report
    page with its attachment, whose bytes the list page also links under another URL."""
    site = Site("straight.farm.test", {})
    site.routes["/"] = Reply(
        page("首页", link("/xxgk/", "政府信息公开") + link("/files/nb2019.pdf", title(2019)))
    )
    site.routes["/xxgk/"] = Reply(page("政府信息公开", link("/xxgk/nb/", "政府信息公开年报")))
    items = [
        li("/xxgk/nb/P2020.pdf", title(2020)),
        li("/xxgk/nb/2021.html", title(2021)),
        li(STRAIGHT_COPY, title(2021) + "（PDF版）"),
    ]
    site.routes["/xxgk/nb/"] = Reply(page("政府信息公开年报", "".join(items)))
    site.routes["/xxgk/nb/2021.html"] = report(title(2021), "/xxgk/nb/2021/qw.pdf")
    for target, name in STRAIGHT_REPORTS.items():
        site.routes[target] = Reply((OFFICIAL / name).read_bytes(), content_type="application/pdf")
    site.routes[STRAIGHT_COPY] = site.routes["/xxgk/nb/2021/qw.pdf"]
    site.reports = {"/xxgk/nb/2021.html"}
    site.attachments = {*STRAIGHT_REPORTS, STRAIGHT_COPY}
    return site


#: The official-layout report that `pasted` pastes as scanned pictures.
PASTED_SOURCE = "000_332b3b6b687ea38f.reportlab.pdf"
PASTED_PAGE = "/xxgk/nb/2020.html"
TEXT_PAGE = "/xxgk/nb/2021.html"
#: Images beside the pasted pages that are not the report's: the site's logo, outside the
#: article; a picture on another host; the seal on a report written out as text.
LOGO, OFF_HOST_IMAGE, SEAL = "/images/logo.png", "http://cdn.farm.test/x.jpg", "/images/seal.png"


def official_title(name: str) -> str:
    """The title of an official-layout report, as its HTML rendering states it."""
    html = (OFFICIAL / f"{name.split('.')[0]}.utf-8.html").read_text(encoding="utf-8")
    return html.split("<title>", 1)[1].split("_", 1)[0]


def pasted() -> Site:
    """A report page that pastes the scanned pages of a report as `<img>` (an official-layout
    PDF, rasterised by `tests.fixtures.render.scans`), and a report written out as HTML with
    a seal picture in its article."""
    site = Site("pasted.farm.test", {})
    navigation(site, "/xxgk/", "/xxgk/nb/")
    source = (OFFICIAL / PASTED_SOURCE).read_bytes()
    html, images = image_page(source, SCANS[PASTED_SOURCE], official_title(PASTED_SOURCE))
    zoom = b'<div class="TRS_Editor" id="zoom">'
    html = html.replace(
        zoom, f'<img src="{LOGO}">'.encode() + zoom + f'<img src="{OFF_HOST_IMAGE}">'.encode()
    )
    site.routes[PASTED_PAGE] = Reply(html)
    for src, data in images.items():
        site.routes[src] = Reply(data, content_type="image/jpeg")
    text = (OFFICIAL / "001_c09b12af01aeb506.utf-8.html").read_bytes()
    site.routes[TEXT_PAGE] = Reply(
        text.replace(b"</table>", f'</table><img src="{SEAL}">'.encode(), 1)
    )
    for image in (LOGO, SEAL):
        site.routes[image] = Reply(b"\x89PNG\r\n\x1a\n", content_type="image/png")
    site.routes["/xxgk/nb/"] = Reply(
        page(
            "政府信息公开年报",
            li(PASTED_PAGE, official_title(PASTED_SOURCE)) + li(TEXT_PAGE, title(2022, "温县")),
        )
    )
    site.reports = {PASTED_PAGE, TEXT_PAGE}
    site.attachments = set()
    return site


def all_sites() -> Iterator[Site]:
    yield from (hanweb(), old_hanweb(), trs(), gkmlpt(), generic())
