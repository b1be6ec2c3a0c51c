"""Resolve an organ name or report title to its GB/T 2260 administrative division.

The table `parsers/data/gbt2260.csv` (see `parsers/data/README.md`) lists provinces,
prefectures and county-level units. Districts of the four municipalities and the
county-level units administered directly by a province (济源市, 仙桃市, 石河子市 …) have the
province as parent, so they resolve with `city` None. Names in use before a rename or
merger since 2017 (偃师市, 孟津县, 莱芜市 …; `parsers/data/former_names.csv`) resolve to the
division that succeeded them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Ethnic groups (and 各, as in 龙胜各族自治县) named in autonomous divisions, used to derive
# short forms such as 恩施土家族苗族自治州 → 恩施州 and 石柱土家族自治县 → 石柱县.
_ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 高山 各"
)
# 伊犁哈萨克自治州 and 博尔塔拉蒙古自治州 omit 族.
_ETHNIC_FORMS = [g + "族" for g in _ETHNIC_GROUPS.split()] + [
    g for g in _ETHNIC_GROUPS.split() if len(g) > 1
]

# Names in current use that the table spells differently.
_EXTRA_ALIASES = {"济源示范区": "419001", "济源产城融合示范区": "419001"}

# How a name matched a division; the lowest rank among a step's candidates wins, so a
# current name beats a short form, which beats a former name (邢台市's 桥东区, now 襄都区,
# is only taken when the chain rules out 张家口市's 桥东区).
_FULL_NAME, _SHORT_FORM, _FORMER_NAME = 0, 1, 2

_LEADING_YEAR = re.compile(r"^\d{4}年度?")


@dataclass(frozen=True)
class _Division:
    adcode: str
    name: str
    level: str  # "province" | "prefecture" | "county"
    parent: str | None


@dataclass(frozen=True)
class _Table:
    divisions: dict[str, _Division]
    # name, short form or former name → [(adcode, rank)]
    names: dict[str, list[tuple[str, int]]]
    max_name_len: int


def _autonomous_stem(name: str, suffix: str) -> str | None:
    """恩施土家族苗族自治州, 自治州 → 恩施; None when `name` is not such a name."""
    if not name.endswith(suffix):
        return None
    stem = name.removesuffix(suffix)
    stripped = True
    while stripped:
        stripped = False
        for form in _ETHNIC_FORMS:
            if stem.endswith(form) and len(stem) - len(form) >= 2:
                stem = stem.removesuffix(form)
                stripped = True
    # 鄂温克族自治旗 → 鄂温克旗, 东乡族自治县 → 东乡县
    return stem.removesuffix("族") if len(stem) > 2 else stem


def _short_forms(division: _Division) -> set[str]:
    name = division.name
    forms: set[str] = set()
    if division.level == "province":
        for suffix in ("特别行政区", "省", "市"):
            if name.endswith(suffix):
                forms.add(name.removesuffix(suffix))
        stem = _autonomous_stem(name, "自治区")
        if stem:
            forms.add(stem)
    for suffix, short in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        stem = _autonomous_stem(name, suffix)
        if stem:
            forms.add(stem + short)
    forms.discard(name)
    return forms


def _read_data(filename: str) -> list[dict[str, str]]:
    source = resources.files("parsers") / "data" / filename
    with source.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _table() -> _Table:
    divisions = {
        row["adcode"]: _Division(row["adcode"], row["name"], row["level"], row["parent"] or None)
        for row in _read_data("gbt2260.csv")
    }
    names: dict[str, list[tuple[str, int]]] = {}
    for division in divisions.values():
        names.setdefault(division.name, []).append((division.adcode, _FULL_NAME))
        for form in _short_forms(division):
            names.setdefault(form, []).append((division.adcode, _SHORT_FORM))
    for form, adcode in _EXTRA_ALIASES.items():
        names.setdefault(form, []).append((adcode, _SHORT_FORM))
    for row in _read_data("former_names.csv"):
        names.setdefault(row["former_name"], []).append((row["adcode_now"], _FORMER_NAME))
    return _Table(divisions, names, max(map(len, names)))


def _lineage(adcode: str) -> list[str]:
    """The division and its ancestors, deepest first."""
    divisions = _table().divisions
    chain = [adcode]
    while (parent := divisions[chain[-1]].parent) is not None:
        chain.append(parent)
    return chain


def _province_code(hint: str) -> str:
    for adcode, _ in _table().names.get(hint.strip(), []):
        if _table().divisions[adcode].level == "province":
            return adcode
    raise ValueError(f"not a province: {hint!r}")


def resolve_region(
    text: str, province_hint: str | None = None, near: str | None = None
) -> dict | None:
    """The division named at the start of `text`, e.g. 河南省洛阳市汝阳县人民政府 → 汝阳县.

    Names may be chained from the province down (河南省洛阳市汝阳县, 北京市东城区); each one must
    lie under the previous. A name shared by several divisions is narrowed by the chain, by
    `province_hint` (a province name, full or short) and by `near` (the adcode of a division the
    text is known to belong with, e.g. the portal's: those in its line, else in its province);
    if that leaves more than one, None. A former name (偃师市) gives the division that now holds
    the place (偃师区, 410307).
    """
    table = _table()
    hint = _province_code(province_hint) if province_hint else None
    rest = _LEADING_YEAR.sub("", re.sub(r"\s+", "", text))
    found: list[str] = []
    while True:
        step: list[str] = []
        for length in range(min(table.max_name_len, len(rest)), 1, -1):
            candidates = [
                (adcode, rank)
                for adcode, rank in table.names.get(rest[:length], [])
                if (hint is None or hint in _lineage(adcode))
                and (not found or any(p in _lineage(adcode)[1:] for p in found))
            ]
            if candidates:
                best = min(rank for _, rank in candidates)
                step = [adcode for adcode, rank in candidates if rank == best]
                rest = rest[length:]
                break
        if not step:
            break
        found = _narrowed(step, near) if near in table.divisions else step
    if len(found) != 1:
        return None
    return region_of(found[0])


def _narrowed(candidates: list[str], near: str) -> list[str]:
    """The candidates in the line of `near` (itself, above or below it), else in its province;
    all of them when neither leaves any."""
    line = _lineage(near)
    related = [c for c in candidates if c in line or near in _lineage(c)]
    same_province = [c for c in candidates if _lineage(c)[-1] == line[-1]]
    return related or same_province or candidates


def region_of(adcode: str) -> dict | None:
    """The region object of a division by its code; None for a code the table does not hold."""
    table = _table()
    if adcode not in table.divisions:
        return None
    divisions = [table.divisions[code] for code in _lineage(adcode)]
    by_level = {d.level: d.name for d in divisions}
    return {
        "province": by_level["province"],
        "city": by_level.get("prefecture"),
        "county": by_level.get("county"),
        "adcode": adcode,
    }


#: The level words a relative name starts with (县卫健委, 区人民政府办公室, 市生态环境局).
RELATIVE_WORDS = "省市州盟县区旗"
# Words that start with a level word but are not relative names (市场监督管理局, 市政工程处).
_NOT_RELATIVE = re.compile(r"市场|市容|市政(?!府)|区域")


def relative_region(organ: str, near: str) -> dict | None:
    """The division of an organ named relative to `near` (a division's adcode) with a level word
    alone (县卫健委, 市生态环境局, 州人民政府办公室): the nearest division of that kind in the line
    of `near`, itself included. None for another name, or where the line holds no such
    division."""
    table = _table()
    if near not in table.divisions:
        return None
    line = [table.divisions[code] for code in _lineage(near)]
    name = re.sub(r"\s+", "", organ)
    if name[:1] not in RELATIVE_WORDS or _NOT_RELATIVE.match(name) or resolve_region(name):
        return None
    return next((region_of(d.adcode) for d in line if d.name.endswith(name[0])), None)
