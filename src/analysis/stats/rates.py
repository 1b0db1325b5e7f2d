"""Rates with honest uncertainty: Wilson intervals, tests of difference, funnel-plot data.

Rates here are proportions in [0, 1] unless ``as_percent=True`` is passed (the summary table uses percent).
A unit (region or year) with 0 trials (e.g. 0 reviewed case files) has rate NaN, is excluded from tests and
from the overall rate, and is kept in the output with ``zero_trials = True``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# scipy.stats is imported where used: it takes about a second, which a process that only reads a cached
# summary (the report runner's letter step) need not pay.

Z95 = 1.959964  # two-sided 95 %: Phi^-1(0.975)
Z998 = 3.090232  # two-sided 99.8 %: Phi^-1(0.999)
MIN_EXPECTED = 5.0


def _z(confidence: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(successes, trials, confidence: float = 0.95, as_percent: bool = False) -> pd.DataFrame:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209-212).

    With ``p = x / n`` and ``z = Phi^-1(1 - (1 - confidence) / 2)``::

        centre     = (p + z^2 / (2n)) / (1 + z^2 / n)
        half_width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))
        [low, high] = centre -/+ half_width

    Unlike the Wald interval it never leaves [0, 1] and keeps sensible coverage for small n and p near 0
    or 1 (Brown, Cai & DasGupta 2001). Equals ``scipy.stats.binomtest(x, n).proportion_ci('wilson')``.

    Parameters: scalars or array-likes of non-negative integers with ``successes <= trials``.
    ``trials == 0`` gives NaN (status ``zero_trials``); a missing input gives NaN (``missing``).

    Returns a DataFrame with ``successes, trials, rate, low, high, status`` (one row per input element).
    """
    x = np.atleast_1d(np.asarray(successes, dtype=float))
    n = np.atleast_1d(np.asarray(trials, dtype=float))
    x, n = np.broadcast_arrays(x, n)
    bad = (~np.isnan(x) & ~np.isnan(n)) & ((x < 0) | (x > n))
    if bad.any():
        raise ValueError("successes must satisfy 0 <= successes <= trials")
    z = _z(confidence)
    ok = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    nn = np.where(ok, n, 1.0)
    p = np.where(ok, x / nn, np.nan)
    denom = 1.0 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    status = np.select([np.isnan(x) | np.isnan(n), n == 0], ["missing", "zero_trials"], default="ok")
    k = 100.0 if as_percent else 1.0
    return pd.DataFrame({"successes": x, "trials": n, "rate": k * p, "low": np.where(ok, k * low, np.nan),
                         "high": np.where(ok, k * high, np.nan), "status": status})


def rate_difference_test(successes, trials, groups=None, alpha: float = 0.05,
                         min_expected: float = MIN_EXPECTED, n_resamples: int = 9999, seed: int = 20240101) -> dict:
    """Test whether a proportion differs across groups (years or regions): chi-square or Fisher.

    Builds the k x 2 table ``[successes, trials - successes]`` of the groups with ``trials > 0`` and
    chooses the test from the expected counts ``E_ij = row_i * col_j / N``:

    * every ``E_ij >= 5`` (Cochran's rule): Pearson chi-square test of homogeneity,
      :func:`scipy.stats.chi2_contingency` (``X^2 = sum (O - E)^2 / E``, ``df = k - 1``; for a 2 x 2 table
      scipy applies Yates's continuity correction);
    * some ``E_ij < 5`` and k = 2: Fisher's exact test (:func:`scipy.stats.fisher_exact`, two-sided);
    * some ``E_ij < 5`` and k > 2: the Fisher-Freeman-Halton exact test of r x c independence, with its
      p-value estimated by Monte Carlo over tables with the observed margins
      (``scipy.stats.fisher_exact(table, method=MonteCarloMethod(...))``, scipy >= 1.15; ``n_resamples``
      tables, fixed ``seed`` so reruns agree; Monte Carlo standard error <= 0.005 at 9999 tables).

    Groups with 0 trials are listed in ``excluded``. When fewer than two groups remain, or every trial is
    a success (or every one a failure), there is nothing to test: ``test = "none"`` with the reason.

    Returns a dict: ``test`` (``chi2`` | ``fisher`` | ``fisher_monte_carlo`` | ``none``), ``statistic``,
    ``p_value``, ``dof``, ``min_expected``, ``significant`` (``p < alpha``), ``reason`` (English),
    ``reason_zh``, ``n_groups``, ``groups`` (used), ``excluded``, ``table`` (the k x 2 list).
    """
    from scipy import stats
    from scipy.stats.contingency import expected_freq

    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    names = list(range(len(x))) if groups is None else list(groups)
    if not (len(x) == len(n) == len(names)):
        raise ValueError("successes, trials and groups must have the same length")
    if np.any((x < 0) | (x > n)):
        raise ValueError("successes must satisfy 0 <= successes <= trials")
    use = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    excluded = [g for g, u in zip(names, use) if not u]
    used = [g for g, u in zip(names, use) if u]
    table = np.column_stack([x[use], n[use] - x[use]]).astype(np.int64)
    result = {"test": "none", "statistic": math.nan, "p_value": math.nan, "dof": math.nan,
              "min_expected": math.nan, "significant": False, "n_groups": len(used), "groups": used,
              "excluded": excluded, "table": table.tolist()}
    if len(used) < 2:
        return {**result, "reason": "fewer than two groups with trials > 0",
                "reason_zh": "有效样本组不足两组，无法检验"}
    if (table[:, 0].sum() == 0) or (table[:, 1].sum() == 0):
        return {**result, "reason": "no variation: all trials have the same outcome",
                "reason_zh": "各组结果完全相同，无需检验"}
    expected = expected_freq(table)
    min_e = float(expected.min())
    result["min_expected"] = min_e
    result["dof"] = len(used) - 1
    if min_e >= min_expected:
        chi2, p, dof, _ = stats.chi2_contingency(table)
        test, stat = "chi2", float(chi2)
        reason = f"all expected counts >= {min_expected:g}: Pearson chi-square test"
        reason_zh = f"各期望频数均不小于{min_expected:g}，采用卡方检验"
    elif table.shape[0] == 2:
        r = stats.fisher_exact(table)
        test, stat, p = "fisher", float(r.statistic), float(r.pvalue)
        reason = f"an expected count < {min_expected:g} (min {min_e:.2f}) in a 2x2 table: Fisher's exact test"
        reason_zh = f"存在期望频数小于{min_expected:g}（最小{min_e:.2f}），采用Fisher精确检验"
    else:
        method = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
        r = stats.fisher_exact(table, method=method)
        test, stat, p = "fisher_monte_carlo", float(r.statistic), float(r.pvalue)
        reason = (f"an expected count < {min_expected:g} (min {min_e:.2f}) in a {table.shape[0]}x2 table: "
                  f"Fisher-Freeman-Halton exact test, Monte Carlo p ({n_resamples} tables)")
        reason_zh = (f"存在期望频数小于{min_expected:g}（最小{min_e:.2f}），采用Fisher精确检验"
                     f"（蒙特卡洛模拟{n_resamples}次）")
    return {**result, "test": test, "statistic": stat, "p_value": float(p), "significant": bool(p < alpha),
            "reason": reason, "reason_zh": reason_zh}


def rate_difference_from_table(df: pd.DataFrame, group: str, successes: str = "numerator",
                               trials: str = "denominator", **kwargs) -> dict:
    """:func:`rate_difference_test` on a long table, e.g. the derived pass rates of one year across regions
    (``group="region_code"``) or of one region across years (``group="year"``). Rows of the same group are
    pooled by summing counts first (never by averaging rates)."""
    g = df.groupby(group, sort=True)[[successes, trials]].sum(min_count=1).reset_index()
    return rate_difference_test(g[successes], g[trials], groups=g[group].tolist(), **kwargs)


def funnel_limits(p0: float, n, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Control limits ``p0 -/+ z * sqrt(p0 (1 - p0) / n)`` clipped to [0, 1] (NaN where ``n <= 0``)."""
    n = np.asarray(n, dtype=float)
    ok = n > 0
    se = np.sqrt(p0 * (1.0 - p0) / np.where(ok, n, 1.0))
    low = np.where(ok, np.clip(p0 - z * se, 0.0, 1.0), np.nan)
    high = np.where(ok, np.clip(p0 + z * se, 0.0, 1.0), np.nan)
    return low, high


def funnel_data(df: pd.DataFrame, successes: str = "numerator", trials: str = "denominator",
                unit: str = "region_code", as_percent: bool = False) -> pd.DataFrame:
    """Funnel-plot dataset: each unit's rate against its volume, with 95 % and 99.8 % control limits.

    Method (Spiegelhalter 2005, "Funnel plots for comparing institutional performance", Stat Med
    24:1185-1202): target ``p0 = sum(successes) / sum(trials)`` over units with ``trials > 0``; for a unit
    of volume n the limits are the binomial normal approximation ``p0 -/+ z * sqrt(p0 (1 - p0) / n)``,
    ``z = 1.959964`` (95 %) and ``3.090232`` (99.8 %), clipped to [0, 1]. A unit is flagged when its rate
    is strictly outside a limit. Units with 0 trials keep a row with rate and limits NaN, flags False and
    ``zero_trials = True``.

    Returns ``df``'s ``unit`` column plus ``successes, trials, rate, p0, low95, high95, low998, high998,
    outside95, outside998, zero_trials`` (rates in [0, 1], or percent with ``as_percent=True``).
    """
    x = df[successes].to_numpy(dtype=float)
    n = df[trials].to_numpy(dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    p0 = x[ok].sum() / n[ok].sum() if ok.any() and n[ok].sum() > 0 else math.nan
    rate = np.full(len(x), np.nan)
    np.divide(x, n, out=rate, where=ok)
    lo95, hi95 = funnel_limits(p0, np.where(ok, n, 0), Z95)
    lo998, hi998 = funnel_limits(p0, np.where(ok, n, 0), Z998)
    with np.errstate(invalid="ignore"):
        out95 = ok & ((rate < lo95) | (rate > hi95))
        out998 = ok & ((rate < lo998) | (rate > hi998))
    k = 100.0 if as_percent else 1.0
    return pd.DataFrame({
        unit: df[unit].to_numpy(), "successes": x, "trials": n, "rate": k * rate, "p0": k * p0,
        "low95": k * lo95, "high95": k * hi95, "low998": k * lo998, "high998": k * hi998,
        "outside95": out95, "outside998": out998, "zero_trials": n == 0,
    })


def funnel_curve(p0: float, n_max: float, n_points: int = 200, as_percent: bool = False) -> pd.DataFrame:
    """Smooth funnel lines for plotting: ``n`` from 1 to ``n_max`` with the four limits (see funnel_data)."""
    n = np.unique(np.round(np.geomspace(1, max(float(n_max), 1.0), n_points)))
    lo95, hi95 = funnel_limits(p0, n, Z95)
    lo998, hi998 = funnel_limits(p0, n, Z998)
    k = 100.0 if as_percent else 1.0
    return pd.DataFrame({"n": n, "low95": k * lo95, "high95": k * hi95, "low998": k * lo998,
                         "high998": k * hi998})
