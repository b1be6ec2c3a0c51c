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
    """What an article page prints above the article, in one of the layouts portals use:
    `table` (th labels), `cells` (label and value cells, padded labels, colons), `list` (span
    labels in list items), `line` (发布时间 and 来源 on one line under the title)."""

    index_no: str
    publisher: str
    date: str  # 发文日期, ISO
    layout: str = "table"
    written: str | None = None  # 成文日期, ISO
    document_number: str | None = None

    def publication(self) -> dict[str, str]:
        """What its layout prints, by the names `spiders.publication` reads them as."""
        values = {
            "index_number": self.index_no,
            "publisher": self.publisher,
            "document_number": self.document_number,
            "issued_on": self.date,
            "written_on": self.written,
        }
        return {key: values[key] for key in LAYOUT_FIELDS[self.layout] if values[key]}


LAYOUT_FIELDS = {
    "table": ("index_number", "publisher", "issued_on"),
    "cells": ("index_number", "publisher", "document_number", "issued_on", "written_on"),
    "list": ("index_number", "publisher", "document_number", "issued_on", "written_on"),
    "line": ("publisher", "issued_on"),
}


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
    heading = f'<h1 class="title">{escape(title)}</h1>'
    if meta.layout == "line":
        heading += f"\n{metadata_html(meta, title)}"
    else:
        heading = f"{metadata_html(meta, title)}\n{heading}"
    content = f"""<div class="crumbs">当前位置：{links_html(CRUMBS)}</div>
{heading}
<div class="TRS_Editor" id="zoom">
{body}
</div>
{attached}"""
    return layout(title, content, charset)


def metadata_html(meta: ArticleMeta, title: str) -> str:
    index_no, publisher = escape(meta.index_no), escape(meta.publisher)
    number, written = escape(meta.document_number or ""), meta.written or ""
    if meta.layout == "line":
        return f'<p class="info">发布时间：{meta.date} 09:30　来源：{publisher}</p>'
    if meta.layout == "list":
        items = (
            ("索引号", index_no), ("发文机关", publisher), ("发文字号", number),
            ("成文日期", written), ("发布日期", meta.date),
        )  # fmt: skip
        lines = "\n".join(f"<li><span>{label}：</span>{value}</li>" for label, value in items)
        return f'<ul class="xxgk-info">\n{lines}\n</ul>'
    if meta.layout == "cells":
        written_cn = "{}年{}月{}日".format(*written.split("-")) if written else ""
        rows = (
            (("索 引 号", index_no), ("主题分类", "政府信息公开年报")),
            (("发布机构", publisher), ("成文日期", written_cn)),
            (("文　　号", number), ("发布日期", meta.date)),
        )
        cells = "\n".join(
            "<tr>"
            + "".join(f'<td class="label">{label}：</td><td>{value}</td>' for label, value in row)
            + "</tr>"
            for row in rows
        )
        return f'<table class="gkxx">\n{cells}\n</table>'
    return f"""<table class="xxgk_table">
<tr><th>索引号</th><td>{index_no}</td><th>发布机构</th><td>{publisher}</td></tr>
<tr><th>发文日期</th><td>{escape(meta.date)}</td><th>主题分类</th><td>政府信息公开年报</td></tr>
<tr><th>名称</th><td colspan="3">{escape(title)}</td></tr>
</table>"""
