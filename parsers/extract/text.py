"""Plain text: decoded, then read as paragraphs and table rows in whatever layout the tool that
wrote it used (`layout`)."""

from __future__ import annotations

import codecs

from w3lib.encoding import html_to_unicode, read_bom, to_unicode

from parsers.extract.blocks import Block
from parsers.extract.layout import text_blocks

_CONTROL = {*range(0, 9), 11, 12, *range(14, 32)}


def decode(data: bytes) -> str:
    """The text of bytes by their BOM, else by the charset their markup declares (`w3lib`
    resolves GBK and GB2312 to GB18030), else UTF-8 if they are UTF-8, else GB18030. A declared
    charset the bytes break is ignored: portals declare one and save in another."""
    encoding, decoded = html_to_unicode(None, data, auto_detect_fun=undeclared_encoding)
    if "\ufffd" in decoded and encoding != (fallback := undeclared_encoding(data)):
        return to_unicode(data, fallback)
    return decoded


def undeclared_encoding(data: bytes) -> str:
    """UTF-8 for bytes that are UTF-8, else GB18030: the two charsets of Chinese portals."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def looks_binary(data: bytes) -> bool:
    """Bytes that are no text: control characters, or not UTF-8 nor GB18030 (nor the UTF its
    BOM names: UTF-16 text is half NUL bytes)."""
    sample = data[:8192]
    encoding, bom = read_bom(sample)
    if encoding:
        try:  # not final: the sample may end inside a character
            text = codecs.getincrementaldecoder(encoding)().decode(sample[len(bom) :])
        except UnicodeDecodeError:
            return True
        return sum(ord(char) in _CONTROL for char in text) > len(text) // 100
    if sum(byte in _CONTROL for byte in sample) > len(sample) // 100:
        return True
    for codec in ("utf-8", "gb18030"):
        try:
            sample.decode(codec)
            return False
        except UnicodeDecodeError as error:
            if error.start >= len(sample) - 4:  # a character cut by the sample's end
                return False
    return True


def extract(data: bytes) -> list[Block]:
    return text_blocks(decode(data).splitlines())
