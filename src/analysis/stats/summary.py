"""The summary table: one row per year x region x indicator (base and derived), consumed by narrative and reports.

Columns (contract section 4, in this order): see :data:`SUMMARY_COLUMNS`.

How each column is computed (all vectorised: groupby/merge/numpy, no per-cell loops):

* ``value`` - facts aggregated per year/region/indicator (:func:`analysis.stats.derive.aggregate_facts`); derived
  indicators from the catalogue (:func:`analysis.stats.derive.derive_indicators`), rates in percent with their
  ``numerator``/``denominator`` counts (NaN for base indicators).
* rows - a (region, indicator) pair that has a value in at least one year gets a row for every year of
  the facts; a year without the figure is a row with ``value`` NaN and ``missing = True``. A rate whose denominator is 0 (e.g. 0 reviewed case files) has ``value`` NaN,
  ``denominator = 0`` and ``missing = False``: the figures are there, the rate is undefined.
* ``prev_year, prev_value, abs_change, pct_change, pct_change_status`` - exactly the year before
  (:func:`analysis.stats.trends.year_over_year`); statuses ``ok``, ``zero_base``, ``missing_base``,
  ``first_year`` and ``missing_value`` (current value missing). ``pct_change`` in percent, NaN unless ok.
* ``trend_label, trend_slope, trend_p, n_years`` - Mann-Kendall test and Theil-Sen slope over the years
  up to and including ``year`` (:func:`analysis.stats.trends.trend_table`, expanding window, so a report on an
  earlier year never uses later data); ``数据不足`` below 4 years with a value.
* ``rank, n_peers`` - rank among regions of the same level in the same province, 1 = largest, ties share
  the minimum rank (:func:`analysis.stats.compare.rank_within_peers`).
* ``outlier`` - proportions (kind ``rate`` and every peer's ``0 <= numerator <= denominator``): outside
  the 99.8 % funnel limits around the peers' pooled rate (Spiegelhalter 2005, :mod:`analysis.stats.rates`),
  which accounts for the very different volumes of regions; every other indicator (counts, money,
  ratios, a rate above 100 % somewhere among the peers): modified z-score ``|M| > 3.5`` among peers
  (Iglewicz & Hoaglin 1993, :func:`analysis.stats.compare.robust_outliers`). Fewer than 3 peers with a value:
  never an outlier.
* ``approx`` - any contributing fact was approximate (约/余/多/近); ``missing`` as above.
* ``evaluated_year = year - evaluation_lag`` (case-file figures evaluate the previous year's cases).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.compare import (
    MIN_OUTLIER_PEERS,
    PEER_KEYS,
    province_code,
    rank_within_peers,
    robust_outliers,
)
from analysis.stats.derive import aggregate_facts, derive_indicators, indicator_metadata
from analysis.stats.hierarchy import _parent_of, _parents
from analysis.stats.rates import Z998, funnel_limits
from analysis.stats.trends import LABEL_SHORT, trend_table, year_over_year

SUMMARY_COLUMNS = [
    "year", "region_code", "region_name", "level", "parent_code", "indicator", "name_zh", "unit", "kind",
    "category", "direction", "value", "numerator", "denominator", "prev_year", "prev_value", "abs_change",
    "pct_change", "pct_change_status", "trend_label", "trend_slope", "trend_p", "n_years", "rank", "n_peers",
    "outlier", "approx", "missing", "evaluated_year", "is_sample",
]
SERIES_KEYS = ["region_code", "indicator"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})


def _values(agg: pd.DataFrame, reference: pd.DataFrame | None) -> pd.DataFrame:
    """Base and derived values in one long frame with ``numerator, denominator, status, approx``."""
    base = agg[["year", "region_code", "indicator", "value", "approx"]].copy()
    base["numerator"] = np.nan
    base["denominator"] = np.nan
    base["status"] = "ok"
    der = derive_indicators(agg, reference=reference)
    der = der[["year", "region_code", "indicator", "value", "approx", "numerator", "denominator", "status"]]
    frames = [f for f in (base, der) if not f.empty]
    return pd.concat(frames, ignore_index=True)


def _grid(values: pd.DataFrame, agg: pd.DataFrame) -> pd.DataFrame:
    """(region, indicator) pairs with a value in some year x every year of the facts."""
    defined = values["status"].isin(["ok", "zero_denominator"])
    pairs = values.loc[defined, SERIES_KEYS].drop_duplicates()
    regions = agg.sort_values("year").drop_duplicates("region_code", keep="last")[
        ["region_code", "region_name", "level"]]
    years = pd.DataFrame({"year": np.sort(agg["year"].unique()).astype(int)})
    grid = pairs.merge(regions, on="region_code", how="inner").merge(years, how="cross")
    out = grid.merge(values, on=["year", *SERIES_KEYS], how="left")
    out["missing"] = out["status"].isna() | out["status"].str.startswith("missing").fillna(True)
    out["approx"] = out["approx"].fillna(False).astype(bool)
    return out


def _outliers(df: pd.DataFrame) -> np.ndarray:
    """Funnel (99.8 %) flags for proportions, modified z-score flags for everything else."""
    df = df.copy()
    df["province_code"] = province_code(df["region_code"])
    num = df["numerator"].to_numpy(dtype=float)
    den = df["denominator"].to_numpy(dtype=float)
    binomial = ((df["kind"] == "rate").to_numpy() & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
                & (num >= 0) & (num <= den))
    # Proportions: funnel limits around the pooled rate of the peers (counting only valid proportions).
    groups = [df[c] for c in PEER_KEYS]
    s_num = pd.Series(np.where(binomial, num, 0.0), index=df.index).groupby(groups, dropna=False).transform("sum")
    s_den = pd.Series(np.where(binomial, den, 0.0), index=df.index).groupby(groups, dropna=False).transform("sum")
    n_units = pd.Series(binomial.astype(int), index=df.index).groupby(groups, dropna=False).transform("sum")
    p0 = np.full(len(df), np.nan)
    np.divide(s_num.to_numpy(dtype=float), s_den.to_numpy(dtype=float), out=p0, where=s_den.to_numpy() > 0)
    rate = np.full(len(df), np.nan)
    np.divide(num, den, out=rate, where=binomial)
    low, high = funnel_limits(np.nan_to_num(p0), np.where(binomial, den, 0.0), Z998)
    with np.errstate(invalid="ignore"):
        funnel_flag = binomial & (n_units.to_numpy() >= MIN_OUTLIER_PEERS) & ((rate < low) | (rate > high))
    # A peer group is judged by the funnel only when every value in it is a proportion; a rate that can
    # exceed 100 % in some region (stop orders per violation) falls back to the modified z-score.
    n_values = df["value"].notna().groupby(groups, dropna=False).transform("sum").to_numpy()
    funnel_group = (df["kind"] == "rate").to_numpy() & (n_units.to_numpy() == n_values)
    # Everything else: modified z-score among peers.
    other = ~funnel_group
    z = robust_outliers(df.assign(_v=np.where(other, df["value"], np.nan)), value_col="_v")
    return np.where(other, z["outlier"].to_numpy(), funnel_flag)


def build_summary(facts: pd.DataFrame, reference: pd.DataFrame | None = None, is_sample: bool = False,
                  regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Build the summary table (contract section 4) from tidy facts; see the module docstring for methods.

    Parameters
    ----------
    facts: tidy facts (contract section 1).
    reference: optional population/area table (:func:`analysis.stats.population.load_reference`); adds the
        per-capita / per-area indicators of ``derived_indicators.csv``.
    is_sample: written to every row's ``is_sample``.
    regions: region catalogue override (default: the packaged ``regions.csv``), used for ``parent_code``.

    Returns a DataFrame with exactly :data:`SUMMARY_COLUMNS`, sorted by year, region code and indicator.
    """
    agg = aggregate_facts(facts)
    if agg.empty:
        return _empty()
    values = _values(agg, reference)
    df = _grid(values, agg)
    if df.empty:
        return _empty()

    meta = indicator_metadata()
    for col in ["name_zh", "unit", "kind", "category", "direction"]:
        df[col] = df["indicator"].map(meta[col])
    df["name_zh"] = df["name_zh"].fillna(df["indicator"])
    lag = df["indicator"].map(meta["evaluation_lag"]).fillna(0).astype(int)
    df["evaluated_year"] = df["year"].astype(int) - lag

    df["parent_code"] = _parent_of(df["region_code"].astype(str), df["level"], _parents(regions)).fillna("")

    df = year_over_year(df, keys=SERIES_KEYS)
    trend = trend_table(df, keys=SERIES_KEYS, expanding=True)
    df = df.merge(trend[[*SERIES_KEYS, "year", "n_years", "trend_label", "trend_slope", "trend_p"]],
                  on=[*SERIES_KEYS, "year"], how="left")
    df["n_years"] = df["n_years"].fillna(0).astype(int)
    df["trend_label"] = df["trend_label"].fillna(LABEL_SHORT)
    df = rank_within_peers(df)
    df["rank"] = df["rank"].astype("Int64")
    df["outlier"] = _outliers(df).astype(bool)
    df["is_sample"] = bool(is_sample)
    df["year"] = df["year"].astype(int)
    df["prev_year"] = df["prev_year"].astype(int)
    df["missing"] = df["missing"].astype(bool)
    df = df.sort_values(["year", "region_code", "indicator"], ignore_index=True)
    return df[SUMMARY_COLUMNS]
