"""Title, organ, year and region of a report from every place it states them, and the
narrative sections.

Each of organ, year and region is taken from the first place that states it, in this order: the
title (over as many lines as the report breaks it into), the document properties, the body (the
opening sentence: 本报告由××编制; the reporting period; 2022年，… opening the overview), the
signature (the organ and date under the text), then what the caller knows (`ParseContext`): the
report page's title and 发布机构 (`page`), the portal's registry region (`site`). The report's own
words come first because a page's 发布机构 is often the office that publishes every unit's
report, not the unit. Each record says in `metadata_source` which place gave each value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from parsers.cells import squash
from parsers.region import region_of, relative_region, resolve_region
from parsers.titles import YEAR, names_report
from xxgk.records import ParseContext

_DIGITS = dict(zip("〇零○一二三四五六七八九", "000123456789", strict=True))
_QUOTES = re.compile(r"^(?:关于)?[《“\"']+|(?:关于)?[《》“”\"']*$")
_SENTENCE = re.compile(r"[。；，！？,;!?]")
_NOT_IN_ORGAN = re.compile(r"[。；，！？,;!?：:、]|报告")
_BOOK_TITLE = re.compile(r"《[^》]*》")  # 《…2019年政务公开工作要点…》 names another year
#: How an organ's name ends: a government, its office, a department, a township.
_ORGAN_END = re.compile(
    r"(?:政府|政府办|办公室|办公厅|局|委员会|委|厅|署|院|中心|办事处|街道|镇|乡|苏木|处|所|站|队|馆|"
    r"会|部|办)$"
)
_HEADING_START = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[、.．)）]")
# 本报告由××区人民政府办公室根据…编制: the organ runs from 由 to the first verb.
_VERBS = "根据|依据|按照|结合|综合|会同|汇总|负责|统一|牵头|组织|编制|起草|撰写|编写"
_COMPILED_BY = re.compile(rf"由((?:(?!{_VERBS})[^，,。；;：:由])+)(?=[^。]*编[制写])")
# ××县人民政府办公室根据…编制了本报告 / 现将（现就）××2022年政府信息公开工作情况报告如下
_COMPILES = re.compile(rf"^((?:(?!{_VERBS})[^，,。；;：:])+)(?:根据|依据|按照)[^。]*?编[制写]")
_REPORTS_ON = re.compile(r"现[将就]([^，,。；;：:\d]{2,40}?)((?:19|20)\d{2})\s*年")
#: The year reported on, as an opening states it: the reporting period, or the year of the work.
_PERIOD = re.compile(
    r"(?:统计期限|统计时限|统计时间|统计周期|时间范围)[^。\d]{0,6}((?:19|20)\d{2})年"
)
_YEAR_OF_WORK = re.compile(
    r"((?:19|20)\d{2})\s*年度?(?:政府信息公开|政务公开|信息公开|1\s*月\s*1\s*日)"
)
_OPENS_WITH_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度|以来)?[，,]")
_THIS_YEAR = ("本年度", "今年")
_NUMERAL = r"\d{1,4}|[〇零○一二三四五六七八九十]{1,4}"
_DATE = re.compile(rf"(?P<year>{_NUMERAL})年(?P<month>{_NUMERAL})月(?P<day>{_NUMERAL})日$")
_FILE_TITLE = re.compile(r"^Microsoft\s*Word\s*-\s*|\.(?:docx?|wps|pdf|ofd)$", re.IGNORECASE)
_TOWNSHIP = re.compile(r"(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处|党委|党工委)?$")
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
MAX_TITLE_LINES = 3
MIN_ORGAN = 4  # 县政府办, 县卫健委; shorter ones ending so are people's names (李志会)
MAX_ORGAN = 40
MAX_HEADING = 40
#: How far into the text its opening, and how near its end the signature, may be.
OPENING_PARAGRAPHS = 12
SIGNATURE_PARAGRAPHS = 6
#: A report signed in the first half of a year reports on the year before (they are due by
#: 31 January, 条例 第五十条).
LAST_MONTH_FOR_THE_YEAR_BEFORE = 6

SOURCES = ("title", "document_properties", "body", "signature", "page", "site")


@dataclass(frozen=True)
class Statement:
    """An organ and a year as one place in or around the report states them."""

    source: str  # one of SOURCES
    organ: str | None = None
    year: int | None = None


def describe(
    paragraphs: Sequence[str],
    properties: Sequence[str] = (),
    context: ParseContext | None = None,
) -> dict:
    """The record's `title`, `organ`, `year`, `region` and `metadata_source`."""
    context = context or ParseContext()
    report_title = title(paragraphs)
    statements = [
        *([title_statement(report_title, "title")] if report_title else []),
        *property_statements(properties),
        *opening_statements(paragraphs),
        *signature_statements(paragraphs),
        *page_statements(context),
    ]
    organ = next((s for s in statements if s.organ), None)
    year = next((s for s in statements if s.year), None)
    region, region_source = _region(organ, statements, context.site_adcode)
    return {
        "title": report_title,
        "organ": organ.organ if organ else None,
        "year": year.year if year else None,
        "region": region,
        "metadata_source": {
            "organ": organ.source if organ else None,
            "year": year.source if year else None,
            "region": region_source,
        },
    }


def title(paragraphs: Sequence[str]) -> str | None:
    """The first line that names the report, joined with the lines a layout broke it into: the
    organ (or the year) on the line above, the rest of the name on the lines below."""
    for n, paragraph in enumerate(paragraphs):
        if not _is_fragment(paragraph):
            continue
        text = squash(paragraph)
        below = paragraphs[n + 1 : n + MAX_TITLE_LINES]
        if not names_report(text) and below and not names_report(below[0]) and _starts_title(text):
            for line in below:
                # a line that names the report alone is the title's own start, not a piece
                if names_report(text) or not _is_fragment(line) or names_report(squash(line)):
                    break
                text += squash(line)
        if not names_report(text):
            continue
        for above in reversed(paragraphs[max(0, n - MAX_TITLE_LINES + 1) : n]):
            line = squash(above)
            if not (
                (organ(text) is None and is_organ(line))
                or (year(text) is None and _is_year_line(line))
            ):
                break
            text = line + text
        return text if len(text) <= MAX_TITLE else None
    return None


def year(text: str) -> int | None:
    match = YEAR.search(text)
    return _number(match.group()) if match else None


def organ(title: str) -> str | None:
    """The issuing body as the title names it: before the year, or else before 政府信息公开."""
    match = YEAR.search(title)
    before = title[: match.start()] if match else ""
    if not before:
        after = title[match.end() :] if match else title
        before = re.split(r"政府信息公开|政务公开|信息公开", after.lstrip("年度"), maxsplit=1)[0]
    return _QUOTES.sub("", before) or None


def is_organ(text: str) -> bool:
    """A line that is only an organ's name (汝阳县人民政府办公室, 县卫健委)."""
    name = squash(text)
    return (
        MIN_ORGAN <= len(name) <= MAX_ORGAN
        and bool(_ORGAN_END.search(name))
        and not _NOT_IN_ORGAN.search(name)
        and not YEAR.search(name)
        and not _HEADING_START.match(name)
    )


def title_statement(text: str, source: str) -> Statement:
    return Statement(source, organ(text), year(text))


def property_statements(properties: Sequence[str]) -> Iterator[Statement]:
    """A property that names the report is a title; one that is only an organ names it."""
    for value in properties:
        text = squash(_FILE_TITLE.sub("", value.strip()))
        if names_report(text):
            yield title_statement(text, "document_properties")
        elif is_organ(text):
            yield Statement("document_properties", organ=text)


def opening_statements(paragraphs: Sequence[str]) -> Iterator[Statement]:
    """The organ and year of the opening sentence (本报告由××编制, 现将××2022年…报告如下), of the
    reporting period, or of 2022年，… opening the overview. Sentences run over lines (a PDF's
    lines are its paragraphs)."""
    opening = _opening(paragraphs)
    text = _BOOK_TITLE.sub("", "".join(squash(p) for p in opening))
    for sentence in re.split(r"(?<=[。；;])", text):
        for pattern in (_COMPILED_BY, _COMPILES):
            if (match := pattern.search(sentence)) and is_organ(match.group(1)):
                yield Statement("body", organ=match.group(1))
        if (match := _REPORTS_ON.search(sentence)) and is_organ(match.group(1)):
            yield Statement("body", organ=match.group(1), year=int(match.group(2)))
        for pattern in (_PERIOD, _YEAR_OF_WORK):
            if match := pattern.search(sentence):
                yield Statement("body", year=int(match.group(1)))
    for paragraph in opening:
        if match := _OPENS_WITH_YEAR.match(squash(paragraph)):
            yield Statement("body", year=int(match.group(1)))


def signature_statements(paragraphs: Sequence[str]) -> Iterator[Statement]:
    """The organ and the date under the text. The date tells the year reported on only where
    the text calls it 本年度 (the year before a date in the first half of a year)."""
    tail = [squash(p) for p in paragraphs[-SIGNATURE_PARAGRAPHS:]]
    for n, line in reversed(list(enumerate(tail))):
        match = _DATE.search(line)
        if match is None or len(line) > MAX_ORGAN + len(match.group()):
            continue
        named = line[: match.start()]
        signer = named if is_organ(named) else tail[n - 1] if n and is_organ(tail[n - 1]) else None
        signed, month = _number(match["year"]), _number(match["month"])
        reported = None
        if 1 <= month <= 12 and any(_says_this_year(p) for p in paragraphs):
            reported = signed - 1 if month <= LAST_MONTH_FOR_THE_YEAR_BEFORE else signed
        yield Statement("signature", signer, reported)
        return


def page_statements(context: ParseContext) -> Iterator[Statement]:
    """The report page's title, then its 发布机构."""
    if context.page_title and names_report(context.page_title):
        yield title_statement(squash(context.page_title), "page")
    if context.publisher and is_organ(context.publisher):
        yield Statement("page", organ=squash(context.publisher))


def _region(
    organ: Statement | None, statements: Sequence[Statement], site: str | None
) -> tuple[dict | None, str | None]:
    """The region of the first organ stated that names its division (narrowed by the site's
    where the name is shared); else the division in the site's line that an organ named
    relative to it means (县卫健委, 市生态环境局); else the site's. An organ below county level
    (a township, 县卫健委) takes a region of county level only: a city's portal does not tell
    which county a township is in."""
    needs_county = organ is not None and _needs_county(organ.organ or "")
    for statement in statements:
        found = resolve_region(statement.organ, near=site) if statement.organ else None
        if found and (found["county"] or not needs_county):
            return found, statement.source
    if site is None:
        return None, None
    for statement in statements:
        if statement.organ and (found := relative_region(statement.organ, site)):
            return found, "site"
    found = region_of(site)
    if found is None or (needs_county and not found["county"]):
        return None, None
    return found, "site"


def _needs_county(name: str) -> bool:
    """A township, or a county's department named without the county (县卫健委)."""
    if resolve_region(name):
        return False
    return name[:1] in "县区旗" or bool(_TOWNSHIP.search(name))


def _opening(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs before the first section heading's narrative ends: the opening sentence
    and the overview's first paragraph."""
    opening: list[str] = []
    headings = 0
    for paragraph in paragraphs[: OPENING_PARAGRAPHS * 2]:
        if _heading(paragraph):
            headings += 1
            if headings > 1:
                break
            continue
        opening.append(paragraph)
        if len(opening) >= OPENING_PARAGRAPHS:
            break
    return opening


def _is_fragment(paragraph: str) -> bool:
    """A line that may be (part of) a title: short, and no sentence."""
    text = squash(paragraph)
    return 0 < len(text) <= MAX_TITLE and not _SENTENCE.search(text)


def _says_this_year(paragraph: str) -> bool:
    """A sentence says 本年度 or 今年 (not a table's label: 三、本年度办理结果)."""
    return bool(_SENTENCE.search(paragraph)) and any(word in paragraph for word in _THIS_YEAR)


def _starts_title(line: str) -> bool:
    """A line that a title broken over lines may start with: its organ, its year, or the
    start of the report's name."""
    return is_organ(line) or bool(YEAR.search(line)) or "公开" in line


def _is_year_line(line: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}年度?", line))


def _number(numeral: str) -> int:
    """An Arabic or Chinese numeral: 2023, 二〇二三, 十二, 二十一."""
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return int(_DIGITS.get(tens, "1")) * 10 + int(_DIGITS.get(units, "0") or 0)
    return int("".join(_DIGITS[c] for c in numeral))


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
