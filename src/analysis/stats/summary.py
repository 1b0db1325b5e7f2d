"""The summary table: one row per year x region x indicator (base and derived), consumed by narrative and reports.

Columns (contract section 4, in this order): see :data:`SUMMARY_COLUMNS`.

How each column is computed (all vectorised: the grid is held as dense years x series matrices and peer
groups as one integer key, so the cost is linear in summary rows; no per-cell or per-group Python loops):

* ``value`` - facts aggregated per year/region/indicator (:func:`analysis.stats.derive.aggregate_facts`); derived
  indicators from the catalogue (:func:`analysis.stats.derive.derive_indicators`), rates in percent with their
  ``numerator``/``denominator`` counts (NaN for base indicators).
* rows - a (region, indicator) pair that has a value in at least one year gets a row for every year of
  the facts; a year without the figure is a row with ``value`` NaN and ``missing = True``. A rate whose denominator is 0 (e.g. 0 reviewed case files) has ``value`` NaN,
  ``denominator = 0`` and ``missing = False``: the figures are there, the rate is undefined.
* ``prev_year, prev_value, abs_change, pct_change, pct_change_status`` - exactly the year before
  (the rule of :func:`analysis.stats.trends.year_over_year`, applied by ``yoy_arrays``); statuses ``ok``, ``zero_base``, ``missing_base``,
  ``first_year`` and ``missing_value`` (current value missing). ``pct_change`` in percent, NaN unless ok.
* ``trend_label, trend_slope, trend_p, n_years`` - Mann-Kendall test and Theil-Sen slope over the years
  up to and including ``year`` (:func:`analysis.stats.trends.trend_matrix`, the core of ``trend_table``;
  expanding window, so a report on an
  earlier year never uses later data); ``数据不足`` below 4 years with a value.
* ``rank, n_peers`` - rank among regions of the same level in the same province, 1 = largest, ties share
  the minimum rank (:func:`analysis.stats.compare.rank_in_groups`, the rule of ``rank_within_peers``).
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

from analysis.stats.compare import MIN_OUTLIER_PEERS, province_code, rank_in_groups, robust_outliers
from analysis.stats.derive import aggregate_facts, derive_indicators, indicator_metadata
from analysis.stats.hierarchy import _parent_of, _parents
from analysis.stats.rates import Z998, funnel_limits
from analysis.stats.trends import PCT_STATUSES, TREND_LABELS, trend_matrix, yoy_arrays

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


_STR = pd.Series([], dtype="str").dtype


def _labels(labels) -> list:
    return [None if (x is None or (isinstance(x, float) and np.isnan(x))) else str(x) for x in labels]


def _str_column(labels, codes: np.ndarray, repeat: int = 1):
    """A ``str`` column whose row k is ``labels[codes[k]]`` (None or NaN in ``labels`` gives NaN), built by
    one pyarrow take instead of a million Python strings. With ``repeat``, the column is ``codes`` repeated
    that many times, held as chunks that share one buffer (a per-series label over all years)."""
    labels = _labels(labels)
    if getattr(_STR, "storage", None) == "pyarrow":
        import pyarrow as pa

        taken = pa.array(labels, type=pa.large_string()).take(pa.array(codes))
        return pd.array(pa.chunked_array([taken] * repeat) if repeat > 1 else taken, dtype=_STR)
    return pd.array(np.tile(np.asarray(labels, dtype=object)[codes], repeat), dtype=_STR)


def _codes(labels: pd.Index, values) -> np.ndarray:
    return labels.get_indexer(pd.Index(values, dtype=labels.dtype))


class _Grid:
    """The summary grid held densely: series (region x indicator, sorted) x years, plus per-region and
    per-indicator label tables; row ``y * n_series + s`` of the summary is series s in year y, which is
    exactly the order of ``sort_values(["year", "region_code", "indicator"])``."""

    def __init__(self, values: pd.DataFrame, agg: pd.DataFrame):
        defined = values["status"].isin(["ok", "zero_denominator"])
        pairs = values.loc[defined, SERIES_KEYS].drop_duplicates()
        regions = agg.sort_values("year").drop_duplicates("region_code", keep="last")[
            ["region_code", "region_name", "level"]]
        pairs = pairs.merge(regions, on="region_code", how="inner").sort_values(SERIES_KEYS, ignore_index=True)
        self.years = np.sort(agg["year"].unique()).astype(int)
        self.regions = pd.Index(pairs["region_code"].unique())  # sorted, as pairs are
        self.indicators = pd.Index(np.sort(pairs["indicator"].unique()))
        self.region_of = _codes(self.regions, pairs["region_code"])
        self.indicator_of = _codes(self.indicators, pairs["indicator"])
        first = pairs.drop_duplicates("region_code")
        self.region_name = first["region_name"].tolist()
        self.level = first["level"].tolist()
        n_s, n_y = len(pairs), len(self.years)
        self.n_series = n_s
        key = self.region_of.astype(np.int64) * len(self.indicators) + self.indicator_of
        r = _codes(self.regions, values["region_code"])
        i = _codes(self.indicators, values["indicator"])
        vkey = r.astype(np.int64) * len(self.indicators) + i
        pos = np.searchsorted(key, vkey).clip(0, max(n_s - 1, 0))
        hit = (r >= 0) & (i >= 0) & (key[pos] == vkey) if n_s else np.zeros(len(values), dtype=bool)
        s_idx = pos[hit]
        y_idx = np.searchsorted(self.years, values["year"].to_numpy(dtype=int)[hit])

        def dense(col, fill, dtype):
            m = np.full((n_y, n_s), fill, dtype=dtype)
            m[y_idx, s_idx] = values[col].to_numpy(dtype=dtype)[hit]
            return m

        # Matrices are years x series, so ravel() gives the summary's row order.
        self.value = dense("value", np.nan, float)
        self.numerator = dense("numerator", np.nan, float)
        self.denominator = dense("denominator", np.nan, float)
        self.approx = dense("approx", False, bool)
        self.missing = np.ones((n_y, n_s), dtype=bool)  # no figure at all, or a missing term of a rate
        self.missing[y_idx, s_idx] = values["status"].str.startswith("missing").to_numpy(dtype=bool)[hit]

    def rows(self, per_series: np.ndarray) -> np.ndarray:
        """A per-series array repeated for every year (summary row order)."""
        return np.tile(per_series, len(self.years))


def _outliers(value: np.ndarray, num: np.ndarray, den: np.ndarray, is_rate: np.ndarray,
              peers: np.ndarray) -> np.ndarray:
    """Funnel (99.8 %) flags for proportions, modified z-score flags for everything else; ``peers`` numbers
    the peer groups (year, indicator, level, province) 0 .. G-1. Group statistics are computed over the rows
    that take part (a row without a value adds nothing to a sum, a count or a median)."""
    n_groups = int(peers.max()) + 1 if len(peers) else 0
    binomial = is_rate & ~np.isnan(num) & ~np.isnan(den) & (den > 0) & (num >= 0) & (num <= den)

    def group_sum(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        sums = pd.Series(x[rows]).groupby(peers[rows], sort=False).sum()
        full = np.zeros(n_groups)
        full[sums.index.to_numpy()] = sums.to_numpy()
        return full[peers]

    # Proportions: funnel limits around the pooled rate of the peers (counting only valid proportions).
    s_num = group_sum(num, binomial)
    s_den = group_sum(den, binomial)
    n_units = np.bincount(peers[binomial], minlength=n_groups)[peers]
    p0 = np.full(len(value), np.nan)
    np.divide(s_num, s_den, out=p0, where=s_den > 0)
    rate = np.full(len(value), np.nan)
    np.divide(num, den, out=rate, where=binomial)
    low, high = funnel_limits(np.nan_to_num(p0), np.where(binomial, den, 0.0), Z998)
    with np.errstate(invalid="ignore"):
        funnel_flag = binomial & (n_units >= MIN_OUTLIER_PEERS) & ((rate < low) | (rate > high))
    # A peer group is judged by the funnel only when every value in it is a proportion; a rate that can
    # exceed 100 % in some region (stop orders per violation) falls back to the modified z-score.
    has = ~np.isnan(value)
    n_values = np.bincount(peers[has], minlength=n_groups)[peers]
    funnel_group = is_rate & (n_units == n_values)
    # Everything else: modified z-score among peers (rows without a value are never outliers).
    other = ~funnel_group
    judged = np.flatnonzero(other & has)
    z = robust_outliers(pd.DataFrame({"_v": value[judged], "_g": peers[judged]}), value_col="_v", by=["_g"])
    z_flag = np.zeros(len(value), dtype=bool)
    z_flag[judged] = z["outlier"].to_numpy(dtype=bool)
    return np.where(other, z_flag, funnel_flag)


def _peer_groups(grid: _Grid, parent_levels: np.ndarray) -> np.ndarray:
    """Per summary row, its peer group (PEER_KEYS: year, indicator, level, province) numbered 0 .. G-1."""
    level, _ = pd.factorize(pd.Series(parent_levels, dtype=object), use_na_sentinel=False)
    prov, _ = pd.factorize(province_code(pd.Series(grid.regions)), use_na_sentinel=False)
    n_ind, n_lev, n_prov = len(grid.indicators), level.max() + 1, prov.max() + 1
    per_series = (grid.indicator_of.astype(np.int64) * n_lev + level[grid.region_of]) * n_prov + prov[grid.region_of]
    year = np.repeat(np.arange(len(grid.years), dtype=np.int64), grid.n_series)
    return pd.factorize(year * (n_ind * n_lev * n_prov) + grid.rows(per_series))[0]


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

    The grid is held as dense years x series matrices (:class:`_Grid`), so year-over-year changes are a
    shift along the years, the trends one :func:`~analysis.stats.trends.trend_matrix` call, and ranks and
    outliers groupbys on one integer peer key; the cost is linear in the number of summary rows.
    """
    agg = aggregate_facts(facts)
    if agg.empty:
        return _empty()
    values = _values(agg, reference)
    grid = _Grid(values, agg)
    if grid.n_series == 0:
        return _empty()
    n_y, n_s = len(grid.years), grid.n_series
    series_of_row = grid.rows(np.arange(n_s))
    indicator_row = grid.indicator_of[series_of_row]
    year = np.repeat(grid.years.astype(np.int64), n_s)

    meta = indicator_metadata().reindex(grid.indicators)
    names = meta["name_zh"].where(meta["name_zh"].notna(), pd.Series(grid.indicators, index=meta.index))
    lag = meta["evaluation_lag"].fillna(0).astype(int).to_numpy()
    kind = meta["kind"].to_numpy(dtype=object)
    level_of_region = np.asarray(grid.level, dtype=object)
    parent = _parent_of(pd.Series(grid.regions, dtype=str), pd.Series(level_of_region), _parents(regions)).fillna("")

    # Year over year: the previous year is exactly year - 1 (a gap in the years is not bridged).
    value = grid.value
    prev = np.full_like(value, np.nan)
    consecutive = np.flatnonzero(np.diff(grid.years) == 1) + 1
    prev[consecutive] = value[consecutive - 1]
    has = ~np.isnan(value)
    first = np.where(has.any(axis=0), grid.years[has.argmax(axis=0)], np.nan)
    cur_f, prev_f = value.ravel(), prev.ravel()
    pct, pct_status = yoy_arrays(cur_f, prev_f, year, np.tile(first, n_y))

    trend = trend_matrix(value.T, grid.years, expanding=True)

    peers = _peer_groups(grid, level_of_region)
    rank, n_peers = rank_in_groups(cur_f, peers)
    num_f, den_f = grid.numerator.ravel(), grid.denominator.ravel()
    outlier = _outliers(cur_f, num_f, den_f, (kind == "rate")[indicator_row], peers)

    def per_series(labels, codes):
        return _str_column(labels, codes, repeat=n_y)

    reg_s, ind_s = grid.region_of, grid.indicator_of
    columns = {
        "year": year,
        "region_code": per_series(grid.regions, reg_s),
        "region_name": per_series(grid.region_name, reg_s),
        "level": per_series(level_of_region, reg_s),
        "parent_code": per_series(parent.tolist(), reg_s),
        "indicator": per_series(grid.indicators, ind_s),
        "name_zh": per_series(names.tolist(), ind_s),
        **{c: per_series(meta[c].tolist(), ind_s) for c in ["unit", "kind", "category", "direction"]},
        "value": cur_f,
        "numerator": num_f,
        "denominator": den_f,
        "prev_year": year - 1,
        "prev_value": prev_f,
        "abs_change": cur_f - prev_f,
        "pct_change": pct,
        "pct_change_status": _str_column(PCT_STATUSES, pct_status),
        "trend_label": _str_column(TREND_LABELS, trend["label"].ravel()),
        "trend_slope": trend["slope"].ravel(),
        "trend_p": trend["p"].ravel(),
        "n_years": trend["n"].ravel(),
        "rank": pd.array(rank, dtype="Int64"),
        "n_peers": n_peers,
        "outlier": outlier.astype(bool),
        "approx": grid.approx.ravel(),
        "missing": grid.missing.ravel(),
        "evaluated_year": year - lag[indicator_row],
        "is_sample": np.full(len(year), bool(is_sample)),
    }
    return pd.DataFrame(columns, copy=False)[SUMMARY_COLUMNS]
