"""Cross-region comparison for a year: ranks, shares, concentration, robust outliers, normalisation.

Peers: regions of the same ``level`` in the same province, for the same year and indicator. The province of
a region is read from its GB/T 2260 code (first two digits + ``0000``), so it works for any province's
``regions.csv``.

All functions are vectorised (groupby/transform) and take the long layout ``year, region_code, level,
indicator, value`` used by the facts and the summary table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.derive import ADDITIVE_KINDS, indicator_metadata
from analysis.stats.population import align_reference

MAD_CONSTANT = 0.6745  # Phi^-1(0.75): makes MAD consistent with the SD under normality
MEANAD_CONSTANT = 1.253314  # sqrt(pi/2): makes the mean absolute deviation consistent with the SD
OUTLIER_THRESHOLD = 3.5
MIN_OUTLIER_PEERS = 3
PER_CAPITA_UNIT = "万人"  # per 10,000 residents
PER_AREA_KM2 = 1000.0  # per 1,000 km²
PEER_KEYS = ["year", "indicator", "level", "province_code"]


def province_code(region_code: pd.Series) -> pd.Series:
    """Province of a GB/T 2260 code: its first two digits followed by ``0000``."""
    return region_code.astype(str).str[:2] + "0000"


def _with_province(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "province_code" not in out.columns:
        out["province_code"] = province_code(out["region_code"])
    return out


def rank_within_peers(df: pd.DataFrame, value_col: str = "value", ascending: bool = False) -> pd.DataFrame:
    """Rank each region among its peers (same year, indicator, level and province).

    Method: ``rank(method="min")``, descending by default: 1 = largest value, tied values share the lowest
    rank of their block (values 9, 7, 7, 5 rank 1, 2, 2, 4). Missing values get no rank. ``n_peers`` is
    the number of peers with a value (including the region itself). Returns a copy with ``rank`` (float,
    NaN when missing) and ``n_peers``.
    """
    out = _with_province(df)
    groups = out.groupby(PEER_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    out["rank"], out["n_peers"] = rank_in_groups(out[value_col].to_numpy(dtype=float), groups, ascending)
    return out


def rank_in_groups(values: np.ndarray, groups: np.ndarray, ascending: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The rule of :func:`rank_within_peers` on arrays: ``groups`` numbers the peer groups 0 .. G-1.

    Returns ``(rank, n_peers)``: ``rank(method="min")`` among the values of the group (NaN for a missing
    value) and the number of values in the group. Only rows with a value are ranked, so the cost follows
    the figures, not the grid.
    """
    has = np.flatnonzero(~np.isnan(values))
    rank = np.full(len(values), np.nan)
    rank[has] = pd.Series(values[has]).groupby(groups[has], sort=False).rank(method="min", ascending=ascending)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    n_peers = np.bincount(groups[has], minlength=n_groups)[groups].astype(np.int64)
    return rank, n_peers


def province_share(df: pd.DataFrame, value_col: str = "value", basis: str = "peers") -> pd.DataFrame:
    """Share (percent) of each region in its province's total, for additive kinds only (count, money, people).

    ``basis="peers"``: the total is the sum over the region's peers (same level, so shares add to 100);
    ``basis="reported"``: the total is the province's own reported figure for the indicator and year (which
    may include provincial-department cases, so shares need not add to 100). Rates and ratios get NaN.
    Returns a copy with ``share`` and ``share_total``.
    """
    out = _with_province(df)
    kinds = indicator_metadata()["kind"]
    additive = out["indicator"].map(kinds).isin(ADDITIVE_KINDS).to_numpy()
    if basis == "peers":
        total = out.groupby(PEER_KEYS, sort=False, dropna=False)[value_col].transform("sum")
    elif basis == "reported":
        prov = out[out["region_code"] == out["province_code"]][["year", "indicator", "region_code", value_col]]
        prov = prov.drop_duplicates(["year", "indicator", "region_code"]).rename(
            columns={"region_code": "province_code", value_col: "_total"})
        total = out[["year", "indicator", "province_code"]].merge(prov, how="left", on=[
            "year", "indicator", "province_code"])["_total"].to_numpy()
        total = pd.Series(total, index=out.index)
    else:
        raise ValueError("basis must be 'peers' or 'reported'")
    t = total.to_numpy(dtype=float)
    v = out[value_col].to_numpy(dtype=float)
    share = np.full(len(out), np.nan)
    np.divide(100.0 * v, t, out=share, where=additive & ~np.isnan(t) & (t > 0) & ~np.isnan(v))
    out["share_total"] = np.where(additive, t, np.nan)
    out["share"] = share
    return out


def top_k_share(df: pd.DataFrame, k: int = 3, value_col: str = "value") -> pd.DataFrame:
    """Concentration: share (percent) of the k largest peers in the peers' sum, per peer group.

    ``top_share = 100 * sum(top k values) / sum(all values)``, for additive kinds. Also returns the
    Herfindahl-Hirschman index ``hhi = sum(s_i^2)`` with shares ``s_i`` in percent (0-10,000).
    One row per ``year, indicator, level, province_code`` with ``n_regions, total, top_share, hhi, k``.
    """
    out = _with_province(df)
    kinds = indicator_metadata()["kind"]
    out = out[out["indicator"].map(kinds).isin(ADDITIVE_KINDS) & out[value_col].notna()].copy()
    out["_r"] = out.groupby(PEER_KEYS, sort=False)[value_col].rank(method="first", ascending=False)
    out["_top"] = np.where(out["_r"] <= k, out[value_col], 0.0)
    g = out.groupby(PEER_KEYS, sort=True)
    res = g.agg(n_regions=(value_col, "size"), total=(value_col, "sum"), top=("_top", "sum")).reset_index()
    out["_sq"] = (100.0 * out[value_col] / g[value_col].transform("sum")) ** 2
    hhi = out.groupby(PEER_KEYS, sort=True)["_sq"].sum().reset_index(drop=True)
    res["top_share"] = np.where(res["total"] > 0, 100.0 * res["top"] / res["total"].where(res["total"] > 0), np.nan)
    res["hhi"] = np.where(res["total"] > 0, hhi.to_numpy(), np.nan)
    res["k"] = k
    return res.drop(columns=["top"])


def modified_zscore(values) -> pd.DataFrame:
    """Modified z-score of Iglewicz & Hoaglin (1993): ``M_i = 0.6745 (x_i - median) / MAD``.

    ``MAD = median(|x_i - median|)``. When MAD = 0 (more than half the values equal) the score falls back
    to ``(x_i - median) / (1.253314 * MeanAD)`` with ``MeanAD = mean(|x_i - median|)``; when MeanAD is also
    0 every value equals the median and all scores are 0. Outlier: ``|M_i| > 3.5``. Fewer than 3 values:
    scores NaN, no outlier. Returns ``value, zscore, outlier, method`` (``mad``/``meanad``/``constant``/
    ``too_few``).
    """
    s = pd.Series(values, dtype=float).reset_index(drop=True)
    df = pd.DataFrame({"value": s, "_g": 0})
    out = robust_outliers(df, by=["_g"])
    return out[["value", "zscore", "outlier", "method"]]


def robust_outliers(df: pd.DataFrame, value_col: str = "value", by: list[str] | None = None,
                    threshold: float = OUTLIER_THRESHOLD, min_peers: int = MIN_OUTLIER_PEERS) -> pd.DataFrame:
    """Flag outliers among peers with the modified z-score (see :func:`modified_zscore`), vectorised.

    ``by`` defaults to the peer groups (year, indicator, level, province). Returns a copy with ``zscore``,
    ``outlier`` (bool) and ``method``.
    """
    out = df.copy() if by is not None else _with_province(df)
    by = PEER_KEYS if by is None else by
    v = out[value_col].astype(float)
    g = v.groupby([out[c] for c in by], sort=False, dropna=False)
    med = g.transform("median")
    dev = (v - med).abs()
    gd = dev.groupby([out[c] for c in by], sort=False, dropna=False)
    mad = gd.transform("median")
    meanad = gd.transform("mean")
    cnt = g.transform("count")
    z_mad = MAD_CONSTANT * (v - med) / mad.where(mad > 0)
    z_mean = (v - med) / (MEANAD_CONSTANT * meanad.where(meanad > 0))
    z = np.where(mad > 0, z_mad, np.where(meanad > 0, z_mean, 0.0))
    method = np.where(mad > 0, "mad", np.where(meanad > 0, "meanad", "constant")).astype(object)
    few = (cnt < min_peers).to_numpy() | v.isna().to_numpy()
    z = np.where(few, np.nan, z)
    method[few] = "too_few"
    out["zscore"] = z
    out["outlier"] = np.abs(np.nan_to_num(z, nan=0.0)) > threshold
    out["method"] = method
    return out


def normalise(df: pd.DataFrame, reference: pd.DataFrame, value_col: str = "value") -> pd.DataFrame:
    """Per-capita and per-area values from a population/area reference table.

    ``per_10k_pop = value / population_10k`` (per 10,000 residents; population is given in 万人) and
    ``per_1000km2 = 1000 * value / area_km2`` (per 1,000 km²: Ningxia's counties span roughly 1,000-7,000
    km², so the numbers stay readable). Only additive kinds are normalised (a rate per person means
    nothing); others get NaN. The reference row is the same year, else the nearest earlier/later year
    (``reference_year``, see :func:`analysis.stats.population.align_reference`).
    """
    out = df.copy()
    ref = align_reference(out[["year", "region_code"]], reference)
    kinds = indicator_metadata()["kind"]
    additive = out["indicator"].map(kinds).isin(ADDITIVE_KINDS).to_numpy()
    v = out[value_col].to_numpy(dtype=float)
    pop = ref["population_10k"].to_numpy(dtype=float)
    area = ref["area_km2"].to_numpy(dtype=float)
    out["population_10k"] = pop
    out["area_km2"] = area
    out["reference_year"] = ref["reference_year"].to_numpy()
    per_pop = np.full(len(out), np.nan)
    per_area = np.full(len(out), np.nan)
    np.divide(v, pop, out=per_pop, where=additive & (pop > 0))
    np.divide(PER_AREA_KM2 * v, area, out=per_area, where=additive & (area > 0))
    out["per_10k_pop"] = per_pop
    out["per_1000km2"] = per_area
    return out


def compare_regions(table: pd.DataFrame, year: int, indicator: str | None = None,
                    reference: pd.DataFrame | None = None, value_col: str = "value") -> pd.DataFrame:
    """One comparison table for a year: rank, share of the peers' total, outlier and (optionally) normalised
    values per region and indicator.

    ``table`` is the tidy facts aggregated to one row per region and indicator (e.g.
    :func:`analysis.stats.derive.aggregate_facts`) or the summary table. Returns the rows of ``year`` (and
    ``indicator`` if given) with ``rank, n_peers, share, share_total, zscore, outlier`` and, with a
    reference table, ``per_10k_pop, per_1000km2``.
    """
    sel = table[table["year"] == year]
    if indicator is not None:
        sel = sel[sel["indicator"] == indicator]
    sel = sel.drop(columns=[c for c in ["rank", "n_peers", "outlier", "zscore", "method", "share", "share_total"]
                            if c in sel.columns])
    out = rank_within_peers(sel, value_col)
    out = province_share(out, value_col)
    out = robust_outliers(out, value_col)
    if reference is not None:
        out = normalise(out, reference, value_col)
    return out.sort_values(["indicator", "level", "rank"], ignore_index=True)
