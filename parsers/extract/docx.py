"""Word documents (.docx): paragraphs and tables in body order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from lxml import etree

from parsers.errors import ParseError
from parsers.extract.blocks import Block, Table
from parsers.extract.grid import covered

MAX_UNZIPPED = 200 * 1024 * 1024  # all parts, media included
MAX_XML = 32 * 1024 * 1024  # one XML part: lxml needs many times its size in memory
CORE_PROPERTIES = "docProps/core.xml"
#: The core properties that may name the report or its organ, in that order.
PROPERTIES = (
    "{http://purl.org/dc/elements/1.1/}title",
    "{http://purl.org/dc/elements/1.1/}subject",
)


def extract(data: bytes) -> list[Block]:
    _check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        for child in document.element.body.iterchildren():
            if child.tag == qn("w:p"):
                text = Paragraph(child, document).text.strip()
                if text:
                    blocks.append(text)
            elif child.tag == qn("w:tbl"):
                blocks.append(_grid(DocxTable(child, document)))
    except Exception as error:  # python-docx and lxml raise many kinds on damaged parts
        raise ParseError("corrupt", f"unreadable Word document: {error}") from error
    return blocks


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def properties(data: bytes) -> list[str]:
    """The core properties' title and subject, where set."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            core = etree.fromstring(archive.read(CORE_PROPERTIES), _SAFE_XML)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    found = (core.findtext(tag) for tag in PROPERTIES)
    return [text.strip() for text in found if text and text.strip()]


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise ParseError("corrupt", f"bad zip archive: {error}") from error
    if "word/document.xml" not in {entry.filename for entry in entries}:
        raise ParseError("unsupported", "a zip archive that is not a Word document")
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
        raise ParseError("too_large", f"the archive unpacks to over {MAX_UNZIPPED} bytes")
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")) and entry.file_size > MAX_XML:
            raise ParseError("too_large", f"{entry.filename} unpacks to over {MAX_XML} bytes")


def _grid(table: DocxTable) -> Table:
    grid: Table = []
    above: list = []
    for row in table.rows:
        cells = list(row.cells)
        texts = []
        for c, cell in enumerate(cells):
            if c > 0 and cell._tc is cells[c - 1]._tc:
                texts.append(covered(cell.text, below=False))
            elif c < len(above) and cell._tc is above[c]._tc:
                texts.append(covered(cell.text, below=True))
            else:
                texts.append(cell.text)
        grid.append(texts)
        above = cells
    return grid
