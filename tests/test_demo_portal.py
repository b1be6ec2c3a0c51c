"""The demo portal serves a county-portal-shaped site built from the seeds, byte for byte."""

from __future__ import annotations

import ast
import io
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import docx
import pdfplumber
import pytest
from parsel import Selector

import xxgk
from tests.fixtures.render.blocks import Table, load_seed
from tests.fixtures.render.site import build
from xxgk.demo.portal import SITE_DIR, DemoPortal, load_manifest

MANIFEST = load_manifest()
REPORTS = {report["seed"]: report for report in MANIFEST["reports"]}


@pytest.fixture(scope="module")
def portal():
    with DemoPortal() as running:
        yield running


def get(portal: DemoPortal, path: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(portal.url + path.lstrip("/")) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_home_links_to_the_disclosure_column(portal: DemoPortal) -> None:
    assert portal.url.startswith("http://127.0.0.1:")
    status, headers, body = get(portal, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert Selector(text=body.decode()).css('a[href="/zwgk/"]::text').get() == "政府信息公开"


def test_both_list_pages_are_linked_by_next_and_numbers(portal: DemoPortal) -> None:
    _, _, first = get(portal, "/zwgk/zfxxgknb/index.html")
    status, _, second = get(portal, "/zwgk/zfxxgknb/index_1.html")
    assert status == 200
    page_one, page_two = Selector(text=first.decode()), Selector(text=second.decode())
    assert page_one.xpath('//a[text()="下一页"]/@href').get() == "index_1.html"
    assert page_one.xpath('//a[text()="2"]/@href').get() == "index_1.html"
    assert page_two.xpath('//a[text()="1"]/@href').get() == "index.html"
    listed = (
        page_one.css("ul.list a::attr(href)").getall()
        + page_two.css("ul.list a::attr(href)").getall()
    )
    assert {r["page"] for r in MANIFEST["reports"]} <= set(listed)
    assert MANIFEST["decoys"]["interpretation"] in listed
    assert MANIFEST["decoys"]["missing"] in listed


def test_gbk_page_declares_its_charset_only_in_meta(portal: DemoPortal) -> None:
    report = REPORTS["003_351f4af2c3a8fcf1.txt"]
    status, headers, body = get(portal, report["page"])
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    assert b'content="text/html; charset=gbk"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert report["title"] in body.decode("gbk")


def test_inline_report_follows_the_rendering_rule(portal: DemoPortal) -> None:
    seed = load_seed("000_332b3b6b687ea38f")
    _, _, body = get(portal, REPORTS[seed.file_name]["page"])
    zoom = Selector(text=body.decode()).css("div.TRS_Editor#zoom")
    rendered = [
        [[cell.xpath("string()").get() for cell in row.css("td")] for row in table.css("tr")]
        for table in zoom.css("table")
    ]
    expected = [
        [[cell.text for cell in row] for row in block.rows]
        for block in seed.blocks
        if isinstance(block, Table)
    ]
    assert rendered == expected
    assert zoom.css("p::text").get() == seed.title


def test_downfile_names_the_docx_only_in_content_disposition(portal: DemoPortal) -> None:
    report = REPORTS["002_3c99cf29d2b59166.txt"]
    assert report["attachment"].startswith("/module/download/downfile.jsp?classid=0&filename=")
    assert "固原" not in report["attachment"]
    status, headers, body = get(portal, report["attachment"])
    assert status == 200
    assert headers["Content-Type"].endswith("wordprocessingml.document")
    assert f"filename*=UTF-8''{quote(report['file_name'])}" in headers["Content-Disposition"]
    assert docx.Document(io.BytesIO(body)).paragraphs[0].text == report["title"]


def test_pdf_attachment_holds_the_seed(portal: DemoPortal) -> None:
    report = REPORTS["004_49c0d768678019fb.txt"]
    status, headers, body = get(portal, report["attachment"])
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        assert pdf.pages[0].width > pdf.pages[0].height  # landscape
        assert report["title"] in pdf.pages[0].extract_text()
        assert any(page.extract_tables() for page in pdf.pages)  # ruled tables


@pytest.mark.parametrize(
    "path",
    [
        "/no/such/page.html",
        MANIFEST["decoys"]["missing"],
        "/module/download/downfile.jsp?filename=x",
    ],
)
def test_unknown_paths_are_404(portal: DemoPortal, path: str) -> None:
    status, _, _ = get(portal, path)
    assert status == 404


def test_robots_disallows_admin(portal: DemoPortal) -> None:
    _, _, body = get(portal, "/robots.txt")
    assert "Disallow: /admin/" in body.decode()


def test_committed_site_is_what_build_writes(tmp_path: Path) -> None:
    build(tmp_path)
    built = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(SITE_DIR) for p in SITE_DIR.rglob("*") if p.is_file()}
    assert built == committed
    for path in built:
        assert (tmp_path / path).read_bytes() == (SITE_DIR / path).read_bytes(), path


def test_the_runtime_package_does_not_import_dev_dependencies() -> None:
    """reportlab renders the site, with the tests; `xxgk` only serves it."""
    package = Path(xxgk.__file__).parent
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert "boto3" in imported  # the walk sees imports
    assert not imported & {"reportlab", "tests", "hypothesis", "pytest"}
