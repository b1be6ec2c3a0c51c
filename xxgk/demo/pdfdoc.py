"""A seed as a PDF attachment: landscape A4, STSong-Light, ruled tables with wrapped cells."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from xxgk.demo.blocks import Block, Paragraph

FONT = "STSong-Light"
MARGIN = 12 * mm
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=6.5, leading=8, wordWrap="CJK")


def render_pdf(title: str, blocks: Sequence[Block]) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    page = landscape(A4)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        invariant=True,  # no timestamps or random ids: a rebuild writes the same bytes
    )
    doc.build([flowable for block in blocks for flowable in _flowables(block, doc.width)])
    return buffer.getvalue()


def _flowables(block: Block, width: float) -> list[Flowable]:
    if isinstance(block, Paragraph):
        return [PdfParagraph(escape(block.text), TEXT)]
    columns = len(block.rows[0])
    data = [[PdfParagraph(escape(cell), CELL) for cell in row] for row in block.rows]
    table = PdfTable(data, colWidths=[width / columns] * columns, repeatRows=0)
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    return [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
