"""Organs across years on real databases: generated reports of one county (name variants, a
re-publication, a copy on the city's portal, a body renamed in the 2018 reform, two years with
one broken cross-year identity) become one organ per body, one observation per organ and year,
the break listed, each organ-year's deadline met, missed or late."""

from __future__ import annotations

import copy
import random
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from bench.load import published
from bench.load import record as generated_record
from tests import warehouse_fixtures
from warehouse import Warehouse, organs, panel
from xxgk.records import PageMetadata

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

RUYANG = {"province": "河南省", "city": "洛阳市", "county": "汝阳县", "adcode": "410326"}
COUNTY_SITE, CITY_SITE = "http://www.ruyang.example.cn/", "http://www.ly.example.cn/"
GOVERNMENT, OFFICE = "410326/人民政府/人民政府", "410326/办公室/人民政府办公室"
HEALTH, FAMILY_PLANNING = "410326/部门/卫生健康委员会", "410326/部门/卫生和计划生育委员会"
STREET = "410326/街道/城关街道办事处"


def report(organ: str, year: int, seed: int) -> dict[str, Any]:
    """A generated record (its identities hold) of `organ` in 汝阳县 for `year`."""
    made = generated_record(random.Random(seed), 1 if year >= 2021 else 0)
    title = f"{organ}{year}年政府信息公开工作年度报告"
    return made | {"organ": organ, "year": year, "region": dict(RUYANG), "title": title}


def carried(record: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """`record` with its 上年结转 the 结转下年度继续办理 of `previous`, in every column."""
    record = copy.deepcopy(record)
    record["applications"]["carried_over"] = dict(previous["applications"]["carried_forward"])
    return record


GOVERNMENT_2021 = report("汝阳县人民政府", 2021, 1)
GOVERNMENT_2022 = carried(report("汝阳县政府", 2022, 2), GOVERNMENT_2021)
for column in ("natural_person", "total"):  # the break: one more carried into 2022 than out of 2021
    GOVERNMENT_2022["applications"]["carried_over"][column] += 1
HEALTH_2021 = report("汝阳县卫健委", 2021, 3)
HEALTH_2022 = carried(report("县卫生健康委员会", 2022, 6), HEALTH_2021)
FAMILY_PLANNING_2019 = report("汝阳县卫生和计划生育委员会", 2019, 5)
OFFICE_2021 = report("汝阳县人民政府办公室", 2021, 4)
OFFICE_2021_CORRECTED = copy.deepcopy(OFFICE_2021) | {"organ": "汝阳县政府办公室"}
OFFICE_2021_CORRECTED["applications"]["granted"]["natural_person"] += 2
#: name, site, record, the date its report page prints (all first fetched on 1 May 2024)
PUBLISHED = {
    "government-2021": (COUNTY_SITE, GOVERNMENT_2021, "2022-03-15"),
    "government-2021-city-copy": (CITY_SITE, copy.deepcopy(GOVERNMENT_2021), "2022-03-20"),
    "government-2022": (COUNTY_SITE, GOVERNMENT_2022, "2023-04-10"),  # late: after 31 March
    "family-planning-2019": (COUNTY_SITE, FAMILY_PLANNING_2019, "2020-01-15"),
    "health-2021": (COUNTY_SITE, HEALTH_2021, "2022-01-20"),
    "health-2022": (COUNTY_SITE, HEALTH_2022, "2023-02-10"),
    "office-2021": (COUNTY_SITE, OFFICE_2021, "2022-01-10"),
    "office-2021-corrected": (COUNTY_SITE, OFFICE_2021_CORRECTED, "2022-02-20"),
    "street-2022": (COUNTY_SITE, report("汝阳县城关街道", 2022, 7), None),  # first fetched 2024
}  # fmt: skip


def inputs() -> dict[str, list[Any]]:
    made = [
        published(site, name, record, PageMetadata(publisher=record["organ"], issued_on=issued_on),
                  "parser-1")
        for name, (site, record, issued_on) in PUBLISHED.items()
    ]  # fmt: skip
    captures, documents, results = (list(column) for column in zip(*made, strict=True))
    return {"captures": captures, "documents": documents, "results": results}


def fetch(wh: Warehouse, query: str) -> list[tuple]:
    """The rows of a query, sorted (in code point order, as SQLite's and unlike PostgreSQL's
    collations), dates as ISO text."""
    with wh.engine.connect() as connection:
        rows = connection.execute(text(query)).all()
    return sorted(tuple(str(v) if isinstance(v, date) else v for v in row) for row in rows)


def file_of(relation: str, report_column: str = "report_id") -> str:
    """SQL: the name in PUBLISHED of a relation's report (its file is `<name>.pdf`)."""
    return (
        f"(SELECT REPLACE(d.file_name, '.pdf', '') FROM reports r JOIN documents d "
        f"ON d.id = r.document_id WHERE r.id = {relation}.{report_column})"
    )


@pytest.fixture
def loaded(wh: Warehouse) -> Warehouse:
    wh.migrate()
    wh.load(**inputs())
    return wh


@pytest.mark.parametrize(
    ("printed", "region", "organ_id"),
    [
        ("汝阳县人民政府", RUYANG, GOVERNMENT),
        ("汝阳县政府", RUYANG, GOVERNMENT),
        ("河南省洛阳市汝阳县人民政府", RUYANG, GOVERNMENT),
        ("汝阳县　人民政府", RUYANG, GOVERNMENT),
        ("汝阳县政府办", RUYANG, OFFICE),
        ("汝阳县人民政府办公室", RUYANG, OFFICE),
        ("汝阳卫生健康委", RUYANG, HEALTH),
        ("县卫健委", RUYANG, HEALTH),
        ("汝阳县城关镇政府", RUYANG, "410326/乡镇/城关镇人民政府"),
        ("城关街道", RUYANG, "410326/街道/城关街道办事处"),
        ("市市场监管局", {**RUYANG, "county": None, "adcode": "410300"},
         "410300/部门/市场监督管理局"),
    ],
)  # fmt: skip
def test_name_variants_of_one_body_are_one_organ(printed: str, region: dict, organ_id: str) -> None:
    assert organs.identify(printed, region).organ_id == organ_id


def test_an_organ_names_its_government_and_each_printed_name_its_rules() -> None:
    office = organs.identify("汝阳县政府办", RUYANG)
    assert (office.name, office.kind, office.parent_organ_id) == (
        "汝阳县人民政府办公室", "办公室", GOVERNMENT
    )  # fmt: skip
    assert office.rule == "地名前缀「汝阳县」省去; 简称「政府办」即「人民政府办公室」"
    government = organs.identify("汝阳县人民政府", RUYANG)
    assert government.parent_organ_id == "410300/人民政府/人民政府"  # 洛阳市's
    assert organs.identify("卫生健康委员会", RUYANG).rule == "原名"
    assert organs.identify(None, RUYANG) is None


def test_each_body_is_one_organ_with_every_name_it_was_printed_under(loaded: Warehouse) -> None:
    assert fetch(loaded, "SELECT organ_id, name, kind, parent_organ_id FROM organs") == [
        (GOVERNMENT, "汝阳县人民政府", "人民政府", "410300/人民政府/人民政府"),
        (OFFICE, "汝阳县人民政府办公室", "办公室", GOVERNMENT),
        (STREET, "汝阳县城关街道办事处", "街道", GOVERNMENT),
        (HEALTH, "汝阳县卫生健康委员会", "部门", GOVERNMENT),
        (FAMILY_PLANNING, "汝阳县卫生和计划生育委员会", "部门", GOVERNMENT),
    ]  # fmt: skip
    county = "地名前缀「汝阳县」省去"
    assert fetch(loaded, "SELECT organ_id, name, rule FROM organ_names") == [
        (GOVERNMENT, "汝阳县人民政府", county),
        (GOVERNMENT, "汝阳县政府", f"{county}; 「政府」即「人民政府」"),
        (OFFICE, "汝阳县人民政府办公室", county),
        (OFFICE, "汝阳县政府办公室", f"{county}; 简称「政府办公室」即「人民政府办公室」"),
        (STREET, "汝阳县城关街道", f"{county}; 「街道」即「街道办事处」"),
        (HEALTH, "县卫生健康委员会", "层级字「县」指本级，省去"),
        (HEALTH, "汝阳县卫健委", f"{county}; 简称「卫健委」即「卫生健康委员会」"),
        (FAMILY_PLANNING, "汝阳县卫生和计划生育委员会", county),
    ]  # fmt: skip
    unassigned = "SELECT COUNT(*) FROM reports WHERE organ_id IS NULL"
    assert fetch(loaded, unassigned) == [(0,)]


def test_one_observation_per_organ_and_year_and_why(loaded: Warehouse) -> None:
    observations = fetch(
        loaded,
        f"SELECT organ_id, year, {file_of('o')}, choice, reports, versions, copies, published_on "
        "FROM v_observations o",
    )
    assert observations == [
        (GOVERNMENT, 2021, "government-2021", "identical_copies", 2, 1, 2, "2022-03-15"),
        (GOVERNMENT, 2022, "government-2022", "only_report", 1, 1, 1, "2023-04-10"),
        (OFFICE, 2021, "office-2021-corrected", "latest_publication", 2, 2, 1, "2022-02-20"),
        (STREET, 2022, "street-2022", "only_report", 1, 1, 1, "2024-05-01"),
        (HEALTH, 2021, "health-2021", "only_report", 1, 1, 1, "2022-01-20"),
        (HEALTH, 2022, "health-2022", "only_report", 1, 1, 1, "2023-02-10"),
        (FAMILY_PLANNING, 2019, "family-planning-2019", "only_report", 1, 1, 1, "2020-01-15"),
    ]
    others = fetch(
        loaded,
        f"SELECT {file_of('o')}, role, {file_of('o', 'original_report_id')} "
        "FROM v_organ_year_reports o WHERE role <> 'chosen'",
    )
    assert others == [
        ("government-2021-city-copy", "copy", "government-2021"),
        ("office-2021", "superseded", "office-2021"),
    ]


def test_the_cross_year_identity_breaks_are_listed_not_mended(loaded: Warehouse) -> None:
    forward = GOVERNMENT_2021["applications"]["carried_forward"]
    with loaded.engine.connect() as connection:
        breaks = panel.carry_breaks(connection)
    assert [
        (b["organ_id"], b["year"], b["next_year"], b["applicant"], b["carried_forward"],
         b["next_carried_over"]) for b in breaks
    ] == [
        (GOVERNMENT, 2021, 2022, column, forward[column], forward[column] + 1)
        for column in ("natural_person", "total")
    ]  # fmt: skip
    cell = (
        "SELECT value FROM report_cells WHERE report_id = {} AND \"row\" = 'carried_over' "
        "AND \"column\" = 'total'"
    )
    assert fetch(loaded, cell.format(breaks[0]["next_report_id"])) == [(forward["total"] + 1,)]


def test_each_organ_year_against_its_deadline(loaded: Warehouse) -> None:
    statuses = fetch(
        loaded,
        "SELECT organ_id, year, due_on, published_on, status FROM v_publication_deadlines "
        "WHERE adcode = '410326'",
    )
    assert statuses == [
        (GOVERNMENT, 2019, "2020-03-31", None, "missing"),
        (GOVERNMENT, 2020, "2021-03-31", None, "missing"),
        (GOVERNMENT, 2021, "2022-03-31", "2022-03-15", "on_time"),
        (GOVERNMENT, 2022, "2023-03-31", "2023-04-10", "late"),
        (OFFICE, 2021, "2022-01-31", "2022-01-10", "on_time"),  # its first publication
        (OFFICE, 2022, "2023-01-31", None, "missing"),
        (STREET, 2022, "2023-01-31", "2024-05-01", "undated"),  # no date on its page
        (HEALTH, 2021, "2022-01-31", "2022-01-20", "on_time"),
        (HEALTH, 2022, "2023-01-31", "2023-02-10", "late"),
        (FAMILY_PLANNING, 2019, "2020-01-31", "2020-01-15", "on_time"),
        (FAMILY_PLANNING, 2020, "2021-01-31", None, "missing"),  # renamed by 2021
    ]


def test_a_body_renamed_in_the_reform_is_linked_not_merged(loaded: Warehouse) -> None:
    renames = fetch(
        loaded,
        "SELECT predecessor_id, successor_id, rule, predecessor_last_year, successor_first_year, "
        "successor_first_published_on FROM v_organ_renames",
    )
    assert renames == [
        (FAMILY_PLANNING, HEALTH, "机构改革: 卫生和计划生育委员会 → 卫生健康委员会", 2019, 2021,
         "2022-01-20"),
    ]  # fmt: skip


def test_migration_0008_identifies_the_reports_loaded_before_it(loaded: Warehouse) -> None:
    query = "SELECT id, organ_id, content_sha256 FROM reports"
    identified, bodies = fetch(loaded, query), fetch(loaded, "SELECT * FROM organs")
    names = fetch(loaded, "SELECT * FROM organ_names")
    loaded.downgrade("0006")
    loaded.migrate()
    assert fetch(loaded, query) == identified
    assert fetch(loaded, "SELECT * FROM organs") == bodies
    assert fetch(loaded, "SELECT * FROM organ_names") == names
    assert set(loaded.load(**inputs()).added.values()) == {0}


def test_counts_are_integers_and_amounts_in_10k_yuan_are_not(loaded: Warehouse) -> None:
    counts = fetch(
        loaded,
        "SELECT a.new_received__total, a.granted__natural_person, v.review__total, "
        "d.licensing__decisions FROM v_applications a "
        "JOIN v_review_litigation v ON v.report_id = a.report_id "
        "JOIN v_active_disclosure d ON d.report_id = a.report_id",
    )
    assert {type(value) for row in counts for value in row} == {int}
    amounts = fetch(
        loaded, "SELECT fees__amount_10k_yuan FROM v_active_disclosure WHERE year > 2020"
    )
    assert {type(amount) for (amount,) in amounts} == {float}
