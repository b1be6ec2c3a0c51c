"""HTML for the demo portal: a TRS/Hanweb-style county government site."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from xxgk.demo.blocks import Block, Paragraph, Table

SITE_NAME = "演示县人民政府"


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class ArticleMeta:
    index_no: str
    publisher: str
    date: str


CRUMBS = (
    Link("/", "首页"),
    Link("/zwgk/", "政府信息公开"),
    Link("/zwgk/zfxxgknb/index.html", "政府信息公开年报"),
)


def layout(title: str, content: str, charset: str = "utf-8") -> str:
    nav = links_html(
        [
            Link("/", "首页"),
            Link("/zwgk/", "政府信息公开"),
            Link("/xwzx/", "新闻中心"),
            Link("/hdjl/", "互动交流"),
        ]
    )
    page_title = title if title == SITE_NAME else f"{title}_{SITE_NAME}"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(page_title)}</title>
</head>
<body>
<div class="header"><div class="logo">{SITE_NAME}</div><div class="nav">{nav}</div></div>
<div class="main">
{content}
</div>
<div class="footer"><p>主办：{SITE_NAME}办公室</p><p>相关链接：
<a href="http://www.gov.cn/" target="_blank">中国政府网</a>
<a href="http://www.gov.cn/zhengce/xxgk/index.htm" target="_blank">国务院政府信息公开</a></p></div>
</body>
</html>
"""


def links_html(links: Iterable[Link]) -> str:
    return " ".join(f'<a href="{escape(link.href)}">{escape(link.text)}</a>' for link in links)


def list_items_html(items: Iterable[tuple[Link, str]]) -> str:
    rows = "\n".join(
        f'<li><a href="{escape(link.href)}" title="{escape(link.text)}" target="_blank">'
        f"{escape(link.text)}</a><span>{date}</span></li>"
        for link, date in items
    )
    return f'<ul class="list">\n{rows}\n</ul>'


def table_html(table: Table) -> str:
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    return f'<table border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{rows}\n</tbody></table>'


def blocks_html(blocks: Sequence[Block]) -> str:
    return "\n".join(
        f"<p>{escape(block.text)}</p>" if isinstance(block, Paragraph) else table_html(block)
        for block in blocks
    )


def article_page(
    title: str,
    meta: ArticleMeta,
    body: str,
    attachments: Sequence[Link] = (),
    charset: str = "utf-8",
) -> str:
    attached = ""
    if attachments:
        attached = (
            '<div class="fj"><p>附件：</p>'
            + "".join(f"<p>{links_html([link])}</p>" for link in attachments)
            + "</div>"
        )
    content = f"""<div class="crumbs">当前位置：{links_html(CRUMBS)}</div>
<table class="xxgk_table">
<tr><th>索引号</th><td>{escape(meta.index_no)}</td><th>发布机构</th><td>{escape(meta.publisher)}</td></tr>
<tr><th>发文日期</th><td>{escape(meta.date)}</td><th>主题分类</th><td>政府信息公开年报</td></tr>
<tr><th>名称</th><td colspan="3">{escape(title)}</td></tr>
</table>
<h1 class="title">{escape(title)}</h1>
<div class="TRS_Editor" id="zoom">
{body}
</div>
{attached}"""
    return layout(title, content, charset)
