"""A county portal on Jeecms, as the CMS serves it: `.jhtml` channels, `index_N.jhtml` pages.

Home → 政府信息公开 (a link written as `window.open`) → 法定主动公开内容 (its sub-channels as
`onclick` list items) → 政府信息公开年报, three list pages whose pager is Jeecms's
`[@cms_pagination]`: `页次:1/3` and buttons moving by `onclick="location.href='index_2.jhtml'"`.
The channel embeds its year and unit sub-channels in an `<iframe>`; their items link back with
`../../`; one item is a `javascript:` href. Files are behind `attachment.jspx?cid=…&i=…`
(a 302 to the upload, the link text sometimes only 附件1) or straight under `/u/cms/www/`.
Also decoys, a report under a robots.txt Disallow, a 404 and off-site links.
"""

from __future__ import annotations

from tests.farm import reports
from tests.farm.reports import System
from tests.farm.server import Call, Reply, Site
from tests.farm.sites import OFF_SITE, page

HOST = "www.jeecms.farm.test"
CHANNEL = "/xxgk/fdzdgknr/zfxxgknb"
PER_PAGE = 4
HEADER = (
    '<div class="nav"><a href="/">首页</a>'
    '<a href="javascript:void(0);" onclick="window.open(\'/xxgk/index.jhtml\')">政府信息公开</a>'
    '<a href="http://www.gov.cn/">中国政府网</a></div>'
)
DECOYS = (
    "某县2022年政府信息公开工作年度报告解读",
    "图解：某县2022年政府信息公开工作年度报告",
    "一图读懂某县2022年政府信息公开工作年度报告",
    "某县2023年政务公开工作要点",
    "某县人民政府网站2022年政府网站工作年度报表",
    "关于做好2022年政府信息公开工作年度报告编制工作的通知",
)


def channel_page(title: str, items: list[tuple[str, str]], extra: str = "") -> Reply:
    rows = "".join(
        f'<li><a href="{href}" title="{text}">{text}</a><span>2024-01-15</span></li>'
        for href, text in items
    )
    return Reply(page(title, f"{HEADER}<h2>{title}</h2><ul class='list'>{rows}</ul>{extra}"))


def pager(number: int, count: int, total: int) -> str:
    def button(value: str, target: int) -> str:
        name = "index.jhtml" if target == 1 else f"index_{target}.jhtml"
        return f'<input type="button" value="{value}" onclick="location.href=\'{name}\'"/>'

    return (
        f'<div class="pagination">共 {total} 条 每页 {PER_PAGE} 条 页次:{number}/{count} '
        + button("首 页", 1)
        + button("上一页", max(1, number - 1))
        + button("下一页", min(count, number + 1))
        + button("尾 页", count)
        + '<input type="text" id="_goPs" size="2"/><input type="button" value="转到"'
        " onclick=\"_gotoPage($('#_goPs').val());\"/></div>"
        f"<script>function _gotoPage(pageNo){{var tp={count};if(pageNo>tp||pageNo<1)"
        "{alert('页码超出范围');return;}location.href=pageNo==1?'index.jhtml':"
        "'index_'+pageNo+'.jhtml';}</script>"
    )


def article(title: str, content: str, files: tuple[tuple[str, str], ...] = ()) -> Reply:
    attached = "".join(f'<p><a href="{href}">{name}</a></p>' for href, name in files)
    info = '<div class="info">发布时间：2024-01-15 来源：某县人民政府办公室</div>'
    body = (
        f"{HEADER}<h1>{title}</h1>{info}<div class='content'>{content}</div>"
        f"{'<div class=attachment>附件：' + attached + '</div>' if files else ''}"
    )
    return Reply(page(title, body))


def jeecms_site() -> System:
    site = Site(HOST, {}, disallow=[f"{CHANNEL}/bak/"])
    gone = f"{CHANNEL}/6404.jhtml"
    system = System(site, disallowed={f"{CHANNEL}/bak/6099.jhtml"}, gone={gone})
    site.routes["/"] = Reply(
        page(
            "某县人民政府",
            HEADER + f'<a href="{OFF_SITE}">国务院2023年政府信息公开工作年度报告</a>',
        )
    )
    site.routes["/xxgk/index.jhtml"] = channel_page(
        "政府信息公开",
        [
            ("/xxgk/fdzdgknr/index.jhtml", "法定主动公开内容"),
            ("/xxgk/zn/index.jhtml", "政府信息公开指南"),
        ],
    )
    site.routes["/xxgk/fdzdgknr/index.jhtml"] = Reply(
        page(
            "法定主动公开内容",
            HEADER + f"<ul class='sub'><li onclick=\"location.href='{CHANNEL}/index.jhtml'\">"
            "政府信息公开年报</li><li onclick=\"location.href='/xxgk/fdzdgknr/ghjh/index.jhtml'\">"
            "规划计划</li></ul>",
        )
    )
    uploads = iter(range(1, 100))
    redirects: dict[tuple[str, str], str] = {}
    ids = iter(range(6001, 7000))

    def upload(format: str, body: bytes, content_type: str) -> str:
        path = f"/u/cms/www/202401/1509{next(uploads):02d}30a1b2.{format}"
        site.routes[path] = Reply(body, content_type=content_type)
        site.attachments.add(path)
        return path

    def report(format: str, folder: str = CHANNEL) -> tuple[str, str]:
        """A report's content page, its file behind `attachment.jspx` or straight linked."""
        title, path = reports.title(format), f"{folder}/{next(ids)}.jhtml"
        if format == "html":
            site.routes[path] = article(title, reports.inline())
        else:
            file = reports.report_file(format)
            stored = upload(format, file.body, file.content_type)
            cid = path.rsplit("/", 1)[1].split(".")[0]
            if format in ("pdf", "doc", "zip"):  # by the download script
                redirects[(cid, "0")] = stored
                href = f"/attachment.jspx?cid={cid}&i=0&t=1705276800&k=9f8e7d6c"
                name = "附件1" if format == "doc" else f"{title}.{format}"
            else:
                href, name = stored, f"{title}.{format}"
            site.routes[path] = article(title, "<p>详见附件。</p>", ((href, name),))
        site.reports.add(path)
        return path, title

    items = [report(format) for format in ("html", "pdf", "docx", "doc", "wps", "zip")]
    items[2] = (f"javascript:openArticle('{items[2][0]}')", items[2][1])
    for n, title in enumerate(DECOYS):
        path = f"{CHANNEL}/{6500 + n}.jhtml"
        site.routes[path] = article(title, f"<p>{title}</p>")
        items.insert(2 * n + 1, (path, title))
        system.decoys.add(path)
    (hidden,) = system.disallowed
    site.routes[hidden] = article("某县2021年政府信息公开工作年度报告", reports.inline())
    items += [
        (hidden, "某县2021年政府信息公开工作年度报告"),
        (gone, "某县2020年政府信息公开工作年度报告"),
        ("http://www.gov.cn/zhengce/2023nb.htm", "国务院办公厅2023年政府信息公开工作年度报告"),
    ]
    count = -(-len(items) // PER_PAGE)
    tree = f'<iframe src="{CHANNEL}/nd/index.jhtml" frameborder="0"></iframe>'
    for number in range(1, count + 1):
        chosen = items[PER_PAGE * (number - 1) : PER_PAGE * number]
        name = "index.jhtml" if number == 1 else f"index_{number}.jhtml"
        extra = pager(number, count, len(items)) + (tree if number == 1 else "")
        site.routes[f"{CHANNEL}/{name}"] = channel_page("政府信息公开年报", chosen, extra)
    site.routes[f"{CHANNEL}/nd/index.jhtml"] = Reply(
        page(
            "年度",
            '<ul class="tree"><li><a href="../2023/index.jhtml">2023年</a></li>'
            '<li><a href="../jyj/index.jhtml">县教育局</a></li></ul>',
        )
    )
    txt, txt_title = report("txt", f"{CHANNEL}/2023")
    site.routes[f"{CHANNEL}/2023/index.jhtml"] = channel_page(
        "2023年", [(f"../../zfxxgknb/2023/{txt.rsplit('/', 1)[1]}", txt_title)]
    )
    old = f"{CHANNEL}/jyj/{next(ids)}.jhtml"
    site.routes[old] = article(reports.PRE_2019_TITLE, reports.PRE_2019)
    site.reports.add(old)
    system.old = old
    site.routes[f"{CHANNEL}/jyj/index.jhtml"] = channel_page(
        "县教育局", [(old, reports.PRE_2019_TITLE)]
    )

    def attachment(call: Call) -> Reply:
        stored = redirects.get((call.query.get("cid", ""), call.query.get("i", "")))
        if stored is None:
            return Reply(page("404", "文件不存在"), status=404)
        return Reply(status=302, headers={"Location": f"http://{HOST}{stored}"})

    site.routes["/attachment.jspx"] = attachment
    return system
