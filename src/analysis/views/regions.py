"""The regional comparison (notebook 03): cities and counties ranked, over the years, outliers, per capita.

Data: :func:`outlier_table`, :func:`per_capita_table` (and :func:`analysis.views.shaping.ranking_table`,
``ranking_frame``, ``region_year_pivot``). Sections: :func:`intro`, :func:`city_ranking`,
:func:`city_history`, :func:`county_ranking`, :func:`outliers`, :func:`per_capita`, :func:`notes`, :func:`export`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats.derive import indicator_metadata
from analysis.views.context import Report
from analysis.views.display import Figure, Html, Section, Table, header_html, paragraphs
from analysis.views.shaping import (
    ASSIGNED_INDICATORS,
    LEVEL_ZH,
    pooled_value,
    present,
    ranking_frame,
    ranking_table,
    region_year_pivot,
)
from analysis.views.wording import join, say

COMPARE = ["cases_filed", "fines_collected", "patrols", "violations_stopped", "stop_orders", "fines_per_case"]
"""The indicators compared across regions, in table order."""
RANKED = ("cases_filed", "fines_collected")
"""The indicators with a ranking chart and a sentence on the largest and smallest region."""
OUTLIER_INDICATORS = [*COMPARE, "stop_order_rate", "casefile_pass_rate"]


def outlier_table(summary: pd.DataFrame, year: int, levels: Sequence[str] = ("city", "county"),
                  indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Regions flagged as outliers among their peers in ``year``: 地区, 层级, 指标, 数值, 单位, 同级中位数, 判定方法.

    The flag is the summary table's ``outlier`` (funnel limits for proportions, modified z-score for
    the rest); the peer median is over the same level and province. ``indicators`` restricts the
    indicators looked at (default: all). Quantities the province assigns (:data:`ASSIGNED_INDICATORS`, the
    number of case files reviewed) are never listed.
    """
    df = present(summary[(summary["year"] == int(year)) & summary["level"].isin(list(levels))])
    df = df[~df["indicator"].isin(ASSIGNED_INDICATORS)]
    if indicators is not None:
        df = df[df["indicator"].isin(list(indicators))]
    med = df.groupby(["indicator", "level"])["value"].median()
    out = df[df["outlier"].astype(bool)].sort_values(["level", "indicator", "region_code"])
    method = np.where(out["kind"] == "rate", say("regions", "outliers.method_rate"),
                      say("regions", "outliers.method_robust_z"))
    return pd.DataFrame({
        "地区": out["region_name"].to_numpy(),
        "层级": out["level"].map(LEVEL_ZH).to_numpy(),
        "指标": out["name_zh"].to_numpy(),
        "数值": out["value"].astype(float).to_numpy(),
        "单位": out["unit"].fillna("").to_numpy(),
        "同级中位数": [float(med[(i, lv)]) for i, lv in zip(out["indicator"], out["level"])],
        "判定方法": method,
    }).reset_index(drop=True)


def per_capita_table(summary: pd.DataFrame, year: int, level: str) -> pd.DataFrame:
    """Per-capita and per-area values (only when the summary was built with a reference table).

    Columns 地区, 每万人立案查处案件（起/万人）, 每万人罚没款（万元/万人）, 每千平方千米立案查处案件（起/千平方千米）;
    empty when none of these indicators is present.
    """
    codes = ["cases_filed_per_10k_pop", "fines_per_10k_pop", "cases_filed_per_1000km2"]
    df = present(summary[(summary["year"] == int(year)) & (summary["level"] == level)
                         & summary["indicator"].isin(codes)])
    if df.empty:
        return pd.DataFrame()
    wide = df.pivot_table(index="region_code", columns="indicator", values="value", aggfunc="first")
    names = df.drop_duplicates("region_code").set_index("region_code")["region_name"]
    meta = indicator_metadata()
    out = pd.DataFrame({"地区": [names[c] for c in wide.index]})
    for code in codes:
        if code in wide.columns:
            out[f"{meta.at[code, 'name_zh']}（{meta.at[code, 'unit']}）"] = wide[code].to_numpy(dtype=float)
    return out.sort_values(out.columns[1], ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------- sections


def _charts():
    from analysis.present import charts

    return charts


def _value_text(value, unit: str, kind: str) -> str:
    from analysis.present.narrative import format_value

    return format_value(value, unit, kind)


def _prose_kind(unit: str) -> str:
    """The number style of a derived figure (mean, median) in prose: money for 万元, else a ratio."""
    return "money" if unit == "万元" else "ratio"


def intro(rep: Report) -> Section:
    """The subtitle and what the report compares."""
    prov, year = rep.province, rep.year
    return Section([Html(header_html(say("common", "header.year", region=prov["name"], year=year), rep.is_sample)),
                    paragraphs(say("regions", "intro", year=year, region=prov["name"]))])


def _extreme(r: pd.DataFrame, value: float, unit: str, kind: str) -> tuple[str, str]:
    """The regions with ``value`` (the largest or the smallest), and the value's text; 并列 when several."""
    names = r.loc[r["value"] == value, "region_name"].tolist()
    text = _value_text(value, unit, kind)
    if len(names) > 1:
        return join("common", "list_separator", names), say("regions", "ranking.tied_value", value=text)
    return names[0], text


def _ranking(rep: Report, level: str, stem: str, sheet: str) -> Section:
    """One level's ranking: per ranked indicator a sentence and a bar chart, then the table of all."""
    meta, year, summary = indicator_metadata(), rep.year, rep.summary
    label = say("regions", f"levels.{level}")
    table = rep.keep(sheet, ranking_table(summary, year, level, COMPARE))
    if table.empty:
        return Section([paragraphs(say("regions", "ranking.none", year=year, label=label))])
    out = Section()
    for code in RANKED:
        r = ranking_frame(summary, year, code, level)
        if r.empty:
            continue
        name, unit, kind = str(meta.at[code, "name_zh"]), r["unit"].iloc[0], str(meta.at[code, "kind"])
        top, top_value = _extreme(r, r["value"].max(), unit, kind)
        bottom, bottom_value = _extreme(r, r["value"].min(), unit, kind)
        out.append(paragraphs(say(
            "regions", "ranking.text", year=year, label=label, name=name, top=top, top_value=top_value,
            bottom=bottom, bottom_value=bottom_value, n=len(r),
            mean=_value_text(r["value"].mean(), unit, _prose_kind(unit)))))
        fig = _charts().ranking_bars(r, unit=unit, indicator_name=name,
                                     average_label=say("regions", "ranking.average_label", label=label),
                                     title=say("regions", "ranking.chart_title", year=year, label=label, name=name),
                                     **rep.chart)
        out.append(Figure(fig, rep.out_dir, f"{stem}_{code}"))
    out.append(Table(table, say("regions", "ranking.caption", year=year, label=label)))
    return out


def _unit(code: str) -> str:
    return str(indicator_metadata().at[code, "unit"])


def city_ranking(rep: Report) -> Section:
    """The cities ranked (sentences, bar charts, the table of all compared indicators)."""
    return _ranking(rep, "city", "03_regions_city_ranking", "设区市比较")


def city_history(rep: Report) -> Section:
    """The cities over the years: a heatmap of cases and small multiples of fines (two years or more)."""
    pivot = region_year_pivot(rep.summary, "cases_filed", "city", upto_year=rep.year)
    if pivot.shape[1] < 2:
        return Section()
    charts = _charts()
    fig = charts.region_year_heatmap(pivot, _unit("cases_filed"),
                                     indicator_name=say("regions", "history.city_cases.indicator_name"),
                                     title=say("regions", "history.city_cases.title"), **rep.chart)
    series = region_year_pivot(rep.summary, "fines_collected", "city", upto_year=rep.year)
    long = series.reset_index(names="indicator").melt(id_vars="indicator", var_name="year", value_name="value")
    long["unit"] = _unit("fines_collected")
    multiples = charts.small_multiples(long, ncols=3, title=say("regions", "history.city_fines.title"), **rep.chart)
    return Section([Figure(fig, rep.out_dir, "03_regions_city_heatmap_cases"),
                    Figure(multiples, rep.out_dir, "03_regions_city_small_multiples_fines")])


def county_ranking(rep: Report) -> Section:
    """The counties ranked, and a heatmap of their fines over the years (two years or more)."""
    out = _ranking(rep, "county", "03_regions_county_ranking", "县区比较")
    pivot = region_year_pivot(rep.summary, "fines_collected", "county", upto_year=rep.year)
    if pivot.shape[1] >= 2:
        fig = _charts().region_year_heatmap(pivot, _unit("fines_collected"),
                                            indicator_name=say("regions", "history.county_fines.indicator_name"),
                                            title=say("regions", "history.county_fines.title"), **rep.chart)
        out.append(Figure(fig, rep.out_dir, "03_regions_county_heatmap_fines"))
    return out


def outliers(rep: Report) -> Section:
    """The regions flagged as outliers among their peers: a sentence listing them and the table."""
    year = rep.year
    table = rep.keep("异常值", outlier_table(rep.summary, year, indicators=OUTLIER_INDICATORS))
    if table.empty:
        return Section([paragraphs(say("regions", "outliers.none", year=year))])
    items = [say("regions", "outliers.item", region=r["地区"], indicator=r["指标"],
                 value=_value_text(r["数值"], r["单位"], _prose_kind(r["单位"])),
                 median=_value_text(r["同级中位数"], r["单位"], _prose_kind(r["单位"])))
             for _, r in table.iterrows()]
    text = say("regions", "outliers.text", year=year, n=len(table),
               items=join("regions", "outliers.item_separator", items))
    return Section([paragraphs(text), Table(table, say("regions", "outliers.caption", year=year))])


def per_capita(rep: Report) -> Section:
    """Per-capita and per-area figures (tables for both levels, the counties' fines per 10,000 people)."""
    year, reference = rep.year, rep.data.reference
    per_city = rep.keep("设区市人口面积折算", per_capita_table(rep.summary, year, "city"))
    per_county = rep.keep("县区人口面积折算", per_capita_table(rep.summary, year, "county"))
    if reference is None:
        return Section([paragraphs(say("regions", "per_capita.no_reference"))])
    note = join("regions", "per_capita.note_separator", sorted(set(reference["source_note"].dropna().astype(str))))
    out = Section([paragraphs(say("regions", "per_capita.text", note=note)),
                   Table(per_city, say("regions", "per_capita.caption_city", year=year)),
                   Table(per_county, say("regions", "per_capita.caption_county", year=year))])
    r = ranking_frame(rep.summary, year, "fines_per_10k_pop", "county")
    if len(r):
        pooled = pooled_value(rep.summary, year, "fines_per_10k_pop", "county")  # Σ fines / Σ population
        fig = _charts().ranking_bars(r, unit=_unit("fines_per_10k_pop"), average=None if np.isnan(pooled) else pooled,
                                     indicator_name=say("regions", "per_capita.chart_indicator_name"),
                                     average_label=say("regions", "per_capita.chart_average_label"),
                                     title=say("regions", "per_capita.chart_title", year=year), **rep.chart)
        out.append(Figure(fig, rep.out_dir, "03_regions_county_fines_per_10k"))
    return out


NOTES = ("rank", "outliers", "assigned", "pooled")
"""The 附注 of the regional comparison (``common.yaml`` ``notes.<key>``)."""


def notes(rep: Report) -> Section:
    """The 附注 on methods (ranks, outlier detection, assigned quantities, pooled averages)."""
    from analysis.views.notes import notes_section

    return notes_section(rep, NOTES)


def export(rep: Report) -> Section:
    """The non-empty tables to ``tables/03_regions.*``."""
    return rep.export("03_regions")
