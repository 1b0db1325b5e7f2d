"""The case-record report (notebook 06_cases): 行政处罚结果公示 records, one row per decision.

The figures are queried in DuckDB from ``cases.duckdb`` (aggregates only: a national volume never has to
fit in memory); the largest decisions are the only rows read, and only their public columns (natural
persons are 个人, no ID number is ever selected). Sections: :func:`open_cases`, :func:`intro`,
:func:`amounts`, :func:`violations`, :func:`months`, :func:`agencies`, :func:`categories`, :func:`largest`,
:func:`reconciliation`, :func:`export`. Wording: ``present/narrative/reports/cases.yaml``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.catalog import load_catalog
from analysis.clean.cases.privacy import mask_text
from analysis.present.numbers import format_number
from analysis.processed import CASE_RECONCILE_CSV, CASES_DUCKDB
from analysis.views.context import Report, open_report
from analysis.views.display import Figure, Html, Section, Table, header_html, heading_html, paragraphs
from analysis.views.wording import say, template

COUNTED = "year = ? AND region_code <> '' AND coalesce(duplicate_of, '') = ''"
AMOUNT = "(coalesce(fine_wan, 0) + coalesce(confiscation_wan, 0))"
LARGEST_N = 10


def fmt(value, unit: str = "") -> str:
    return format_number(float(value), unit)


@dataclass
class CaseReport:
    rep: Report
    db: Path | None
    _has_year: bool | None = None

    @property
    def available(self) -> bool:
        return self.db is not None

    def query(self, sql: str, *params) -> pd.DataFrame:
        import duckdb

        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, list(params)).df()
        finally:
            con.close()

    def has_year(self) -> bool:
        if self._has_year is None:
            self._has_year = self.available and int(self.query(
                f"SELECT count(*) AS n FROM cases WHERE {COUNTED}", self.rep.year)["n"].iloc[0]) > 0
        return self._has_year

    def figure(self, fig, stem: str) -> Figure:
        return Figure(fig, self.rep.out_dir, stem)


def open_cases(processed_dir, year, output_dir="", province: str = "") -> CaseReport:
    """The report context plus the case table (``db`` is None when the data has no case records)."""
    rep = open_report(processed_dir, year, output_dir, summary=False, require_quality=False, with_reference=False,
                      province=province)
    db = rep.data.folder / CASES_DUCKDB
    return CaseReport(rep, db if db.is_file() else None)


def _header(cr: CaseReport) -> Html:
    return Html(header_html(say("cases", "markdown.title").lstrip("# "), cr.rep.is_sample))


def intro(cr: CaseReport) -> Section:
    """The method paragraph and the year's totals (or the note that the data has no case records)."""
    if not cr.available:
        return Section([_header(cr), paragraphs(say("cases", "intro.none"))])
    out = Section([_header(cr), paragraphs(say("cases", "intro.method"))])
    if not cr.has_year():
        return Section([*out, paragraphs(say("cases", "intro.no_year", year=cr.rep.year))])
    row = cr.query(f"SELECT count(*) AS n, count(DISTINCT agency) AS agencies, sum({AMOUNT}) AS fines, "
                   f"sum(CASE WHEN party_kind = 'natural' THEN 1 ELSE 0 END) AS persons FROM cases WHERE {COUNTED}",
                   cr.rep.year).iloc[0]
    return Section([*out, paragraphs(say("cases", "intro.summary", year=cr.rep.year, decisions=int(row["n"]),
                                         agencies=int(row["agencies"]), fines=fmt(row["fines"], "万元"),
                                         persons=int(row["persons"])))])


def section(key: str):
    """A section of the report: its heading (``markdown.<key>``) and blocks; nothing at all when the data has
    no case records for the year (the introduction says so), so the notebook needs no ``if``."""

    def wrap(func):
        @functools.wraps(func)
        def run(cr: CaseReport, *args, **kwargs) -> Section:
            if not cr.has_year():
                return Section()
            title = say("cases", f"markdown.{key}").lstrip("# ")
            return Section([Html(heading_html(title, 2)), *func(cr, *args, **kwargs)])

        return run

    return wrap


@section("amounts")
def amounts(cr: CaseReport) -> Section:
    from analysis.present.charts.cases import fine_histogram

    values = cr.query(f"SELECT {AMOUNT} AS amount FROM cases WHERE {COUNTED} AND {AMOUNT} > 0", cr.rep.year)
    if values.empty:
        return Section([paragraphs(say("cases", "amounts.none"))])
    s = values["amount"]
    text = say("cases", "amounts.text", n=len(s), median=fmt(s.median(), "万元"), largest=fmt(s.max(), "万元"))
    fig = fine_histogram(s, title=say("cases", "amounts.chart_title", year=cr.rep.year), **cr.rep.chart)
    return Section([paragraphs(text), cr.figure(fig, "cases_fine_histogram")])


def _columns(df: pd.DataFrame, key: str) -> pd.DataFrame:
    names = template("cases", f"{key}.columns")
    return df[list(names)].rename(columns=names)


@section("violations")
def violations(cr: CaseReport) -> Section:
    from analysis.present.charts.cases import case_bars

    df = cr.query(f"SELECT coalesce(nullif(violation_type, ''), '未注明') AS violation_type, count(*) AS decisions, "
                  f"round(sum({AMOUNT}), 4) AS fines_wan FROM cases WHERE {COUNTED} GROUP BY 1 "
                  "ORDER BY decisions DESC, violation_type", cr.rep.year)
    df["violation_type"] = df["violation_type"].map(mask_text)
    table = cr.rep.keep("违法行为类型", _columns(df, "violations"))
    fig = case_bars(df, "violation_type", title=say("cases", "violations.chart_title", year=cr.rep.year), **cr.rep.chart)
    return Section([Table(table, say("cases", "violations.caption", year=cr.rep.year)),
                    cr.figure(fig, "cases_violation_types")])


@section("months")
def months(cr: CaseReport) -> Section:
    from analysis.present.charts.cases import month_bars

    df = cr.query(f"SELECT month, count(*) AS decisions FROM cases WHERE {COUNTED} GROUP BY month ORDER BY month",
                  cr.rep.year)
    fig = month_bars(df, title=say("cases", "months.chart_title", year=cr.rep.year), **cr.rep.chart)
    return Section([cr.figure(fig, "cases_by_month")])


@section("agencies")
def agencies(cr: CaseReport) -> Section:
    from analysis.present.charts.cases import case_bars

    df = cr.query(f"SELECT agency, min(region_name) AS region_name, count(*) AS decisions, "
                  f"round(sum({AMOUNT}), 4) AS fines_wan FROM cases WHERE {COUNTED} GROUP BY agency "
                  "ORDER BY decisions DESC, agency", cr.rep.year)
    table = cr.rep.keep("处罚机关", _columns(df, "agencies"))
    fig = case_bars(df, "agency", top=20, title=say("cases", "agencies.chart_title", year=cr.rep.year), **cr.rep.chart)
    return Section([Table(table, say("cases", "agencies.caption", year=cr.rep.year)), cr.figure(fig, "cases_by_agency")])


@section("categories")
def categories(cr: CaseReport) -> Section:
    from analysis.present.charts.cases import case_bars

    df = cr.query(f"SELECT code AS indicator, count(*) AS decisions FROM (SELECT unnest(string_split(category_codes,"
                  f" ';')) AS code FROM cases WHERE {COUNTED}) WHERE code <> '' GROUP BY code "
                  "ORDER BY decisions DESC, code", cr.rep.year)
    names = {c: i.name_zh for c, i in load_catalog().indicators.items()}
    df["indicator_name"] = df["indicator"].map(names).fillna(df["indicator"])
    table = cr.rep.keep("处罚种类", _columns(df, "categories"))
    fig = case_bars(df, "indicator_name", title=say("cases", "categories.chart_title", year=cr.rep.year), **cr.rep.chart)
    return Section([Table(table, say("cases", "categories.caption", year=cr.rep.year)), paragraphs(say("cases", "categories.note")),
                    cr.figure(fig, "cases_by_category")])


@section("largest")
def largest(cr: CaseReport, n: int = LARGEST_N) -> Section:
    """The ``n`` decisions with the largest amounts; natural persons as 个人, no ID number selected."""
    df = cr.query(f"SELECT decision_no, party_public, agency, violation_type, "
                  f"strftime(decision_date, '%Y-%m-%d') AS decision_date, round({AMOUNT}, 4) AS amount_wan "
                  f"FROM cases WHERE {COUNTED} AND {AMOUNT} > 0 ORDER BY amount_wan DESC, decision_no LIMIT ?",
                  cr.rep.year, int(n))
    for col in ("decision_no", "party_public", "agency", "violation_type"):
        df[col] = df[col].map(mask_text)
    table = cr.rep.keep("最大处罚决定", _columns(df, "largest"))
    return Section([Table(table, say("cases", "largest.caption", year=cr.rep.year, n=len(df)))])


@section("reconcile")
def reconciliation(cr: CaseReport) -> Section:
    path = cr.rep.data.folder / CASE_RECONCILE_CSV
    df = pd.read_csv(path, encoding="utf-8-sig") if path.is_file() else pd.DataFrame()
    if not df.empty:
        df = df[df["year"] == cr.rep.year]
    if df.empty:
        return Section([paragraphs(say("cases", "reconcile.none"))])
    bad = df[~df["within_tolerance"].astype(bool)]
    items = "；".join(say("cases", "reconcile.item", region=r.region_name, indicator=r.indicator_name,
                         cases=fmt(r.cases_value, r.unit) + r.unit, table=fmt(r.table_value, r.unit) + r.unit)
                     for r in bad.itertuples(index=False))
    texts = [say("cases", "reconcile.ok", ok=int(len(df) - len(bad)))]
    if len(bad):
        texts.append(say("cases", "reconcile.differ", n=len(bad), items=items))
    shown = df.assign(within_tolerance=df["within_tolerance"].map(
        lambda ok: say("cases", "reconcile.agree") if ok else say("cases", "reconcile.disagree")))
    table = cr.rep.keep("核对", _columns(shown, "reconcile"))
    return Section([Table(table, say("cases", "reconcile.caption", year=cr.rep.year)), paragraphs(*texts)])


def export(cr: CaseReport) -> Section:
    return cr.rep.export("06_cases", note="tables" if cr.rep.tables else None)
