"""Case totals against the yearly tables: decisions (penalties_total) and 罚没款 (fines_collected).

For each region and year where both exist, the case records of every agency in the region (its own bureau and
the units below it, by the catalogue's parents) are summed and compared with the region's table figure (after
:func:`analysis.processed.preferred_scope`, so a whole-region figure is not added to a bureau's own one).
A difference beyond the catalogue's tolerance (``reconcile_tolerance.csv``) is a finding; every compared pair
is a row of ``case_reconcile.csv``.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalog import Catalog
from analysis.catalog.cases import CaseCatalog
from analysis.clean.findings import QualityReport
from analysis.processed import preferred_scope

RECONCILE_COLUMNS = ["year", "region_code", "region_name", "level", "indicator", "indicator_name", "unit",
                     "cases_value", "table_value", "difference", "tolerance", "within_tolerance", "table_source"]


def _rolled_up(case_facts: pd.DataFrame, catalog: Catalog, indicators) -> pd.DataFrame:
    """Case totals per (year, region, indicator), each agency's figure added to its region and every ancestor."""
    base = case_facts[case_facts["indicator"].isin(indicators)]
    base = base.groupby(["year", "region_code", "indicator"], as_index=False)["value"].sum()
    ancestors = catalog.resolver.ancestors
    rows = []
    for r in base.itertuples(index=False):
        for code in (r.region_code, *ancestors.get(r.region_code, ())):
            rows.append((int(r.year), code, r.indicator, float(r.value)))
    frame = pd.DataFrame(rows, columns=["year", "region_code", "indicator", "cases_value"])
    return frame.groupby(["year", "region_code", "indicator"], as_index=False)["cases_value"].sum()


def _fmt(value: float) -> str:
    return f"{round(value, 6):,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"


def reconcile(facts: pd.DataFrame, case_facts: pd.DataFrame, catalog: Catalog, cases: CaseCatalog,
              report: QualityReport) -> pd.DataFrame:
    """The reconciliation table; a ``case_reconcile_difference`` finding for each row beyond tolerance."""
    indicators = [i for i in cases.tolerance if i in catalog.indicators]
    if facts.empty or case_facts.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    tables = facts[facts["indicator"].isin(indicators)]
    if "source_kind" in tables:
        tables = tables[tables["source_kind"].fillna("table") == "table"]
    tables = preferred_scope(tables)
    if tables.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    # One figure per (year, region, indicator): files repeating it (two forms) must agree, so take the first.
    firsts = tables.sort_values(["source_file", "source_cell"], kind="stable")
    table_values = (firsts.groupby(["year", "region_code", "indicator", "source_file"], as_index=False)["value"].sum()
                    .groupby(["year", "region_code", "indicator"], as_index=False)
                    .agg(table_value=("value", "first"), table_source=("source_file", "first")))
    merged = _rolled_up(case_facts, catalog, indicators).merge(table_values, on=["year", "region_code", "indicator"])
    if merged.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    merged["difference"] = (merged["cases_value"] - merged["table_value"]).round(6)
    tol = merged["indicator"].map(lambda i: cases.tolerance[i][0]) + merged["indicator"].map(
        lambda i: cases.tolerance[i][1]) * merged["table_value"].abs()
    merged["tolerance"] = tol.round(6)
    merged["within_tolerance"] = merged["difference"].abs() <= merged["tolerance"] + 1e-9
    merged["region_name"] = merged["region_code"].map(lambda c: catalog.regions[c].name)
    merged["level"] = merged["region_code"].map(lambda c: catalog.regions[c].level)
    merged["indicator_name"] = merged["indicator"].map(lambda i: catalog.indicators[i].name_zh)
    merged["unit"] = merged["indicator"].map(lambda i: catalog.indicators[i].unit)
    merged = merged.sort_values(["year", "region_code", "indicator"], kind="stable").reset_index(drop=True)
    for r in merged[~merged["within_tolerance"]].itertuples(index=False):
        report.add("case_reconcile_difference", file=r.table_source, raw_value=_fmt(r.cases_value),
                   year=int(r.year), region=r.region_name, indicator=r.indicator_name,
                   cases=f"{_fmt(r.cases_value)}{r.unit}", table=f"{_fmt(r.table_value)}{r.unit}",
                   diff=f"{_fmt(r.difference)}{r.unit}", tolerance=f"{_fmt(r.tolerance)}{r.unit}")
    return merged[RECONCILE_COLUMNS]
