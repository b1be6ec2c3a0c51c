"""PDF: text lines outside tables as paragraphs and ruled tables as grids, in page order."""

from __future__ import annotations

import io

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from parsers.errors import ParseError
from parsers.extract.blocks import Block, Table

MAX_PAGES = 500
#: The document information entries that may name the report or its organ, in that order.
PROPERTIES = ("Title", "Subject", "Author")


def extract(data: bytes) -> list[Block]:
    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            if len(document.pages) > MAX_PAGES:
                raise ParseError("too_large", f"{len(document.pages)} pages")
            pages = []
            for page in document.pages:
                pages.append(_page_blocks(page))
                page.close()  # drop the page's parsed objects: memory stays one page's worth
    except ParseError:
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged files
        raise _classify(error) from error
    if not any(pages):
        raise ParseError("needs_ocr", "no text layer: the pages are images")
    return _join_pages(pages)


def properties(data: bytes) -> list[str]:
    """The document information's Title, Subject and Author, where set."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            info = document.metadata
    except Exception:  # only the pages matter for whether a PDF is readable: extract() decides
        return []
    return [
        value.strip()
        for key in PROPERTIES
        if isinstance(value := info.get(key), str) and value.strip()
    ]


def _classify(error: Exception) -> ParseError:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return ParseError("encrypted", "the PDF needs a password")
    return ParseError("corrupt", f"unreadable PDF: {error!r}"[:300])


def _page_blocks(page: pdfplumber.page.Page) -> list[Block]:
    tables = page.find_tables()
    placed: list[tuple[float, Block]] = [
        (table.bbox[1], _grid(table.extract())) for table in tables
    ]
    for line in page.extract_text_lines():
        middle = (line["top"] + line["bottom"]) / 2
        inside = any(
            top <= middle <= bottom and x0 <= line["x1"] and line["x0"] <= x1
            for x0, top, x1, bottom in (table.bbox for table in tables)
        )
        if not inside and line["text"].strip():
            placed.append((line["top"], line["text"].strip()))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _grid(rows: list[list[str | None]]) -> Table:
    return [["".join((cell or "").split("\n")) for cell in row] for row in rows]


def _join_pages(pages: list[list[Block]]) -> list[Block]:
    """A table that ends one page and starts the next with as many columns is one table."""
    blocks: list[Block] = []
    for page in pages:
        first = page[0] if page else None
        last = blocks[-1] if blocks else None
        if isinstance(first, list) and isinstance(last, list) and len(first[0]) == len(last[0]):
            last.extend(first)
            page = page[1:]
        blocks.extend(page)
    return blocks
