"""Wilson intervals, chi-square / Fisher choice, funnel limits - against hand calculation and scipy."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.rates import (
    funnel_curve,
    funnel_data,
    rate_difference_from_table,
    rate_difference_test,
    wilson_interval,
)


def test_wilson_by_hand_8_of_10():
    x, n, z = 8, 10, 1.959964
    p = x / n
    z2 = z * z  # 3.841459
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)  # (0.8 + 0.192073) / 1.384146 = 0.716741
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))  # 0.226563
    w = wilson_interval(x, n).iloc[0]
    assert centre == pytest.approx(0.716741, abs=1e-6)
    # z is rounded to 6 decimals here, the code uses the exact quantile
    assert w.low == pytest.approx(centre - half, abs=1e-6)
    assert w.high == pytest.approx(centre + half, abs=1e-6)
    assert (round(w.low, 4), round(w.high, 4)) == (0.4902, 0.9433)


@pytest.mark.parametrize(("x", "n", "low", "high"), [
    # Newcombe (1998), Stat Med 17:857-872, Table II, method 3 (score interval without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_published_values(x, n, low, high):
    w = wilson_interval(x, n).iloc[0]
    assert w.low == pytest.approx(low, abs=6e-5)
    assert w.high == pytest.approx(high, abs=6e-5)


def test_wilson_matches_binomtest_grid():
    xs, ns = [], []
    for n in (1, 2, 5, 17, 60, 333):
        for x in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            if 0 <= x <= n:
                xs.append(x)
                ns.append(n)
    for conf in (0.95, 0.99):
        got = wilson_interval(xs, ns, confidence=conf)
        for (x, n), row in zip(zip(xs, ns), got.itertuples()):
            ci = stats.binomtest(x, n).proportion_ci(confidence_level=conf, method="wilson")
            assert row.low == pytest.approx(ci.low, abs=1e-12)
            assert row.high == pytest.approx(ci.high, abs=1e-12)


def test_wilson_zero_trials_and_bad_input():
    w = wilson_interval([0, 3], [0, 6], as_percent=True)
    assert w.status.tolist() == ["zero_trials", "ok"]
    assert w.iloc[0][["rate", "low", "high"]].isna().all()
    assert w.iloc[1].rate == pytest.approx(50.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def _chi2_by_hand(table):
    table = np.asarray(table, dtype=float)
    row, col, total = table.sum(1), table.sum(0), table.sum()
    stat = 0.0
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            e = row[i] * col[j] / total
            stat += (table[i, j] - e) ** 2 / e
    return stat


def test_chi_square_chosen_for_large_counts():
    passed = [180, 150, 210]
    reviewed = [200, 190, 230]
    res = rate_difference_test(passed, reviewed, groups=[2021, 2022, 2023])
    table = [[p, r - p] for p, r in zip(passed, reviewed)]
    stat = _chi2_by_hand(table)
    assert res["test"] == "chi2" and res["dof"] == 2
    assert res["statistic"] == pytest.approx(stat)
    assert res["p_value"] == pytest.approx(stats.chi2.sf(stat, 2))
    assert res["min_expected"] >= 5 and "chi-square" in res["reason"]


def _hypergeom_p_by_hand(a, b, c, d):
    """Two-sided Fisher p: sum of P(table) <= P(observed) over tables with the same margins."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2

    def prob(x):
        return math.comb(r1, x) * math.comb(r2, c1 - x) / math.comb(n, c1)

    p_obs = prob(a)
    return sum(prob(x) for x in range(max(0, c1 - r2), min(r1, c1) + 1) if prob(x) <= p_obs * (1 + 1e-7))


def test_fisher_chosen_for_small_counts_2x2():
    res = rate_difference_test([9, 3], [10, 8], groups=["640104", "640105"])
    assert res["test"] == "fisher"
    assert res["min_expected"] < 5 and "Fisher" in res["reason"] and "Fisher" in res["reason_zh"]
    assert res["p_value"] == pytest.approx(_hypergeom_p_by_hand(9, 1, 3, 5))


def _ffh_exact_p(table):
    """Fisher-Freeman-Halton exact p for a k x 2 table by enumerating every table with the same margins."""
    table = np.asarray(table)
    rows = table.sum(1)
    col0 = table[:, 0].sum()
    n = rows.sum()

    def prob(first_col):
        num = math.prod(math.comb(int(r), int(x)) for r, x in zip(rows, first_col))
        return num / math.comb(int(n), int(col0))

    p_obs = prob(table[:, 0])
    total = 0.0
    for first_col in product(*[range(int(r) + 1) for r in rows]):
        if sum(first_col) == col0:
            p = prob(first_col)
            if p <= p_obs * (1 + 1e-7):
                total += p
    return total


def test_fisher_monte_carlo_for_small_k_by_2():
    passed, reviewed = [5, 2, 6], [6, 7, 6]
    res = rate_difference_test(passed, reviewed)
    assert res["test"] == "fisher_monte_carlo"
    exact = _ffh_exact_p([[p, r - p] for p, r in zip(passed, reviewed)])
    assert res["p_value"] == pytest.approx(exact, abs=0.02)  # Monte Carlo SE ~0.003 at 9999 tables


def test_zero_reviewed_region_excluded_and_reported():
    res = rate_difference_test([40, 0, 60], [50, 0, 80], groups=["640104", "640105", "640106"])
    assert res["excluded"] == ["640105"] and res["groups"] == ["640104", "640106"]
    assert res["n_groups"] == 2 and res["test"] in {"chi2", "fisher"}


def test_nothing_to_test():
    assert rate_difference_test([5], [10])["test"] == "none"
    assert rate_difference_test([10, 20], [10, 20])["test"] == "none"  # all passed everywhere


def test_funnel_limits_by_hand():
    df = pd.DataFrame({"region_code": ["a", "b", "c", "d", "e"],
                       "numerator": [45, 80, 2, 0, 200], "denominator": [50, 100, 10, 0, 200]})
    f = funnel_data(df).set_index("region_code")
    p0 = (45 + 80 + 2 + 200) / (50 + 100 + 10 + 200)  # 327 / 360, the zero-volume unit excluded
    assert f.loc["a", "p0"] == pytest.approx(p0)
    for code, n in [("a", 50), ("b", 100), ("c", 10), ("e", 200)]:
        se = math.sqrt(p0 * (1 - p0) / n)
        assert f.loc[code, "low95"] == pytest.approx(max(0.0, p0 - 1.959964 * se))
        assert f.loc[code, "high95"] == pytest.approx(min(1.0, p0 + 1.959964 * se))
        assert f.loc[code, "low998"] == pytest.approx(max(0.0, p0 - 3.090232 * se))
        assert f.loc[code, "high998"] == pytest.approx(min(1.0, p0 + 3.090232 * se))
    # n = 10: p0 + 1.96 * 0.0909... exceeds 1, so the upper limit is clipped
    assert f.loc["c", "high95"] == 1.0
    # c: 0.2 vs p0 0.908 -> far below both limits; a: 0.9 sits inside
    assert f.loc["c", "outside95"] and f.loc["c", "outside998"]
    assert not f.loc["a", "outside95"]
    # b: 0.80, se = sqrt(.908*.092/100) = 0.0289: low95 = 0.851, low998 = 0.819 -> outside both
    assert f.loc["b", "outside95"] and f.loc["b", "outside998"]
    # e: 1.0 vs high95 = 0.908 + 1.96 * 0.0204 = 0.948 -> outside
    assert f.loc["e", "outside95"]
    # zero-volume unit kept, flagged, NaN
    assert f.loc["d", "zero_trials"] and math.isnan(f.loc["d", "rate"]) and not f.loc["d", "outside95"]


def test_funnel_curve_narrows_with_volume():
    c = funnel_curve(0.8, 500)
    width = (c.high95 - c.low95).to_numpy()
    assert (np.diff(width) <= 1e-12).all() and c.n.iloc[-1] == 500


def test_difference_across_years_from_a_long_table():
    # one region, three years; 2023 has two agency rows which are pooled by counts
    df = pd.DataFrame({"year": [2021, 2022, 2023, 2023], "numerator": [90, 70, 40, 45],
                       "denominator": [100, 100, 50, 50]})
    res = rate_difference_from_table(df, "year")
    assert res["groups"] == [2021, 2022, 2023] and res["table"][2] == [85, 15]
    assert res["test"] == "chi2"
    stat = _chi2_by_hand([[90, 10], [70, 30], [85, 15]])
    assert res["statistic"] == pytest.approx(stat)
    assert res["significant"] == (stats.chi2.sf(stat, 2) < 0.05)
