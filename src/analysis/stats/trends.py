"""Changes and trends over years: year-over-year change, index, CAGR, Theil-Sen slope, Mann-Kendall test.

Conventions
-----------
* Percentages are in percent: ``pct_change = 12.5`` means +12.5 %.
* The previous year of ``Y`` is exactly ``Y - 1``. A gap is not bridged: if ``Y - 1`` is absent the change
  is undefined and the status says ``missing_base`` (or ``first_year`` when the series has no earlier
  year at all). Nothing is ever ``inf``.
* Trend tests use the years that have a value (gaps are allowed; the x axis is the actual year).

Year-over-year statuses (``pct_change_status``): ``ok``; ``zero_base`` (previous value is 0);
``missing_base`` (``Y - 1`` absent or its value missing while an earlier year exists); ``first_year`` (no
earlier value in the series); ``missing_value`` (the current value itself is missing, so nothing is
compared). ``pct_change`` is NaN unless the status is ``ok``.

Trend method
------------
*Theil-Sen slope* (Theil 1950; Sen 1968): the median of the pairwise slopes
``(v_j - v_i) / (t_j - t_i)``, ``i < j``, with the confidence interval of Sen (1968) as implemented by
:func:`scipy.stats.theilslopes`.

*Mann-Kendall test* (Mann 1945; Kendall 1975): ``S = sum_{i<j} sign(v_j - v_i)`` with the years in order.
Under H0 (no monotone trend), ``Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` where ``t_g`` are
the sizes of groups of tied values. Because the years never tie, ``S`` is exactly Kendall's
``con - dis`` between value and year, and the Mann-Kendall test is the test of Kendall's tau between year
and value: :func:`scipy.stats.kendalltau` uses the same ``S`` and, for the asymptotic method, the same
tie-corrected variance (its x-tie terms vanish), with ``z = S / sqrt(Var(S))`` (no continuity correction).
We use the exact null distribution of ``S`` when there are no ties and ``n <= 33`` (as scipy's
``method='auto'``) and the normal approximation otherwise. With 4 years the smallest exact two-sided p is
``2/4! = 0.083``, so no 4-year series can be significant at 0.05 - an honest consequence of so few points.

Label at ``alpha = 0.05``: ``显著上升`` (p < alpha, S > 0), ``显著下降`` (p < alpha, S < 0),
``无显著趋势`` otherwise (including a constant series, where tau is undefined and p is NaN), and
``数据不足`` when fewer than 4 years have a value.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

LABEL_UP = "显著上升"
LABEL_DOWN = "显著下降"
LABEL_NONE = "无显著趋势"
LABEL_SHORT = "数据不足"
MIN_TREND_YEARS = 4
ALPHA = 0.05
EXACT_MAX_N = 33

PCT_STATUSES = ("ok", "zero_base", "missing_base", "first_year", "missing_value")


# --------------------------------------------------------------------------------------------------------
# Year over year, index, CAGR
# --------------------------------------------------------------------------------------------------------
def year_over_year(df: pd.DataFrame, keys: list[str] | tuple[str, ...] = ("region_code", "indicator"),
                   value_col: str = "value", year_col: str = "year") -> pd.DataFrame:
    """Absolute and percentage change against exactly the previous year, per series.

    Method: ``abs_change = v_Y - v_{Y-1}``; ``pct_change = 100 * (v_Y - v_{Y-1}) / |v_{Y-1}|`` only when
    ``v_{Y-1}`` is present and non-zero (and ``v_Y`` present); otherwise NaN with a status (see module
    docstring). The base is ``|v_{Y-1}|`` so the sign of a change is kept for negative values (counts and
    money are never negative in practice). Vectorised with a self-merge on ``year - 1``.

    Returns a copy of ``df`` (same row order) with ``prev_year, prev_value, abs_change, pct_change,
    pct_change_status`` added.
    """
    keys = list(keys)
    out = df.copy()
    out["_row"] = np.arange(len(out))
    series = out[[*keys, year_col, value_col]].rename(columns={year_col: "_py", value_col: "prev_value"})
    series = series.drop_duplicates([*keys, "_py"])
    out["prev_year"] = out[year_col].astype(int) - 1
    merged = out.merge(series, how="left", left_on=[*keys, "prev_year"], right_on=[*keys, "_py"])
    merged = merged.sort_values("_row").drop(columns=["_py"])
    # first observed (non-missing) year per series
    present = out[out[value_col].notna()]
    first = present.groupby(keys, sort=False)[year_col].min().rename("_first").reset_index()
    merged = merged.merge(first, how="left", on=keys).sort_values("_row")
    cur = merged[value_col].to_numpy(dtype=float)
    prev = merged["prev_value"].to_numpy(dtype=float)
    year = merged[year_col].to_numpy(dtype=int)
    first_year = merged["_first"].to_numpy(dtype=float)
    pct, status = yoy_arrays(cur, prev, year, first_year)
    merged["abs_change"] = cur - prev
    merged["pct_change"] = pct
    merged["pct_change_status"] = np.array(PCT_STATUSES)[status]
    merged.index = df.index
    return merged.drop(columns=["_row", "_first"])


def yoy_arrays(cur: np.ndarray, prev: np.ndarray, year: np.ndarray,
               first_year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rule of :func:`year_over_year` on aligned arrays: ``(pct_change, status)``, status as codes into
    :data:`PCT_STATUSES`. ``first_year`` is the series' first year with a value (NaN when it has none)."""
    no_earlier = np.isnan(first_year) | (year <= first_year)
    status = np.select([np.isnan(cur), no_earlier, np.isnan(prev), prev == 0], [4, 3, 2, 1], default=0)
    ok = status == 0
    pct = np.full(len(cur), np.nan)
    with np.errstate(over="ignore"):
        np.divide(100.0 * (cur - prev), np.abs(prev), out=pct, where=ok)
    overflow = ok & ~np.isfinite(pct)  # a base so close to 0 that the ratio overflows counts as zero
    status = np.where(overflow, 1, status).astype(np.int8)
    pct[overflow] = np.nan
    return pct, status


def pct_change(current: float, base: float) -> tuple[float, str]:
    """Scalar percentage change ``100 * (current - base) / |base|`` with its status.

    Returns ``(nan, "missing_base")`` when the base is missing, ``(nan, "zero_base")`` when it is 0,
    ``(nan, "missing_value")`` when the current value is missing, else ``(value, "ok")``.
    """
    if current is None or _isnan(current):
        return math.nan, "missing_value"
    if base is None or _isnan(base):
        return math.nan, "missing_base"
    if base == 0:
        return math.nan, "zero_base"
    return 100.0 * (float(current) - float(base)) / abs(float(base)), "ok"


def _isnan(x) -> bool:
    try:
        return bool(np.isnan(x))
    except TypeError:
        return x is pd.NA


def index_series(df: pd.DataFrame, base_year: int, keys: list[str] | tuple[str, ...] = ("region_code", "indicator"),
                 value_col: str = "value", year_col: str = "year") -> pd.DataFrame:
    """Index with the base year = 100: ``index_Y = 100 * v_Y / v_base``.

    Undefined (NaN) when the base-year value is absent or missing (``index_status = missing_base``), zero
    (``zero_base``) or negative (``negative_base``), or when ``v_Y`` is missing (``missing_value``).
    Returns a copy of ``df`` with ``index_base_year``, ``index`` and ``index_status``.
    """
    keys = list(keys)
    out = df.copy()
    base = df.loc[df[year_col] == base_year, [*keys, value_col]].drop_duplicates(keys)
    base = base.rename(columns={value_col: "_base"})
    merged = out.reset_index(drop=True).merge(base, how="left", on=keys)
    cur = merged[value_col].to_numpy(dtype=float)
    b = merged["_base"].to_numpy(dtype=float)
    status = np.select([np.isnan(cur), np.isnan(b), b == 0, b < 0],
                       ["missing_value", "missing_base", "zero_base", "negative_base"], default="ok")
    idx = np.full(len(cur), np.nan)
    np.divide(100.0 * cur, b, out=idx, where=status == "ok")
    out["index_base_year"] = int(base_year)
    out["index"] = idx
    out["index_status"] = status
    return out


def cagr(start_value: float, end_value: float, n_years: float) -> tuple[float, str]:
    """Compound annual growth rate in percent: ``100 * ((end / start) ** (1 / n_years) - 1)``.

    ``n_years`` is ``end_year - start_year`` (not the number of observations). Undefined (NaN) with a
    status when: a value is missing (``missing_start`` / ``missing_end``), the start is <= 0
    (``nonpositive_start``), the end is negative (``negative_end``), or ``n_years <= 0`` (``zero_span``).
    An end of 0 gives -100 %.
    """
    if start_value is None or _isnan(start_value):
        return math.nan, "missing_start"
    if end_value is None or _isnan(end_value):
        return math.nan, "missing_end"
    if n_years is None or n_years <= 0:
        return math.nan, "zero_span"
    if start_value <= 0:
        return math.nan, "nonpositive_start"
    if end_value < 0:
        return math.nan, "negative_end"
    return 100.0 * ((float(end_value) / float(start_value)) ** (1.0 / float(n_years)) - 1.0), "ok"


def cagr_table(df: pd.DataFrame, start_year: int, end_year: int,
               keys: list[str] | tuple[str, ...] = ("region_code", "indicator"),
               value_col: str = "value", year_col: str = "year") -> pd.DataFrame:
    """CAGR per series between two given years (see :func:`cagr`); both years must be present exactly.

    Returns one row per series with ``start_year, end_year, start_value, end_value, cagr, cagr_status``.
    """
    keys = list(keys)
    s = df.loc[df[year_col] == start_year, [*keys, value_col]].drop_duplicates(keys)
    e = df.loc[df[year_col] == end_year, [*keys, value_col]].drop_duplicates(keys)
    allk = df[keys].drop_duplicates()
    t = allk.merge(s.rename(columns={value_col: "start_value"}), how="left", on=keys)
    t = t.merge(e.rename(columns={value_col: "end_value"}), how="left", on=keys)
    res = [cagr(a, b, end_year - start_year) for a, b in zip(t["start_value"], t["end_value"])]
    t["start_year"] = int(start_year)
    t["end_year"] = int(end_year)
    t["cagr"] = [r[0] for r in res]
    t["cagr_status"] = [r[1] for r in res]
    return t[[*keys, "start_year", "end_year", "start_value", "end_value", "cagr", "cagr_status"]]


# --------------------------------------------------------------------------------------------------------
# Trend tests (scalar, scipy-based)
# --------------------------------------------------------------------------------------------------------
def _clean_xy(years, values) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = ~np.isnan(y) & ~np.isnan(x)
    x, y = x[keep], y[keep]
    order = np.argsort(x, kind="mergesort")
    x, y = x[order], y[order]
    if len(np.unique(x)) != len(x):
        raise ValueError("years must be unique within a series")
    return x, y


def theil_sen(years, values, confidence: float = 0.95) -> dict:
    """Theil-Sen slope (units per year) with Sen's confidence interval, via :func:`scipy.stats.theilslopes`.

    Slope = median of ``(v_j - v_i) / (t_j - t_i)`` over pairs of years; the interval uses the normal
    approximation to the distribution of Kendall's S (Sen 1968). Missing values are dropped.

    Returns ``{"n", "slope", "intercept", "low", "high", "confidence"}`` (NaN when fewer than 2 points).
    """
    from scipy import stats

    x, y = _clean_xy(years, values)
    if len(x) < 2:
        return {"n": len(x), "slope": math.nan, "intercept": math.nan, "low": math.nan, "high": math.nan,
                "confidence": confidence}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = stats.theilslopes(y, x, alpha=confidence)
    return {"n": len(x), "slope": float(r.slope), "intercept": float(r.intercept),
            "low": float(r.low_slope), "high": float(r.high_slope), "confidence": confidence}


def mann_kendall(years, values) -> dict:
    """Mann-Kendall trend test of ``values`` over ``years`` (scipy-based; see the module docstring).

    ``S = sum_{i<j} sign(v_j - v_i)`` and ``Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18`` are computed
    explicitly; the p-value comes from :func:`scipy.stats.kendalltau` of value against year, exact
    (``method='exact'``) when there are no ties and ``n <= 33`` (or at most one discordant/concordant pair,
    scipy's ``auto`` rule), else asymptotic, which equals
    ``2 * (1 - Phi(|S| / sqrt(Var(S))))``.

    Returns ``{"n", "s", "var_s", "z", "tau", "p", "method"}``; ``method`` is ``exact``, ``asymptotic``,
    ``constant`` (all values equal: tau undefined, p NaN) or ``too_short`` (n < 3).
    """
    from scipy import stats

    x, y = _clean_xy(years, values)
    n = len(y)
    diffs = y[None, :] - y[:, None]
    iu = np.triu_indices(n, k=1)
    s = float(np.sign(diffs[iu]).sum()) if n > 1 else 0.0
    _, counts = np.unique(y, return_counts=True)
    tie_term = float(np.sum(counts * (counts - 1) * (2 * counts + 5)))
    var_s = (n * (n - 1) * (2 * n + 5) - tie_term) / 18.0
    z = s / math.sqrt(var_s) if var_s > 0 else math.nan
    if n < 3:
        return {"n": n, "s": s, "var_s": var_s, "z": z, "tau": math.nan, "p": math.nan, "method": "too_short"}
    if len(counts) == 1:
        return {"n": n, "s": s, "var_s": var_s, "z": z, "tau": math.nan, "p": math.nan, "method": "constant"}
    dis = int((np.sign(diffs[iu]) < 0).sum())
    tot = n * (n - 1) // 2
    no_ties = len(counts) == n
    method = "exact" if no_ties and (n <= EXACT_MAX_N or min(dis, tot - dis) <= 1) else "asymptotic"
    r = stats.kendalltau(x, y, method=method)
    return {"n": n, "s": s, "var_s": var_s, "z": z, "tau": float(r.statistic), "p": float(r.pvalue),
            "method": method}


def trend_label(p: float, s: float, n: int, alpha: float = ALPHA, min_years: int = MIN_TREND_YEARS) -> str:
    """``数据不足`` if ``n < min_years``; ``显著上升``/``显著下降`` if ``p < alpha`` (by the sign of S);
    else ``无显著趋势``."""
    if n < min_years:
        return LABEL_SHORT
    if p is not None and not _isnan(p) and p < alpha:
        if s > 0:
            return LABEL_UP
        if s < 0:
            return LABEL_DOWN
    return LABEL_NONE


# --------------------------------------------------------------------------------------------------------
# Trend tests (vectorised over many series)
# --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _kendall_null_cdf(n: int) -> np.ndarray:
    """CDF of the number of discordant pairs (= inversions of a random permutation of n) under H0.

    Recurrence (Kendall 1970): ``P_n(k) = (1/n) * sum_{i=0}^{n-1} P_{n-1}(k - i)``, starting from
    ``P_1(0) = 1``. Index k = 0 .. n(n-1)/2.
    """
    p = np.array([1.0])
    for m in range(2, n + 1):
        new = np.zeros(len(p) + m - 1)
        for i in range(m):
            new[i:i + len(p)] += p
        p = new / m
    return np.cumsum(p)


def _exact_p(n: int, con: int) -> float:
    if n <= 2:
        return 1.0
    tot = n * (n - 1) // 2
    c = min(con, tot - con)
    if 4 * c == n * (n - 1):
        return 1.0
    return float(min(1.0, 2.0 * _kendall_null_cdf(n)[c]))


def _exact_p_array(n: np.ndarray, con: np.ndarray) -> np.ndarray:
    """:func:`_exact_p` element-wise: one table look-up per distinct series length, no per-series loop."""
    p = np.full(len(n), np.nan)
    for m in np.unique(n):
        sel = np.flatnonzero(n == m)
        m = int(m)
        if m <= 2:
            p[sel] = 1.0
            continue
        tot = m * (m - 1) // 2
        c = np.minimum(con[sel], tot - con[sel]).astype(np.int64)
        p[sel] = np.where(4 * c == m * (m - 1), 1.0, np.minimum(1.0, 2.0 * _kendall_null_cdf(m)[c]))
    return p


TREND_LABELS = (LABEL_NONE, LABEL_SHORT, LABEL_UP, LABEL_DOWN)
"""Labels by code in :func:`trend_matrix`'s ``label`` (0 = none, 1 = too few years, 2 = up, 3 = down)."""
TREND_METHODS = ("exact", "asymptotic", "constant", "too_short")


def _row_nanmedian(a: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (NaN for an all-NaN row), as :func:`numpy.nanmedian` on axis 1:
    sort (NaN last), then the mean of the two middle values, ``(low + high) / 2``."""
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    srt = np.sort(a, axis=1)
    cnt = np.count_nonzero(~np.isnan(a), axis=1)
    hi = cnt // 2
    lo = np.where(cnt % 2 == 1, hi, hi - 1)
    rows = np.arange(a.shape[0])
    low = srt[rows, np.maximum(lo, 0)]
    high = srt[rows, np.minimum(hi, a.shape[1] - 1)]
    return np.where(cnt > 0, (low + high) / 2.0, np.nan)


def trend_matrix(v: np.ndarray, years, expanding: bool = True, alpha: float = ALPHA,
                 min_years: int = MIN_TREND_YEARS) -> dict[str, np.ndarray]:
    """Theil-Sen slope and Mann-Kendall test of every row of ``v`` (series x years, NaN = no value).

    The computation behind :func:`trend_table`, on a dense matrix. Returns arrays of shape
    ``(n_ends, n_series)`` - one end per year with ``expanding=True`` (the trend of year Y uses the years
    <= Y), else only the last year: ``n``, ``s``, ``var_s``, ``p``, ``slope``, ``method`` (codes into
    :data:`TREND_METHODS`) and ``label`` (codes into :data:`TREND_LABELS`).
    """
    v = np.asarray(v, dtype=float)
    years = np.asarray(years, dtype=float)
    n_t = v.shape[1]
    ends = list(range(n_t)) if expanding else [n_t - 1]
    valid = ~np.isnan(v)
    n = np.stack([valid[:, :e + 1].sum(axis=1) for e in ends]) if ends else np.zeros((0, len(v)), dtype=int)
    # A series with at most one value has S = 0, Var(S) = 0, no slope and no p: filled in directly, so the
    # pairwise work below runs only over series with two values or more.
    out = {"n": n.astype(np.int64), "s": np.zeros(n.shape), "var_s": np.zeros(n.shape),
           "p": np.full(n.shape, np.nan), "slope": np.full(n.shape, np.nan),
           "method": np.full(n.shape, 3, dtype=np.int8),
           "label": np.where(n < min_years, 1, 0).astype(np.int8)}
    active = np.flatnonzero(valid.sum(axis=1) >= 2)
    if len(active) and ends:
        core = _trend_core(v[active], years, ends, alpha, min_years)
        for k, arr in core.items():
            out[k][:, active] = arr
    return out


def _trend_core(v: np.ndarray, years: np.ndarray, ends: list[int], alpha: float,
                min_years: int) -> dict[str, np.ndarray]:
    from scipy import stats

    n_series, n_t = v.shape
    # Pairs (i, j), i < j, ordered by j: the pairs within the first e + 1 years are a prefix.
    jj, ii = np.tril_indices(n_t, k=-1)
    dv = v[:, jj] - v[:, ii]
    slopes = dv / (years[jj] - years[ii])
    signs = np.sign(dv)
    del dv
    pos = signs > 0
    neg = signs < 0
    valid = ~np.isnan(v)
    shape = (len(ends), n_series)
    out = {k: np.zeros(shape) for k in ("n", "s", "var_s", "p", "slope")}
    out["method"] = np.zeros(shape, dtype=np.int8)
    out["label"] = np.zeros(shape, dtype=np.int8)
    for k, e in enumerate(ends):
        m = e * (e + 1) // 2
        n = valid[:, :e + 1].sum(axis=1)
        s = np.nansum(signs[:, :m], axis=1)
        con = pos[:, :m].sum(axis=1)
        dis = neg[:, :m].sum(axis=1)
        sub = v[:, :e + 1]
        c = (sub[:, :, None] == sub[:, None, :]).sum(axis=2)
        tie_term = np.where(valid[:, :e + 1], (c - 1) * (2 * c + 5), 0).sum(axis=1)
        var_s = (n * (n - 1) * (2 * n + 5) - tie_term) / 18.0
        tot = n * (n - 1) // 2
        slope = _row_nanmedian(slopes[:, :m])
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(var_s > 0, s / np.sqrt(np.where(var_s > 0, var_s, 1.0)), np.nan)
        p_asym = 2.0 * stats.norm.sf(np.abs(z))
        no_ties = tie_term == 0
        constant = (n >= 2) & (con == 0) & (dis == 0)
        use_exact = no_ties & ((n <= EXACT_MAX_N) | (np.minimum(dis, tot - dis) <= 1))
        p = np.where(use_exact, np.nan, p_asym)
        ex = np.flatnonzero(use_exact & (n >= 3))
        p[ex] = _exact_p_array(n[ex], (tot - dis)[ex])
        method = np.where(use_exact, 0, 1).astype(np.int8)
        too_short = n < 3
        p = np.where(too_short | constant, np.nan, p)
        method[constant] = 2
        method[too_short] = 3
        with np.errstate(invalid="ignore"):
            sig = p < alpha
        label = np.select([n < min_years, sig & (s > 0), sig & (s < 0)], [1, 2, 3], default=0)
        out["n"][k], out["s"][k], out["var_s"][k], out["p"][k], out["slope"][k] = n, s, var_s, p, slope
        out["method"][k], out["label"][k] = method, label
    out["n"] = out["n"].astype(np.int64)
    return out


def trend_table(df: pd.DataFrame, keys: list[str] | tuple[str, ...] = ("region_code", "indicator"),
                value_col: str = "value", year_col: str = "year", expanding: bool = True,
                alpha: float = ALPHA, min_years: int = MIN_TREND_YEARS) -> pd.DataFrame:
    """Theil-Sen slope and Mann-Kendall test for many series at once (numpy, no per-series scipy calls).

    Same method and results as :func:`theil_sen` (slope) and :func:`mann_kendall` (S, p, exact or
    asymptotic rule) - the test suite checks this series by series against scipy.

    With ``expanding=True`` (default) a row is returned for every series and every year of the table, and
    the trend of year Y uses only the years <= Y: a report about an earlier year never sees later data.
    With ``expanding=False`` one row per series uses all years (``year`` = last year of the table).

    Returns columns ``*keys, year, n_years, trend_s, trend_var_s, trend_p, trend_method, trend_slope,
    trend_label``.
    """
    keys = list(keys)
    cols = [*keys, year_col, "n_years", "trend_s", "trend_var_s", "trend_p", "trend_method", "trend_slope",
            "trend_label"]
    data = df[df[value_col].notna()]
    if data.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    wide = data.drop_duplicates([*keys, year_col]).set_index([*keys, year_col])[value_col].unstack(year_col)
    wide = wide.reindex(columns=sorted(df[year_col].dropna().astype(int).unique()))
    years = np.asarray(wide.columns, dtype=float)
    res = trend_matrix(wide.to_numpy(dtype=float), years, expanding, alpha, min_years)
    ends = range(len(years)) if expanding else [len(years) - 1]
    methods = np.array(TREND_METHODS, dtype=object)
    labels = np.array(TREND_LABELS, dtype=object)
    frames = []
    for k, e in enumerate(ends):
        frame = wide.index.to_frame(index=False)
        frame[year_col] = int(years[e])
        frame["n_years"] = res["n"][k]
        frame["trend_s"] = res["s"][k]
        frame["trend_var_s"] = res["var_s"][k]
        frame["trend_p"] = res["p"][k]
        frame["trend_method"] = methods[res["method"][k]]
        frame["trend_slope"] = res["slope"][k]
        frame["trend_label"] = labels[res["label"][k]]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[cols]
