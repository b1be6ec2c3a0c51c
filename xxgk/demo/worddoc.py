"""A seed as a DOCX attachment: paragraphs and ruled python-docx tables."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document

from xxgk.demo.blocks import Block, Paragraph


def render_docx(title: str, blocks: Sequence[Block]) -> bytes:
    document = Document()
    document.core_properties.title = title
    for block in blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(block.text)
            continue
        table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
        table.style = "Table Grid"
        for row, cells in zip(table.rows, block.rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
