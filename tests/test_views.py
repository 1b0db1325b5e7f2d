"""Tests of ``analysis.views`` (data preparation for the report notebooks) on small hand-built facts.

Expected values are computed independently: by hand, or with scipy where a statistic is involved.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import views as v
from analysis.errors import ParameterError
from analysis.stats.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]
NAMES = {"640000": ("宁夏回族自治区", "province"), "640100": ("银川市", "city"), "640200": ("石嘴山市", "city"),
         "640300": ("吴忠市", "city"), "640400": ("固原市", "city"), "640500": ("中卫市", "city"),
         "640202": ("大武口区", "county"), "640205": ("惠农区", "county"), "640221": ("平罗县", "county")}
CITIES = ["640100", "640200", "640300", "640400", "640500"]
UNITS = {"cases_filed": "起", "fines_collected": "万元", "penalty_fine": "宗", "penalties_total": "宗",
         "penalty_warning": "宗", "licenses_granted": "件", "licenses_refused": "件", "certified_officer_rate": "%",
         "casefile_reviewed": "宗", "casefile_excellent": "宗", "casefile_passed": "宗", "casefile_failed": "宗",
         "patrols": "次"}


def fact(year, code, indicator, value, *, file="2024/a.xlsx", sheet="S", cell="B2", agency="", approx=False):
    name, level = NAMES[code]
    return {"year": year, "region_code": code, "region_name": name, "level": level, "agency": agency,
            "indicator": indicator, "value": float(value), "unit": UNITS.get(indicator, ""), "approx": approx,
            "source_file": file, "source_sheet": sheet, "source_cell": cell}


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- loading


def write_processed(folder: Path, facts: pd.DataFrame, quality: pd.DataFrame | None = None, meta=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    facts.to_parquet(folder / "facts.parquet", index=False)
    (folder / "meta.json").write_text(json.dumps(meta or {"is_sample": True}), "utf-8")
    if quality is not None:
        quality.to_csv(folder / "quality.csv", index=False)
    return folder


def test_load_processed_reports_missing_files(tmp_path):
    with pytest.raises(ParameterError, match="enforcement clean"):
        v.load_processed(tmp_path / "nope")
    folder = tmp_path / "processed"
    folder.mkdir()
    with pytest.raises(ParameterError, match="facts.parquet"):
        v.load_processed(folder)
    write_processed(folder, frame([fact(2024, "640100", "cases_filed", 3)]))
    data = v.load_processed(folder)
    assert data.is_sample is True and data.years == [2024]
    assert data.quality.empty and "message_zh" in data.quality.columns
    with pytest.raises(ParameterError, match="quality.csv"):
        v.load_processed(folder, require_quality=True)
    (folder / "meta.json").unlink()
    with pytest.raises(ParameterError, match="meta.json"):
        v.load_processed(folder)


def test_find_reference_beside_processed(tmp_path):
    processed = write_processed(tmp_path / "data" / "processed", frame([fact(2024, "640100", "cases_filed", 3)]))
    assert v.find_reference(processed) is None
    assert v.load_processed(processed).reference is None
    ref_dir = tmp_path / "data" / "reference"
    ref_dir.mkdir()
    shutil.copy(ROOT / "data" / "reference" / v.REFERENCE_FILE, ref_dir / v.REFERENCE_FILE)
    ref = v.find_reference(processed)
    assert ref is not None and {"population_10k", "area_km2"} <= set(ref.columns)
    assert "640100" in set(ref["region_code"])


def test_resolve_path(tmp_path, monkeypatch):
    assert v.resolve_path(tmp_path) == tmp_path
    (tmp_path / "nb").mkdir()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path / "nb")
    assert v.resolve_path("../data") == (tmp_path / "data").resolve()
    assert v.resolve_path("x", base=tmp_path) == (tmp_path / "x").resolve()


def test_check_year_and_region():
    facts = frame([fact(2023, "640100", "cases_filed", 1), fact(2024, "640202", "cases_filed", 2)])
    assert v.require_year(facts, "2024") == 2024
    with pytest.raises(ParameterError, match="2022"):
        v.require_year(facts, 2022)
    info = v.check_region(facts, "640202")
    assert info == {"code": "640202", "name": "大武口区", "level": "county", "parent_code": "640200"}
    assert v.check_region(facts, "银川市")["code"] == "640100"
    with pytest.raises(ParameterError):
        v.check_region(facts, "640300")


# --------------------------------------------------------------------------- roll-ups


def test_with_rollups_fills_parents_only_when_every_child_reported():
    rows = []
    # penalty_fine: all five cities, no province figure -> province = 1+2+3+4+5 = 15
    rows += [fact(2024, c, "penalty_fine", i + 1) for i, c in enumerate(CITIES)]
    # cases_filed: province reported 100 while cities sum to 50 -> the reported figure is kept
    rows += [fact(2024, c, "cases_filed", 10) for c in CITIES] + [fact(2024, "640000", "cases_filed", 100)]
    # patrols: only four cities -> no province figure (a partial sum would understate it)
    rows += [fact(2024, c, "patrols", 7) for c in CITIES[:4]]
    # licenses_granted: 石嘴山's three counties (no city figure) + the other four cities
    rows += [fact(2024, c, "licenses_granted", n) for c, n in (("640202", 2), ("640205", 3), ("640221", 4))]
    rows += [fact(2024, c, "licenses_granted", 10) for c in ("640100", "640300", "640400", "640500")]
    # a rate is not additive: never rolled up
    rows += [fact(2024, c, "certified_officer_rate", 90) for c in CITIES]
    facts = frame(rows)
    out = v.with_rollups(facts)
    assert len(facts) == len(out) - out["rolled_up"].sum()
    assert not out.loc[~out["rolled_up"]].empty
    added = out[out["rolled_up"]].set_index(["region_code", "indicator"])["value"].to_dict()
    assert added == {
        ("640000", "penalty_fine"): 15.0,
        ("640200", "licenses_granted"): 9.0,  # 2 + 3 + 4 from the counties
        ("640000", "licenses_granted"): 49.0,  # 4 x 10 + the rolled-up 9
    }
    rolled = out[out["rolled_up"]]
    assert set(rolled["source_file"]) == {v.ROLLED_UP_SOURCE}
    assert set(rolled["level"]) == {"province", "city"}
    assert (rolled.loc[rolled["region_code"] == "640200", "unit"] == "件").all()
    province_cases = out[(out["region_code"] == "640000") & (out["indicator"] == "cases_filed")]
    assert province_cases["value"].tolist() == [100.0]


def test_with_rollups_feeds_the_summary():
    facts = frame([fact(2024, c, "penalty_fine", i + 1) for i, c in enumerate(CITIES)]
                  + [fact(2024, c, "penalties_total", 2 * (i + 1)) for i, c in enumerate(CITIES)])
    summary = build_summary(v.with_rollups(facts))
    share = v.row_of(summary, "640000", 2024, "share_penalty_fine")
    assert share is not None and share["value"] == pytest.approx(50.0)
    table = v.penalty_share_table(summary, "640000", 2024)
    assert table["处罚种类"].tolist() == ["罚款"]
    assert table["案件数（宗）"].tolist() == [15.0]
    assert table["占比（%）"].tolist() == [pytest.approx(100 * 15 / 30)]


# --------------------------------------------------------------------------- data quality


def test_cell_position():
    assert v.cell_position("B7") == (7, 2)
    assert v.cell_position("AA10") == (10, 27)
    assert v.cell_position("R7C2") == (7, 2)
    assert v.cell_position("") is None and v.cell_position("B7:C9") is None


def test_coverage_matrix_counts_regions_per_level():
    facts = frame([fact(2023, "640000", "cases_filed", 1), fact(2023, "640100", "cases_filed", 1),
                   fact(2023, "640200", "cases_filed", 1), fact(2024, "640202", "cases_filed", 1),
                   fact(2024, "640202", "patrols", 0)])
    cov = v.coverage_matrix(facts)
    got = {(r.year, r.indicator, r.level): (r.n_regions, r.n_expected) for r in cov.itertuples()}
    assert got == {(2023, "cases_filed", "province"): (1, 1), (2023, "cases_filed", "city"): (2, 2),
                   (2024, "cases_filed", "county"): (1, 1), (2024, "patrols", "county"): (1, 1)}
    pivot = v.coverage_pivot(cov)
    assert pivot.loc["立案查处案件", 2023] == 3 and pivot.loc["日常执法巡查", 2023] == 0
    table = v.coverage_table(cov)
    assert table.columns.tolist() == ["指标", "2023年", "2024年"]
    assert table.iloc[0].tolist() == ["立案查处案件", "省1 市2", "县1"]
    assert table.iloc[1].tolist() == ["日常执法巡查", "—", "县1"]


def _quality(rows):
    cols = ["severity", "code", "file", "sheet", "cell", "raw_value", "message", "message_zh", "message_en"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_missing_vs_zero_attributes_missing_cells_to_their_column():
    f = "2023/t.xlsx"
    facts = frame([
        fact(2023, "640100", "cases_filed", 5, file=f, sheet="S", cell="B3"),
        fact(2023, "640200", "cases_filed", 0, file=f, sheet="S", cell="B4"),
        fact(2023, "640100", "patrols", 0, file=f, sheet="S", cell="C3"),
        fact(2024, "640100", "patrols", 0, file="2024/u.csv", sheet="u", cell="R2C3"),
    ])
    quality = _quality([
        ("info", "missing_value", f, "S", "C4", "—", "m", "缺失", "missing"),  # column C -> patrols
        ("info", "missing_value", f, "S", "B5", "", "m", "缺失", "missing"),  # column B -> cases_filed
        ("info", "missing_value", f, "S", "F4", "", "m", "缺失", "missing"),  # no fact in column F
        ("info", "missing_value", "2024/u.csv", "u", "R3C3", "无", "m", "缺失", "missing"),
        ("warning", "total_mismatch", f, "S", "B9", "9", "m", "不符", "mismatch"),  # not a missing cell
    ])
    mz = v.missing_vs_zero(facts, quality)
    got = {(None if pd.isna(r.year) else int(r.year), r.indicator): (r.n_missing, r.n_zero, r.n_facts)
           for r in mz.itertuples()}
    assert got == {
        (2023, "cases_filed"): (1, 1, 2),
        (2023, "patrols"): (1, 1, 1),
        (2023, ""): (1, 0, 0),
        (2024, "patrols"): (1, 1, 1),
    }
    assert mz.loc[mz["indicator"] == "", "name_zh"].tolist() == ["未能确定"]
    table = v.missing_vs_zero_table(mz)
    assert table.columns.tolist() == ["年度", "指标", "缺失单元格", "明确为零的数值", "数值总数"]
    assert int(table["缺失单元格"].sum()) == 4 and int(table["明确为零的数值"].sum()) == 3


def test_findings_table_lists_raw_cells_errors_first():
    markup = '<img src=x onerror="alert(1)">'
    quality = _quality([
        ("info", "missing_value", "a.csv", "a", "R2C2", "-", "m", "缺失", "missing"),
        ("error", "region_unknown", "b.xlsx", "S", "A5", markup, "m", "无法识别地区", "unknown"),
        ("warning", "total_mismatch", "c.xlsx", "S", "F11", "239", "m", "合计不符", "mismatch"),
    ])
    table = v.findings_table(quality)
    assert table.columns.tolist() == v.FINDING_COLUMNS
    assert table["严重程度"].tolist() == ["错误", "警告", "提示"]
    assert table.iloc[0].tolist() == ["错误", "region_unknown", "b.xlsx", "S", "A5", markup, "无法识别地区"]
    summary = v.findings_summary(quality)
    assert summary[["严重程度", "条数"]].values.tolist() == [["错误", 1], ["警告", 1], ["提示", 1]]
    assert v.severity_counts(quality) == {"error": 1, "warning": 1, "info": 1}


def test_agency_mapping_and_loaded_files():
    facts = frame([fact(2024, "640100", "cases_filed", 1, agency="<script>x</script>银川市自然资源局"),
                   fact(2024, "640100", "patrols", 1, agency="<script>x</script>银川市自然资源局"),
                   fact(2024, "640200", "patrols", 1, file="2024/b.csv", sheet="b")])
    agencies = v.agency_mapping(facts)
    assert agencies.values.tolist() == [["<script>x</script>银川市自然资源局", "银川市", "640100", 2]]
    files = v.loaded_files(v.with_rollups(facts))
    assert files.values.tolist() == [["2024/a.xlsx", "2024", 1, 1, 2], ["2024/b.csv", "2024", 1, 1, 1]]


# --------------------------------------------------------------------------- summary slices


def _city_summary():
    rows = []
    values = {2021: [5, 3, 3, 1, 2], 2022: [6, 4, 4, 2, 2], 2023: [7, 4, 5, 3, 2], 2024: [8, 6, 6, 1, 40]}
    for year, vals in values.items():
        rows += [fact(year, c, "cases_filed", x) for c, x in zip(CITIES, vals)]
        rows.append(fact(year, "640000", "cases_filed", sum(vals)))
    return build_summary(frame(rows))


def test_ranking_frame_and_table_share_ties():
    summary = _city_summary()
    r = v.ranking_frame(summary, 2024, "cases_filed", "city")
    assert r["region_name"].tolist() == ["中卫市", "银川市", "石嘴山市", "吴忠市", "固原市"]
    assert r["rank"].tolist() == [1, 2, 3, 3, 5]
    table = v.ranking_table(summary, 2024, "city", ["cases_filed"])
    assert table.columns.tolist() == ["地区", "立案查处案件（起）", "立案查处案件排名"]
    assert table.loc[table["地区"] == "吴忠市", "立案查处案件排名"].item() == "并列3/5"  # issue 12: ties say 并列
    assert table.loc[table["地区"] == "银川市", "立案查处案件排名"].item() == "2/5"
    assert r["n_tied"].tolist() == [1, 1, 2, 2, 1]


def test_region_year_pivot_and_series():
    summary = _city_summary()
    pivot = v.region_year_pivot(summary, "cases_filed", "city", upto_year=2023)
    assert pivot.columns.tolist() == [2021, 2022, 2023]
    assert pivot.loc["银川市"].tolist() == [5.0, 6.0, 7.0]
    series = v.indicator_series(summary, "640000", ["patrols", "cases_filed"], upto_year=2022)
    assert series["code"].unique().tolist() == ["cases_filed"]  # patrols has no value: left out
    assert series["value"].tolist() == [14.0, 18.0] and series["indicator"].iloc[0] == "立案查处案件"


def test_outlier_table_uses_the_summary_flag():
    summary = _city_summary()
    table = v.outlier_table(summary, 2024, indicators=["cases_filed"])
    # 2024 values 8, 6, 6, 1, 40: median 6, MAD = median(|2, 0, 0, 5, 34|) = 2; M(40) = 0.6745 * 34 / 2 = 11.5
    assert table["地区"].tolist() == ["中卫市"]
    assert table["同级中位数"].tolist() == [6.0]
    assert table["判定方法"].tolist() == ["稳健Z值（中位数绝对偏差法）"]  # issue 12: no English method name


def test_peer_table_rank_and_median():
    summary = _city_summary()
    peers = v.peer_table(summary, "640200", 2024, ["cases_filed", "patrols"])
    assert peers.values.tolist() == [["立案查处案件", 6.0, "起", "并列3/5", 6.0, 40.0, "否"]]  # issue 12: 并列


def test_key_paragraph_first_year_is_compact():
    summary = build_summary(frame([fact(2024, "640000", "cases_filed", 214),
                                   fact(2024, "640000", "fines_collected", 9172.05)]))
    text = v.key_paragraph(summary, "640000", 2024, ["cases_filed", "fines_collected"])
    assert text.startswith("2024年，宁夏回族自治区立案查处案件214起，罚没款9172.05万元。")
    assert text.count("首个统计年度") == 1
    cities = build_summary(frame([fact(2024, c, "cases_filed", n) for c, n in zip(CITIES, [5, 9, 7, 1, 2])]))
    text = v.key_paragraph(cities, "640300", 2024, ["cases_filed"])
    assert text.startswith("2024年，吴忠市立案查处案件7起（第2位）。括号内为在全区各设区市中的位次")


# --------------------------------------------------------------------------- case files


def _casefile_facts():
    # (year, city) -> (excellent, passed, failed); reviewed = sum
    grades = {(2024, "640100"): (3, 10, 0), (2024, "640200"): (2, 4, 1), (2024, "640300"): (2, 5, 0),
              (2024, "640400"): (0, 4, 0), (2024, "640500"): (0, 0, 0),
              (2020, "640100"): (1, 8, 1), (2020, "640200"): (1, 5, 0), (2020, "640300"): (2, 6, 0),
              (2020, "640400"): (1, 3, 0), (2020, "640500"): (1, 2, 1)}
    rows = []
    for (year, code), (e, p, f) in grades.items():
        rows += [fact(year, code, "casefile_excellent", e), fact(year, code, "casefile_passed", p),
                 fact(year, code, "casefile_failed", f), fact(year, code, "casefile_reviewed", e + p + f)]
    return frame(rows)


def test_casefile_rates_match_scipy_wilson():
    summary = build_summary(v.with_rollups(_casefile_facts()))
    by_city = v.casefile_rates(summary, year=2024, level="city")
    assert by_city["region_name"].tolist() == ["银川市", "石嘴山市", "吴忠市", "固原市", "中卫市"]
    row = by_city.iloc[1]  # 石嘴山市: 6 of 7 pass, 2 of 7 excellent
    assert (row["reviewed"], row["passed"], row["excellent"]) == (7, 6, 2)
    ci = stats.binomtest(6, 7).proportion_ci(confidence_level=0.95, method="wilson")
    assert row["pass_rate"] == pytest.approx(100 * 6 / 7)
    assert (row["pass_lo"], row["pass_hi"]) == (pytest.approx(100 * ci.low), pytest.approx(100 * ci.high))
    ci_e = stats.binomtest(2, 7).proportion_ci(confidence_level=0.95, method="wilson")
    assert row["excellent_lo"] == pytest.approx(100 * ci_e.low)
    zero = by_city.iloc[4]  # 中卫市 reviewed nothing: kept, rates undefined
    assert zero["reviewed"] == 0 and math.isnan(zero["pass_rate"])
    by_year = v.casefile_rates(summary, region_code="640000")  # rolled up from the cities
    assert by_year["year"].tolist() == [2020, 2024]
    assert by_year["evaluated_year"].tolist() == [2019, 2023]
    # 2020: 10 + 6 + 8 + 4 + 4 = 32 reviewed, 9 + 6 + 8 + 4 + 3 = 30 passed; 2024: 31 reviewed, 30 passed
    assert by_year["reviewed"].tolist() == [32.0, 31.0]
    assert by_year["passed"].tolist() == [30.0, 30.0]
    table = v.casefile_rate_table(by_year)
    assert table["评查案卷所属年度"].tolist() == ["2019年", "2023年"]
    assert table["合格率95%置信区间"].iloc[0].endswith("%")


def test_casefile_difference_chooses_fisher_for_small_counts():
    summary = build_summary(v.with_rollups(_casefile_facts()))
    by_year = v.casefile_rates(summary, region_code="640000")
    result = v.casefile_difference(by_year, "year")
    # 2x2 table [[30, 2], [30, 1]]: expected failures are below 5 -> Fisher's exact test
    assert result["test"] == "fisher"
    assert result["p_value"] == pytest.approx(stats.fisher_exact([[30, 2], [30, 1]]).pvalue)
    text = v.describe_test(result, "各年度案卷合格率")
    # issue 12: the leaders' sentence has no method name; the 附注 sentence names the test and why
    assert "尚不能认为" in text and "Fisher" not in text
    assert "Fisher精确检验" in v.casefile.describe_method(result, "各年度案卷合格率")
    by_city = v.casefile_rates(summary, year=2024, level="city")
    res_city = v.casefile_difference(by_city, "region_name")
    assert "中卫市" in res_city["excluded"]
    assert "中卫市评查案卷数为零" in v.describe_test(res_city, "各设区市案卷合格率")


def test_describe_test_chi_square_and_none():
    chi = {"test": "chi2", "p_value": 0.0004, "statistic": 12.34, "dof": 2, "significant": True,
           "reason_zh": "各期望频数均不小于5，采用卡方检验", "excluded": []}
    text = v.describe_test(chi, "各设区市案卷合格率")
    assert "P<0.001" in text and "存在统计学意义上的显著差异" in text
    method = v.casefile.describe_method(chi, "各设区市案卷合格率")  # issue 12: the method goes to the 附注
    assert "皮尔逊卡方检验" in method and "卡方值为12.34，自由度为2" in method
    none = {"test": "none", "reason_zh": "有效样本组不足两组，无法检验", "excluded": []}
    assert "未进行统计检验" in v.describe_test(none, "x")


def test_funnel_frames_limits():
    summary = build_summary(v.with_rollups(_casefile_facts()))
    by_city = v.casefile_rates(summary, year=2024, level="city")
    points, limits, center = v.funnel_frames(by_city)
    assert points["label"].tolist() == ["银川市", "石嘴山市", "吴忠市", "固原市"]  # 0 reviewed left out
    p0 = (13 + 6 + 7 + 4) / (13 + 7 + 7 + 4)
    assert center == pytest.approx(100 * p0)
    row = limits.iloc[(limits["n"] - 7).abs().argmin()]
    n = row["n"]
    assert row["lo95"] == pytest.approx(100 * max(0.0, p0 - 1.959964 * math.sqrt(p0 * (1 - p0) / n)))
    assert row["hi998"] == pytest.approx(100 * min(1.0, p0 + 3.090232 * math.sqrt(p0 * (1 - p0) / n)))
    assert not points["outlier"].any()


def test_casefile_and_license_paragraphs():
    facts = _casefile_facts()
    facts = pd.concat([facts, frame([fact(2024, "640000", "licenses_granted", 27),
                                     fact(2024, "640000", "licenses_refused", 3)])])
    summary = build_summary(v.with_rollups(facts))
    cf = v.casefile_paragraph(summary, "640000", 2024, "宁夏回族自治区")
    assert cf.startswith("2024年，宁夏回族自治区对2023年度办结的行政执法案卷开展评查，共评查案卷31宗")
    assert "案卷合格率为96.8%" in cf  # 30 / 31
    # against the 2020 report (2019 cases): 100 * (30 / 31 - 30 / 32) = 3.02 points
    assert "与上一次评查（2020年报告，评查2019年度案卷）相比，合格率提高3.0个百分点" in cf
    lic = v.license_paragraph(summary, "640000", 2024, "宁夏回族自治区")
    assert "准予许可27件、不予许可3件" in lic and "准予率（准予许可数占作出决定数的比重）为90.0%" in lic
    assert v.license_paragraph(summary, "640100", 2024, "银川市") == ""


# --------------------------------------------------------------------------- outputs


def test_write_tables_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"地区": ["=HYPERLINK(\"http://x\")", "银川市"], "数值": [1.5, 2.0]})
    paths = v.write_tables(tmp_path, "02_overview", {"主要指标": df, "a/b": df})
    assert paths["主要指标"] == tmp_path / "tables" / "02_overview_主要指标.csv"
    assert paths["a/b"].name == "02_overview_a_b.csv"
    back = pd.read_csv(paths["主要指标"], encoding="utf-8-sig")
    assert back.columns.tolist() == ["地区", "数值"]
    assert back["地区"].tolist() == ["'=HYPERLINK(\"http://x\")", "银川市"]  # formula neutralised
    assert back["数值"].tolist() == [1.5, 2.0]
    wb = load_workbook(paths["xlsx"])
    assert len(wb.sheetnames) == 2
    assert wb[wb.sheetnames[0]]["B5"].value == 1.5  # below the title, unit and source rows and the header


def test_html_helpers_escape():
    assert v.esc('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
    assert "<script>" not in v.paragraphs_html(["<script>alert(1)</script>"])
    header = v.header_html("<img src=x>", True)
    assert "&lt;img src=x&gt;" in header and "示例数据" in header
    assert "示例数据" not in v.header_html("x", False)


def test_inline_png_downscales(tmp_path):
    from PIL import Image

    path = tmp_path / "a.png"
    Image.fromarray(np.full((400, 600, 3), 200, dtype=np.uint8)).save(path)
    data = v.inline_png(path, dpi=100)
    from io import BytesIO

    with Image.open(BytesIO(data)) as img:
        assert img.size == (300, 200) and img.mode == "P"


def test_cached_rollups_equal_a_fresh_computation_types_included(tmp_path, monkeypatch):
    import analysis.stats.hierarchy
    from analysis.clean.pipeline import clean
    from analysis.stats.hierarchy import with_rollups
    from analysis.views.memo import cached_rollups, rollups_key

    facts, _, _ = clean(ROOT / "data" / "raw", progress=False)  # the bundled sample, as a notebook reads it
    expected = with_rollups(facts)
    assert expected["rolled_up"].any()  # the sample has parents completed from their children
    cache = tmp_path / "cache"
    pd.testing.assert_frame_equal(cached_rollups(facts, cache), expected)
    assert len(list(cache.glob("rollups-*.parquet"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("must be read from the cache")

    monkeypatch.setattr(analysis.stats.hierarchy, "with_rollups", boom)
    hit = cached_rollups(facts, cache)
    pd.testing.assert_frame_equal(hit, expected)  # values, order, index and every column's type
    monkeypatch.undo()

    changed = facts.assign(value=facts["value"] + 1)
    assert rollups_key(changed) != rollups_key(facts)
    (cache / f"rollups-{rollups_key(facts)}.parquet").write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(cached_rollups(facts, cache), expected)  # recomputed
    pd.testing.assert_frame_equal(cached_rollups(facts, None), expected)


def test_cached_summary_round_trip_and_invalidation(tmp_path, monkeypatch):
    import analysis.stats.summary

    facts = frame([fact(y, c, "cases_filed", n + y - 2020) for y in (2021, 2022) for n, c in enumerate(CITIES)])
    expected = build_summary(facts, is_sample=True)
    cache = tmp_path / "cache"
    first = v.cached_summary(facts, None, True, cache)
    pd.testing.assert_frame_equal(first, expected)
    assert len(list(cache.glob("summary-*.parquet"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("must be read from the cache")

    monkeypatch.setattr(analysis.stats.summary, "build_summary", boom)
    pd.testing.assert_frame_equal(v.cached_summary(facts, None, True, cache), expected)
    monkeypatch.undo()
    changed = facts.assign(value=facts["value"] + 1)
    assert v.summary_key(changed, None, True) != v.summary_key(facts, None, True)
    assert v.summary_key(facts, None, False) != v.summary_key(facts, None, True)
    second = v.cached_summary(changed, None, True, cache)
    assert second["value"].max() == expected["value"].max() + 1
    assert len(list(cache.glob("summary-*.parquet"))) == 2
    (cache / f"summary-{v.summary_key(facts, None, True)}.parquet").write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(v.cached_summary(facts, None, True, cache), expected)  # rebuilt
