"""Year-over-year change, index, CAGR, Theil-Sen and Mann-Kendall against hand calculations and scipy."""

from __future__ import annotations

import math
from itertools import permutations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.stats.trends import (
    LABEL_DOWN,
    LABEL_NONE,
    LABEL_SHORT,
    LABEL_UP,
    _kendall_null_cdf,
    cagr,
    cagr_table,
    index_series,
    mann_kendall,
    pct_change,
    theil_sen,
    trend_table,
    year_over_year,
)


def _series(values: dict[int, float], region="640104", indicator="cases_filed") -> pd.DataFrame:
    return pd.DataFrame({"region_code": region, "indicator": indicator, "year": list(values),
                         "value": list(values.values())})


def test_yoy_statuses_zero_base_missing_base_gap_first_year():
    df = _series({2019: 10.0, 2020: 0.0, 2021: 5.0, 2023: 8.0, 2024: np.nan, 2025: 4.0})
    out = year_over_year(df).set_index("year")
    assert out.loc[2019, "pct_change_status"] == "first_year"
    # 2020: 10 -> 0 is -100 %
    assert out.loc[2020, "pct_change_status"] == "ok"
    assert out.loc[2020, "pct_change"] == pytest.approx(-100.0)
    assert out.loc[2020, "abs_change"] == -10.0
    # 2021: base 0 -> undefined, but the absolute change exists
    assert out.loc[2021, "pct_change_status"] == "zero_base"
    assert math.isnan(out.loc[2021, "pct_change"]) and out.loc[2021, "abs_change"] == 5.0
    # 2023: 2022 absent; the previous year is 2022 exactly, not 2021
    assert out.loc[2023, "prev_year"] == 2022
    assert out.loc[2023, "pct_change_status"] == "missing_base"
    assert math.isnan(out.loc[2023, "prev_value"])
    # 2024 missing itself; 2025's base (2024) is missing
    assert out.loc[2024, "pct_change_status"] == "missing_value"
    assert out.loc[2025, "pct_change_status"] == "missing_base"
    assert not np.isinf(out["pct_change"].to_numpy(dtype=float)).any()


def test_yoy_keeps_row_order_and_separates_series():
    a = _series({2020: 4.0, 2021: 5.0}, region="640104")
    b = _series({2020: 100.0, 2021: 50.0}, region="640105")
    df = pd.concat([b, a], ignore_index=True).iloc[::-1]
    out = year_over_year(df)
    assert list(out.index) == list(df.index)
    got = out.set_index(["region_code", "year"])["pct_change"]
    assert got[("640104", 2021)] == pytest.approx(25.0)
    assert got[("640105", 2021)] == pytest.approx(-50.0)


def test_scalar_pct_change():
    assert pct_change(12, 10) == (pytest.approx(20.0), "ok")
    assert pct_change(12, 0)[1] == "zero_base"
    assert pct_change(12, None)[1] == "missing_base"
    assert pct_change(12, float("nan"))[1] == "missing_base"
    assert pct_change(float("nan"), 3)[1] == "missing_value"


# realistic figures: counts and money in 万元 with at most 4 decimals (1 yuan)
values = st.one_of(st.none(), st.just(0.0),
                   st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 4)))


@settings(max_examples=150, deadline=None)
@given(st.lists(values, min_size=1, max_size=8))
def test_property_pct_change_defined_exactly_when_base_present_and_nonzero(vals):
    years = list(range(2015, 2015 + len(vals)))
    df = pd.DataFrame({"region_code": "640104", "indicator": "x", "year": years,
                       "value": [np.nan if v is None else v for v in vals]})
    out = year_over_year(df)
    for i, row in enumerate(out.itertuples()):
        base = vals[i - 1] if i > 0 else None
        defined = vals[i] is not None and base is not None and base != 0
        assert (row.pct_change_status == "ok") == defined
        assert math.isnan(row.pct_change) != defined
        if defined:
            assert row.pct_change == pytest.approx(100 * (vals[i] - base) / abs(base))
        assert not math.isinf(row.pct_change)


def test_index_base_year_100():
    df = _series({2019: 80.0, 2020: 0.0, 2021: 120.0})
    out = index_series(df, base_year=2019).set_index("year")
    assert out.loc[2019, "index"] == 100.0
    assert out.loc[2021, "index"] == pytest.approx(150.0)
    assert out.loc[2020, "index"] == 0.0
    zero = index_series(df, base_year=2020)
    assert (zero["index_status"] == "zero_base").all() and zero["index"].isna().all()
    absent = index_series(df, base_year=2018)
    assert (absent["index_status"] == "missing_base").all()


def test_cagr_by_hand():
    # 100 -> 121 in two years: 1.1 * 1.1 = 1.21, so 10 % a year
    assert cagr(100, 121, 2) == (pytest.approx(10.0), "ok")
    # 50 -> 400 in three years: doubling each year
    assert cagr(50, 400, 3)[0] == pytest.approx(100.0)
    assert cagr(10, 0, 4) == (pytest.approx(-100.0), "ok")
    assert cagr(0, 10, 2)[1] == "nonpositive_start"
    assert cagr(-5, 10, 2)[1] == "nonpositive_start"
    assert cagr(5, -1, 2)[1] == "negative_end"
    assert cagr(5, 10, 0)[1] == "zero_span"
    assert cagr(float("nan"), 10, 2)[1] == "missing_start"
    assert math.isnan(cagr(0, 10, 2)[0])


def test_cagr_table():
    df = pd.concat([_series({2019: 100.0, 2021: 121.0}), _series({2019: 0.0, 2021: 5.0}, region="640105")])
    t = cagr_table(df, 2019, 2021).set_index("region_code")
    assert t.loc["640104", "cagr"] == pytest.approx(10.0)
    assert t.loc["640105", "cagr_status"] == "nonpositive_start"


def test_theil_sen_by_hand_and_vs_scipy():
    years = [2019, 2020, 2021, 2023]
    vals = [1.0, 3.0, 2.0, 10.0]
    # pairwise slopes: (3-1)/1=2, (2-1)/2=0.5, (10-1)/4=2.25, (2-3)/1=-1, (10-3)/3=2.333, (10-2)/2=4
    expected = np.median([2, 0.5, 2.25, -1, 7 / 3, 4])
    ts = theil_sen(years, vals)
    assert ts["slope"] == pytest.approx(expected)
    ref = stats.theilslopes(vals, years, alpha=0.95)
    assert (ts["low"], ts["high"]) == (pytest.approx(ref.low_slope), pytest.approx(ref.high_slope))


def test_mann_kendall_monotone_series_exact():
    years = list(range(2015, 2023))  # n = 8
    up = mann_kendall(years, [1, 2, 3, 5, 8, 13, 21, 34])
    assert up["s"] == 28 and up["method"] == "exact"
    # exactly one of 8! orderings is fully concordant; two-sided p = 2 / 8!
    assert up["p"] == pytest.approx(2 / math.factorial(8))
    down = trend_table(pd.DataFrame({"region_code": "a", "indicator": "x", "year": years,
                                     "value": [9.0, 8, 7, 6, 5, 4, 3, 2]}), expanding=False).iloc[0]
    assert down["trend_label"] == LABEL_DOWN and down["trend_s"] == -28


def test_mann_kendall_flat_series():
    mk = mann_kendall(range(2018, 2024), [5.0] * 6)
    assert mk["s"] == 0 and mk["method"] == "constant" and math.isnan(mk["p"])
    t = trend_table(_series(dict.fromkeys(range(2018, 2024), 5.0)), expanding=False).iloc[0]
    assert t["trend_label"] == LABEL_NONE and t["trend_slope"] == 0.0


def test_short_series_is_insufficient_and_four_years_cannot_be_significant():
    t3 = trend_table(_series({2021: 1.0, 2022: 2.0, 2023: 3.0}), expanding=False).iloc[0]
    assert t3["trend_label"] == LABEL_SHORT and t3["n_years"] == 3
    t4 = trend_table(_series({2020: 1.0, 2021: 2.0, 2022: 3.0, 2023: 4.0}), expanding=False).iloc[0]
    assert t4["trend_p"] == pytest.approx(2 / 24)  # exact: 2 of 4! orderings are as extreme
    assert t4["trend_label"] == LABEL_NONE
    t5 = trend_table(_series({2019: 1.0, 2020: 2.0, 2021: 3.0, 2022: 4.0, 2023: 6.0}), expanding=False).iloc[0]
    assert t5["trend_p"] == pytest.approx(2 / 120) and t5["trend_label"] == LABEL_UP


def test_mann_kendall_with_ties_variance_by_hand():
    years = [2015, 2016, 2017, 2018, 2019, 2020]
    vals = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0]
    mk = mann_kendall(years, vals)
    # S: pairs i<j with v_j > v_i count +1, ties 0. 1 < everything: 5; the two 2s < three 3s: 6 -> S = 11
    assert mk["s"] == 11
    n = 6
    tie = 2 * 1 * 9 + 3 * 2 * 11  # groups of size 2 and 3: t(t-1)(2t+5)
    var = (n * (n - 1) * (2 * n + 5) - tie) / 18
    assert mk["var_s"] == pytest.approx(var)
    assert mk["method"] == "asymptotic"
    assert mk["p"] == pytest.approx(2 * stats.norm.sf(11 / math.sqrt(var)))
    assert mk["p"] == pytest.approx(stats.kendalltau(years, vals, method="asymptotic").pvalue)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_exact_null_distribution_by_enumeration(n):
    # count inversions over all n! permutations by brute force
    counts = np.zeros(n * (n - 1) // 2 + 1)
    for perm in permutations(range(n)):
        inv = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        counts[inv] += 1
    assert _kendall_null_cdf(n) == pytest.approx(np.cumsum(counts) / math.factorial(n))


def test_vectorised_trend_table_matches_scipy_series_by_series():
    rng = np.random.default_rng(1)
    rows = []
    for s in range(120):
        n = int(rng.integers(2, 12))
        yrs = np.sort(rng.choice(np.arange(2005, 2030), n, replace=False))
        vals = rng.integers(0, 5, n).astype(float) if s % 3 == 0 else rng.normal(size=n) + 0.4 * np.arange(n)
        rows += [(f"r{s}", "x", int(y), float(v)) for y, v in zip(yrs, vals)]
    df = pd.DataFrame(rows, columns=["region_code", "indicator", "year", "value"])
    tt = trend_table(df, expanding=False).set_index("region_code")
    checked = 0
    for code, g in df.groupby("region_code"):
        row = tt.loc[code]
        assert row["trend_slope"] == pytest.approx(stats.theilslopes(g.value, g.year).slope, nan_ok=True)
        if len(g) >= 3 and g.value.nunique() > 1:
            ties = g.value.nunique() < len(g)
            ref = stats.kendalltau(g.year, g.value, method="asymptotic" if ties else "exact")
            assert row["trend_p"] == pytest.approx(ref.pvalue, rel=1e-9)
            checked += 1
    assert checked > 80


def test_expanding_window_ignores_later_years():
    base = {2018: 1.0, 2019: 2.0, 2020: 3.0, 2021: 4.0, 2022: 5.0}
    a = trend_table(_series({**base, 2023: 6.0}))
    b = trend_table(_series({**base, 2023: -100.0}))
    key = ["year", "trend_s", "trend_slope", "trend_p", "trend_label"]
    early_a = a[a.year <= 2022][key].reset_index(drop=True)
    early_b = b[b.year <= 2022][key].reset_index(drop=True)
    pd.testing.assert_frame_equal(early_a, early_b)
    assert a[a.year == 2022].iloc[0]["trend_label"] == LABEL_UP  # 5 monotone years: p = 2/120
    assert (a[a.year <= 2020]["trend_label"] == LABEL_SHORT).all()
