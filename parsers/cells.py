"""What a table cell says: a number, several numbers stacked by extraction, nothing, or words."""

from __future__ import annotations

import re
import unicodedata

Number = int | float

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_BLANK = re.compile(r"[-—–―~～/／\\＼]*|不涉及|未涉及|不适用")  # no count printed
# a count with its unit ('0件', '12 项'): the unit goes, the number stays
_UNIT = re.compile(r"(?<=\d)\s*(?:件|个|项|条|次|人次|人|家|万元)(?=\s|$)")
ZERO_WORDS = frozenset({"无", "暂无", "没有", "零"})  # words for none, where a count of 0 goes
_NOT_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"[\s\u200b\ufeff]+")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("−", "-")


def parse_number(text: str) -> Number | None:
    token = nfkc(text).strip()
    if not _NUMBER.fullmatch(token):
        return None
    token = token.replace(",", "")
    return float(token) if "." in token else int(token)


def cell_numbers(text: str) -> list[Number] | None:
    """The numbers a cell prints: [] for a blank (or dash) cell, several when extraction stacked
    the cells of consecutive rows into one ('0 0 3'), None when the cell holds words. A word for
    none (无) is 0, a count with its unit (0件) its number."""
    tokens = _UNIT.sub("", nfkc(text)).split()
    if not tokens or (len(tokens) == 1 and _BLANK.fullmatch(tokens[0])):
        return []
    numbers = [0 if token in ZERO_WORDS else parse_number(token) for token in tokens]
    if any(number is None for number in numbers):
        return None
    return numbers  # type: ignore[return-value]


def is_label(text: str) -> bool:
    return cell_numbers(text) is None


def label_key(text: str) -> str:
    """Text reduced for label matching: NFKC, no whitespace, no brackets, quotes or punctuation."""
    return _NOT_WORD.sub("", nfkc(text))


def squash(text: str) -> str:
    """Text with all whitespace (full-width and no-break spaces too) removed."""
    return _SPACE.sub("", text)
