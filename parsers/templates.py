"""The two national table formats: rows, columns and their labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from parsers.cells import label_key

TemplateName = Literal["2019", "2021"]

APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
              "other_org")  # fmt: skip
APPLICATION_COLUMNS = (*APPLICANTS, "total")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
MONEY_COLUMNS = frozenset({"amount_10k_yuan"})


@dataclass(frozen=True)
class RowLabel:
    key: str
    label: str
    group: str = ""

    @cached_property  # matched against every row of every report
    def targets(self) -> tuple[str, ...]:
        """Normalised texts a report's row label may be cut from: the item, or group and item."""
        item = label_key(self.label)
        return (item, label_key(self.group) + item) if self.group else (item,)


@dataclass(frozen=True)
class ActiveRow:
    key: str
    keyword: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    name: TemplateName
    application_rows: tuple[RowLabel, ...]
    other_handling_rows: tuple[str, ...]
    active_rows: tuple[ActiveRow, ...]

    @property
    def result_rows(self) -> tuple[str, ...]:
        keys = [row.key for row in self.application_rows]
        return tuple(keys[keys.index("granted") : keys.index("total_handled")])


def _group(group: str, items: Iterable[tuple[str, str]]) -> tuple[RowLabel, ...]:
    return tuple(RowLabel(key, f"{n}.{label}", group) for n, (key, label) in enumerate(items, 1))


_HEAD = (
    RowLabel("new_received", "一、本年新收政府信息公开申请数量"),
    RowLabel("carried_over", "二、上年结转政府信息公开申请数量"),
    RowLabel("granted", "(一)予以公开"),
    RowLabel("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    *_group("(三)不予公开", [
        ("denied_state_secret", "属于国家秘密"),
        ("denied_prohibited", "其他法律行政法规禁止公开"),
        ("denied_security_stability", "危及“三安全一稳定”"),
        ("denied_third_party", "保护第三方合法权益"),
        ("denied_internal_affairs", "属于三类内部事务信息"),
        ("denied_process_info", "属于四类过程性信息"),
        ("denied_enforcement_file", "属于行政执法案卷"),
        ("denied_inquiry", "属于行政查询事项"),
    ]),
    *_group("(四)无法提供", [
        ("unable_not_held", "本机关不掌握相关政府信息"),
        ("unable_needs_creation", "没有现成信息需要另行制作"),
        ("unable_unclear", "补正后申请内容仍不明确"),
    ]),
    *_group("(五)不予处理", [
        ("rejected_complaint", "信访举报投诉类申请"),
        ("rejected_duplicate", "重复申请"),
        ("rejected_publication", "要求提供公开出版物"),
        ("rejected_excessive", "无正当理由大量反复申请"),
        ("rejected_confirmation", "要求行政机关确认或重新出具已获取信息"),
    ]),
)  # fmt: skip
_TAIL = (
    RowLabel("total_handled", "(七)总计"),
    RowLabel("carried_forward", "四、结转下年度继续办理"),
)
_OTHER_2021 = _group("(六)其他处理", [
    ("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_misc", "其他"),
])  # fmt: skip

_DOCUMENTS_2019 = ("new_made", "new_published", "total_published")
_ITEMS_2019 = ("prev_year_items", "change", "decisions")
_DOCUMENTS_2021 = ("issued", "repealed", "in_force")

TEMPLATES: dict[TemplateName, Template] = {
    "2019": Template(
        name="2019",
        application_rows=(*_HEAD, RowLabel("other_handling", "(六)其他处理"), *_TAIL),
        other_handling_rows=(),
        active_rows=(
            ActiveRow("regulations", "规章", _DOCUMENTS_2019),
            ActiveRow("normative_documents", "规范性文件", _DOCUMENTS_2019),
            ActiveRow("licensing", "行政许可", _ITEMS_2019),
            ActiveRow("other_services", "对外管理服务", _ITEMS_2019),
            ActiveRow("penalties", "行政处罚", _ITEMS_2019),
            ActiveRow("enforcement", "行政强制", _ITEMS_2019),
            ActiveRow("fees", "收费", ("prev_year_items", "change")),
            ActiveRow("procurement", "采购", ("projects", "amount_10k_yuan")),
        ),
    ),
    "2021": Template(
        name="2021",
        application_rows=(*_HEAD, *_OTHER_2021, *_TAIL),
        other_handling_rows=tuple(row.key for row in _OTHER_2021),
        active_rows=(
            ActiveRow("regulations", "规章", _DOCUMENTS_2021),
            ActiveRow("normative_documents", "规范性文件", _DOCUMENTS_2021),
            ActiveRow("licensing", "行政许可", ("decisions",)),
            ActiveRow("penalties", "行政处罚", ("decisions",)),
            ActiveRow("enforcement", "行政强制", ("decisions",)),
            ActiveRow("fees", "收费", ("amount_10k_yuan",)),
        ),
    ),
}

# Words only one format's column headers or row labels use.
_MARKERS: dict[TemplateName, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量",
             "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
             "逾期不补正", "收费通知"),
}  # fmt: skip


#: The applicant columns of section 三, which the tables of the 2008 regulations never had.
_APPLICANT_HEADERS = ("自然人", "商业企业")


def shows_format(cells: Iterable[str]) -> bool:
    """Whether the tables are the national format's (2019 or 2021): a header word only the
    format uses, or section 三's applicant columns."""
    keys = [label_key(cell) for cell in cells]
    words = (*_APPLICANT_HEADERS, *(marker for markers in _MARKERS.values() for marker in markers))
    found = {word for word in words if any(word in key for key in keys)}
    return bool(found - set(_APPLICANT_HEADERS)) or found >= set(_APPLICANT_HEADERS)


def marker_counts(cells: Iterable[str]) -> dict[TemplateName, int]:
    keys = [label_key(cell) for cell in cells]
    return {
        name: sum(any(marker in key for key in keys) for marker in markers)
        for name, markers in _MARKERS.items()
    }
