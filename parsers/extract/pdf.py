"""PDF: text lines outside tables as paragraphs and ruled tables as grids, in page order. A page
without a text layer but with images (a scan) is rendered and read by OCR."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator, Sequence

import numpy as np
import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from parsers.errors import ParseError
from parsers.extract.blocks import Block, Extraction, Table, join_pages

MAX_PAGES = 500
#: Bytes a PDF's compressed streams may inflate to, all together: a 20-page scan kept
#: uncompressed in Flate is under 100 MB; a stream made to inflate to gigabytes is refused.
MAX_INFLATED = 512 * 1024 * 1024
_STREAM = re.compile(rb">>\s*stream\r?\n")
_CHUNK = 1 << 20
#: The document information entries that may name the report or its organ, in that order.
PROPERTIES = ("Title", "Subject", "Author")


def extract(data: bytes) -> Extraction:
    check_inflation(data)
    scanned: list[int] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            if len(document.pages) > MAX_PAGES:
                raise ParseError("too_large", f"{len(document.pages)} pages")
            if not document.pages:  # none, or a page tree that leads nowhere (or to itself)
                raise ParseError("corrupt", "a PDF without a readable page")
            pages = []
            for n, page in enumerate(document.pages):
                if not page.chars and page.images:
                    scanned.append(n)
                    pages.append([])
                else:
                    pages.append(_page_blocks(page))
                page.close()  # drop the page's parsed objects: memory stays one page's worth
    except (ParseError, MemoryError):
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged files
        raise _classify(error) from error
    if not scanned:
        if not any(pages):
            raise ParseError("needs_ocr", "no text layer, and no images to read")
        return Extraction(join_pages(pages))
    from parsers.extract import images  # OpenCV and the OCR engine: only for scans

    read, confidence = images.read_each(_render(data, scanned))
    for n, blocks in zip(scanned, read, strict=True):
        pages[n] = blocks
    return Extraction(
        join_pages(pages),
        ocr_pages=tuple(n + 1 for n in scanned),
        ocr_confidence=confidence,
    )


def _render(data: bytes, numbers: Sequence[int]) -> Iterator[np.ndarray]:
    """The pages as grey images, their long side `images.PAGE_SIDE` pixels."""
    from parsers.extract import images

    document = pypdfium2.PdfDocument(data)
    try:
        for n in numbers:
            page = document[n]
            width, height = page.get_size()
            bitmap = page.render(scale=images.PAGE_SIDE / max(width, height), grayscale=True)
            yield images.grey(bitmap.to_pil())
            page.close()
    finally:
        document.close()


def check_inflation(data: bytes) -> None:
    """Refuse a PDF whose Flate streams inflate to over MAX_INFLATED bytes, inflated a chunk at
    a time and thrown away: pdfminer inflates each stream whole, without a bound."""
    total = 0
    for match in _STREAM.finditer(data):
        if b"/FlateDecode" not in data[max(0, match.start() - 300) : match.start()]:
            continue
        end = data.find(b"endstream", match.end())
        pending = data[match.end() : end if end > 0 else len(data)]
        inflater = zlib.decompressobj()
        while pending and not inflater.eof:
            try:
                total += len(inflater.decompress(pending, _CHUNK))
            except zlib.error:
                break  # a damaged stream: pdfminer says what it makes of it
            pending = inflater.unconsumed_tail
            if total > MAX_INFLATED:
                raise ParseError(
                    "too_large", f"its streams inflate to over {MAX_INFLATED // 2**20} MB"
                )


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
