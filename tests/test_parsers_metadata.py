"""Organ, year and region from every place a report states them, each with its source in
`metadata_source`: the official-layout reports with their metadata moved to the title's lines,
the signature, the document properties, the opening sentence, the report page, or left to the
portal's region (tests/fixtures/metadata, made by tests/fixtures/render/metadata_layouts.py)."""

import re
from pathlib import Path

import pytest

from parsers import parse
from parsers.extract import docx, pdf
from parsers.metadata import property_statements
from parsers.region import relative_region, resolve_region
from tests.fixtures.parser.compare import load_expected
from tests.fixtures.render.blocks import SEED_NAMES, SEEDS
from tests.fixtures.render.metadata_layouts import (
    FORMATS,
    LAYOUTS,
    OUT,
    RELATIVE_ORGANS,
    Report,
    render,
)
from xxgk.archive import LocalArchive
from xxgk.parsing import ParseService, site_adcode
from xxgk.records import Document, ParseContext

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: What a seed's own sections state before a layout's place: 004 names its organ in section 一
#: (本报告由驻马店市人民政府…编制), ahead of a signature or a page, and a region ahead of the
#: portal's.
STATED_IN_SECTIONS = {
    ("004_49c0d768678019fb", "signature"): {"organ": "body", "region": "body"},
    ("004_49c0d768678019fb", "page"): {"organ": "body", "region": "body"},
    ("004_49c0d768678019fb", "relative"): {"region": "body"},
}
#: The registry's start URL of the portal of 汝阳县 (410326).
RUYANG_PORTAL = "http://www.ry.gov.cn/"


def fixture(name: str, layout: str, fmt: str) -> Path:
    return OUT / f"{name}.{layout}.{fmt}"


def context(name: str, layout: str) -> ParseContext | None:
    expected = load_expected(name)
    if layout == "page":
        return ParseContext(page_title=expected["title"])
    if layout == "relative":
        return ParseContext(site_adcode=expected["region"]["adcode"])
    return None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_each_layout_gives_the_organ_region_and_year(name: str, layout: str, fmt: str) -> None:
    path = fixture(name, layout, fmt)
    record = parse(path.read_bytes(), None, path.name, context(name, layout))
    expected = load_expected(name)
    organ = RELATIVE_ORGANS[name] if layout == "relative" else expected["organ"]
    assert (record["organ"], record["year"], record["region"]) == (
        organ,
        expected["year"],
        expected["region"],
    )
    assert record["metadata_source"] == LAYOUTS[layout] | STATED_IN_SECTIONS.get((name, layout), {})


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_fixtures_are_what_the_renderer_makes(layout: str) -> None:
    name = "002_3c99cf29d2b59166"
    assert render(Report.of(name), layout) == fixture(name, layout, "docx").read_bytes()


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_split_title_is_joined_as_the_report_prints_it(name: str) -> None:
    path = fixture(name, "split_title", "libreoffice.pdf")
    assert parse(path.read_bytes())["title"] == load_expected(name)["title"]


def test_lines_above_a_title_that_names_the_report_alone_stay_out_of_it() -> None:
    """A page's navigation (政务公开 …) and its info line are short and no sentence, like the
    pieces of a broken title; the title that names the report on its own line is the title."""
    from parsers.metadata import title

    lines = ["首页政务公开互动交流", "发布时间：2024-01-15 10:30来源：某县人民政府",
             "某县人民政府2017年政府信息公开工作年度报告", "一、概述"]  # fmt: skip
    assert title(lines) == "某县人民政府2017年政府信息公开工作年度报告"
    assert title(["汝阳县人民政府", "2019年政府信息公开工作年度报告"]) == (
        "汝阳县人民政府2019年政府信息公开工作年度报告"
    )


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seeds_state_everything_in_their_title(name: str) -> None:
    record = parse((SEEDS / f"{name}.txt").read_bytes())
    assert record["metadata_source"] == {"organ": "title", "year": "title", "region": "title"}


def test_the_report_beats_the_page_and_the_portal_where_they_disagree() -> None:
    """A page's 发布机构 is often the office that publishes every unit's report."""
    path = fixture("001_c09b12af01aeb506", "split_title", "docx")
    disagreeing = ParseContext(
        page_title="汝阳县2022年政府信息公开工作年度报告",
        publisher="汝阳县人民政府办公室",
        site_adcode="410326",
    )
    record = parse(path.read_bytes(), DOCX, path.name, disagreeing)
    assert (record["organ"], record["region"]["adcode"]) == ("温县人民政府", "410825")
    assert record["metadata_source"] == {"organ": "title", "year": "title", "region": "title"}


def test_the_page_title_beats_its_publisher() -> None:
    path = fixture("000_332b3b6b687ea38f", "page", "docx")
    page = ParseContext(
        page_title="汝阳县人民政府2019年政府信息公开工作年度报告", publisher="洛阳市人民政府办公室"
    )
    record = parse(path.read_bytes(), DOCX, path.name, page)
    assert (record["organ"], record["region"]["adcode"]) == ("汝阳县人民政府", "410326")


def test_only_the_publisher_names_the_organ() -> None:
    path = fixture("000_332b3b6b687ea38f", "page", "docx")
    record = parse(
        path.read_bytes(), DOCX, path.name, ParseContext(publisher="汝阳县人民政府办公室")
    )
    assert (record["organ"], record["region"]["adcode"]) == ("汝阳县人民政府办公室", "410326")
    assert record["metadata_source"]["organ"] == "page"


def test_without_context_an_organ_named_relatively_has_no_region() -> None:
    path = fixture("000_332b3b6b687ea38f", "relative", "docx")
    record = parse(path.read_bytes(), DOCX, path.name)
    assert (record["organ"], record["region"]) == ("城关镇人民政府", None)
    assert record["metadata_source"]["region"] is None


def test_a_township_on_a_city_portal_is_not_given_the_city() -> None:
    """Its county is unknown: the city's code would say the organ is above county level."""
    path = fixture("000_332b3b6b687ea38f", "relative", "docx")
    record = parse(path.read_bytes(), DOCX, path.name, ParseContext(site_adcode="410300"))
    assert record["region"] is None


def test_no_statement_anywhere_gives_the_portal_region() -> None:
    path = fixture("000_332b3b6b687ea38f", "page", "docx")
    record = parse(path.read_bytes(), DOCX, path.name, ParseContext(site_adcode="410326"))
    assert record["organ"] is None
    assert record["region"]["adcode"] == "410326"
    assert record["metadata_source"] == {"organ": None, "year": "title", "region": "site"}


def seed_tables_signed(name: str, *tail: str) -> bytes:
    """The seed's headings and tables only (no sentence of it names a year), under a title
    without organ or year, saying 本年度, with `tail` under the text."""
    lines = (SEEDS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "\t" in line or re.match(r"[一二三四五六]、", line)]
    text = ["政府信息公开工作年度报告", "本年度本机关政府信息公开工作情况如下。", *kept, *tail]
    return "\n".join(text).encode()


def test_this_year_is_the_year_before_a_signature_early_in_the_next() -> None:
    data = seed_tables_signed("001_c09b12af01aeb506", "温县人民政府", "2023年1月20日")
    record = parse(data, "text/plain")
    assert (record["organ"], record["year"], record["region"]["adcode"]) == (
        "温县人民政府",
        2022,
        "410825",
    )
    assert record["metadata_source"] == {
        "organ": "signature",
        "year": "signature",
        "region": "signature",
    }


def test_a_signature_in_words_and_late_in_the_year_is_that_year() -> None:
    data = seed_tables_signed("001_c09b12af01aeb506", "温县人民政府 二〇二二年十二月二十八日")
    record = parse(data, "text/plain")
    assert (record["organ"], record["year"]) == ("温县人民政府", 2022)


def test_a_date_without_本年度_tells_no_year() -> None:
    data = seed_tables_signed("001_c09b12af01aeb506", "温县人民政府", "2023年1月20日")
    record = parse(data.replace("本年度".encode(), b""), "text/plain")
    assert record["year"] is None
    assert record["metadata_source"]["year"] is None


def test_document_properties_are_read_from_pdf_and_docx() -> None:
    name = "003_351f4af2c3a8fcf1"
    title = Report.of(name).title
    assert docx.properties(fixture(name, "properties", "docx").read_bytes()) == [title]
    assert title in pdf.properties(fixture(name, "properties", "libreoffice.pdf").read_bytes())
    assert docx.properties(fixture(name, "page", "docx").read_bytes()) == []


@pytest.mark.parametrize(
    ("value", "organ", "year"),
    [
        ("Microsoft Word - 汝阳县人民政府2019年政府信息公开工作年度报告.docx", "汝阳县人民政府",
         2019),
        ("汝阳县人民政府办公室", "汝阳县人民政府办公室", None),
        ("Administrator", None, None),
        ("python-docx", None, None),
        ("2019年度政府信息公开工作年度报告", None, 2019),
    ],
)  # fmt: skip
def test_a_property_is_a_title_or_an_organ(value: str, organ: str | None, year: int | None) -> None:
    found = list(property_statements([value]))
    stated = (found[0].organ, found[0].year) if found else (None, None)
    assert stated == (organ, year)


@pytest.mark.parametrize(
    ("organ", "near", "adcode"),
    [
        ("县卫健委", "410326", "410326"),
        ("县退役军人事务局", "410326", "410326"),
        ("城关镇人民政府", "410326", None),  # a township: the portal's county, if it is one
        ("市生态环境局", "410326", "410300"),  # the city above the county portal
        ("州人民政府办公室", "422801", "422800"),  # 恩施市 portal: 恩施土家族苗族自治州
        ("区人民政府办公室", "410300", None),  # a city's portal: which district is unknown
        ("市场监督管理局", "410326", None),  # 市场 is no level word
        ("住房和城乡建设局", "410326", None),  # 城乡 is no township
    ],
)
def test_relative_names_resolve_in_the_portal_line(
    organ: str, near: str, adcode: str | None
) -> None:
    region = relative_region(organ, near)
    assert (region["adcode"] if region else None) == adcode


def test_a_shared_name_is_narrowed_by_the_portal() -> None:
    assert resolve_region("朝阳区人民政府") is None  # 北京 and 长春 both have one
    assert resolve_region("朝阳区人民政府", near="110000")["adcode"] == "110105"
    assert resolve_region("朝阳区人民政府", near="220100")["adcode"] == "220104"


def test_the_parse_service_passes_the_page_title_and_the_portal(tmp_path: Path) -> None:
    assert site_adcode(RUYANG_PORTAL) == site_adcode("410326") == "410326"
    archive = LocalArchive(tmp_path)
    results = {
        layout: ParseService().parse_document(
            archive,
            Document(
                sha256=archive.put(fixture("000_332b3b6b687ea38f", layout, "docx").read_bytes()),
                url=f"{RUYANG_PORTAL}zwgk/nb/1.html",
                site=RUYANG_PORTAL,
                title=title,
                file_name="1.docx",
            ),
        )
        for layout, title in (
            ("page", "汝阳县人民政府2019年政府信息公开工作年度报告"),
            ("relative", None),
        )
    }
    page, relative = (results[layout].record for layout in ("page", "relative"))
    assert page and relative
    assert (page["organ"], page["metadata_source"]["organ"]) == ("汝阳县人民政府", "page")
    assert (relative["region"]["adcode"], relative["metadata_source"]["region"]) == (
        "410326",
        "site",
    )
