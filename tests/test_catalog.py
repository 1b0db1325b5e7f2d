"""Catalogues are data: loading, alias index, ambiguity checks, region resolver, overrides."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from analysis.catalog import load_catalog, norm_header_path, year_candidates
from analysis.errors import CatalogError

PUBLIC_CODES = [
    "cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders",
    "casefile_reviewed", "casefile_excellent", "casefile_passed", "casefile_failed", "penalties_total",
    "penalty_warning", "penalty_criticism", "penalty_fine", "penalty_confiscate_income",
    "penalty_confiscate_property", "penalty_suspend_license", "penalty_downgrade", "penalty_revoke_license",
    "penalty_restrict_business", "penalty_suspend_production", "penalty_close", "penalty_restrict_practice",
    "penalty_detention", "penalty_other", "licenses_applied", "licenses_accepted", "licenses_granted",
    "licenses_refused", "licenses_revoked",
]


def _copy_catalogs(dest: Path) -> Path:
    src = Path(str(resources.files("analysis").joinpath("catalog", "data")))
    shutil.copytree(src, dest)
    return dest


def test_public_indicator_codes_exist_with_units():
    cat = load_catalog()
    for code in PUBLIC_CODES:
        assert code in cat.indicators, code
    assert cat.indicators["fines_collected"].unit == "万元"
    assert cat.indicators["cases_filed"].unit == "起"
    assert cat.indicators["penalties_total"].unit == "宗"
    assert cat.indicators["casefile_reviewed"].evaluation_lag == 1
    assert cat.indicators["cases_filed"].evaluation_lag == 0


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("罚没款（万元）", "fines_collected"),
        ("罰沒金額", "fines_collected"),  # traditional
        ("案卷评查/优秀", "casefile_excellent"),
        ("评查数", "casefile_reviewed"),
        ("不合格", "casefile_failed"),  # not 合格
        ("行政 拘留", "penalty_detention"),  # space inside
        ("立案数量", "cases_filed"),
        ("办案数量", "cases_filed"),
        ("收缴罚没款", "fines_collected"),
    ],
)
def test_header_aliases(header, code):
    m = load_catalog().match_header(norm_header_path(header))
    assert (m.status, m.indicator) == ("ok", code)


def test_template_map_wins_for_bare_total_header():
    cat = load_catalog()
    assert cat.match_header("合计").status == "unmapped"
    assert cat.match_header("合计", "penalty_national").indicator == "penalties_total"


def test_header_naming_two_indicators_is_ambiguous():
    m = load_catalog().match_header("立案及结案数")
    assert m.status == "ambiguous" and set(m.candidates) == {"cases_filed", "cases_closed"}


def test_best_template_by_coverage():
    cat = load_catalog()
    paths = [norm_header_path(h) for h in ["警告、通报批评", "罚款", "合计", "罚没金额"]]
    assert cat.best_template(paths) == "penalty_zhejiang"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("银川市", "640100"),
        ("银川", "640100"),
        ("银川市自然资源局", "640100"),
        ("宁夏回族自治区自然资源厅", "640000"),
        ("全区", "640000"),
        ("自治区", "640000"),
        ("全省", "640000"),
        ("灵武市自然资源和规划局", "640181"),
        ("灵武市自然资源和城乡建设局", "640181"),
        ("銀川市", "640100"),  # traditional
        ("1.银川市", "640100"),
    ],
)
def test_region_resolver(label, code):
    m = load_catalog().resolve_region(label)
    assert m.status == "ok" and m.region.code == code


def test_region_resolver_agency_flag_and_totals_and_unknown():
    cat = load_catalog()
    assert cat.resolve_region("银川市自然资源局").via_agency is True
    assert cat.resolve_region("银川市").via_agency is False
    assert cat.resolve_region("合计").status == "total"
    assert cat.resolve_region("小计").total_kind == "subtotal"
    assert cat.resolve_region("火星市").status == "unknown"


def test_ambiguous_short_name_is_reported_not_guessed(tmp_path):
    d = _copy_catalogs(tmp_path / "cat")
    with (d / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("330198,兴庆区,兴庆,county,330100,\n")  # 浙江/杭州 are in the national catalogue
    cat = load_catalog(d)
    m = cat.resolve_region("兴庆")
    assert m.status == "ambiguous"
    assert {r.code for r in m.candidates} == {"640104", "330198"}


def test_user_regions_file_without_code_change(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "regions.csv").write_text(
        "code,name,short_name,level,parent_code,aliases\n"
        "330000,浙江省,浙江,province,,全省|浙江省自然资源厅\n330100,杭州市,杭州,city,330000,\n",
        encoding="utf-8",
    )
    cat = load_catalog(d)
    assert cat.resolve_region("杭州市自然资源和规划局").region.code == "330100"
    assert cat.resolve_region("全省").region.code == "330000"
    assert cat.resolve_region("银川市").status == "unknown"
    assert "cases_filed" in cat.indicators  # other catalogues still packaged


def test_alias_mapping_to_two_indicators_raises(tmp_path):
    d = _copy_catalogs(tmp_path / "cat")
    with (d / "indicators.csv").open("a", encoding="utf-8") as fh:
        fh.write("extra_cases,额外,Extra,起,count,enforcement,neutral,0,立案数\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(d)
    assert "立案数" in str(err.value)


def test_column_map_with_unknown_indicator_raises(tmp_path):
    d = _copy_catalogs(tmp_path / "cat")
    (d / "column_maps" / "bad.csv").write_text("raw_header,indicator,note\n立案,no_such_code,\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(d)


def test_bad_region_code_raises(tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    (d / "regions.csv").write_text("code,name,short_name,level,parent_code,aliases\n64,宁夏,宁夏,province,,\n",
                                   encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(d)


def test_year_candidates():
    assert year_candidates("2023年宁夏统计表") == [2023]
    assert year_candidates("报表_2022") == [2022]
    assert year_candidates("无年份") == []
    assert year_candidates("12023") == []
