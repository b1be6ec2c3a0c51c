import json
from collections import Counter
from dataclasses import fields

from wcwidth import wcswidth

from xxgk.registry import LEVELS, SITES_PATH, Site, build, load_sites, sites_table


def test_registry_covers_the_portals() -> None:
    sites = load_sites()
    assert len(sites) >= 3100
    assert all(s.start_url.startswith(("http://", "https://")) and s.host for s in sites)
    assert all(s.level in LEVELS for s in sites)
    assert len({s.id for s in sites}) == len(sites)
    matched = [s for s in sites if s.adcode]
    assert len(matched) / len(sites) > 0.98
    per_level = Counter((s.level, s.adcode) for s in matched)
    assert per_level.most_common(1)[0][1] == 1


def test_levels_agree_with_adcodes() -> None:
    for site in load_sites():
        if site.adcode is None:
            continue
        if site.level == "province":
            assert site.adcode.endswith("0000") and site.city is None
        elif site.level == "prefecture":
            assert site.adcode.endswith("00") and site.county is None
        else:
            assert site.county and not site.adcode.endswith("00")


def test_filter_by_name() -> None:
    (site,) = load_sites("汝阳县")
    assert site.adcode == "410326"
    assert (site.province, site.city, site.county) == ("河南省", "洛阳市", "汝阳县")
    assert site.host == "www.ry.gov.cn"


def test_filter_by_adcode_prefix_and_host() -> None:
    luoyang = load_sites("adcode:4103*")
    assert {s.adcode for s in luoyang} >= {"410300", "410326", "410328"}
    assert all(s.adcode and s.adcode.startswith("4103") for s in luoyang)
    assert [s.adcode for s in load_sites("BJDCH.gov")] == ["110101"]
    assert len(load_sites("通州区")) == 2  # Beijing and 南通市


def test_sites_table_aligns_wide_characters() -> None:
    table = sites_table(load_sites("adcode:4103*"))
    lines = table.splitlines()
    assert lines[0].split() == ["id", "level", "province", "city", "county", "start_url"]
    assert any(line.startswith("410326") and "汝阳县" in line for line in lines)
    # the URLs start in one column on the screen, whatever the width of the names before them
    starts = {wcswidth(line[: line.index("http")]) for line in lines[1:]}
    assert len(starts) == 1
    assert starts == {wcswidth(lines[0][: lines[0].index("start_url")])}


def test_build_matches_skips_and_numbers_duplicates() -> None:
    portals = [
        {
            "province": "河南省",
            "city": "洛阳市",
            "county": "汝阳县",
            "url": "http://www.ry.gov.cn/",
        },
        {"province": "河南省", "city": "洛阳市", "county": "汝阳县", "url": "https://ry.example/"},
        {
            "province": "北京市",
            "city": "东城区",
            "county": None,
            "url": "https://www.bjdch.gov.cn/",
        },
        {
            "province": "湖北省",
            "city": "仙桃市",
            "county": None,
            "url": "https://www.xiantao.gov.cn/",
        },
        {
            "province": "新疆维吾尔自治区",
            "city": "新疆生产建设兵团",
            "county": None,
            "url": "http://www.xjbt.gov.cn/",
        },
        {"province": "台湾省", "city": None, "county": None, "url": None},
    ]
    entries = {e["id"]: e for e in build(portals)}
    assert sorted(entries) == ["110101", "410326", "410326-2", "429004", "xjbt.gov.cn"]
    assert entries["110101"]["level"] == "county" and entries["110101"]["city"] is None
    assert entries["429004"]["county"] == "仙桃市"
    unmatched = entries["xjbt.gov.cn"]
    assert unmatched["adcode"] is None and unmatched["level"] == "prefecture"
    assert unmatched["city"] == "新疆生产建设兵团"
    Site(**entries["410326-2"])


def test_committed_file_is_the_packaged_one() -> None:
    lines = SITES_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(load_sites())
    assert all(json.loads(line).keys() == {f.name for f in fields(Site)} for line in lines)
