"""Hierarchy consistency: roll counties up to cities and cities up to the province, compare with reported totals.

Method: for additive indicators (kinds count, money, people) the rolled-up value of a parent is the sum of
its direct children's values (counties -> city, cities -> province) in the same year. Derived rates are
re-derived from the summed numerators and denominators of the children that have both (never the mean of
the children's rates), see :func:`analysis.stats.derive.aggregate_ratios`.

The parent of a region comes from ``catalogs/regions.csv`` (``parent_code``); a code missing from the
catalogue falls back to the GB/T 2260 rule (county ``xxyyzz`` -> city ``xxyy00``, city -> ``xx0000``).

A mismatch is a flag for review, not an error: a province's figure may include the provincial
department's own cases, a city's may include its own bureau's, and a child may not have reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.derive import (
    ADDITIVE_KINDS,
    aggregate_facts,
    aggregate_ratios,
    derive_indicators,
    indicator_catalog,
    region_catalog,
)

CHILD_OF = {"county": "city", "city": "province"}


def _parents(regions: pd.DataFrame | None) -> pd.DataFrame:
    reg = region_catalog() if regions is None else regions.copy()
    reg["code"] = reg["code"].astype(str)
    reg["parent_code"] = reg["parent_code"].fillna("").astype(str)
    return reg[["code", "name", "level", "parent_code"]]


def _parent_of(codes: pd.Series, levels: pd.Series, reg: pd.DataFrame) -> pd.Series:
    cat = reg.set_index("code")["parent_code"]
    parent = codes.map(cat)
    rule = np.where(levels == "county", codes.str[:4] + "00", np.where(levels == "city", codes.str[:2] + "0000", ""))
    parent = parent.where(parent.notna() & (parent != ""), pd.Series(rule, index=codes.index))
    return parent.replace("", np.nan)


def _children_rows(agg: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    rows = agg[agg["level"].isin(list(CHILD_OF))].copy()
    rows["parent_code"] = _parent_of(rows["region_code"].astype(str), rows["level"], reg)
    rows["child_level"] = rows["level"]
    rows["level"] = rows["child_level"].map(CHILD_OF)
    # A province's direct children may be counties (a municipality's districts, 省直辖县级 units such as 仙桃市):
    # the parent's level comes from the catalogue, and all its direct children form one group, named by the
    # cities among them when there are any, so a province is the sum of its cities and its direct counties.
    levels = reg.set_index("code")["level"]
    listed = reg[reg["parent_code"] != ""]
    kids = (listed["level"] == "city").groupby(listed["parent_code"]).any().map({True: "city", False: "county"})
    rows["level"] = rows["parent_code"].map(levels).fillna(rows["level"])
    rows["child_level"] = rows["parent_code"].map(kids).fillna(rows["child_level"])
    return rows.dropna(subset=["parent_code"])


def rollup(facts: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sum additive indicators of the children of every city and province, per year.

    Returns one row per ``year x parent x indicator`` with ``region_code`` (the parent), ``region_name``,
    ``level`` (of the parent), ``child_level``, ``indicator``, ``value`` (the sum), ``n_children`` (children
    with a value), ``n_children_expected`` (children in the region catalogue) and ``approx`` (any child
    approximate).
    """
    reg = _parents(regions)
    agg = aggregate_facts(facts) if "n_rows" not in facts.columns else facts
    kinds = indicator_catalog().set_index("code")["kind"]
    agg = agg[agg["indicator"].map(kinds).isin(ADDITIVE_KINDS)]
    ch = _children_rows(agg, reg)
    out = ch.groupby(["year", "parent_code", "level", "child_level", "indicator"], sort=True).agg(
        value=("value", "sum"), n_children=("value", "size"), approx=("approx", "any")).reset_index()
    expected = reg[reg["parent_code"] != ""].groupby("parent_code").size().rename("n_children_expected")
    out = out.merge(expected, how="left", left_on="parent_code", right_index=True)
    out["n_children_expected"] = out["n_children_expected"].fillna(0).astype(int)
    names = reg.set_index("code")["name"]
    out = out.rename(columns={"parent_code": "region_code"})
    out["region_name"] = out["region_code"].map(names)
    return out[["year", "region_code", "region_name", "level", "child_level", "indicator", "value", "n_children",
                "n_children_expected", "approx"]]


def rollup_derived(facts: pd.DataFrame, regions: pd.DataFrame | None = None,
                   reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Derived indicators of every city and province re-derived from their children's counts.

    Method: ``scale * sum(child numerators) / sum(child denominators)`` over the children that have both
    (:func:`analysis.stats.derive.aggregate_ratios`). Returns ``year, region_code, level, child_level, indicator,
    numerator, denominator, value, status, n_units``.
    """
    reg = _parents(regions)
    der = derive_indicators(facts, reference=reference)
    ch = _children_rows(der, reg)
    out = aggregate_ratios(ch, by=["year", "parent_code", "level", "child_level"])
    return out.rename(columns={"parent_code": "region_code"})


def check_hierarchy(facts: pd.DataFrame, regions: pd.DataFrame | None = None, abs_tol: float = 0.5,
                    rel_tol: float = 0.0) -> pd.DataFrame:
    """Compare reported city/province totals with the sum of their children (additive indicators).

    ``difference = reported - rolled_up``; ``rel_difference = difference / |reported|`` (NaN when reported
    is 0). ``status``:

    * ``no_reported_total`` - the parent has no figure for that indicator and year;
    * ``match`` - ``|difference| <= max(abs_tol, rel_tol * |reported|)`` (default 0.5: integers must agree,
      money in 万元 may differ by rounding);
    * ``incomplete_children`` - differs, but fewer children reported than the catalogue lists and the sum
      is below the total (the gap may be the missing children);
    * ``mismatch`` - differs otherwise.

    Returns one row per ``year x parent x indicator`` with ``region_code, region_name, level, child_level,
    indicator, reported, rolled_up, difference, rel_difference, n_children, n_children_expected, approx,
    status``.
    """
    agg = aggregate_facts(facts)
    roll = rollup(agg, regions).rename(columns={"value": "rolled_up"})
    rep = agg[["year", "region_code", "indicator", "value", "approx"]].rename(
        columns={"value": "reported", "approx": "_rep_approx"})
    out = roll.merge(rep, how="left", on=["year", "region_code", "indicator"])
    out["approx"] = out["approx"] | out["_rep_approx"].fillna(False).astype(bool)
    rep_v = out["reported"].to_numpy(dtype=float)
    diff = rep_v - out["rolled_up"].to_numpy(dtype=float)
    rel = np.full(len(out), np.nan)
    np.divide(diff, np.abs(rep_v), out=rel, where=~np.isnan(rep_v) & (rep_v != 0))
    tol = np.maximum(abs_tol, rel_tol * np.abs(rep_v))
    incomplete = out["n_children"].to_numpy() < out["n_children_expected"].to_numpy()
    out["difference"] = diff
    out["rel_difference"] = rel
    out["status"] = np.select(
        [np.isnan(rep_v), np.abs(diff) <= tol, incomplete & (diff > 0)],
        ["no_reported_total", "match", "incomplete_children"], default="mismatch")
    return out[["year", "region_code", "region_name", "level", "child_level", "indicator", "reported",
                "rolled_up", "difference", "rel_difference", "n_children", "n_children_expected", "approx",
                "status"]]


# --------------------------------------------------------------------------- filling in parents' figures

ROLLED_UP_SOURCE = "（由下级汇总）"
"""``source_file`` of a fact that :func:`with_rollups` added (a sum of children, not a reported cell)."""


def _rollup_rows(facts: pd.DataFrame, level: str) -> pd.DataFrame:
    """Fact rows for parents of ``level`` without a figure whose catalogue children all have one."""
    roll = rollup(facts)
    roll = roll[(roll["level"] == level) & (roll["n_children_expected"] > 0)
                & (roll["n_children"] == roll["n_children_expected"])]
    have = facts[["year", "region_code", "indicator"]].drop_duplicates()
    roll = roll.merge(have.assign(_have=True), on=["year", "region_code", "indicator"], how="left")
    roll = roll[roll["_have"].isna()]
    if roll.empty:
        return roll.iloc[0:0]
    units = indicator_catalog().set_index("code")["unit"]
    return pd.DataFrame({
        "year": roll["year"].astype(int).to_numpy(),
        "region_code": roll["region_code"].astype(str).to_numpy(),
        "region_name": roll["region_name"].astype(str).to_numpy(),
        "level": level,
        "agency": "",
        "indicator": roll["indicator"].to_numpy(),
        "value": roll["value"].astype(float).to_numpy(),
        "unit": roll["indicator"].map(units).fillna("").to_numpy(),
        "approx": roll["approx"].astype(bool).to_numpy(),
        "source_file": ROLLED_UP_SOURCE,
        "source_sheet": "",
        "source_cell": "",
        "rolled_up": True,
    })


def with_rollups(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts plus rolled-up figures for parents that did not report an additive indicator.

    Method: :func:`rollup` sums the children's values (counts, money, people). A city (then, with the
    cities completed, the province) that has no reported figure for an indicator and year gets the sum
    when *every* child listed in the region catalogue reported one; a parent with only some children
    reporting is left without a figure (a partial sum would understate it). Reported figures are never
    replaced. The added rows have ``rolled_up=True``, ``source_file="（由下级汇总）"``
    (:data:`ROLLED_UP_SOURCE`) and empty sheet/cell; original rows get ``rolled_up=False``.
    """
    out = facts.copy()
    out["rolled_up"] = False
    if out.empty:
        return out
    for level in ("city", "province"):  # counties -> cities first, so cities can feed the province
        extra = _rollup_rows(out, level)
        if len(extra):
            extra = extra.reindex(columns=out.columns)
            extra["rolled_up"] = True
            out = pd.concat([out, extra], ignore_index=True)
    out["rolled_up"] = out["rolled_up"].astype(bool)
    return out
