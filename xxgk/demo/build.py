"""Render the seed reports into the committed demo site: `python -m xxgk.demo.build`.

The site is a county portal: home → 政府信息公开 column → 政府信息公开年报 column (two list
pages and a per-year sub-column) → report pages, each with the report inline or as a PDF/DOCX
attachment, plus decoys (a 解读 page, a notice, a dead link, a corrupt PDF, a placeholder page,
a robots-disallowed admin link, off-site links). `manifest.json` records which URL holds which seed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xxgk.demo.blocks import load_seed, parse_blocks
from xxgk.demo.pages import (
    SITE_NAME,
    ArticleMeta,
    Link,
    article_page,
    blocks_html,
    layout,
    links_html,
    list_items_html,
)
from xxgk.demo.pdfdoc import render_pdf
from xxgk.demo.worddoc import render_docx

SITE_DIR = Path(__file__).parent / "site"
COLUMN = "/zwgk/zfxxgknb/"
DOWNFILE = "/module/download/downfile.jsp"
DOWNLOADS_DIR = "module/download/files"


@dataclass(frozen=True)
class ReportPage:
    seed: str
    path: str
    date: str
    format: str  # "html" | "pdf" | "docx"
    attachment: str | None = None
    charset: str = "utf-8"
    layout: str = "table"  # of the metadata above the article: see `ArticleMeta`
    written: str | None = None  # 成文日期
    document_number: str | None = None


REPORTS = (
    ReportPage(
        "001_c09b12af01aeb506.txt",
        f"{COLUMN}202301/t20230118_5101.html",
        "2023-01-18",
        "pdf",
        "/uploadfiles/2023/01/20230118093512817.pdf",
        layout="cells",
        written="2023-01-16",
    ),
    ReportPage(
        "003_351f4af2c3a8fcf1.txt",
        f"{COLUMN}202101/t20210125_4101.html",
        "2021-01-25",
        "html",
        charset="gbk",
        layout="line",
    ),
    ReportPage(
        "002_3c99cf29d2b59166.txt",
        f"{COLUMN}202001/t20200120_3101.html",
        "2020-01-20",
        "docx",
        layout="list",
        written="2020-01-19",
        document_number="演示政办〔2020〕3号",
    ),
    ReportPage(
        "000_332b3b6b687ea38f.txt", f"{COLUMN}202001/t20200115_1234.html", "2020-01-15", "html"
    ),
    ReportPage(
        "004_49c0d768678019fb.txt",
        f"{COLUMN}202001/t20200110_1101.html",
        "2020-01-10",
        "pdf",
        "/uploadfiles/2020/01/20200110163045221.pdf",
    ),
)
INTERPRETATION = Link(
    f"{COLUMN}202301/t20230118_5102.html", "温县2022年政府信息公开工作年度报告解读"
)
NOTICE = Link(
    "/zwgk/tzgg/201912/t20191220_2001.html",
    "关于做好2019年政府信息公开工作年度报告编制发布工作的通知",
)
MISSING = Link(
    f"{COLUMN}202001/t20200108_0999.html", "演示县交通运输局2019年政府信息公开工作年度报告"
)
CORRUPT = Link(
    f"{COLUMN}201901/t20190130_0801.html", "演示县人民政府2018年政府信息公开工作年度报告"
)
CORRUPT_PDF = "/uploadfiles/2019/01/20190130101500318.pdf"
PLACEHOLDER = Link(
    f"{COLUMN}2017/201801/t20180125_0701.html", "演示县人民政府2017年政府信息公开工作年度报告"
)
YEAR_COLUMN = Link(f"{COLUMN}2017/index.html", "2017年度")
ADMIN = Link("/admin/zwgk/zfxxgknb/index.html", "政府信息公开年报（内部预览）")
OFFSITE_REPORT = Link(
    "http://www.gov.cn/xinwen/2020-03/31/content_5497424.htm",
    "国务院办公厅2019年政府信息公开工作年度报告",
)
ROBOTS = "User-agent: *\nDisallow: /admin/\n"


def write(site: Path, path: str, data: str | bytes, charset: str = "utf-8") -> None:
    target = site / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode(charset))


def meta_for(path: str, date: str, report: ReportPage | None = None) -> ArticleMeta:
    """What the page prints above the article: a report page's in its layout, others' in a table."""
    serial = path.rsplit("_", 1)[-1].removesuffix(".html")
    index_no, publisher = f"11410000000000000X/{date[:4]}-{serial}", f"{SITE_NAME}办公室"
    if report is None:
        return ArticleMeta(index_no, publisher, date)
    return ArticleMeta(
        index_no, publisher, date, report.layout, report.written, report.document_number
    )


def build_report(site: Path, report: ReportPage) -> dict[str, object]:
    seed = load_seed(report.seed)
    meta = meta_for(report.path, report.date, report)
    entry: dict[str, object] = {
        "seed": seed.name,
        "title": seed.title,
        "page": report.path,
        "date": report.date,
        "format": report.format,
        "attachment": report.attachment,
        "file_name": None,
        "stored_as": None,
        "charset": report.charset,
        "publication": meta.publication(),
    }
    if report.format == "html":
        page = article_page(seed.title, meta, blocks_html(seed.blocks), charset=report.charset)
        write(site, report.path, page, report.charset)
        return entry
    file_name = f"{seed.title.replace(' ', '')}.{report.format}"
    if report.format == "pdf":
        assert report.attachment
        write(site, report.attachment, render_pdf(seed.title, seed.blocks))
    else:
        stored = f"{hashlib.sha256(seed.name.encode()).hexdigest()[:32]}.docx"
        write(site, f"{DOWNLOADS_DIR}/{stored}", render_docx(seed.title, seed.blocks))
        entry["attachment"] = f"{DOWNFILE}?classid=0&filename={stored}"
        entry["stored_as"] = stored
    entry["file_name"] = file_name
    attachment = Link(str(entry["attachment"]), file_name)
    write_article(
        site, Link(report.path, seed.title), meta, f"{seed.title}详见附件。", [attachment]
    )
    return entry


def write_article(
    site: Path, link: Link, meta: ArticleMeta, text: str, attachments: Sequence[Link] = ()
) -> None:
    body = blocks_html(parse_blocks(text))
    write(site, link.href, article_page(link.text, meta, body, attachments))


def write_decoy(
    site: Path, link: Link, date: str, text: str, attachments: Sequence[Link] = ()
) -> None:
    write_article(site, link, meta_for(link.href, date), text, attachments)


def build_decoys(site: Path) -> None:
    write_decoy(
        site, INTERPRETATION, "2023-01-18", "一、年报发布背景\n为便于公众理解年度报告，现解读如下。"
    )
    write_decoy(site, NOTICE, "2019-12-20", "各乡镇人民政府：\n请于1月31日前发布年度报告。")
    corrupt_link = Link(CORRUPT_PDF, f"{CORRUPT.text}.pdf")
    write_decoy(site, CORRUPT, "2019-01-30", f"{CORRUPT.text}详见附件。", [corrupt_link])
    write(site, CORRUPT_PDF, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8)
    write_decoy(site, PLACEHOLDER, "2018-01-25", "本栏目内容正在整理中，敬请关注。")
    write(site, ADMIN.href, layout("内容管理系统", "<p>后台预览</p>"))


def pager(page: int, pages: int) -> str:
    def href(n: int) -> str:
        return "index.html" if n == 0 else f"index_{n}.html"

    numbers = " ".join(
        f'<span class="current">{n + 1}</span>' if n == page else f'<a href="{href(n)}">{n + 1}</a>'
        for n in range(pages)
    )
    previous = href(max(page - 1, 0))
    following = href(min(page + 1, pages - 1))  # the last page's 下一页 points at itself
    return (
        f'<div class="page">共{pages}页 <a href="index.html">首页</a> '
        f'<a href="{previous}">上一页</a> {numbers} <a href="{following}">下一页</a> '
        f'<a href="{href(pages - 1)}">尾页</a>\n'
        f'<script>createPageHTML({pages}, {page}, "index", "html");</script></div>'
    )


def column_page(title: str, items: list[tuple[Link, str]], footer: str = "") -> str:
    side = f'<div class="years">年度：{links_html([YEAR_COLUMN])}</div>'
    return layout(title, f"<h2>{title}</h2>\n{side}\n{list_items_html(items)}\n{footer}")


def build_listing(site: Path, reports: list[dict[str, object]]) -> None:
    entries = [(Link(str(r["page"]), str(r["title"])), str(r["date"])) for r in reports]
    page_one = [entries[0], (INTERPRETATION, "2023-01-18"), *entries[1:4]]
    page_two = [
        entries[4],
        (MISSING, "2020-01-08"),
        (OFFSITE_REPORT, "2020-03-31"),
        (CORRUPT, "2019-01-30"),
    ]
    write(site, f"{COLUMN}index.html", column_page("政府信息公开年报", page_one, pager(0, 2)))
    write(site, f"{COLUMN}index_1.html", column_page("政府信息公开年报", page_two, pager(1, 2)))
    write(site, YEAR_COLUMN.href, column_page("2017年度", [(PLACEHOLDER, "2018-01-25")]))


def build_portal_pages(site: Path) -> None:
    write(
        site,
        "/",
        layout(
            SITE_NAME,
            "<h2>要闻动态</h2>\n"
            + list_items_html(
                [
                    (
                        Link("/xwzx/202001/t20200116_9001.html", "我县召开2020年全县经济工作会议"),
                        "2020-01-16",
                    ),
                ]
            )
            + '\n<div class="zwgk">'
            + links_html([Link("/zwgk/", "政府信息公开")])
            + "</div>",
        ),
    )
    columns = [
        Link("/zwgk/xxgkzn/index.html", "政府信息公开指南"),
        Link("/zwgk/xxgkzd/index.html", "政府信息公开制度"),
        Link("/zwgk/fdzdgknr/index.html", "法定主动公开内容"),
        Link(f"{COLUMN}index.html", "政府信息公开年报"),
        ADMIN,
    ]
    write(
        site,
        "/zwgk/",
        layout(
            "政府信息公开",
            '<h2>政府信息公开</h2>\n<div class="columns">'
            + links_html(columns)
            + "</div>\n<h3>通知公告</h3>\n"
            + list_items_html([(NOTICE, "2019-12-20")]),
        ),
    )
    write(site, "/robots.txt", ROBOTS)


def build(site: Path = SITE_DIR) -> dict[str, object]:
    shutil.rmtree(site, ignore_errors=True)
    reports = [build_report(site, report) for report in REPORTS]
    build_decoys(site)
    build_listing(site, reports)
    build_portal_pages(site)
    manifest: dict[str, object] = {
        "reports": reports,
        "decoys": {
            "interpretation": INTERPRETATION.href,
            "notice": NOTICE.href,
            "missing": MISSING.href,
            "corrupt_pdf": {"page": CORRUPT.href, "attachment": CORRUPT_PDF},
            "not_a_report": PLACEHOLDER.href,
            "robots_disallowed": ADMIN.href,
            "offsite": OFFSITE_REPORT.href,
        },
        "no_header_charset": [r["page"] for r in reports if r["charset"] != "utf-8"],
        "downloads": {r["stored_as"]: r["file_name"] for r in reports if r["stored_as"]},
    }
    write(site, "/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    build()
    print(f"built the demo site in {SITE_DIR}")
