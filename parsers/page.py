"""The metadata a report page prints above its article: 索引号, 发布机构, 文号, 发文日期, 成文日期.

Read at parse time from the archived page, so a better reader reaches the warehouse by re-parse.

Read from the page's HTML text, not its element tree, because it runs on every report page of a
crawl: on a 30 KB page one XPath `contains()` over the text nodes costs some 80 µs, a regular
expression scan some 6 µs, and `str.find` of one character 1 µs. So each label is looked for by
one of its characters that is rare in a page's other text (发, 期, 号, 源), and checked where that
character occurs.

A label's value is what the markup shows after it: the rest of the label's own text
(`<td><b>索引号：</b>000014349/2022-00012</td>`, `<p>发布日期：2022-01-20　来源：…</p>`), else
the first text past the tags that close the label and open the value's cell (`<td>`, `<dd>`,
`<span>`). An empty cell, 无 or a dash is no value, and neither is the next label.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from itertools import islice
from typing import NamedTuple

from parsers.extract.html import html_text
from xxgk.records import PAGE_DATE_FIELDS, PAGE_METADATA_FIELDS, PageMetadata

#: 来源: the publisher when no 发布机构 (or the like) names it, nor the `ContentSource` meta.
SOURCE = "source"


class Labels(NamedTuple):
    """The labels one character finds: labels of four characters, which pages print as they are,
    with it at `fixed_at`; shorter labels ending in it, which pages pad to four characters' width
    (索 引 号, 文　　号, 来&nbsp;源), even with tags between the characters."""

    fixed_at: int
    fixed: dict[str, str]
    padded: dict[str, str]


#: The labels and the fields they name, by the character each is found by: one that is rare in a
#: page's other text.
LABELS = {
    "发": Labels(
        0,
        {
            "发布机构": "publisher",
            "发文机关": "publisher",
            "发布单位": "publisher",
            "发文单位": "publisher",
            "发文字号": "document_number",
            "发文日期": "issued_on",
            "发布日期": "issued_on",
            "发布时间": "issued_on",
        },
        {},
    ),
    "期": Labels(
        3, {"公开日期": "issued_on", "成文日期": "written_on", "生成日期": "written_on"}, {}
    ),
    "号": Labels(0, {}, {"索引号": "index_number", "文号": "document_number"}),
    "源": Labels(3, {"信息来源": SOURCE}, {"来源": SOURCE}),
}
GAP = r"(?:\s|&(?:nbsp|ensp|emsp|#160|#12288);|<[^<>]*>)*"
PADDED = {
    label: re.compile(GAP.join(map(re.escape, label)))
    for labels in LABELS.values()
    for label in labels.padded
}
PADDED_SPAN = 160  # 索<span style="padding-left:2em"></span>引<span …></span>号
#: A label starts a text (after a tag, a space or an entity) or follows a bracket.
BEFORE_LABEL = frozenset(">;|｜【[]】")
#: Text inside these is a link or a control, not a label.
NOT_LABEL_TAGS = frozenset({"a", "option", "button", "title", "textarea"})
TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
#: How far back a comment or script holding a label may start.
HIDING_SPAN = 1000

#: A comment, a tag (closing?, name) or a text: one after the other, so `finditer` misses none.
TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|[^<]+|<", re.S)
MAX_TOKENS = 12
VOID_TAGS = frozenset({"br", "img", "hr", "input", "wbr"})
#: Tags a value's text runs on through (`<td><font>某县</font>人民政府</td>`).
INLINE_TAGS = frozenset({"a", "b", "strong", "em", "i", "u", "font"})
LABEL_CELLS = frozenset({"th", "dt"})
GROUP_ENDS = frozenset({"tr", "tbody", "table", "ul", "ol", "dl", "body", "html"})
#: A label at the start of a text: a known one, or a few Han characters and a colon (主题分类：).
LABEL_START = re.compile(
    "|".join(
        GAP.join(map(re.escape, label))
        for labels in LABELS.values()
        for label in [*labels.fixed, *labels.padded]
    )
    + r"|[\u4e00-\u9fff][\u4e00-\u9fff\s]{0,8}[：:]"
)
#: Where a value ends in a text that goes on: before the next label, or a bracket (【字体：大】).
VALUE_END = re.compile(r" (?=[\u4e00-\u9fff][\u4e00-\u9fff ]{0,8}[：:])|[【\[|｜]")
SPACES = " \t\r\n\xa0\u3000"
LABEL_STRIP = SPACES + "：:"
NO_VALUE = frozenset({"", "无", "暂无", "-", "--", "—", "——", "－", "/"})
MAX_VALUE = 100
DATE = re.compile(r"(\d{4})\s*[-－年/／.．]\s*(\d{1,2})\s*[-－月/／.．]\s*(\d{1,2})")

#: TRS pages' `<meta name=… content=…>`, for what the page does not print.
META_FIELDS = {"pubdate": "issued_on", "contentsource": "publisher"}
META = re.compile(r"<meta\s[^>]*>", re.I)
META_NAME = re.compile(r"""\bname\s*=\s*["']?(PubDate|ContentSource)\b""", re.I)
META_CONTENT = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def read_page(data: bytes) -> PageMetadata:
    """What an archived report page prints above its article; nothing if it is not HTML."""
    if b"<" not in data[:1024]:
        return PageMetadata()
    return page_metadata(html_text(data))


def page_metadata(html: str) -> PageMetadata:
    """What a page prints above its article, from its HTML text."""
    found: dict[str, str] = {}
    for start, end, field in label_places(html):
        if field in found or not shown_as_label(html, start):
            continue
        if value := field_value(field, value_after(html, end)):
            found[field] = value
    source = found.pop(SOURCE, None)
    if "publisher" not in found or "issued_on" not in found:
        for field, content in head_meta(html).items():
            if field not in found and (value := field_value(field, content)):
                found[field] = value
    if source and "publisher" not in found:
        found["publisher"] = source
    return PageMetadata(**{field: found[field] for field in PAGE_METADATA_FIELDS if field in found})


def label_places(html: str) -> list[tuple[int, int, str]]:
    """(start, end, field) of every label's text in the page, wherever it stands, in order."""
    found = []
    for key, (offset, fixed, padded) in LABELS.items():
        at = html.find(key)
        while at >= 0:
            start = at - offset
            if start >= 0 and (field := fixed.get(html[start : start + 4])):
                found.append((start, start + 4, field))
            else:
                for label, field in padded.items():
                    start = html.rfind(label[0], max(0, at - PADDED_SPAN), at)
                    match = PADDED[label].match(html, start) if start >= 0 else None
                    if match and match.end() == at + 1:
                        found.append((start, at + 1, field))
                        break
            at = html.find(key, at + 1)
    return sorted(found)


def shown_as_label(html: str, start: int) -> bool:
    before = html[start - 1] if start else ">"
    if not (before.isspace() or before in BEFORE_LABEL):
        return False  # inside a word: 数据来源, 批准文号
    opening = html.rfind("<", 0, start)
    tag = TAG_NAME.match(html, opening + 1)
    if (
        tag
        and tag.group().lower() in NOT_LABEL_TAGS
        and not html[html.find(">", opening) + 1 : start].strip(SPACES)
    ):
        return False  # a link's or a control's text
    return not hidden(html, start)


def hidden(html: str, at: int) -> bool:
    """Whether `at` is in a comment or a script (a template's leftovers, document.write)."""
    since = max(0, at - HIDING_SPAN)
    comment, script = html.rfind("<!--", since, at), html.rfind("<script", since, at)
    return (comment >= 0 and html.find("-->", comment, at) < 0) or (
        script >= 0 and html.find("</script", script, at) < 0
    )


def value_after(html: str, at: int) -> str | None:
    """The text a label ending at `at` names (see the module's docstring)."""
    opened = False  # a tag opened after the label: the value's cell
    parts: list[str] = []
    for token in islice(TOKEN.finditer(html, at), MAX_TOKENS):
        closing, tag = token.group(1, 2)
        if tag is None:
            text = token.group()
            if text.startswith("<!--"):
                continue
            text = unescape(text) if "&" in text else text
            if parts:
                if LABEL_START.match(text.lstrip()):
                    break
                parts.append(text)
            elif text := text.lstrip(LABEL_STRIP):
                if LABEL_START.match(text):
                    return None
                parts.append(text)
            continue
        tag = tag.lower()
        if tag in VOID_TAGS:
            continue
        if parts:
            if tag in INLINE_TAGS:
                continue
            break
        if (closing and (opened or tag in GROUP_ENDS)) or (not closing and tag in LABEL_CELLS):
            return None
        opened = opened or not closing
    value = " ".join("".join(parts).split())
    end = VALUE_END.search(value)
    return value[: end.start()] if end else value


def field_value(field: str, text: str | None) -> str | None:
    if field in PAGE_DATE_FIELDS:
        return iso_date(text)
    value = " ".join(text.split()).strip(LABEL_STRIP) if text else ""
    return None if value in NO_VALUE or len(value) > MAX_VALUE else value


def iso_date(text: str | None) -> str | None:
    """`2022年01月20日`, `2022-1-20`, `2022/01/20`, `2022.01.20` (a time may follow) as ISO."""
    match = DATE.match(text.strip()) if text else None
    if match is None:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:  # 2022-02-30
        return None


def head_meta(html: str) -> dict[str, str]:
    """The `PubDate` and `ContentSource` metas of the page's head, by field."""
    end = html.find("</head>")
    found = {}
    for tag in META.finditer(html, 0, end if end >= 0 else len(html)):
        name, content = META_NAME.search(tag.group()), META_CONTENT.search(tag.group())
        if name and content:
            found[META_FIELDS[name.group(1).lower()]] = content.group(1) or content.group(2)
    return found
