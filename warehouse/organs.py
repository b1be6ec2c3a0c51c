"""Which body a report is from: the name a report prints turned into a stable `organ_id`.

An organ is its region (the record's adcode) and its name relative to the region, normalised:
the region's own names in front of it dropped (河南省洛阳市汝阳县卫健委 → 卫健委), a level word
standing for the region dropped (县卫健委 → 卫健委), abbreviations written out (卫健委 →
卫生健康委员会, 政府办 → 人民政府办公室). Each step that changed the name is a rule, and the rules a
printed name went through are kept with it (`organ_names.rule`): every merge says why. Names that
differ after these steps are different organs; a body renamed in an institutional reform
(卫生和计划生育委员会 → 卫生健康委员会) keeps two organs, linked by the view `v_organ_renames`,
never merged here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from parsers.region import region_of, relative_region

KINDS = ("人民政府", "办公室", "部门", "乡镇", "街道", "其他")
#: Short forms in common use, written out (whole words at the end of a name, longest first).
ABBREVIATIONS = {
    "政府办公室": "人民政府办公室",
    "政府办公厅": "人民政府办公厅",
    "政府办": "人民政府办公室",
    "街道办": "街道办事处",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "卫计委": "卫生和计划生育委员会",
    "卫计局": "卫生和计划生育局",
    "发改委": "发展和改革委员会",
    "发展改革委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市场监管局": "市场监督管理局",
    "教体局": "教育体育局",
    "交通局": "交通运输局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "退役军人局": "退役军人事务局",
    "工信局": "工业和信息化局",
    "科技局": "科学技术局",
    "民宗局": "民族宗教事务局",
    "城管局": "城市管理局",
    "环保局": "环境保护局",
    "国土局": "国土资源局",
    "工商局": "工商行政管理局",
    "质监局": "质量技术监督局",
    "食药监局": "食品药品监督管理局",
    "安监局": "安全生产监督管理局",
}
_ABBREVIATED = sorted(ABBREVIATIONS, key=len, reverse=True)
_DEPARTMENT = re.compile(r"(局|委员会|厅|办公室|中心|署|支队|大队|管理处|事务所)$")
#: 直辖市: their districts' parent government is the municipality's.
MUNICIPALITIES = ("11", "12", "31", "50")


@dataclass(frozen=True)
class Organ:
    organ_id: str
    name: str  # the region's full name and the normalised name: 汝阳县卫生健康委员会
    normalised_name: str  # relative to the region: 卫生健康委员会
    kind: str
    province: str | None
    city: str | None
    county: str | None
    adcode: str | None
    parent_organ_id: str | None
    printed: str  # the name as the report prints it
    rule: str  # the rules that took `printed` to `normalised_name`, "; " between them


def region_names(name: str) -> list[str]:
    """A region's name and its short form (汝阳县 → 汝阳, 宁夏回族自治区 → 宁夏), longest first."""
    forms = [name]
    for suffix in (
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "自治区",
        "自治州",
        "自治县",
        "省",
        "市",
    ):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name.removesuffix(suffix))
            break
    else:
        if name[-1:] in "县区旗州盟" and len(name) >= 3:
            forms.append(name[:-1])
    return forms


def without_region(name: str, region: Mapping) -> tuple[str, list[str]]:
    """`name` with the region's names at its front dropped (each at most once, province first)."""
    rules = []
    for level in ("province", "city", "county"):
        for form in region_names(region.get(level) or "") if region.get(level) else ():
            if name.startswith(form) and len(name) > len(form):
                name = name.removeprefix(form)
                rules.append(f"地名前缀「{form}」省去")
                break
    return name, rules


def written_out(name: str) -> tuple[str, list[str]]:
    """Abbreviations at the end of `name` written out; 政府 as 人民政府; 委 as 委员会; 街道 as
    街道办事处."""
    rules = []
    for short in _ABBREVIATED:
        if name.endswith(short) and not name.endswith(ABBREVIATIONS[short]):
            name = name.removesuffix(short) + ABBREVIATIONS[short]
            rules.append(f"简称「{short}」即「{ABBREVIATIONS[short]}」")
            break
    for pattern, full, rule in (
        (r"(?<!人民)政府$", "人民政府", "「政府」即「人民政府」"),
        (r"(?<!委员)委$", "委员会", "「委」即「委员会」"),
        (r"街道$", "街道办事处", "「街道」即「街道办事处」"),
    ):
        if re.search(pattern, name):
            name = re.sub(pattern, full, name)
            rules.append(rule)
    return name, rules


def kind_of(name: str) -> str:
    """The kind of a body by its normalised name (relative to its region)."""
    if name.endswith(("镇人民政府", "乡人民政府")):
        return "乡镇"
    if name.endswith("人民政府"):
        return "人民政府"
    if name.endswith(("人民政府办公室", "人民政府办公厅")):
        return "办公室"
    if name.endswith("街道办事处"):
        return "街道"
    if name.startswith("中共"):  # a party body, not an administrative one
        return "其他"
    if _DEPARTMENT.search(name):
        return "部门"
    return "其他"


def parent_adcode(adcode: str) -> str | None:
    """The code of the division above: a county's city (or its province where it has none, or
    the municipality of a district), a city's province."""
    region = region_of(adcode)
    if region is None or not (region["county"] or region["city"]):
        return None
    if region["county"] and region["city"] and adcode[:2] not in MUNICIPALITIES:
        return adcode[:4] + "00"
    return adcode[:2] + "0000"


def organ_key(adcode: str | None, kind: str, normalised_name: str) -> str:
    return f"{adcode or '-'}/{kind}/{normalised_name}"


def government_of(adcode: str | None) -> str:
    return organ_key(adcode, "人民政府", "人民政府")


def identify(printed: str | None, region: Mapping | None) -> Organ | None:
    """The organ a report names `printed` in `region` (the record's); None without a name."""
    if not printed:
        return None
    region = region or {}
    return _identify(printed, *(region.get(k) for k in ("province", "city", "county", "adcode")))


@lru_cache(maxsize=1 << 16)
def _identify(
    printed: str, province: str | None, city: str | None, county: str | None, adcode: str | None
) -> Organ:
    region = {"province": province, "city": city, "county": county, "adcode": adcode}
    rules = []
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", printed))
    if name != printed:
        rules.append("空白与全角字符规整")
    name, dropped = without_region(name, region)
    rules += dropped
    if adcode and len(name) > 1 and (relative_region(name, adcode) or {}).get("adcode") == adcode:
        rules.append(f"层级字「{name[0]}」指本级，省去")
        name = name[1:]
    name, expanded = written_out(name)
    rules += expanded
    kind = kind_of(name)
    place = county or city or province or ""
    if kind == "人民政府" and name == "人民政府":
        parent = parent_adcode(adcode) if adcode else None
        parent_id = government_of(parent) if parent else None
    else:
        parent_id = government_of(adcode) if adcode else None
    return Organ(
        organ_id=organ_key(adcode, kind, name),
        name=place + name if not name.startswith(place) else name,
        normalised_name=name,
        kind=kind,
        province=province,
        city=city,
        county=county,
        adcode=adcode,
        parent_organ_id=parent_id,
        printed=printed,
        rule="; ".join(rules) or "原名",
    )


def organ_row(organ: Organ) -> dict[str, str | None]:
    """An `organs` row."""
    return {
        "organ_id": organ.organ_id,
        "name": organ.name,
        "normalised_name": organ.normalised_name,
        "kind": organ.kind,
        "province": organ.province,
        "city": organ.city,
        "county": organ.county,
        "adcode": organ.adcode,
        "parent_organ_id": organ.parent_organ_id,
    }


def name_row(organ: Organ) -> dict[str, str]:
    """An `organ_names` row: a printed name of the organ and the rules that matched it."""
    return {"organ_id": organ.organ_id, "name": organ.printed, "rule": organ.rule}
