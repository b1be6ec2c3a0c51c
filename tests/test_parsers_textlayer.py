"""A PDF page read from pypdfium2's text layer (parsers.extract.textlayer, pdfpage) gives the
blocks pdfplumber gives it: the same ruled tables, cell for cell, and the same lines of text
outside them, on the official fixtures, the long reports, and pages whose ruling lines are
drawn as rectangles, as curves, inside a form XObject, or on a page turned by /Rotate."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from parsers.extract import pdfpage, textlayer
from parsers.extract.blocks import Block
from tests.fixtures.make_official import OUT
from tests.fixtures.render.long_reports import OUT as LONG

FILES = sorted(OUT.glob("*.pdf")) + sorted(LONG.glob("*.pdf"))
CELLS = [["项目", "本年", "上年"], ["申请数量", "12", "7"], ["结转", "3", "0"]]


def pdfplumber_blocks(page: pdfplumber.page.Page) -> list[Block]:
    """The page's tables and its lines outside them, by pdfplumber alone."""
    tables = page.find_tables()
    placed: list[tuple[float, Block]] = [
        (table.bbox[1], [["".join((cell or "").split("\n")) for cell in row] for row in rows])
        for table in tables
        for rows in [table.extract()]
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


def both(data: bytes) -> list[tuple[list[Block], list[Block]]]:
    """Each page's blocks from the text layer, and from pdfplumber."""
    document = pypdfium2.PdfDocument(data)
    ours = [pdfpage.blocks(layer) for layer in textlayer.pages(document)]
    document.close()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        theirs = [pdfplumber_blocks(page) for page in pdf.pages]
    return list(zip(ours, theirs, strict=True))


def squeezed(blocks: list[Block]) -> list[Block]:
    """Text without its blanks: PDFium drops a space that begins a run of text, where pdfminer
    keeps it."""
    return ["".join(block.split()) if isinstance(block, str) else block for block in blocks]


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_the_text_layer_gives_pdfplumbers_tables_and_lines(path: Path) -> None:
    for n, (ours, theirs) in enumerate(both(path.read_bytes()), 1):
        assert [b for b in ours if isinstance(b, list)] == [
            b for b in theirs if isinstance(b, list)
        ], f"page {n}"
        assert squeezed(ours) == squeezed(theirs), f"page {n}"


def _grid(page: canvas.Canvas, left: float, top: float, ruling: str) -> None:
    """CELLS as a ruled table with its top left corner at (left, top): ruled by lines, by a
    rectangle per cell, or by a rounded rectangle per cell (Bézier corners, straight sides)."""
    width, height = 80, 24
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            x, y = left + c * width, top - (r + 1) * height
            page.drawString(x + 6, y + 8, text)
            if ruling == "rect":
                page.rect(x, y, width, height)
            elif ruling == "round":
                page.roundRect(x, y, width, height, 2)
    if ruling == "lines":
        for r in range(len(CELLS) + 1):
            page.line(left, top - r * height, left + 3 * width, top - r * height)
        for c in range(4):
            page.line(left + c * width, top, left + c * width, top - len(CELLS) * height)


def _drawn(ruling: str, rotate: int = 0, form: bool = False) -> bytes:
    """A page with a heading, CELLS ruled as `ruling` says, and a heading after; turned by
    `rotate` (/Rotate), its content drawn turned back, so that it reads upright on screen."""
    buffer = io.BytesIO()
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(buffer, invariant=True)
    width, height = page._pagesize
    page.setPageRotation(rotate)
    page.translate(*{0: (0, 0), 90: (width, 0), 180: (width, height), 270: (0, height)}[rotate])
    page.rotate(rotate)
    page.setFont("STSong-Light", 10)
    page.drawString(72, 560, "二、主动公开政府信息情况")
    if form:
        page.beginForm("table")
        page.setFont("STSong-Light", 10)
        _grid(page, 0, 0, ruling)
        page.endForm()
        page.saveState()
        page.translate(72, 520)
        page.doForm("table")
        page.restoreState()
    else:
        _grid(page, 72, 520, ruling)
    page.drawString(72, 380, "三、收到和处理政府信息公开申请情况")
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("ruling", "rotate", "form"),
    [("lines", 0, False), ("rect", 0, False), ("round", 0, False), ("lines", 0, True),
     ("rect", 90, False), ("lines", 270, True), ("lines", 180, False)],
)  # fmt: skip
def test_ruling_lines_of_every_kind_give_pdfplumbers_table(
    ruling: str, rotate: int, form: bool
) -> None:
    [(ours, theirs)] = both(_drawn(ruling, rotate, form))
    assert ours == theirs
    assert [b for b in ours if isinstance(b, list)] == [CELLS]


def test_a_page_of_images_only_is_told_from_a_page_of_text() -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.drawString(72, 780, "text")
    page.showPage()
    image = io.BytesIO()
    Image.new("L", (40, 40), 128).save(image, "PNG")
    page.beginForm("scan")
    page.drawImage(ImageReader(io.BytesIO(image.getvalue())), 0, 0, 200, 200)
    page.endForm()
    page.doForm("scan")
    page.showPage()
    page.save()
    document = pypdfium2.PdfDocument(buffer.getvalue())
    text, scan = textlayer.pages(document)
    document.close()
    assert [c["text"] for c in text.chars] == list("text") and not text.has_images
    assert not scan.chars and scan.has_images


def test_words_stand_apart_by_their_advance_not_by_their_glyphs() -> None:
    """An italic f reaches past its advance: words a little over pdfplumber's word gap apart
    are still two words."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    words = ["of", "the", "stuff", "first", "if", "j"]
    for n, (font, gap) in enumerate(
        (font, gap) for font in ("Times-Italic", "Helvetica-Oblique") for gap in (3.1, 3.6)
    ):
        page.setFont(font, 12)
        x = 72.0
        for word in words:
            page.drawString(x, 760 - 20 * n, word)
            x += pdfmetrics.stringWidth(word, font, 12) + gap
    page.showPage()
    page.save()
    [(ours, theirs)] = both(buffer.getvalue())
    assert ours == theirs == [" ".join(words)] * 4


def test_a_hyphen_that_ends_a_line_stays_a_hyphen() -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.drawString(72, 760, "Encoding Rules (DER) manip-")
    page.drawString(72, 745, "ulation of structures")
    page.showPage()
    page.save()
    [(ours, theirs)] = both(buffer.getvalue())
    assert ours == theirs == ["Encoding Rules (DER) manip-", "ulation of structures"]
