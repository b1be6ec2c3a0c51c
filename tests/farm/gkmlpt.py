"""A county portal on Guangdong's 政府信息公开目录平台 (gkmlpt), as the real system serves it.

`/gkmlpt/index` (and the 年报 entry `/gkmlpt/annualreport`) is an app root: the category tree
and the site's id are only in `window._CONFIG`; every list is JSON from
`/gkmlpt/api/all/{category}?page=N&sid=…`, 100 articles a page, article URLs protocol-relative
with the category as fragment. The 年报 category (three pages: its reports, the townships' and
decoys) has per-year sub-categories; a department's sub-site `/jyj/gkmlpt/` has its own SID.
Report pages print gkmlpt's 索引号 table and link files as `nfw-cms-attachment` with the name in
`alt`. Also: a report under a robots.txt Disallow, one that is gone (404), one on another host.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.farm import reports
from tests.farm.reports import System
from tests.farm.server import Call, Reply, Site
from tests.farm.sites import METADATA, OFF_SITE, page

HOST = "www.gkmlpt.farm.test"
SID, DEPARTMENT_SID = "755123", "755124"
PER_PAGE = 100
#: The 年报 category's township reports: enough for three pages of 100.
TOWNSHIPS = 200
HEADER = '<div class="header"><a href="/">首页</a><a href="/gkmlpt/index">政府信息公开</a></div>'
TREE = [
    {
        "id": 2850,
        "name": "法定主动公开内容",
        "parent": 0,
        "children": [
            {"id": 2851, "name": "规划计划", "parent": 2850, "children": []},
            {"id": 2852, "name": "财政预决算", "parent": 2850, "children": []},
        ],
    },
    {
        "id": 2855,
        "name": "政府信息公开年报",
        "parent": 0,
        "children": [
            {"id": 2856, "name": "2023年", "parent": 2855, "children": []},
            {"id": 2857, "name": "2022年", "parent": 2855, "children": []},
        ],
    },
]
DEPARTMENT_TREE = [{"id": 2901, "name": "政府信息公开年报", "parent": 0, "children": []}]
DECOYS = {
    "年报解读": "某区2022年政府信息公开工作年度报告解读",
    "图解": "图解某区2022年政府信息公开工作年度报告",
    "一图读懂": "一图读懂某区2022年政府信息公开工作年度报告",
    "工作要点": "某区2023年政务公开工作要点",
    "网站年报": "某区人民政府网站2022年政府网站工作年度报表",
    "编制通知": "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
}


def app_page(title: str, sid: str, tree: list[dict], extra: str = "") -> Reply:
    """A gkmlpt page: the site's header, an app root, the config the app renders from."""
    config = f"window._CONFIG = {{\n  SID: '{sid}',\n  TREE: {json.dumps(tree, ensure_ascii=False)}"
    body = (
        f"{HEADER}{extra}<div id='app'></div><script>{config},\n  TYPE: 'gkmlpt'\n}};</script>"
        "<script src='/gkmlpt/static/js/app.4c2e.js'></script>"
    )
    return Reply(page(title, body))


def post(title: str, content: str, files: tuple[tuple[str, str], ...] = ()) -> Reply:
    attached = "".join(
        f'<p><a class="nfw-cms-attachment" href="//{HOST}{href}" alt="{name}">点击下载</a></p>'
        for href, name in files
    )
    metadata = METADATA["gkmlpt"].format(publisher="某区人民政府办公室")
    body = (
        f"{HEADER}{metadata}<h1 class='title'>{title}</h1>"
        f"<div class='article-content'>{content}{'<p>附件：</p>' if files else ''}{attached}</div>"
    )
    return Reply(page(title, body))


def gkmlpt_site() -> System:
    site = Site(HOST, {}, disallow=["/gkmlpt/content/9/"])
    system = System(site)
    site.routes["/"] = Reply(
        page(
            "某区人民政府门户网站",
            HEADER
            + '<a href="http://www.gd.gov.cn/gkmlpt/index">广东省政府信息公开</a>'
            + f'<a href="{OFF_SITE}">国务院2023年政府信息公开工作年度报告</a>',
        )
    )
    menu = (
        '<div class="menu"><a href="/gkmlpt/annualreport">政府信息公开年报</a></div>'
        '<div class="departments"><a href="/jyj/gkmlpt/index">区教育局</a></div>'
    )
    site.routes["/gkmlpt/index"] = app_page("政府信息公开目录", SID, TREE, menu)
    site.routes["/gkmlpt/annualreport"] = app_page("政府信息公开年报", SID, TREE)
    site.routes["/jyj/gkmlpt/index"] = app_page("区教育局信息公开", DEPARTMENT_SID, DEPARTMENT_TREE)
    categories: dict[str, list[dict]] = {str(c): [] for c in (2851, 2852, 2855, 2856, 2857, 2901)}
    number = iter(range(1000, 10_000))

    def article(category: int, title: str, path: str | None = None, host: str = HOST) -> str:
        identifier = next(number)
        path = path or f"/gkmlpt/content/{identifier // 1000}/{category}/post_{identifier}.html"
        categories[str(category)].append(
            {
                "id": identifier,
                "title": title,
                "url": f"//{host}{path}#{category}",
                "create_time": 1705276800,
                "publisher": "某区人民政府办公室",
            }
        )
        return path

    def add_report(category: int, format: str) -> None:
        title = reports.title(format)
        if format == "html":
            path = article(category, title)
            site.routes[path] = post(title, reports.inline())
        else:
            path = article(category, title)
            file = reports.report_file(format)
            attachment = f"/attachment/0/{512 + len(site.attachments)}/{path[-9:-5]}.{format}"
            site.routes[path] = post(
                title, "<p>详见附件。</p>", [(attachment, f"{title}.{format}")]
            )
            site.routes[attachment] = Reply(file.body, content_type=file.content_type)
            site.attachments.add(attachment)
        site.reports.add(path)

    for format in ("html", "pdf", "docx", "doc", "wps", "zip"):
        add_report(2855, format)
    add_report(2856, "txt")  # in the year's sub-category only
    old = article(2857, reports.PRE_2019_TITLE)
    site.routes[old] = post(reports.PRE_2019_TITLE, reports.PRE_2019)
    site.reports.add(old)
    system.old = old
    for n in range(TOWNSHIPS):
        title = f"某区第{n + 1}街道办事处2023年政府信息公开工作年度报告"
        path = article(2855, title)
        site.routes[path] = post(title, "<p>一、总体情况</p>")
        site.reports.add(path)
    for name, title in DECOYS.items():
        decoy = article(2855, title)
        site.routes[decoy] = post(title, f"<p>{name}</p>")
        system.decoys.add(decoy)
    hidden = "某区2021年政府信息公开工作年度报告"
    disallowed = article(2855, hidden, "/gkmlpt/content/9/9999/post_9.html")
    site.routes[disallowed] = post(hidden, reports.inline())
    system.disallowed.add(disallowed)
    system.gone.add(article(2855, "某区2020年政府信息公开工作年度报告"))  # no route: a 404
    article(2855, "广东省2023年政府信息公开工作年度报告", host="www.gd.gov.cn")
    plan = article(2851, "某区国民经济和社会发展第十四个五年规划纲要")
    site.routes[plan] = post("规划", "<p>规划</p>")
    department = article(2901, "区教育局2023年政府信息公开工作年度报告")
    attachment = "/attachment/0/600/601.pdf"
    site.routes[department] = post(
        "区教育局2023年政府信息公开工作年度报告", "", ((attachment, "区教育局2023年年报.pdf"),)
    )
    site.routes[attachment] = Reply(
        reports.report_file("pdf").body + b"\n%dept", content_type="application/pdf"
    )
    site.reports.add(department)
    site.attachments.add(attachment)
    for category, listed in categories.items():
        prefix = "/jyj" if category == "2901" else ""
        site.routes[f"{prefix}/gkmlpt/api/all/{category}"] = api(
            listed, DEPARTMENT_SID if prefix else SID
        )
    return system


def api(listed: list[dict], sid: str) -> Callable[[Call], Reply]:
    def answer(call: Call) -> Reply:
        if call.query.get("sid") != sid:
            return Reply(b'{"error": "sid"}', status=400, content_type="application/json")
        number = int(call.query.get("page") or 1)
        chosen = listed[PER_PAGE * (number - 1) : PER_PAGE * number]
        data = {"articles": chosen, "total": len(listed), "page": number, "pagesize": PER_PAGE}
        body = json.dumps(data, ensure_ascii=False).encode()
        return Reply(body, content_type="application/json;charset=UTF-8")

    return answer
