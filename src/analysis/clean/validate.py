"""Validation of the tidy facts: pandera schema plus domain rules. Problems become findings.

Order: duplicates across sources, compared within one scope (identical -> merged, info; conflicting ->
the source with precedence is used and the other gets ``source_conflict``, or, when no source has
precedence, both are dropped with ``duplicate_conflict``),
value rules by indicator kind (negative count, fractional count, rate above 100), the pandera
schema (violations dropped with a finding each), then the consistency checks that only warn:
parts vs total (penalty categories vs 合计, case-file grades vs reviewed) and parent vs the sum
of its children (city vs its counties, province vs its cities) when every child is present.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.catalog import Catalog
from analysis.clean.findings import QualityReport
from analysis.processed import FACT_COLUMNS, facts_schema, preferred_scope, with_fact_defaults

PENALTY_PART_CATEGORIES = ("penalty", "penalty_merged")
CASEFILE_PARTS = ("casefile_excellent", "casefile_passed", "casefile_failed")
KEY = ["year", "region_code", "indicator"]
#: Which of several sources stating one figure the reports use (documented in docs/contracts.md section 1).
#: Two sources of the same kind (two tables, two texts) have no precedence: a disagreement drops both.
PRECEDENCE_RULE = (
    "统计表优先于文字叙述（如来函正文与所附统计表不一致时采用统计表）",
    "a table over running text (where a letter and its attached table disagree, the table is used)",
)


def _fmt(x: float) -> str:
    if x is None or not math.isfinite(x):
        return str(x)
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _where(row, evidence: bool = False) -> str:
    where = f"{row['source_file']}!{row['source_sheet']}!{row['source_cell']}"
    return f"{where}「{_clip(row.get('evidence') or '')}」" if evidence and row.get("evidence") else where


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _evidence(row) -> str:
    """The evidence of a fact: its sentence for a text figure, its cell for a table figure."""
    if row.get("evidence"):
        return f"「{_clip(row['evidence'])}」"
    return f"{row['source_file']}!{row['source_sheet']}!{row['source_cell']}"


def _add(report: QualityReport, code: str, row, **params) -> None:
    cell = str(row["source_cell"])
    if row.get("evidence_span"):
        cell = f"{cell}:{row['evidence_span']}"  # a text figure: sentence and character span, as text findings
    report.add(code, file=row["source_file"], sheet=row["source_sheet"], cell=cell,
               raw_value=row.get("raw_value", ""), **params)


def _close(a: float, b: float, kind: str, n: int = 1) -> bool:
    tol = 1e-6 * max(1.0, abs(a), abs(b))
    if kind == "money":
        tol += 0.005 * max(1, n)
    return abs(a - b) <= tol


def validate_facts(facts: pd.DataFrame, catalog: Catalog, report: QualityReport) -> pd.DataFrame:
    """Return the valid facts (``FACT_COLUMNS`` order, extra internal columns dropped)."""
    if facts.empty:
        return facts.reindex(columns=FACT_COLUMNS)
    df = facts.reset_index(drop=True).copy()
    if "raw_value" not in df:
        df["raw_value"] = ""
    if "from_total" not in df:
        df["from_total"] = False
    df = with_fact_defaults(df)
    df = _deduplicate(df, catalog, report)
    df = _value_rules(df, catalog, report)
    df = _schema(df, catalog, report)
    checked = preferred_scope(df)  # one figure per key for the consistency checks: the whole region's
    _parts_rules(checked, catalog, report)
    _hierarchy_rules(checked, catalog, report)
    return df[FACT_COLUMNS].reset_index(drop=True)


def _rank(row: dict) -> int:
    """Precedence of a source (lower wins): see :data:`PRECEDENCE_RULE`."""
    return 1 if row.get("source_kind", "table") == "text" else 0


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def _deduplicate(df: pd.DataFrame, catalog: Catalog, report: QualityReport) -> pd.DataFrame:
    """One figure per (year, region, indicator, scope); a whole-region and an agency figure never collide.

    Identical values merge (the highest-precedence source is kept). Different values: when one source
    has precedence over the others, it is used and every other one gets a ``source_conflict`` finding
    naming both sources and their evidence; when the top sources disagree among themselves, none is
    used (``duplicate_conflict`` for each).
    """
    drop: list[int] = []
    keys = [*KEY, "scope"]
    dup = df[df.duplicated(keys, keep=False)]
    if dup.empty:
        return df
    records = dict(zip(dup.index, dup.to_dict("records")))  # once: per-group to_dict dominated at national size
    for _, group in dup[keys].groupby(keys, sort=False):
        rows = sorted(((i, records[i]) for i in group.index), key=lambda ir: _rank(ir[1]))
        top = [(i, r) for i, r in rows if _rank(r) == _rank(rows[0][1])]
        ind = catalog.indicators.get(rows[0][1]["indicator"])
        name = ind.name_zh if ind else rows[0][1]["indicator"]
        if not all(_same(r["value"], top[0][1]["value"]) for _, r in top):
            for i, (idx, row) in enumerate(rows):
                other = rows[1][1] if i == 0 else rows[0][1]
                _add(report, "duplicate_conflict", row, region=row["region_name"], year=row["year"], indicator=name,
                     value=_fmt(row["value"]), other=_where(other), other_value=_fmt(other["value"]))
                drop.append(idx)
            continue
        winner = rows[0][1]
        for idx, row in rows[1:]:
            if _same(row["value"], winner["value"]):
                _add(report, "duplicate_identical", row, other=_where(winner), value=_fmt(row["value"]))
            else:
                _add(report, "source_conflict", row, region=row["region_name"], year=row["year"], indicator=name,
                     winner=_where(winner, evidence=True), winner_value=_fmt(winner["value"]),
                     value=_fmt(row["value"]), evidence=_evidence(row), rule_zh=PRECEDENCE_RULE[0],
                     rule_en=PRECEDENCE_RULE[1])
            drop.append(idx)
    return df.drop(index=drop)


def _value_rules(df: pd.DataFrame, catalog: Catalog, report: QualityReport) -> pd.DataFrame:
    drop: list[int] = []
    for idx, row in zip(df.index, df.to_dict("records")):
        ind = catalog.indicators.get(row["indicator"])
        if ind is None:
            continue
        v = float(row["value"])
        if not math.isfinite(v):
            continue
        if ind.kind in ("count", "people", "rate") and v < 0:
            _add(report, "value_negative", row, indicator=ind.name_zh, value=_fmt(v))
            drop.append(idx)
        elif ind.kind in ("count", "people") and abs(v - round(v)) > 1e-9:
            _add(report, "value_fractional", row, indicator=ind.name_zh, value=_fmt(v))
        elif ind.kind == "rate" and v > 100 + 1e-9:
            _add(report, "rate_over_100", row, indicator=ind.name_zh, value=_fmt(v))
            drop.append(idx)
    return df.drop(index=drop)


def _schema(df: pd.DataFrame, catalog: Catalog, report: QualityReport) -> pd.DataFrame:
    import pandera.errors as pe

    schema = facts_schema(catalog)
    try:
        schema.validate(df, lazy=True)
        return df
    except pe.SchemaErrors as err:
        cases = err.failure_cases
    bad: dict[int, str] = {}
    for _, case in cases.iterrows():
        idx = case.get("index")
        check = str(case.get("check") or case.get("schema_context") or "schema")
        col = case.get("column")
        label = f"{col}: {check}" if isinstance(col, str) and col else check
        if idx is None or (isinstance(idx, float) and math.isnan(idx)):
            continue
        bad.setdefault(int(idx), label)
    for idx, label in bad.items():
        if idx in df.index:
            _add(report, "schema_violation", df.loc[idx].to_dict(), check=label)
    return df.drop(index=[i for i in bad if i in df.index])


def _parts_rules(df: pd.DataFrame, catalog: Catalog, report: QualityReport) -> None:
    penalty_parts = {
        c for c, i in catalog.indicators.items() if i.category in PENALTY_PART_CATEGORIES and c != "penalties_total"
    }
    groups: dict[tuple, dict[str, dict]] = {}
    for row in df.to_dict("records"):
        groups.setdefault((row["year"], row["region_code"]), {})[row["indicator"]] = row
    for (year, _), by_ind in groups.items():
        total = by_ind.get("penalties_total")
        parts = [by_ind[c] for c in penalty_parts if c in by_ind]
        if total is not None and parts:
            s = sum(float(p["value"]) for p in parts)
            if not _close(s, float(total["value"]), "count"):
                _add(report, "parts_sum_mismatch", total, region=total["region_name"], year=year,
                     total_name=catalog.indicators["penalties_total"].name_zh, total=_fmt(total["value"]), sum=_fmt(s))
        reviewed = by_ind.get("casefile_reviewed")
        if reviewed is not None and all(c in by_ind for c in CASEFILE_PARTS):
            s = sum(float(by_ind[c]["value"]) for c in CASEFILE_PARTS)
            if not _close(s, float(reviewed["value"]), "count"):
                _add(report, "parts_sum_mismatch", reviewed, region=reviewed["region_name"], year=year,
                     total_name=catalog.indicators["casefile_reviewed"].name_zh, total=_fmt(reviewed["value"]),
                     sum=_fmt(s))


def _hierarchy_rules(df: pd.DataFrame, catalog: Catalog, report: QualityReport) -> None:
    groups: dict[tuple, dict[str, dict]] = {}
    for row in df.to_dict("records"):
        groups.setdefault((row["year"], row["indicator"]), {})[row["region_code"]] = row
    for (year, indicator), rows in groups.items():
        ind = catalog.indicators.get(indicator)
        if ind is None or ind.kind == "rate":
            continue
        values = {code: row["value"] for code, row in rows.items()}
        for code, row in rows.items():
            if bool(row.get("from_total", False)):
                continue  # a 合计 row was already checked against the rows above it
            kids = [r.code for r in catalog.children(code)]
            if not kids or not all(k in values for k in kids):
                continue
            s = sum(float(values[k]) for k in kids)
            if not _close(s, float(row["value"]), ind.kind, len(kids)):
                _add(report, "hierarchy_mismatch", row, region=row["region_name"], year=year,
                     indicator=ind.name_zh, value=_fmt(row["value"]), sum=_fmt(s))
