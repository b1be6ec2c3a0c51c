"""Plain text: tab-separated lines are table rows, consecutive ones one table; other lines are
paragraphs."""

from __future__ import annotations

from parsers.extract.blocks import Block, Table

_CONTROL = {*range(0, 9), 11, 12, *range(14, 32)}


def decode(data: bytes, declared: str | None = None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if declared:
        try:
            return data.decode(_codec(declared))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _codec(charset: str) -> str:
    charset = charset.lower()
    return "gb18030" if charset in {"gbk", "gb2312", "x-gbk", "gb_2312-80", "cp936"} else charset


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
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
    return lines_to_blocks(decode(data).splitlines())


def lines_to_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    table: Table = []
    for line in lines:
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            blocks.append(table)
            table = []
        if line.strip():
            blocks.append(line.strip())
    if table:
        blocks.append(table)
    return blocks
