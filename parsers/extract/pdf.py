"""PDF: each page read from its text layer with pypdfium2 (`textlayer`), its ruled tables as
grids and its lines outside them as paragraphs, in page order (`pdfpage`). A page without
characters but with images (a scan) is rendered and read by OCR."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium

from parsers.errors import ParseError
from parsers.extract import pdfpage, textlayer
from parsers.extract.blocks import Extraction, join_pages

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
    document = _open(data)
    try:
        if len(document) > MAX_PAGES:
            raise ParseError("too_large", f"{len(document)} pages")
        if not len(document):  # none, or a page tree that leads nowhere (or to itself)
            raise ParseError("corrupt", "a PDF without a readable page")
        pages = []
        for n, layer in enumerate(textlayer.pages(document)):
            if not layer.chars and layer.has_images:
                scanned.append(n)
                pages.append([])
            else:
                pages.append(pdfpage.blocks(layer))
    except pypdfium2.PdfiumError as error:  # a page that PDFium cannot load
        raise ParseError("corrupt", f"unreadable PDF: {error}"[:300]) from error
    finally:
        document.close()
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


def _open(data: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        # PDFium leaves its last error as it was when a file fails for a reason it does not
        # name: a password is what a file with an encryption dictionary needs
        needs_password = error.err_code in (pdfium.FPDF_ERR_PASSWORD, pdfium.FPDF_ERR_SECURITY)
        if needs_password and b"/Encrypt" in data:
            raise ParseError("encrypted", "the PDF needs a password") from error
        raise ParseError("corrupt", f"unreadable PDF: {error}"[:300]) from error


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
    a time and thrown away: a PDF reader inflates each stream whole, without a bound."""
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
                break  # a damaged stream: PDFium says what it makes of it
            pending = inflater.unconsumed_tail
            if total > MAX_INFLATED:
                raise ParseError(
                    "too_large", f"its streams inflate to over {MAX_INFLATED // 2**20} MB"
                )


def properties(data: bytes) -> list[str]:
    """The document information's Title, Subject and Author, where set."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:  # only the pages matter for whether a PDF is readable
        return []
    try:
        info = document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()
    return [value.strip() for key in PROPERTIES if (value := info.get(key, "")).strip()]
