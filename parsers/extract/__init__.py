"""Every input format becomes one list of blocks in reading order.

A block is a paragraph (str) or a table (list of rows, each a list of cell strings).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from w3lib.encoding import read_bom

from parsers.errors import ParseError
from parsers.extract import docx, html, pdf, text
from parsers.extract.blocks import Block, Extraction

__all__ = [
    "LEGACY_WORD", "MAX_BYTES", "Block", "Extraction", "extract_blocks", "sniff",
    "sniff_media_type",
]  # fmt: skip

MAX_BYTES = 100 * 1024 * 1024

_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|div|table|p)\b", re.IGNORECASE)
LEGACY_WORD = (b"\xd0\xcf\x11\xe0", b"{\\rtf")  # OLE2 (DOC, WPS, XLS…), RTF
#: Leading bytes → the media type they mark.
MAGIC = (
    (b"PK\x03\x04", "application/zip"),  # DOCX, XLSX, OFD, ZIP
    (LEGACY_WORD[0], "application/x-ole-storage"),  # DOC, WPS, XLS
    (LEGACY_WORD[1], "application/rtf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_LEGACY_TYPES = {"application/x-ole-storage", "application/rtf"}
_LEGACY_MESSAGE = (
    "DOC/WPS needs LibreOffice: convert it to DOCX with xxgk.convert.to_docx before parsing"
)
_EXTRACTORS = {"docx": docx.extract, "html": html.extract, "text": text.extract}


def extract_blocks(
    data: bytes, media_type: str | None = None, name: str | None = None
) -> Extraction:
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", f"{len(data)} bytes is over the {MAX_BYTES}-byte limit")
    if not data.strip():
        raise ParseError("empty", "no content")
    kind = sniff(data, media_type, name)
    if kind == "pdf":
        return pdf.extract(data)
    if kind == "image":
        from parsers.extract import images  # OpenCV and the OCR engine: only for scans

        return images.extract(data)
    return Extraction(_EXTRACTORS[kind](data))


def sniff_media_type(data: bytes) -> str | None:
    """The media type the bytes themselves show: a PDF header within the first KiB, another
    format's magic number at the start, or HTML markup in text; None if they show none."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    found = next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    encoding, bom = read_bom(head)
    if encoding and encoding != "utf-8":  # UTF-16 or UTF-32 markup: look at its characters
        head = head[len(bom) :].decode(encoding, "ignore").encode()
    # random bytes hold '<p ' often enough to look like HTML
    if found is None and _HTML.search(head) and not text.looks_binary(data):
        return "text/html"
    return found


def sniff(data: bytes, media_type: str | None = None, name: str | None = None) -> str:
    """The format by the bytes; the media type and the name's suffix only break ties."""
    found = sniff_media_type(data)
    if found == "application/pdf":
        return "pdf"
    if found == "application/zip":
        return "docx"
    if found in _LEGACY_TYPES:
        raise ParseError("unsupported", _LEGACY_MESSAGE)
    if found and found.startswith("image/"):
        return "image"
    if found == "text/html":
        return "html"
    hint = f"{media_type or ''} {PurePath(name or '').suffix}".lower()
    binary = text.looks_binary(data)
    if not binary and "html" in hint and b"<" in data[:2048]:
        return "html"
    if any(word in hint for word in ("pdf", "doc", "word")):
        raise ParseError("corrupt", f"not a valid {hint.strip()} file")
    if binary:
        raise ParseError("unsupported", "binary data of an unknown format")
    return "text"
