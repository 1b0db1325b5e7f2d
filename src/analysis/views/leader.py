"""What a department head asks first, as report sections of the yearly overview (notebook 02).

- :func:`change_by_city`: the year's change of the headline figures by city (which city fell?), a diverging
  bar chart and its table (data: :func:`change_frame`);
- :func:`enforcement_chain`: the chain 巡查 → 制止 → 通知书 → 立案 → 结案 of the province's year (data:
  :func:`chain_frame`);
- :func:`closure_rate`: 结案率 = cases closed / cases filed (the derived ``case_closure_rate``) for the province
  and by city, with the province's pooled rate as the reference line (data: :func:`closure_table`).

The sections are re-exported by :mod:`analysis.views.overview`, whose notebook calls them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.present.narrative import format_row as fmt
from analysis.views.context import Report
from analysis.views.display import Figure, Section, Table, paragraphs
from analysis.views.shaping import has_value, present, row_of
from analysis.views.word import for_word
from analysis.views.wording import join, say

CHAIN = ("patrols", "violations_stopped", "stop_orders", "cases_filed", "cases_closed")
"""The enforcement chain in order: 巡查 → 制止 → 通知书 → 立案 → 结案."""
CHANGE_INDICATORS = ("cases_filed", "fines_collected")
CLOSURE = "case_closure_rate"


def change_frame(summary: pd.DataFrame, year: int, indicator: str, level: str = "city") -> pd.DataFrame:
    """Regions of ``level`` with a value and a previous-year value of ``indicator`` in ``year``.

    Columns ``region_code, region_name, value, prev_value, change, pct_change, unit, kind``; ``change`` is
    ``value - prev_value`` and ``pct_change`` ``100 * change / |prev_value|`` (NaN on a zero base). Largest
    rise first, ties by region code.
    """
    rows = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == indicator)
                           & (summary["level"] == level)])
    rows = rows[rows["prev_value"].notna()]
    value = rows["value"].astype(float).to_numpy()
    prev = rows["prev_value"].astype(float).to_numpy()
    change = value - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev != 0, change / np.abs(prev) * 100, np.nan)
    out = pd.DataFrame({"region_code": rows["region_code"].astype(str).to_numpy(),
                        "region_name": rows["region_name"].astype(str).to_numpy(), "value": value,
                        "prev_value": prev, "change": change, "pct_change": pct,
                        "unit": rows["unit"].fillna("").astype(str).to_numpy(),
                        "kind": rows["kind"].fillna("").astype(str).to_numpy()})
    return out.sort_values(["change", "region_code"], ascending=[False, True]).reset_index(drop=True)


def change_table(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The table under the change chart: 地区, 本年, 上年, 增减 (numbers), 增减幅度（%） (a number, not text)."""
    unit = str(frame["unit"].iloc[0]) if len(frame) else ""
    suffix = f"（{unit}）" if unit else ""
    return pd.DataFrame({"地区": frame["region_name"].to_numpy(),
                         f"{int(year)}年{suffix}": frame["value"].to_numpy(dtype=float),
                         f"{int(year) - 1}年{suffix}": frame["prev_value"].to_numpy(dtype=float),
                         f"增减{suffix}": frame["change"].to_numpy(dtype=float),
                         "增减幅度（%）": frame["pct_change"].to_numpy(dtype=float)})


def chain_frame(summary: pd.DataFrame, region_code: str, year: int,
                stages: Sequence[str] = CHAIN) -> pd.DataFrame:
    """The chain's steps of one region and year in chain order: ``code, stage`` (Chinese name), ``value``
    (NaN when not reported), ``unit``, ``prev_value``. Steps the summary does not know are left out."""
    records = []
    for code in stages:
        r = row_of(summary, region_code, year, code)
        if r is None:
            continue
        records.append({"code": code, "stage": str(r["name_zh"]),
                        "value": float(r["value"]) if has_value(r) else np.nan,
                        "unit": "" if pd.isna(r["unit"]) else str(r["unit"]),
                        "prev_value": float(r["prev_value"]) if pd.notna(r["prev_value"]) else np.nan})
    return pd.DataFrame.from_records(records, columns=["code", "stage", "value", "unit", "prev_value"])


def closure_table(summary: pd.DataFrame, year: int, level: str = "city") -> pd.DataFrame:
    """结案率 by region of ``level``: 地区, 结案案件（起）, 立案查处案件（起）, 结案率（%） (from the derived
    ``case_closure_rate``: numerator = cases closed, denominator = cases filed), by region code."""
    rows = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == CLOSURE)
                           & (summary["level"] == level)]).sort_values("region_code")
    return pd.DataFrame({"地区": rows["region_name"].astype(str).to_numpy(),
                         "结案案件（起）": rows["numerator"].astype(float).to_numpy(),
                         "立案查处案件（起）": rows["denominator"].astype(float).to_numpy(),
                         "结案率（%）": rows["value"].astype(float).to_numpy()})


# --------------------------------------------------------------------------- sections


def _amount(row: pd.Series) -> str:
    """The size of a fall as prose writes it (``11起``, ``470.55万元``; a rate in points)."""
    from analysis.present.narrative import format_value
    from analysis.present.numbers import number_text

    if row["kind"] == "rate":
        return number_text(abs(float(row["change"])), 1) + "个百分点"
    return format_value(abs(float(row["change"])), row["unit"], row["kind"])


def _fall_pct(row: pd.Series) -> str:
    from analysis.present.numbers import number_text

    if row["kind"] == "rate" or not np.isfinite(row["pct_change"]):
        return ""
    return say("overview", "leader.change.fell_pct", pct=number_text(abs(float(row["pct_change"])), 1))


@for_word("overview")
def change_by_city(rep: Report, indicators: Sequence[str] = CHANGE_INDICATORS) -> Section:
    """Per indicator: one sentence on the cities that fell, the diverging bar chart and its table (kept)."""
    from analysis.present import charts

    out = Section()
    for code in indicators:
        frame = change_frame(rep.summary, rep.year, code, "city")
        meta = rep.summary[rep.summary["indicator"] == code]
        if meta.empty:
            continue
        name = str(meta["name_zh"].iloc[0])
        if frame.empty:
            out.append(paragraphs(say("overview", "leader.change.none", year=rep.year, name=name)))
            continue
        fell = frame[frame["change"] < 0]
        if len(fell):
            worst = fell.iloc[-1]
            text = say("overview", "leader.change.fell", year=rep.year, name=name, worst=worst["region_name"],
                       regions=join("common", "list_separator", fell["region_name"][::-1]),
                       amount=_amount(worst), pct=_fall_pct(worst))
        else:
            text = say("overview", "leader.change.none_fell", year=rep.year, name=name)
        unit = str(frame["unit"].iloc[0])
        fig = charts.change_bars(frame, unit=unit, indicator_name=name,
                                 percent_points=bool((frame["kind"] == "rate").all()),
                                 title=say("overview", "leader.change.title", name=name, year=rep.year),
                                 **rep.chart)
        table = rep.keep(say("overview", "leader.change.sheet", name=name), change_table(frame, rep.year))
        out.extend([paragraphs(text), Figure(fig, rep.out_dir, f"02_overview_change_by_city_{code}"),
                    Table(table, say("overview", "leader.change.caption", name=name, year=rep.year))])
    return out


def _chain_notes(summary: pd.DataFrame, region_code: str, year: int, frame: pd.DataFrame) -> list[str]:
    notes = []
    for code in frame["code"]:
        rate_code, key = {"stop_orders": ("stop_order_rate", "stop_note"),
                          "cases_closed": (CLOSURE, "closure_note")}.get(code, (None, None))
        r = row_of(summary, region_code, year, rate_code) if rate_code else None
        notes.append(say("overview", f"leader.chain.{key}", rate=fmt(r)) if has_value(r) else "")
    return notes


@for_word("overview")
def enforcement_chain(rep: Report) -> Section:
    """The province's chain 巡查 → 制止 → 通知书 → 立案 → 结案 of the year: the step chart and its table (kept)."""
    from analysis.present import charts

    prov, year = rep.province, rep.year
    frame = chain_frame(rep.summary, prov["code"], year)
    if frame.empty or frame["value"].notna().sum() == 0:
        return Section([paragraphs(say("overview", "leader.chain.none", year=year))])
    frame = frame.assign(note=_chain_notes(rep.summary, prov["code"], year, frame))
    fig = charts.enforcement_chain_chart(frame, title=say("overview", "leader.chain.title", region=prov["name"],
                                                          year=year), **rep.chart)
    table = rep.keep(say("overview", "leader.chain.sheet"),
                     pd.DataFrame({"环节": frame["stage"], "数量": frame["value"], "单位": frame["unit"],
                                   "上年": frame["prev_value"], "说明": frame["note"]}))
    return Section([Figure(fig, rep.out_dir, "02_overview_enforcement_chain"),
                    Table(table, say("overview", "leader.chain.caption", region=prov["name"], year=year))])


@for_word("overview")
def closure_rate(rep: Report) -> Section:
    """结案率: the province's sentence, the cities' rates as ranked bars around the pooled province rate, the
    table (kept)."""
    from analysis.present import charts

    prov, year, summary = rep.province, rep.year, rep.summary
    total = row_of(summary, prov["code"], year, CLOSURE)
    if not has_value(total):
        return Section([paragraphs(say("overview", "leader.closure.none", year=year))])
    filed, closed = row_of(summary, prov["code"], year, "cases_filed"), row_of(summary, prov["code"], year,
                                                                               "cases_closed")
    text = say("overview", "leader.closure.text", year=year, region=prov["name"], filed=fmt(filed),
               closed=fmt(closed), rate=fmt(total))
    table = rep.keep(say("overview", "leader.closure.sheet"), closure_table(summary, year, "city"))
    out = Section([paragraphs(text)])
    if len(table):
        bars = pd.DataFrame({"region_name": table["地区"], "value": table["结案率（%）"]})
        fig = charts.ranking_bars(bars, unit="%", indicator_name=str(total["name_zh"]),
                                  average=float(total["value"]),
                                  average_label=say("overview", "leader.closure.reference_label"),
                                  title=say("overview", "leader.closure.title", year=year), **rep.chart)
        out.extend([Figure(fig, rep.out_dir, "02_overview_closure_rate"),
                    Table(table, say("overview", "leader.closure.caption", year=year))])
    return out
