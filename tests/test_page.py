"""What report pages print above their article, in the layouts portals print it in
(`parsers.page`)."""

from __future__ import annotations

import pytest

from parsers.page import iso_date, page_metadata, read_page
from xxgk.records import PageMetadata


def page(body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>某县2021年报告</title>{head}'
        f'</head><body><div class="nav"><a href="/">首页</a></div>{body}'
        '<div class="zoom"><p>一、总体情况</p><p>本机关全年主动公开政府信息1200条。</p></div>'
        '<div class="footer">网站标识码：4103260001　豫ICP备05000000号</div></body></html>'
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "<table><tr><td>索引号：</td><td>11440300007542XXXX/2022-00012</td>"
            "<td>发布机构：</td><td>某县人民政府办公室</td></tr>"
            "<tr><td>文号:</td><td></td><td>成文日期：</td><td>2022年01月18日</td></tr>"
            "<tr><td>发文日期：</td><td>2022-1-20</td><td>主题分类：</td><td>综合政务</td></tr>"
            "</table>",
            {
                "index_number": "11440300007542XXXX/2022-00012",
                "publisher": "某县人民政府办公室",
                "issued_on": "2022-01-20",
                "written_on": "2022-01-18",
            },
            id="label and value cells, pairs in a row, both colons, an empty cell",
        ),
        pytest.param(
            '<table class="xxgk_table">\n<tr><th>索 引 号</th><td>11410000000000000X/2020-1234'
            "</td><th>发布机构</th><td>演示县人民政府办公室</td></tr>\n<tr><th>发文日期</th>"
            "<td>2020-01-15</td><th>主题分类</th><td>政府信息公开年报</td></tr>\n"
            '<tr><th>文　　号</th><th>名称</th><td colspan="3">年报</td></tr>\n</table>',
            {
                "index_number": "11410000000000000X/2020-1234",
                "publisher": "演示县人民政府办公室",
                "issued_on": "2020-01-15",
            },
            id="th labels without colons, spaced out, a missing value cell",
        ),
        pytest.param(
            "<table>\n  <tr>\n    <td><b>索&nbsp;引&nbsp;号：</b></td>\n    <td class='v'>\n"
            "      <span>000014349/2022-00012</span>\n    </td>\n"
            "    <td><strong>发文机关：</strong></td><td><a href='/org/1'>国务院办公厅</a></td>\n"
            "  </tr>\n  <tr>\n    <td><b>发文字号：</b></td>\n"
            "    <td><font>国办发〔2022〕</font>3号</td>\n"
            "    <td><b>成文日期：</b></td><td>2022.01.20</td>\n  </tr>\n</table>",
            {
                "index_number": "000014349/2022-00012",
                "publisher": "国务院办公厅",
                "document_number": "国办发〔2022〕3号",
                "written_on": "2022-01-20",
            },
            id="wrapped labels, entities, a linked and a split value",
        ),
        pytest.param(
            '<table><tr><td><b>索<span style="padding-left:2em"></span>引<span '
            'style="padding-left:2em"></span>号：</b></td><td>000014349/2022-00012</td></tr></table>',
            {"index_number": "000014349/2022-00012"},
            id="a label spaced out with tags",
        ),
        pytest.param(
            "<table><tr><td><b>索引号：</b>000014349/2022-00012</td>"
            "<td><b>发布单位：</b>某县民政局</td></tr></table>",
            {"index_number": "000014349/2022-00012", "publisher": "某县民政局"},
            id="label and value in one cell",
        ),
        pytest.param(
            '<ul class="info"><li><span>文号：</span>某府办〔2022〕3号</li>'
            "<li><span>公开日期：</span>2022/01/20 10:00</li><li><span>生成日期：</span></li>"
            "<li><span>来源：</span>某县政务服务数据管理局</li></ul>",
            {
                "document_number": "某府办〔2022〕3号",
                "issued_on": "2022-01-20",
                "publisher": "某县政务服务数据管理局",
            },
            id="list items with span labels",
        ),
        pytest.param(
            "<dl><dt>发布机构</dt><dd>某县卫生健康委员会</dd><dt>成文日期</dt><dd>2022-01-08</dd>"
            "<dt>文号</dt><dd>无</dd><dt>发布时间</dt><dd>-</dd></dl>",
            {"publisher": "某县卫生健康委员会", "written_on": "2022-01-08"},
            id="definition list, 无 and a dash",
        ),
        pytest.param(
            '<h1>某县2021年政府信息公开工作年度报告</h1><p class="info">发布日期：2022-01-20　'
            "来源：某县政务服务数据管理局　【字体：<a>大</a> <a>中</a> <a>小</a>】</p>",
            {"publisher": "某县政务服务数据管理局", "issued_on": "2022-01-20"},
            id="one line of labels and values",
        ),
        pytest.param(
            '<div class="info"><span>信息来源：县政府办</span><span>发布时间：2022-01-20 09:30:00'
            "</span><span>浏览次数：</span></div>",
            {"publisher": "县政府办", "issued_on": "2022-01-20"},
            id="spans of label and value",
        ),
        pytest.param(
            "<p>来源：县融媒体中心</p><table><tr><td>发布机构：</td><td>某县人民政府</td></tr></table>",
            {"publisher": "某县人民政府"},
            id="来源 only as a last resort",
        ),
        pytest.param(
            "<table><tr><td>文　　号：</td><td>成文日期：</td><td>2022-01-18</td></tr></table>"
            "<p>索引号：　发布日期：2022-01-20</p>",
            {"written_on": "2022-01-18", "issued_on": "2022-01-20"},
            id="never the next label as a value",
        ),
        pytest.param(
            "<table><tr><td>成文日期：</td><td>2022-02-30</td><td>发布日期：</td><td>近日</td></tr>"
            "</table>",
            {},
            id="an impossible date and no date",
        ),
        pytest.param(
            '<ul class="menu"><li><a href="/gkml/jg">发布机构</a></li><li><a href="/gkml/1">'
            "县财政局</a></li></ul><p>数据来源：县统计局。经批准文号：豫发改〔2021〕1号</p>"
            "<!-- <td>文号：</td><td>模板〔2020〕1号</td> -->"
            '<script>document.write("<td>索引号：</td><td>" + code + "</td>");</script>',
            {},
            id="links, words in sentences, comments and scripts",
        ),
    ],
)
def test_layouts(body: str, expected: dict[str, str]) -> None:
    assert page_metadata(page(body)) == PageMetadata(**expected)


def test_trs_metas_stand_in_for_what_the_page_does_not_print() -> None:
    head = (
        '<meta name="PubDate" content="2022-01-20 10:00">'
        "<meta name='ContentSource' content='某县政务服务数据管理局'>"
    )
    assert page_metadata(page("", head)) == PageMetadata(
        publisher="某县政务服务数据管理局", issued_on="2022-01-20"
    )
    printed = page("<p>发布日期：2022-01-21　来源：县政府办</p>", head)
    assert page_metadata(printed) == PageMetadata(
        publisher="某县政务服务数据管理局", issued_on="2022-01-21"
    )


def test_a_page_without_labels_prints_no_metadata() -> None:
    assert page_metadata(page("<h1>某县2021年政府信息公开工作年度报告</h1>")) == PageMetadata()
    assert page_metadata("") == PageMetadata()


def test_archived_bytes_are_read_in_the_page_s_own_charset() -> None:
    html = page("<table><tr><td>发布机构：</td><td>某县人民政府办公室</td></tr></table>")
    gbk = html.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    assert read_page(gbk) == PageMetadata(publisher="某县人民政府办公室")
    assert read_page(html.encode()) == read_page(gbk)


def test_bytes_that_are_not_html_print_no_metadata() -> None:
    assert read_page(b"%PDF-1.7\n" + "发布机构：某县人民政府".encode()) == PageMetadata()
    assert read_page(b"") == PageMetadata()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年01月20日", "2022-01-20"),
        ("2022年1月2日 10时", "2022-01-02"),
        ("2022-1-20", "2022-01-20"),
        ("2022/01/20", "2022-01-20"),
        ("2022.01.20", "2022-01-20"),
        ("２０２２－０１－２０", "2022-01-20"),
        (" 2022-01-20 10:00:00", "2022-01-20"),
        ("2022-02-30", None),
        ("2022-13-01", None),
        ("20220120", None),
        ("暂无", None),
        (None, None),
    ],
)
def test_dates(text: str | None, expected: str | None) -> None:
    assert iso_date(text) == expected
