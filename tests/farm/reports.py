"""Report files for the site-system farms: the seed reports in every format portals publish
(inline HTML, PDF, DOCX, DOC, WPS, TXT, a ZIP holding a PDF), and a pre-2019 report; and what
a crawl of such a farm site must leave alone."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import cache

from tests.farm.server import Site
from tests.fixtures.render.blocks import Table, load_seed
from tests.fixtures.render.pages import blocks_html
from tests.fixtures.render.pdfdoc import render_pdf
from tests.fixtures.render.worddoc import render_docx
from xxgk.convert import convert

#: The format each seed is published in, one report per format.
FORMATS = {
    "html": "001_c09b12af01aeb506",
    "pdf": "000_332b3b6b687ea38f",
    "docx": "002_3c99cf29d2b59166",
    "doc": "003_351f4af2c3a8fcf1",
    "wps": "004_49c0d768678019fb",
    "txt": "001_c09b12af01aeb506",
    "zip": "003_351f4af2c3a8fcf1",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/octet-stream",  # as most servers answer for WPS
    "txt": "text/plain",
    "zip": "application/zip",
}
#: A report in the format before the 2019 regulation: prose, none of the standard tables.
PRE_2019_TITLE = "某县人民政府2017年政府信息公开工作年度报告"
PRE_2019 = (
    "<p>一、概述</p><p>2017年，我县认真贯彻落实《中华人民共和国政府信息公开条例》。</p>"
    "<p>二、主动公开政府信息情况</p><p>全年主动公开政府信息1234条。</p>"
    "<p>三、依申请公开政府信息情况</p><p>全年共受理政府信息公开申请12件，已全部答复。</p>"
    "<p>四、政府信息公开的收费及减免情况</p><p>未收取任何费用。</p>"
)


@dataclass
class System:
    """A system's farm site and the paths on it a crawl must not ask for (`decoys`,
    `disallowed` by robots.txt) or finds gone (`gone`: 404); `old` is the pre-2019 report."""

    site: Site
    old: str = ""
    decoys: set[str] = field(default_factory=set)
    disallowed: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ReportFile:
    seed: str
    title: str
    body: bytes
    content_type: str


def title(format: str) -> str:
    return load_seed(FORMATS[format]).title


def inline(format: str = "html") -> str:
    """The seed's report as the article HTML of a report page."""
    return blocks_html(load_seed(FORMATS[format]).blocks)


@cache
def report_file(format: str) -> ReportFile:
    """The seed published in `format` (DOC and WPS made from the DOCX by LibreOffice)."""
    seed = load_seed(FORMATS[format])
    if format == "txt":
        body = "\n".join(
            block if isinstance(block, str) else table_text(block) for block in seed.blocks
        ).encode("gbk")
    elif format in ("pdf", "zip"):
        body = render_pdf(seed.blocks, title=seed.title)
        if format == "zip":
            body = zipped({f"{seed.title}.pdf": body})
    else:
        body = render_docx(seed.blocks, title=seed.title)
        if format in ("doc", "wps"):
            body = convert(body, "docx", "doc")
    return ReportFile(seed.name, seed.title, body, CONTENT_TYPES[format])


def table_text(table: Table) -> str:
    return "\n".join("\t".join(cell.text for cell in row) for row in table.rows)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
