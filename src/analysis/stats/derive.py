"""Derived indicators (rates and ratios) computed from tidy facts, declared in ``catalogs/derived_indicators.csv``.

Every derived indicator is ``value = scale * numerator / denominator`` where ``numerator`` and ``denominator``
are sums of base indicators written as expressions such as ``casefile_excellent+casefile_passed``. A term
starting with ``@`` (``@population_10k``, ``@area_km2``) names a column of the population/area reference
table (:mod:`analysis.stats.population`); such indicators are only computed when a reference table is supplied.

Numerator and denominator are kept next to the value, so a rate is re-aggregated over regions or years as
``sum(numerators) / sum(denominators)`` (:func:`aggregate_ratios`), never as the mean of the rates.

Missing is not zero: if any term of the numerator or the denominator is missing, the derived value is NaN
with status ``missing_numerator`` / ``missing_denominator``. A denominator of 0 gives NaN with status
``zero_denominator``; the result is never ``inf``.

This module also holds the small catalogue loaders the statistics modules share (indicators, derived
indicators, regions), read through :func:`analysis.catalog.loader.read_catalog_text`.
"""

from __future__ import annotations

from functools import lru_cache
from io import StringIO

import numpy as np
import pandas as pd

from analysis.catalog import read_catalog_text
from analysis.errors import CatalogError
from analysis.processed import preferred_scope

ADDITIVE_KINDS = frozenset({"count", "money", "people"})
DERIVED_COLUMNS = ["code", "name_zh", "name_en", "unit", "kind", "numerator", "denominator", "scale",
                   "direction", "category"]
REFERENCE_PREFIX = "@"
KEYS = ["year", "region_code"]


# --------------------------------------------------------------------------------------------------------
# Catalogue loaders
# --------------------------------------------------------------------------------------------------------
def _read_catalog_csv(name: str) -> pd.DataFrame:
    """A catalogue CSV as strings, from where :mod:`analysis.catalog.loader` reads it (the packaged file, or the
    ``ENFORCEMENT_CATALOG_DIR`` override), so the statistics see the user's regions and indicators too."""
    return pd.read_csv(StringIO(read_catalog_text(name)), dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _indicator_catalog() -> pd.DataFrame:
    df = _read_catalog_csv("indicators.csv")
    df["evaluation_lag"] = pd.to_numeric(df["evaluation_lag"].replace("", "0")).astype(int)
    return df


@lru_cache(maxsize=1)
def _derived_catalog() -> pd.DataFrame:
    df = _read_catalog_csv("derived_indicators.csv")
    missing = set(DERIVED_COLUMNS) - set(df.columns)
    if missing:
        raise CatalogError(f"derived_indicators.csv 缺少列：{sorted(missing)}",
                           f"derived_indicators.csv lacks columns {sorted(missing)}")
    df["scale"] = pd.to_numeric(df["scale"]).astype(float)
    base = set(_indicator_catalog()["code"])
    for row in df.itertuples():
        for term in parse_expression(row.numerator) + parse_expression(row.denominator):
            if not term.startswith(REFERENCE_PREFIX) and term not in base:
                raise CatalogError(f"派生指标 {row.code} 引用了未知指标 {term}",
                                   f"derived indicator {row.code} refers to unknown indicator {term}")
    lags = _indicator_catalog().set_index("code")["evaluation_lag"]
    df["evaluation_lag"] = [
        max([int(lags[t]) for t in parse_expression(n) + parse_expression(d) if t in lags.index] or [0])
        for n, d in zip(df["numerator"], df["denominator"])
    ]
    return df


@lru_cache(maxsize=1)
def _region_catalog() -> pd.DataFrame:
    return _read_catalog_csv("regions.csv")


def indicator_catalog() -> pd.DataFrame:
    """The base-indicator catalogue ``catalogs/indicators.csv`` (``evaluation_lag`` as int)."""
    return _indicator_catalog().copy()


def derived_catalog() -> pd.DataFrame:
    """The derived-indicator catalogue ``catalogs/derived_indicators.csv``.

    Adds ``evaluation_lag`` = the largest lag among the base indicators it is built from (case-file rates
    inherit lag 1 from the case-file counts). Unknown indicator codes in an expression raise
    :class:`~analysis.errors.CatalogError`.
    """
    return _derived_catalog().copy()


def region_catalog() -> pd.DataFrame:
    """The region catalogue ``catalogs/regions.csv`` (all columns as strings, empty parent = "")."""
    return _region_catalog().copy()


def indicator_metadata() -> pd.DataFrame:
    """Base and derived indicator metadata in one frame indexed by ``code``.

    Columns: ``name_zh, name_en, unit, kind, category, direction, evaluation_lag, derived``.
    """
    cols = ["code", "name_zh", "name_en", "unit", "kind", "category", "direction", "evaluation_lag"]
    base = _indicator_catalog()[cols].assign(derived=False)
    der = _derived_catalog()[cols].assign(derived=True)
    return pd.concat([base, der], ignore_index=True).set_index("code")


def parse_expression(expr: str) -> list[str]:
    """Split a catalogue expression ``a+b+@ref`` into its terms (only sums are allowed)."""
    terms = [t.strip() for t in str(expr).split("+")]
    if not all(terms):
        raise CatalogError(f"表达式无效：{expr!r}", f"invalid expression {expr!r}")
    return terms


# --------------------------------------------------------------------------------------------------------
# Facts -> one value per year x region x indicator
# --------------------------------------------------------------------------------------------------------
def aggregate_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Collapse tidy facts to one row per ``year x region_code x indicator``.

    Method: rows that repeat the same ``(year, region_code, agency, indicator, value)`` (the same figure
    published in two files) are counted once; different agencies of one region are then summed for additive
    kinds (count, money, people). For non-additive kinds (rates in the base catalogue) the value is kept if
    all rows agree and is NaN otherwise. ``approx`` is true when any contributing row is approximate.

    Returns columns ``year, region_code, region_name, level, indicator, value, approx, n_rows``.
    """
    cols = ["year", "region_code", "region_name", "level", "indicator", "value", "approx"]
    if facts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*cols, "n_rows"]})
    df = preferred_scope(facts).copy()  # a whole-region figure wins over its bureau's own (docs/contracts.md §1)
    if "agency" not in df.columns:
        df["agency"] = ""
    df["agency"] = df["agency"].fillna("").astype(str)
    df["approx"] = df["approx"].fillna(False).astype(bool) if "approx" in df.columns else False
    df["year"] = df["year"].astype(int)
    df["region_code"] = df["region_code"].astype(str)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    df = df.dropna(subset=["value"])
    df = df.drop_duplicates(subset=["year", "region_code", "agency", "indicator", "value"])
    kinds = _indicator_catalog().set_index("code")["kind"]
    additive = df["indicator"].map(kinds).isin(ADDITIVE_KINDS) | ~df["indicator"].isin(kinds.index)
    keys = ["year", "region_code", "indicator"]
    out = df.groupby(keys, sort=True).agg(
        value_sum=("value", "sum"), value_min=("value", "min"), value_max=("value", "max"),
        approx=("approx", "any"), n_rows=("value", "size"),
    ).reset_index()
    names = df.drop_duplicates(["year", "region_code"])[["year", "region_code", "region_name", "level"]]
    out = out.merge(names, on=["year", "region_code"], how="left")
    is_add = out["indicator"].isin(df.loc[additive, "indicator"].unique())
    agree = out["value_min"] == out["value_max"]
    out["value"] = np.where(is_add, out["value_sum"], np.where(agree, out["value_min"], np.nan))
    return out[[*cols, "n_rows"]]


def ratio_status(numerator, denominator) -> np.ndarray:
    """Status of ``numerator / denominator``: ``ok``, ``missing_numerator``, ``missing_denominator``,
    ``zero_denominator`` (vectorised; inputs broadcast as float arrays)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    return np.select(
        [np.isnan(num), np.isnan(den), den == 0],
        ["missing_numerator", "missing_denominator", "zero_denominator"],
        default="ok",
    )


def safe_ratio(numerator, denominator, scale: float = 1.0) -> np.ndarray:
    """``scale * numerator / denominator`` with NaN (never inf) when the denominator is 0 or missing."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = ~np.isnan(num) & ~np.isnan(den) & (den != 0)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(scale * num, den, out=out, where=ok)
    return out


def _reference_wide(index: pd.MultiIndex, reference: pd.DataFrame | None) -> pd.DataFrame:
    """Reference columns aligned on ``(year, region_code)``: same year, else nearest earlier, else later."""
    from analysis.stats.population import align_reference

    keys = index.to_frame(index=False)
    if reference is None:
        return pd.DataFrame(index=index)
    aligned = align_reference(keys, reference)
    return aligned.drop(columns=KEYS + ["reference_year"], errors="ignore").set_index(index)


def derive_indicators(facts: pd.DataFrame, reference: pd.DataFrame | None = None,
                      codes: list[str] | None = None, keep_unavailable: bool = False) -> pd.DataFrame:
    """Compute the derived indicators of the catalogue for every ``year x region`` in ``facts``.

    Method: ``value = scale * sum(numerator terms) / sum(denominator terms)`` per year and region, from the
    facts aggregated by :func:`aggregate_facts`. A missing term is not read as 0.

    Parameters
    ----------
    facts: tidy facts (contract section 1) or the output of :func:`aggregate_facts`.
    reference: optional population/area table (:func:`analysis.stats.population.load_reference` format); needed by
        indicators whose denominator names ``@population_10k`` or ``@area_km2``.
    codes: restrict to these derived codes (default: all of the catalogue).
    keep_unavailable: also return rows where no numerator term is present (by default a derived indicator
        exists for a region and year when at least one term of its numerator was reported, so an
        unreported penalty category does not produce a "missing" share row).

    Returns
    -------
    DataFrame with columns ``year, region_code, region_name, level, indicator, value, numerator,
    denominator, scale, unit, kind, status, approx``; ``status`` is one of ``ok``, ``zero_denominator``,
    ``missing_numerator``, ``missing_denominator``.
    """
    cols = ["year", "region_code", "region_name", "level", "indicator", "value", "numerator", "denominator",
            "scale", "unit", "kind", "status", "approx"]
    agg = facts if "n_rows" in facts.columns else aggregate_facts(facts)
    if agg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    cat = _derived_catalog()
    if codes is not None:
        cat = cat[cat["code"].isin(codes)]
    if reference is None:
        uses_ref = cat["numerator"].str.contains(REFERENCE_PREFIX, regex=False) | cat["denominator"].str.contains(
            REFERENCE_PREFIX, regex=False)
        cat = cat[~uses_ref]
    indexed = agg.set_index([*KEYS, "indicator"])
    wide = indexed["value"].unstack("indicator")
    approx_wide = indexed["approx"].astype(bool).unstack("indicator", fill_value=False)
    columns = {c: wide[c].to_numpy(dtype=float) for c in wide.columns}
    approx_cols = {c: approx_wide[c].to_numpy(dtype=bool) for c in approx_wide.columns}
    if reference is not None:
        ref = _reference_wide(wide.index, reference)
        for c in ref.columns:
            columns.setdefault(c, ref[c].to_numpy(dtype=float))
    n = len(wide)
    absent = np.full(n, np.nan)
    meta = agg.drop_duplicates(KEYS).set_index(KEYS)[["region_name", "level"]].reindex(wide.index)
    parts: dict[str, list] = {k: [] for k in ["rows", "indicator", "value", "numerator", "denominator", "scale",
                                               "unit", "kind", "status", "approx"]}
    for row in cat.itertuples(index=False):
        nterms = [t.lstrip(REFERENCE_PREFIX) for t in parse_expression(row.numerator)]
        dterms = [t.lstrip(REFERENCE_PREFIX) for t in parse_expression(row.denominator)]
        num, num_any = _sum_arrays([columns.get(t, absent) for t in nterms])
        den, _ = _sum_arrays([columns.get(t, absent) for t in dterms])
        keep = np.flatnonzero(np.ones(n, dtype=bool) if keep_unavailable else num_any)
        approx = np.zeros(n, dtype=bool)
        for t in nterms + dterms:
            if t in approx_cols:
                approx |= approx_cols[t]
        num, den = num[keep], den[keep]
        parts["rows"].append(keep)
        parts["indicator"].append(np.full(len(keep), row.code, dtype=object))
        parts["value"].append(safe_ratio(num, den, row.scale))
        parts["numerator"].append(num)
        parts["denominator"].append(den)
        parts["scale"].append(np.full(len(keep), row.scale))
        parts["unit"].append(np.full(len(keep), row.unit, dtype=object))
        parts["kind"].append(np.full(len(keep), row.kind, dtype=object))
        parts["status"].append(ratio_status(num, den))
        parts["approx"].append(approx[keep])
    if not parts["rows"]:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = np.concatenate(parts["rows"])
    out = pd.DataFrame({
        "year": wide.index.get_level_values("year").to_numpy()[rows],
        "region_code": wide.index.get_level_values("region_code").to_numpy()[rows],
        "region_name": meta["region_name"].to_numpy()[rows],
        "level": meta["level"].to_numpy()[rows],
        **{k: np.concatenate(v) for k, v in parts.items() if k != "rows"},
    })
    return out[cols]


def _sum_arrays(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sum of term arrays; NaN where any term is missing. Returns (total, any term present)."""
    stacked = np.vstack(arrays)
    present = ~np.isnan(stacked)
    total = np.where(present.all(axis=0), np.nansum(stacked, axis=0), np.nan)
    return total, present.any(axis=0)


def aggregate_ratios(derived: pd.DataFrame, by: list[str] | str) -> pd.DataFrame:
    """Re-aggregate derived indicators over groups: ``scale * sum(numerator) / sum(denominator)``.

    This is the only correct way to pool rates (a pooled pass rate is total passed files over total reviewed
    files); the mean of the rates would weight a county with 3 files like one with 300. Rows whose
    numerator or denominator is missing are left out of both sums (they carry no counts); the number of rows
    used is returned as ``n_units``.

    Parameters
    ----------
    derived: output of :func:`derive_indicators` (needs ``indicator, numerator, denominator, scale``).
    by: grouping columns in addition to ``indicator`` (e.g. ``"year"`` to pool regions per year).

    Returns columns ``*by, indicator, numerator, denominator, value, status, n_units``.
    """
    by = [by] if isinstance(by, str) else list(by)
    keys = [*by, "indicator"]
    ok = derived["numerator"].notna() & derived["denominator"].notna()
    g = derived[ok].groupby(keys, sort=True).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), scale=("scale", "first"),
        n_units=("numerator", "size"),
    ).reset_index()
    g["value"] = safe_ratio(g["numerator"], g["denominator"], 1.0) * g["scale"].to_numpy(dtype=float)
    g["status"] = ratio_status(g["numerator"], g["denominator"])
    return g[[*keys, "numerator", "denominator", "value", "status", "n_units"]]
