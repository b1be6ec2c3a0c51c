"""The codebook of the exports: every column, what it holds, in which unit, from the templates.

The cells are those of `parsers.templates` (both national formats' rows and columns, each once,
in the order the forms print them); a cell's export column is `<section>__<row>__<column>`, as
the pivot views name theirs `<row>__<column>`. Written as CSV and JSON beside an export and
carried as its Parquet fields' `description`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

from parsers.templates import (
    APPLICATION_COLUMNS,
    MONEY_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TEMPLATES,
)

ValueType = Literal["integer", "float", "text", "boolean", "date"]


@dataclass(frozen=True)
class Entry:
    column: str
    section: str  # the record's table of a cell (`applications`); empty for metadata
    row_key: str
    column_key: str
    label_zh: str
    type: ValueType
    unit: str
    meaning: str
    templates: str = ""  # the formats (`2019 2021`) whose tables hold the cell

    @property
    def description(self) -> str:
        unit = f" ({self.unit})" if self.unit else ""
        label = f"{self.label_zh}{unit}: " if self.label_zh else ""
        return f"{label}{self.meaning}"


SECTIONS = {
    "active_disclosure": ("二、主动公开政府信息情况", "documents and items disclosed proactively"),
    "applications": ("三、收到和处理政府信息公开申请情况", "applications received and handled"),
    "review_litigation": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "administrative reconsideration and litigation over disclosure",
    ),
}
# Labels the forms print for the columns (the templates hold the row labels).
COLUMN_LABELS = {
    "natural_person": "自然人",
    "commercial": "法人或其他组织 商业企业",
    "research": "法人或其他组织 科研机构",
    "social_welfare": "法人或其他组织 社会公益组织",
    "legal_service": "法人或其他组织 法律服务机构",
    "other_org": "法人或其他组织 其他",
    "total": "总计",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "prev_year_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount_10k_yuan": "金额",
}
REVIEW_LABELS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼 未经复议直接起诉",
    "litigation_after_review": "行政诉讼 复议后起诉",
}


def merged(orders: Iterable[Sequence[str]]) -> list[str]:
    """Keys of several orders once each: a key new to the list goes before the next key of its
    order the list holds (2021's 其他处理 rows before 2019's 总计)."""
    keys: list[str] = []
    for order in orders:
        for index, key in enumerate(order):
            if key in keys:
                continue
            after = next((k for k in order[index + 1 :] if k in keys), None)
            keys.insert(keys.index(after) if after else len(keys), key)
    return keys


def cell_column(section: str, row: str, column: str) -> str:
    return f"{section}__{row}__{column}"


def _cells() -> Iterable[tuple[str, str, str, str, set[str]]]:
    """(section, row, column, row label, templates) of every cell of either format."""
    active: dict[tuple[str, str], tuple[str, set[str]]] = {}
    applications: dict[str, tuple[str, set[str]]] = {}
    for name, template in TEMPLATES.items():
        for spec in template.active_rows:
            for column in spec.columns:
                active.setdefault((spec.key, column), (spec.keyword, set()))[1].add(name)
        for row in template.application_rows:
            label = f"{row.group} {row.label}" if row.group else row.label
            applications.setdefault(row.key, (label, set()))[1].add(name)
    active_rows = merged([spec.key for spec in t.active_rows] for t in TEMPLATES.values())
    for row in active_rows:
        for column in merged(
            spec.columns for t in TEMPLATES.values() for spec in t.active_rows if spec.key == row
        ):
            label, names = active[row, column]
            yield "active_disclosure", row, column, label, names
    for row in merged([row.key for row in t.application_rows] for t in TEMPLATES.values()):
        label, names = applications[row]
        for column in APPLICATION_COLUMNS:
            yield "applications", row, column, label, names
    for group in REVIEW_GROUPS:
        for column in REVIEW_COLUMNS:
            yield "review_litigation", group, column, REVIEW_LABELS[group], set(TEMPLATES)


def cell_entries() -> list[Entry]:
    entries = []
    for section, row, column, row_label, names in _cells():
        money = column in MONEY_COLUMNS
        heading, topic = SECTIONS[section]
        entries.append(
            Entry(
                column=cell_column(section, row, column),
                section=section,
                row_key=row,
                column_key=column,
                label_zh=f"{heading} {row_label} {COLUMN_LABELS[column]}",
                type="float" if money else "integer",
                unit="万元" if money else "件",
                meaning=f"{topic}: row {row}, column {column}; empty where the report's table "
                "does not print it",
                templates=" ".join(sorted(names)),
            )
        )
    return entries


def _metadata(rows: Sequence[tuple[str, ValueType, str]]) -> list[Entry]:
    return [Entry(name, "", "", "", "", kind, "", meaning) for name, kind, meaning in rows]


#: One row per organ-year observation (`v_observations`), before its cells.
WIDE_METADATA = _metadata([
    ("organ_id", "text", "the body: <adcode>/<kind>/<normalised name>"),
    ("organ", "text", "the body's name (its organs row)"),
    ("kind", "text", "the kind of body: 人民政府, 办公室, 部门, 乡镇, 街道 …"),
    ("province", "text", "province of the body's region"),
    ("city", "text", "city of the body's region"),
    ("county", "text", "county of the body's region"),
    ("adcode", "text", "the region's six-digit administrative division code"),
    ("year", "integer", "the year the report covers"),
    ("report_id", "integer", "the report chosen for the organ-year (warehouse reports.id)"),
    ("choice", "text", "why this report: only_report, identical_copies, latest_publication"),
    ("reports", "integer", "reports of this organ and year the warehouse holds"),
    ("template", "text", "the national table format the report follows: 2019 or 2021"),
    ("published_on", "date", "the publication date its page prints, else its first fetch"),
    ("published_on_from", "text", "where published_on comes from: issued_on or first_seen_at"),
    ("source_url", "text", "the page the report was found on"),
    ("source_file_url", "text", "the file the report was read from"),
    ("source_sha256", "text", "sha256 of the archived file's bytes"),
    ("parser_version", "text", "the parser version that read it"),
    ("text_source", "text", "how its text was read: text (the file's text layer) or ocr"),
    ("incomplete", "boolean", "the report is cut short: some of its tables are missing"),
])  # fmt: skip

#: One row per cell of each document's latest report.
LONG_METADATA = _metadata([
    ("report_id", "integer", "the report (warehouse reports.id)"),
    ("parser_version", "text", "the parser version that read it"),
    ("organ", "text", "the organ as the report prints it"),
    ("year", "integer", "the year the report covers"),
    ("template", "text", "the national table format the report follows: 2019 or 2021"),
    ("province", "text", "province of the organ's region"),
    ("city", "text", "city of the organ's region"),
    ("county", "text", "county of the organ's region"),
    ("adcode", "text", "the region's six-digit administrative division code"),
    ("section", "text", "the cell's table: active_disclosure, applications, review_litigation"),
    ("row_key", "text", "the cell's row (see the cell entries below)"),
    ("column_key", "text", "the cell's column (see the cell entries below)"),
    ("value", "float", "the cell's number: counts are whole, amounts in 万元 (see below)"),
    ("status", "text", "how the cell was read: printed, inferred, derived or missing"),
    ("source_url", "text", "the page the report was found on"),
    ("source_file_url", "text", "the file the report was read from"),
    ("source_sha256", "text", "sha256 of the archived file's bytes"),
])  # fmt: skip


def wide() -> list[Entry]:
    return [*WIDE_METADATA, *cell_entries()]


def long() -> list[Entry]:
    """The long form's columns, then the cells its `section`, `row_key`, `column_key` name."""
    return [*LONG_METADATA, *cell_entries()]


def paths(export: Path) -> tuple[Path, Path]:
    """`out.codebook.csv` and `out.codebook.json` beside `out.csv`."""
    return export.with_name(f"{export.stem}.codebook.csv"), export.with_name(
        f"{export.stem}.codebook.json"
    )


def write(entries: Sequence[Entry], export: Path, *, bom: bool = False) -> tuple[Path, Path]:
    csv_path, json_path = paths(export)
    with csv_path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.DictWriter(out, [field.name for field in fields(Entry)])
        writer.writeheader()
        writer.writerows(asdict(entry) for entry in entries)
    json_path.write_text(
        json.dumps([asdict(entry) for entry in entries], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return csv_path, json_path
