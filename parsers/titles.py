"""What is a report title: the names an annual disclosure report goes by in the field, and the
words that make a title something else. The spider (which links to follow) and the parser
(which line of a report is its title) both ask here.

API, every function taking raw text (whitespace, full-width digits and brackets are normalised):

- `is_report_title(text, in_report_column=False)`: the title of a report. It names the report
  (`names_report`) and a year (`2022`, `二〇二二`); or, when the text was found in an
  annual-report column, it is a terse per-unit title (`2022年度`, `县教育局2022年年报`).
  Never a title with a word of `NOT_A_REPORT` (解读, 通知, 工作要点, …).
- `names_report(text)`: names the report, year or not (`某区人民政府政府信息公开工作年度报告`,
  a title whose year is on another line), and is not vetoed: for a title over several lines.
- `not_a_report(text)`: the word that makes the text something other than a report, if any.
- `is_terse_title(text)`: only a year and a report word (`2022年度`, `2022年年报`), maybe after
  the unit's name; a report only where the column says so.
"""

from __future__ import annotations

import re
import unicodedata

#: Words that make a title name something other than a report, each with why.
NOT_A_REPORT: dict[str, str] = {
    "解读": "an interpretation of the report (政策解读, 图文解读)",
    "图解": "a graphic summary of the report",
    "一图": "a one-picture summary (一图读懂, 一图看懂)",
    "图说": "a graphic summary of the report",
    "答记者问": "questions and answers about the report",
    "问答": "questions and answers about the report",
    "通知": "a notice, e.g. about compiling the reports (关于做好…年度报告编制工作的通知); "
    "not one that publishes a report (`PUBLISHING_NOTICE`)",
    "通报": "a notice of how the reports were done (…年度报告检查情况的通报)",
    "请示": "a request to publish the report, not the report",
    "批复": "an answer to a request",
    # about compiling or sending the report; not 编制 alone: 机构编制委员会 is an organ
    "报告编制": "about compiling the report (做好…年度报告编制发布工作)",
    "编制工作": "about compiling the report",
    "编制发布": "about compiling and publishing the report",
    "编写": "about compiling the report",
    "报送": "about sending the report on (关于报送…年度报告的函)",
    "发布会": "a press conference on the report",
    "培训会": "training for those who compile the report",
    "培训班": "training for those who compile the report",
    "工作要点": "the year's disclosure plan (政务公开工作要点), not its report",
    "格式": "the State Council's format for the report (年度报告格式)",
    "模板": "a template for the report",
    "评估": "an assessment of the reports (第三方评估报告)",
    "检查情况": "an inspection of the reports",
    "抽查": "an inspection of the reports",
    "自查": "a self-inspection of the reports",
    "整改": "corrections after an inspection",
    "征求": "a call for comments on the report",
    "征集": "a call for comments on the report",
    # annual reports of other kinds, which a 年报 column or a terse title may also name; the
    # website's table (政府网站工作年度报表) is never named by `REPORT_NAME` but as 网站年报
    "网站年报": "the government website's annual table (政府网站工作年度报表)",
    "统计年报": "statistical yearbook figures, not disclosure",
    "企业年报": "companies' annual reports to the market regulator",
    "企业年度报告": "companies' annual reports to the market regulator",
    "环境信息": "a company's environmental disclosure (环境信息公开年度报告)",
    "决算": "the final accounts of a budget",
    "财务": "financial statements",
}
_YEAR = r"(?:(?:19|20)\d{2}|二[〇零○][〇零○一二三四五六七八九]{2})"  # 2022, 二〇二二
YEAR = re.compile(_YEAR)
#: The report's own name as titles write it: who discloses (政府信息, 政务信息, 政务 or 信息
#: 公开), then 工作/情况/的/a year, then the kind of report.
REPORT_NAME = re.compile(
    r"(?:政府信息|政务信息|政务|信息)公开"
    rf"(?:工作|情况|的|{_YEAR}年?度?){{0,3}}"
    r"(?:年度报告|年度工作报告|工作年报|年报|工作报告|报告)"
)
#: A year and a report word only, maybe after the unit's name and with a file extension.
TERSE_TITLE = re.compile(
    rf"^(?P<unit>[^年]{{0,30}}?)[(\[【]?{_YEAR}年?度?"
    r"(?:(?:工作)?(?P<word>年度报告|年报|报告))?[)\]】]?"
    r"(?:\.(?:pdf|docx?|wps|ofd))?$",
    re.IGNORECASE,
)
#: A notice that publishes the report (关于印发某县2022年政府信息公开工作年度报告的通知) holds it.
PUBLISHING_NOTICE = re.compile(r"关于(?:印发|公布|发布).*(?:年度报告|年报)》?的通知$")
#: Longer than this, or holding a sentence's punctuation (after NFKC: ，；！？ are ,;!?), text
#: is a sentence, not a title.
MAX_TITLE = 80
SENTENCE = re.compile(r"[。;,!?]")
WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def not_a_report(text: str) -> str | None:
    title = normalise(text)
    words = [word for word in NOT_A_REPORT if word in title]
    if words == ["通知"] and PUBLISHING_NOTICE.search(title):
        return None
    return words[0] if words else None


def is_title_shaped(title: str) -> bool:
    return 0 < len(title) <= MAX_TITLE and not SENTENCE.search(title)


def names_report(text: str) -> bool:
    title = normalise(text)
    return is_title_shaped(title) and bool(REPORT_NAME.search(title)) and not not_a_report(title)


def is_terse_title(text: str) -> bool:
    """A year with at most a report word; after a unit's name only with a report word
    (`县教育局2022年年报`, not `县教育局2022年`)."""
    title = normalise(text)
    match = TERSE_TITLE.match(title)
    if match is None or not_a_report(title):
        return False
    return not match["unit"] or bool(match["word"])


def is_report_title(text: str, in_report_column: bool = False) -> bool:
    if names_report(text) and YEAR.search(normalise(text)):
        return True
    return in_report_column and is_terse_title(text)
