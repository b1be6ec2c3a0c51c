"""Every input format becomes one list of blocks in reading order.

A block is a paragraph (str) or a table (list of rows, each a list of cell strings).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from parsers.errors import ParseError
from parsers.extract import docx, html, pdf, text
from parsers.extract.blocks import Block

__all__ = ["LEGACY_WORD", "MAX_BYTES", "Block", "extract_blocks", "sniff"]

MAX_BYTES = 100 * 1024 * 1024

_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|div|table|p)\b", re.IGNORECASE)
LEGACY_WORD = (b"\xd0\xcf\x11\xe0", b"{\\rtf")  # OLE2 (DOC, WPS, XLS…), RTF
_LEGACY_MESSAGE = (
    "DOC/WPS needs LibreOffice: convert it to DOCX with xxgk.convert.to_docx before parsing"
)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_EXTRACTORS = {"pdf": pdf.extract, "docx": docx.extract, "html": html.extract, "text": text.extract}


def extract_blocks(
    data: bytes, media_type: str | None = None, name: str | None = None
) -> list[Block]:
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", f"{len(data)} bytes is over the {MAX_BYTES}-byte limit")
    if not data.strip():
        raise ParseError("empty", "no content")
    return _EXTRACTORS[sniff(data, media_type, name)](data)


def sniff(data: bytes, media_type: str | None = None, name: str | None = None) -> str:
    """The format by the bytes; the media type and the name's suffix only break ties."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(LEGACY_WORD):
        raise ParseError("unsupported", _LEGACY_MESSAGE)
    if head.startswith(_IMAGE_MAGIC):
        raise ParseError("needs_ocr", "an image, not a document with text")
    hint = f"{media_type or ''} {PurePath(name or '').suffix}".lower()
    binary = text.looks_binary(data)  # random bytes hold '<p ' often enough to look like HTML
    if not binary and (_HTML.search(head) or ("html" in hint and b"<" in head)):
        return "html"
    if any(word in hint for word in ("pdf", "doc", "word")):
        raise ParseError("corrupt", f"not a valid {hint.strip()} file")
    if binary:
        raise ParseError("unsupported", "binary data of an unknown format")
    return "text"
