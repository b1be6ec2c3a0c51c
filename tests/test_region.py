import csv
from pathlib import Path

import pytest

from parsers.region import resolve_region

DATA = Path(__file__).resolve().parents[1] / "parsers" / "data"


def region(province: str, city: str | None, county: str | None, adcode: str) -> dict:
    return {"province": province, "city": city, "county": county, "adcode": adcode}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("汝阳县人民政府", ("河南省", "洛阳市", "汝阳县", "410326")),
        ("温县人民政府", ("河南省", "焦作市", "温县", "410825")),
        ("固原市人民政府办公室", ("宁夏回族自治区", "固原市", None, "640400")),
        ("洛宁县人民政府", ("河南省", "洛阳市", "洛宁县", "410328")),
        (
            "驻马店市人民政府2019年政府信息公开工作年度报告",
            ("河南省", "驻马店市", None, "411700"),
        ),
    ],
)
def test_seed_regions(text: str, expected: tuple) -> None:
    assert resolve_region(text) == region(*expected)


def test_province_level_organ() -> None:
    assert resolve_region("河南省人民政府") == {
        "province": "河南省",
        "city": None,
        "county": None,
        "adcode": "410000",
    }


def test_municipal_district_has_no_city() -> None:
    assert resolve_region("北京市东城区人民政府") == {
        "province": "北京市",
        "city": None,
        "county": "东城区",
        "adcode": "110101",
    }


def test_province_administered_city() -> None:
    region = resolve_region("仙桃市人民政府")
    assert region is not None
    assert (region["province"], region["city"], region["adcode"]) == ("湖北省", None, "429004")


def test_full_path_prefix() -> None:
    region = resolve_region("河南省洛阳市汝阳县人民政府办公室")
    assert region is not None
    assert region["adcode"] == "410326"


def test_leading_year_and_spaces() -> None:
    region = resolve_region("2019年度 汝阳县人民政府政府信息公开工作年度报告")
    assert region is not None
    assert region["adcode"] == "410326"


def test_ambiguous_county_needs_a_hint() -> None:
    # 通州区: Beijing (110112) and 南通市, Jiangsu (320612).
    assert resolve_region("通州区人民政府") is None
    beijing = resolve_region("通州区人民政府", province_hint="北京市")
    jiangsu = resolve_region("通州区人民政府", province_hint="江苏")
    assert beijing is not None and beijing["adcode"] == "110112"
    assert jiangsu is not None and jiangsu["adcode"] == "320612"
    assert jiangsu["city"] == "南通市"


def test_ambiguity_resolved_by_names_in_text() -> None:
    region = resolve_region("江苏省南通市通州区人民政府")
    assert region is not None and region["adcode"] == "320612"
    region = resolve_region("长春市朝阳区人民政府")
    assert region is not None and region["adcode"] == "220104"


def test_hint_outside_the_name_gives_none() -> None:
    assert resolve_region("汝阳县人民政府", province_hint="广东省") is None


def test_unknown_hint_is_an_error() -> None:
    with pytest.raises(ValueError):
        resolve_region("汝阳县人民政府", province_hint="洛阳市")


def test_longest_name_wins_and_no_single_character_match() -> None:
    region = resolve_region("海南区人民政府")  # 乌海市, not 海南省
    assert region is not None and region["adcode"] == "150303"
    assert resolve_region("温泉") is None


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("恩施州人民政府", "422800"),
        ("黔南州人民政府", "522700"),
        ("伊犁州人民政府", "654000"),
        ("石柱县人民政府", "500240"),
        ("龙胜县人民政府", "450328"),
        ("广西壮族自治区人民政府", "450000"),
        ("宁夏回族自治区人民政府", "640000"),
    ],
)
def test_autonomous_names_and_short_forms(text: str, adcode: str) -> None:
    region = resolve_region(text)
    assert region is not None and region["adcode"] == adcode


def test_non_region_text() -> None:
    assert resolve_region("国务院办公厅") is None
    assert resolve_region("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("偃师市人民政府", ("河南省", "洛阳市", "偃师区", "410307")),
        ("孟津县人民政府2020年政府信息公开工作年度报告", ("河南省", "洛阳市", "孟津区", "410308")),
        ("河南省洛阳市吉利区人民政府", ("河南省", "洛阳市", "孟津区", "410308")),
        ("沙县人民政府", ("福建省", "三明市", "沙县区", "350405")),
        ("莱芜市人民政府", ("山东省", "济南市", None, "370100")),
        ("莱芜市莱城区人民政府", ("山东省", "济南市", "莱芜区", "370116")),
        ("那曲地区嘉黎县人民政府", ("西藏自治区", "那曲市", "嘉黎县", "540621")),
    ],
)
def test_former_names_give_the_current_division(text: str, expected: tuple) -> None:
    assert resolve_region(text) == region(*expected)


def test_current_names_beat_former_ones() -> None:
    # 桥东区: 张家口市's today (130702), 邢台市's until 2020 (now 襄都区, 130502).
    region = resolve_region("桥东区人民政府")
    assert region is not None and region["adcode"] == "130702"
    region = resolve_region("邢台市桥东区人民政府")
    assert region is not None and (region["county"], region["adcode"]) == ("襄都区", "130502")
    # 城区 stays ambiguous among today's 城区 (阳泉, 晋城, 汕尾) without a chain.
    assert resolve_region("城区人民政府") is None
    region = resolve_region("大同市城区人民政府")
    assert region is not None and region["adcode"] == "140213"


def _rows(filename: str) -> list[dict[str, str]]:
    with (DATA / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_former_name_resolves_under_its_current_parent() -> None:
    divisions = {row["adcode"]: row for row in _rows("gbt2260.csv")}
    for row in _rows("former_names.csv"):
        current = divisions[row["adcode_now"]]
        assert current["name"] != row["former_name"]
        parent = divisions[current["parent"]]["name"]
        region = resolve_region(parent + row["former_name"] + "人民政府")
        assert region is not None and region["adcode"] == row["adcode_now"], row
