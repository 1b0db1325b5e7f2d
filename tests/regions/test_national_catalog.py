"""The packaged national catalogue (regions.csv) and change crosswalk (region_changes.csv) as data."""

from __future__ import annotations

import csv
from collections import Counter
from importlib import resources

import pytest

from analysis.catalog import load_catalog

DATA = resources.files("analysis").joinpath("catalog", "data")

# The former 宁夏-only catalogue's hand-kept aliases (every one must survive a rebuild).
NINGXIA_ALIASES = ["全区", "自治区", "全省", "宁夏回族自治区自然资源厅", "自治区自然资源厅", "宁夏自然资源厅", "自然资源厅",
                   "宁夏全区"]


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath(name).read_text("utf-8").splitlines()))


def test_levels_cover_the_country():
    levels = Counter(r["level"] for r in _rows("regions.csv"))
    # 34 province-level units (incl. 台湾, 香港, 澳门); about 333 prefecture-level and 2,850 county-level units.
    assert levels["province"] == 34
    assert 330 <= levels["city"] <= 336
    assert 2800 <= levels["county"] <= 2900


def test_ningxia_rows_and_aliases_are_kept():
    cat = load_catalog()
    nx = [r for r in cat.regions.values() if r.code.startswith("64")]
    assert len(nx) == 28
    assert set(NINGXIA_ALIASES) <= set(cat.regions["640000"].aliases)
    assert (cat.regions["640104"].name, cat.regions["640104"].short_name, cat.regions["640104"].parent_code) == (
        "兴庆区", "兴庆", "640100")


@pytest.mark.parametrize(
    ("code", "name", "short", "level", "parent"),
    [
        ("370881", "曲阜市", "曲阜", "county", "370800"),
        ("330112", "临安区", "临安", "county", "330100"),
        ("410308", "孟津区", "孟津", "county", "410300"),
        ("110105", "朝阳区", "朝阳", "county", "110000"),  # a municipality's district: the province is the parent
        ("429004", "仙桃市", "仙桃", "county", "420000"),  # 省直辖县级行政区划
        ("419001", "济源市", "济源", "county", "410000"),
        ("429021", "神农架林区", "神农架", "county", "420000"),
        ("520203", "六枝特区", "六枝", "county", "520200"),
        ("310115", "浦东新区", "浦东", "county", "310000"),
        ("150724", "鄂温克族自治旗", "鄂温克", "county", "150700"),
        ("522700", "黔南布依族苗族自治州", "黔南", "city", "520000"),
        ("640000", "宁夏回族自治区", "宁夏", "province", ""),
    ],
)
def test_special_units(code, name, short, level, parent):
    r = load_catalog().regions[code]
    assert (r.name, r.short_name, r.level, r.parent_code) == (name, short, level, parent)


def test_cities_without_counties_and_no_placeholder_rows():
    cat = load_catalog()
    for code in ("441900", "442000", "460400"):  # 东莞, 中山, 儋州
        assert cat.regions[code].level == "city" and cat.children(code) == []
    assert not [r for r in cat.regions.values() if r.name in ("市辖区", "县", "省直辖县级行政区划")]


def test_aliases_people_write():
    cat = load_catalog()
    assert "黔南州" in cat.regions["522700"].aliases
    assert "鄂温克旗" in cat.regions["150724"].aliases
    assert "宁夏自治区" in cat.regions["640000"].aliases and "广西自治区" in cat.regions["450000"].aliases


def test_every_parent_exists_and_levels_nest():
    cat = load_catalog()
    depth = {"province": 0, "city": 1, "county": 2}
    for r in cat.regions.values():
        if r.parent_code:
            parent = cat.regions[r.parent_code]
            assert depth[parent.level] < depth[r.level], r
            assert r.code[:2] == parent.code[:2]


def test_changes_crosswalk_has_the_examples():
    rows = {(r["old_code"], r["new_code"]): r for r in _rows("region_changes.csv")}
    linan = rows[("330185", "330112")]
    assert (linan["old_name"], linan["new_name"], linan["date"][:4], linan["kind"]) == (
        "临安市", "临安区", "2017", "upgrade-to-district")
    for old in ("410322", "410306"):  # 孟津县 + 吉利区 -> 孟津区
        assert rows[(old, "410308")]["kind"] == "merge"
        assert rows[(old, "410308")]["date"].startswith("2021")
    current = set(load_catalog().regions)
    assert "330185" not in current and "410322" not in current and "410306" not in current


def test_crosswalk_rows_are_well_formed():
    kinds = {"rename", "upgrade-to-district", "upgrade-to-city", "recode", "merge", "split", "abolish", "adjust"}
    rows = _rows("region_changes.csv")
    assert len(rows) >= 12
    assert {r["kind"] for r in rows} <= kinds
    assert sum(1 for r in rows if r["document"]) >= 12  # official document numbers where known
