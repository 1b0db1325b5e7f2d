"""Shared slices of the summary table and the indicator lists the report notebooks use.

Every function takes and returns plain pandas objects; reader-facing column headers are Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats.derive import indicator_catalog, indicator_metadata

LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级"}
LEVEL_ORDER = ["province", "city", "county"]

KEY_INDICATORS = ["cases_filed", "fines_collected", "patrols", "violations_stopped", "stop_orders"]
"""The five headline indicators of the yearly overview, in report order."""
OVERVIEW_INDICATORS = [*KEY_INDICATORS, "cases_closed", "fines_per_case", "stop_order_rate"]
LICENSE_INDICATORS = ["licenses_applied", "licenses_accepted", "licenses_granted", "licenses_refused",
                      "licenses_revoked", "license_grant_rate"]
CASEFILE_INDICATORS = ["casefile_reviewed", "casefile_excellent", "casefile_passed", "casefile_failed",
                       "casefile_pass_rate", "casefile_excellent_rate"]
PENALTY_CATEGORIES = ("penalty", "penalty_merged")
ASSIGNED_INDICATORS = ("casefile_reviewed",)
"""Quantities the province assigns rather than the regions produce (how many case files are drawn for
review): never flagged as anomalies (outlier tables, the profile's 是否异常 column)."""


def names() -> pd.Series:
    """Chinese indicator names by code."""
    return indicator_metadata()["name_zh"]


def present(summary: pd.DataFrame) -> pd.DataFrame:
    """Rows of the summary table that carry a value (``~missing`` and value not NaN)."""
    return summary[~summary["missing"].astype(bool) & summary["value"].notna()]


def row_of(summary: pd.DataFrame, region_code: str, year: int, indicator: str) -> pd.Series | None:
    """The summary row of one region, year and indicator (None when absent)."""
    hit = summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                  & (summary["indicator"] == indicator)]
    return hit.iloc[0] if len(hit) else None


def has_value(row: pd.Series | None) -> bool:
    """A summary row that exists, is not missing and has a value."""
    return row is not None and not bool(row["missing"]) and pd.notna(row["value"])


def indicator_series(summary: pd.DataFrame, region_code: str, indicators: Sequence[str],
                     upto_year: int | None = None) -> pd.DataFrame:
    """Long frame for :func:`analysis.present.charts.small_multiples`: ``indicator`` (Chinese name), ``code``,
    ``year``, ``value`` (NaN when missing), ``unit``; years up to ``upto_year``; ``indicators`` order kept;
    indicators without any value are left out."""
    df = summary[(summary["region_code"] == str(region_code)) & summary["indicator"].isin(list(indicators))]
    if upto_year is not None:
        df = df[df["year"] <= int(upto_year)]
    df = df.assign(value=np.where(df["missing"].astype(bool), np.nan, df["value"].astype(float)))
    keep = df.groupby("indicator")["value"].apply(lambda v: v.notna().any())
    order = [c for c in indicators if keep.get(c, False)]
    parts = [df[df["indicator"] == c].sort_values("year") for c in order]
    if not parts:
        return pd.DataFrame(columns=["indicator", "code", "year", "value", "unit"])
    out = pd.concat(parts)
    return pd.DataFrame({"indicator": out["name_zh"].to_numpy(), "code": out["indicator"].to_numpy(),
                         "year": out["year"].astype(int).to_numpy(), "value": out["value"].to_numpy(),
                         "unit": out["unit"].fillna("").to_numpy()}).reset_index(drop=True)


def available_indicators(summary: pd.DataFrame, region_code: str, year: int,
                         candidates: Sequence[str]) -> list[str]:
    """The ``candidates`` (order kept) that have a value for the region in ``year``."""
    have = set(present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))])
               ["indicator"])
    return [c for c in candidates if c in have]


def penalty_codes(categories: Sequence[str] = PENALTY_CATEGORIES) -> list[str]:
    """Indicator codes of the penalty categories (national and merged columns), without the total."""
    cat = indicator_catalog()
    codes = cat.loc[cat["category"].isin(list(categories)), "code"].tolist()
    return [c for c in codes if c != "penalties_total"]


def rank_text(rank, n_peers, n_tied=1) -> str:
    """``3/5``, or ``并列3/5`` when the rank is shared (``n_tied`` > 1); ``—`` without a rank."""
    from analysis.views.wording import say

    if pd.isna(rank) or pd.isna(n_peers):
        return "—"
    key = "rank.tied" if int(n_tied) > 1 else "rank.single"
    return say("common", key, rank=int(rank), n_peers=int(n_peers))


def tie_counts(summary: pd.DataFrame, year: int, indicator: str, level: str) -> pd.Series:
    """How many regions of ``level`` (same province) share each region's rank in ``year``, by region code."""
    df = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == indicator)
                         & (summary["level"] == level)]).dropna(subset=["rank"])
    if df.empty:
        return pd.Series(dtype=int)
    key = df["region_code"].str[:2] + "|" + df["rank"].astype(int).astype(str)
    return pd.Series(key.map(key.value_counts()).to_numpy(), index=df["region_code"].to_numpy())


def pooled_value(summary: pd.DataFrame, year: int, indicator: str, level: str,
                 parent_code: str | None = None) -> float:
    """A derived indicator (rate or ratio) pooled over the regions of one level: the sum of numerators
    over the sum of denominators, in the indicator's scale (e.g. percent); NaN without the counts."""
    df = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == indicator)
                         & (summary["level"] == level)])
    if parent_code is not None:
        df = df[df["parent_code"] == str(parent_code)]
    df = df.dropna(subset=["numerator", "denominator"])
    df = df[df["denominator"].astype(float) > 0]
    if df.empty:
        return float("nan")
    num, den = df["numerator"].astype(float), df["denominator"].astype(float)
    ratio = num / den
    scale = (df["value"].astype(float)[ratio != 0] / ratio[ratio != 0]).median() if (ratio != 0).any() else 1.0
    return float(num.sum() / den.sum() * scale)


def ranking_frame(summary: pd.DataFrame, year: int, indicator: str, level: str,
                  parent_code: str | None = None) -> pd.DataFrame:
    """Regions of one level (optionally under one parent) with a value for ``indicator`` in ``year``.

    Columns ``region_code, region_name, value, unit, rank, n_peers, n_tied, outlier, approx``, best rank
    first (``n_tied``: regions sharing the rank).
    """
    df = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == indicator)
                         & (summary["level"] == level)])
    if parent_code is not None:
        df = df[df["parent_code"] == str(parent_code)]
    df = df.sort_values(["rank", "region_code"])
    ties = tie_counts(summary, year, indicator, level)
    df = df.assign(n_tied=df["region_code"].map(ties).fillna(1).astype(int))
    cols = ["region_code", "region_name", "value", "unit", "rank", "n_peers", "n_tied", "outlier", "approx"]
    return df[cols].reset_index(drop=True)


def ranking_table(summary: pd.DataFrame, year: int, level: str, indicators: Sequence[str],
                  parent_code: str | None = None) -> pd.DataFrame:
    """Regions of one level (rows, by code) x indicators: 地区, then per indicator ``名称（单位）`` and
    ``名称排名`` (``rank/n_peers``, ``并列rank/n_peers`` for a shared rank). Regions without any of the
    values are left out."""
    meta = indicator_metadata()
    frames = []
    for code in indicators:
        r = ranking_frame(summary, year, code, level, parent_code)
        if r.empty:
            continue
        name, unit = meta.at[code, "name_zh"], meta.at[code, "unit"]
        frames.append(pd.DataFrame({
            "region_code": r["region_code"], "region_name": r["region_name"],
            f"{name}（{unit}）": r["value"].astype(float),
            f"{name}排名": [rank_text(a, b, k) for a, b, k in zip(r["rank"], r["n_peers"], r["n_tied"])],
        }).set_index(["region_code", "region_name"]))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, axis=1).sort_index().reset_index()
    out = out.drop(columns="region_code").rename(columns={"region_name": "地区"})
    for col in out.columns:
        if col.endswith("排名"):
            out[col] = out[col].fillna("—")
    return out


def region_year_pivot(summary: pd.DataFrame, indicator: str, level: str, upto_year: int | None = None,
                      parent_code: str | None = None) -> pd.DataFrame:
    """Region names (rows, by code) x years (columns): the indicator's value, NaN where missing."""
    df = summary[(summary["indicator"] == indicator) & (summary["level"] == level)]
    if parent_code is not None:
        df = df[df["parent_code"] == str(parent_code)]
    if upto_year is not None:
        df = df[df["year"] <= int(upto_year)]
    if df.empty:
        return pd.DataFrame()
    df = df.assign(value=np.where(df["missing"].astype(bool), np.nan, df["value"].astype(float)))
    pivot = df.pivot_table(index="region_code", columns="year", values="value", aggfunc="first", dropna=False)
    region_names = df.drop_duplicates("region_code").set_index("region_code")["region_name"]
    pivot = pivot.sort_index()
    pivot.index = [str(region_names[c]) for c in pivot.index]
    pivot.columns = [int(c) for c in pivot.columns]
    return pivot.dropna(how="all")
