"""Title, organ, year and the narrative sections of a report."""

from __future__ import annotations

import re
from collections.abc import Sequence

from parsers.cells import squash

_TITLE_WORDS = ("年度报告", "年报")
_NOT_TITLE = ("解读", "图解")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_QUOTES = re.compile(r"^[《“\"']+|(?:关于)?[《》“”\"']*$")
_HEADING = re.compile(r"([一二三四五六])[、.．]")
# Each numbered section heading and a word it must contain.
_SECTIONS = {
    "一": ("overview", "总体情况"),
    "二": (None, "主动公开"),
    "三": (None, "申请"),
    "四": (None, "复议"),
    "五": ("problems", "问题"),
    "六": ("other", "其他"),
}
_ORDER = "一二三四五六"
MAX_TITLE = 80
MAX_HEADING = 40


def title(paragraphs: Sequence[str]) -> str | None:
    for paragraph in paragraphs:
        text = squash(paragraph)
        if (
            len(text) <= MAX_TITLE
            and any(word in text for word in _TITLE_WORDS)
            and not any(word in text for word in _NOT_TITLE)
        ):
            return text
    return None


def year(title: str) -> int | None:
    match = _YEAR.search(title)
    return int(match.group()) if match else None


def organ(title: str) -> str:
    """The issuing body as the title names it: before the year, or else before 政府信息公开."""
    match = _YEAR.search(title)
    before = title[: match.start()] if match else ""
    if not before:
        after = title[match.end() :] if match else title
        before = re.split(r"政府信息公开|政务公开|信息公开", after.lstrip("年度"), maxsplit=1)[0]
    return _QUOTES.sub("", before)


def sections(paragraphs: Sequence[str]) -> dict[str, str | None]:
    """Narrative text between the numbered section headings."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    reached = -1
    for paragraph in paragraphs:
        number = _heading(paragraph)
        if number is not None and _ORDER.index(number) > reached:
            reached = _ORDER.index(number)
            current = _SECTIONS[number][0]
            if current:
                found[current] = []
        elif current:
            found[current].append(paragraph.strip())
    return {
        name: "\n".join(found[name]) if name in found else None
        for name in ("overview", "problems", "other")
    }


def _heading(paragraph: str) -> str | None:
    text = squash(paragraph)
    match = _HEADING.match(text)
    if not match or len(text) > MAX_HEADING or _SECTIONS[match.group(1)][1] not in text:
        return None
    return match.group(1)
