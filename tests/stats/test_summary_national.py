"""The dense (national-scale) summary checked against independent computations on a random national-like set.

Facts for three provinces with cities and counties (synthetic codes, passed as ``regions=``), ten years with
gaps, missing cells, ties and zero denominators. Every summary column that the dense grid computes is
recomputed here another way: trends with :func:`scipy.stats.theilslopes` and :func:`scipy.stats.kendalltau`
per series and year, ranks with pandas ``rank`` per peer group, year-over-year by dictionary look-up, the
modified z-score with numpy medians per group, and funnel flags with :func:`analysis.stats.rates.funnel_data`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.summary import SUMMARY_COLUMNS, build_summary
from analysis.stats.trends import _exact_p, _exact_p_array, _row_nanmedian

FACT_COLUMNS = ["year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
                "source_file", "source_sheet", "source_cell"]
YEARS = [2013, 2014, 2015, 2016, 2018, 2019, 2020, 2021, 2022, 2023]  # 2017 absent: a gap in the years
COUNTS = ["cases_filed", "patrols", "fines_collected", "penalties_total", "penalty_fine"]
CASEFILE = ["casefile_reviewed", "casefile_excellent", "casefile_passed"]


def _regions() -> pd.DataFrame:
    rows = []
    for p in ("31", "32", "33"):
        rows.append((f"{p}0000", f"省{p}", "province", ""))
        for c in range(1, 4):
            rows.append((f"{p}{c:02d}00", f"市{p}{c}", "city", f"{p}0000"))
            for k in range(1, 5):
                rows.append((f"{p}{c:02d}{k:02d}", f"县{p}{c}{k}", "county", f"{p}{c:02d}00"))
    df = pd.DataFrame(rows, columns=["code", "name", "level", "parent_code"])
    return df.assign(short_name=df["name"], aliases="")


def _facts(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r in _regions().itertuples():
        for ind in COUNTS:
            start = int(rng.integers(0, 4))
            for y in YEARS[start:]:
                if rng.random() < 0.15:
                    continue
                v = float(rng.integers(0, 6)) if rng.random() < 0.3 else float(rng.poisson(40))  # many ties
                rows.append((y, r.code, r.name, r.level, ind, v))
        for y in YEARS:
            if rng.random() < 0.2:
                continue
            reviewed = int(rng.integers(0, 30)) if rng.random() > 0.1 else 0  # some zero denominators
            exc = int(rng.binomial(reviewed, 0.3))
            rows += [(y, r.code, r.name, r.level, "casefile_reviewed", float(reviewed)),
                     (y, r.code, r.name, r.level, "casefile_excellent", float(exc)),
                     (y, r.code, r.name, r.level, "casefile_passed", float(rng.binomial(reviewed - exc, 0.8)))]
    out = [(y, c, n, lv, "", ind, v, "", bool(rng.random() < 0.05), "t.csv", "s", f"R{i + 1}C2")
           for i, (y, c, n, lv, ind, v) in enumerate(rows)]
    return pd.DataFrame(out, columns=FACT_COLUMNS)


@pytest.fixture(scope="module")
def data():
    facts = _facts()
    return facts, build_summary(facts, regions=_regions())


def test_grid_order_and_parents(data):
    facts, s = data
    assert list(s.columns) == SUMMARY_COLUMNS
    pairs = facts[["region_code", "indicator"]].drop_duplicates()
    base = s[s["indicator"].isin(COUNTS + CASEFILE)]
    assert len(base) == len(pairs) * len(YEARS)
    expected = base.sort_values(["year", "region_code", "indicator"])
    assert (expected.index == base.index).all()
    parents = _regions().set_index("code")["parent_code"]
    assert (s["parent_code"] == s["region_code"].map(parents)).all()
    cell = facts.set_index(["year", "region_code", "indicator"])["value"]
    got = base.set_index(["year", "region_code", "indicator"])["value"]
    assert (got.reindex(cell.index) == cell).all()
    assert base["missing"].sum() == len(base) - len(cell)


def test_year_over_year_by_lookup(data):
    _, s = data
    value = s.set_index(["year", "region_code", "indicator"])["value"].to_dict()
    for row in s.sample(400, random_state=1).itertuples():
        prev = value.get((row.year - 1, row.region_code, row.indicator), math.nan)
        assert row.prev_year == row.year - 1
        assert (math.isnan(prev) and math.isnan(row.prev_value)) or prev == row.prev_value
        if row.pct_change_status == "ok":
            assert row.pct_change == pytest.approx(100 * (row.value - prev) / abs(prev))
        else:
            assert math.isnan(row.pct_change)
    gap = s[s["year"] == 2018]  # 2017 is not in the facts: never a base
    assert set(gap["pct_change_status"]) <= {"missing_base", "first_year", "missing_value"}


def test_trends_against_scipy_per_series_and_year(data):
    _, s = data
    checked = 0
    for _, g in s.groupby(["region_code", "indicator"]):
        g = g.sort_values("year")
        for end in (2016, 2020, 2023):
            row = g[g["year"] == end].iloc[0]
            win = g[(g["year"] <= end) & g["value"].notna()]
            x, y = win["year"].to_numpy(float), win["value"].to_numpy(float)
            assert row["n_years"] == len(x)
            if len(x) >= 2:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    assert row["trend_slope"] == pytest.approx(stats.theilslopes(y, x).slope, abs=1e-12)
            if len(x) >= 3 and len(np.unique(y)) > 1:
                method = "exact" if len(np.unique(y)) == len(y) else "asymptotic"
                p = stats.kendalltau(x, y, method=method).pvalue
                assert row["trend_p"] == pytest.approx(p, rel=1e-9)
                checked += 1
            else:
                assert math.isnan(row["trend_p"])
            if len(x) < 4:
                assert row["trend_label"] == "数据不足"
    assert checked > 200


def test_ranks_and_peers_against_pandas_rank_per_group(data):
    _, s = data
    keys = [s["year"], s["indicator"], s["level"], s["region_code"].str[:2]]
    expected = s.groupby(keys)["value"].rank(method="min", ascending=False)
    got = s["rank"].astype(float)
    assert ((got == expected) | (got.isna() & expected.isna())).all()
    assert (s["n_peers"] == s.groupby(keys)["value"].transform("count")).all()


def test_modified_zscore_outliers_by_hand(data):
    _, s = data
    counts = s[s["indicator"].isin(COUNTS)]
    flagged = 0
    for _, g in counts.groupby(["year", "indicator", "level", counts["region_code"].str[:2]]):
        v = g["value"].to_numpy(float)
        x = v[~np.isnan(v)]
        expect = np.zeros(len(v), dtype=bool)
        if len(x) >= 3:
            med = np.median(x)
            mad = np.median(np.abs(x - med))
            meanad = np.mean(np.abs(x - med))
            if mad > 0:
                z = 0.6745 * (v - med) / mad
            elif meanad > 0:
                z = (v - med) / (1.253314 * meanad)
            else:
                z = np.zeros(len(v))
            expect = np.abs(np.nan_to_num(z)) > 3.5
        assert (g["outlier"].to_numpy() == expect).all()
        flagged += int(expect.sum())
    assert flagged > 0


def test_funnel_flags_for_pass_rates(data):
    from analysis.stats.rates import funnel_data

    _, s = data
    rates = s[s["indicator"] == "casefile_excellent_rate"]
    judged = 0
    for _, g in rates.groupby(["year", "level", rates["region_code"].str[:2]]):
        ok = g["numerator"].notna() & g["denominator"].notna() & (g["denominator"] > 0)
        expect = np.zeros(len(g), dtype=bool)
        if ok.sum() >= 3:
            f = funnel_data(g[ok], unit="region_code")
            expect[np.flatnonzero(ok.to_numpy())] = f["outside998"].to_numpy()
        assert (g["outlier"].to_numpy() == expect).all()
        judged += int(ok.sum() >= 3)
    assert judged > 20


def test_row_nanmedian_equals_numpy_bit_for_bit():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(500, 45)) * 10.0 ** rng.integers(-3, 6, size=(500, 1))
    a[rng.random(a.shape) < 0.4] = np.nan
    a[:5] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(a, axis=1)
    got = _row_nanmedian(a)
    assert np.array_equal(got, expected, equal_nan=True)


def test_exact_p_array_equals_scalar_rule():
    n = np.array([3, 3, 4, 4, 5, 7, 10, 10, 10, 12])
    con = np.array([0, 3, 3, 6, 5, 10, 0, 22, 45, 33])
    expected = [_exact_p(int(a), int(b)) for a, b in zip(n, con)]
    assert np.array_equal(_exact_p_array(n, con), np.array(expected))
    # and the scalar rule is scipy's exact Kendall p for untied series with that many concordant pairs
    x = np.arange(7.0)
    y = np.array([1.0, 0.0, 2.0, 3.0, 5.0, 4.0, 6.0])
    con_pairs = sum(1 for i in range(7) for j in range(i + 1, 7) if y[j] > y[i])
    assert _exact_p(7, con_pairs) == pytest.approx(stats.kendalltau(x, y, method="exact").pvalue)
