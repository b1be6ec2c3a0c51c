"""Text in the layouts tools write (pipe tables, one cell per line, space-aligned columns,
vertical headers) gives the same record as the seed's tab-separated text."""

import io
import shutil
import subprocess

import pdfplumber
import pytest

from parsers import parse
from parsers.extract.layout import text_blocks
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.render.blocks import SEED_NAMES, load_seed
from tests.fixtures.render.text_layouts import LAYOUTS, page_as_cell_lines, render_text
from tests.test_parsers_official import undamaged


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_seed_in_a_text_layout_gives_the_expected_record(name: str, layout: str) -> None:
    data = render_text(load_seed(name).blocks, layout)
    record = parse(data, "text/plain", f"{name}.{layout}.txt")
    diff = differences(record, load_expected(name))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("pdf", ["libreoffice.pdf", "reportlab.pdf"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_layout_text_of_the_official_pdf_gives_the_seed(name: str, pdf: str) -> None:
    """pdfplumber's layout mode places characters as `pdftotext -layout` does: one column
    each, merged header cells over several columns, wrapped cells on lines of their own, a
    table broken over pages with its header rows repeated."""
    with pdfplumber.open(io.BytesIO((OUT / f"{name}.{pdf}").read_bytes())) as document:
        text = "\n".join(page.extract_text(layout=True) for page in document.pages)
    record = parse(text.encode("utf-8"), "text/plain", f"{name}.txt")
    diff = differences(record, undamaged(name))
    assert not diff, "\n".join(diff)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("pdf", ["libreoffice.pdf", "reportlab.pdf"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_pdftotext_layout_of_the_official_pdf_gives_the_seed(name: str, pdf: str) -> None:
    """What `pdftotext -layout` (poppler) makes of the PDF: in 004's LibreOffice PDF the
    numbers of section 四 stand a single space apart in tight columns."""
    command = ["pdftotext", "-layout", str(OUT / f"{name}.{pdf}"), "-"]
    text = subprocess.run(command, capture_output=True, check=True).stdout
    diff = differences(parse(text, "text/plain", f"{name}.txt"), undamaged(name))
    assert not diff, "\n".join(diff)


@pytest.mark.parametrize("bars", [True, False])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_official_page_as_cell_lines_gives_the_seed(name: str, bars: bool) -> None:
    data = page_as_cell_lines((OUT / f"{name}.utf-8.html").read_bytes(), bars=bars)
    diff = differences(parse(data, "text/plain", f"{name}.txt"), undamaged(name))
    assert not diff, "\n".join(diff)


def test_justified_prose_with_gaps_stays_paragraphs() -> None:
    lines = [
        "依据《条例》第五十条之规定,      现就本机关   2019 年工作情况报告如下。",
        "一是加强组织领导,   二是规范信息发布,   三是优化平台。",
    ]
    assert text_blocks(lines) == [line.strip() for line in lines]


def test_pipe_table_rule_is_skipped_and_outer_pipes_dropped() -> None:
    lines = ["| 信息内容 | 本年新制作数量 |", "|---|---|", "| 规章 | 0 |", "规范性文件 | 12"]
    assert text_blocks(lines) == [
        [["信息内容", "本年新制作数量"], ["规章", "0"], ["规范性文件", "12"]]
    ]


def test_vertical_header_is_one_cell_and_a_heading_ends_the_table() -> None:
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "",
        *"总计",
        "",
        "规章",
        "0",
        "",
        "六、其他需要报告的事项",
        "无",
    ]
    assert text_blocks(lines) == [
        "三、收到和处理政府信息公开申请情况",
        [["总计"], ["规章", "0"]],
        "六、其他需要报告的事项",
        "无",
    ]


def test_aligned_columns_by_display_width_keep_blank_cells() -> None:
    lines = ["信息内容  上一年项目数量  本年增/减", "行政许可  12", "行政强制                  3"]
    assert text_blocks(lines) == [
        [["信息内容", "上一年项目数量", "本年增/减"], ["行政许可", "12", ""], ["行政强制", "", "3"]]
    ]


def test_numbers_one_space_after_a_label_are_cells_of_their_own() -> None:
    lines = [f"信息内容{' ' * 13}处理决定数量  本年增/减", f"其他对外管理服务事项 41{' ' * 12}-2"]
    assert text_blocks(lines)[0][1] == ["其他对外管理服务事项", "41", "-2"]
