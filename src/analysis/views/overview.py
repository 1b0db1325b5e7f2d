"""The yearly overview (notebook 02): headline indicators, penalties by category, licensing, case files.

Data: :func:`penalty_composition_frame`, :func:`penalty_share_table`; prose: :func:`key_paragraph`,
:func:`license_paragraph`. Sections: :func:`intro`, :func:`key_indicators`, :func:`trends`,
:func:`penalties`, :func:`licensing`, :func:`casefiles`, :func:`notes`, :func:`export`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.present.narrative import format_row
from analysis.stats.derive import indicator_catalog
from analysis.views.casefile import casefile_paragraph, casefile_rate_table, casefile_rates, pass_rate_figure
from analysis.views.context import Report
from analysis.views.display import Figure, Html, Section, Table, header_html, paragraphs
from analysis.views.flags import table_note
from analysis.views.leader import change_by_city, closure_rate, enforcement_chain  # noqa: F401 (sections of 02)
from analysis.views.shaping import (
    KEY_INDICATORS,
    LICENSE_INDICATORS,
    OVERVIEW_INDICATORS,
    available_indicators,
    has_value,
    indicator_series,
    penalty_codes,
    present,
    row_of,
)
from analysis.views.word import for_word
from analysis.views.wording import flat_threshold_points, join, points_change, say


def penalty_composition_frame(summary: pd.DataFrame, region_code: str, upto_year: int) -> pd.DataFrame:
    """Penalty counts by category per year (years up to ``upto_year`` with any category figure).

    Columns ``year, category`` (Chinese name), ``code``, ``value`` for
    :func:`analysis.present.charts.penalty_composition`. Both the national categories and the merged columns of
    some forms are kept as they were reported (they are never split).
    """
    codes = penalty_codes()
    df = present(summary[(summary["region_code"] == str(region_code)) & summary["indicator"].isin(codes)
                         & (summary["year"] <= int(upto_year))])
    return pd.DataFrame({"year": df["year"].astype(int).to_numpy(), "category": df["name_zh"].to_numpy(),
                         "code": df["indicator"].to_numpy(), "value": df["value"].astype(float).to_numpy()}
                        ).reset_index(drop=True)


def penalty_share_table(summary: pd.DataFrame, region_code: str, year: int) -> pd.DataFrame:
    """Penalty structure of one year: 处罚种类, 案件数（宗）, 占比（%）, 说明 (largest first).

    The share is ``100 * category / penalties_total`` (the derived ``share_*`` indicators); when
    the total is absent the share is computed over the sum of the categories shown, and 说明 says so.
    """
    rows = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))])
    cats = rows[rows["indicator"].isin(penalty_codes())].sort_values("value", ascending=False)
    total_row = rows[rows["indicator"] == "penalties_total"]
    if len(total_row) and float(total_row["value"].iloc[0]) > 0:
        total, note = float(total_row["value"].iloc[0]), say("overview", "penalties.share_of_total")
    else:
        total = float(cats["value"].sum())
        note = say("overview", "penalties.share_of_listed")
    share = 100 * cats["value"].astype(float) / total if total > 0 else np.full(len(cats), np.nan)
    return pd.DataFrame({"处罚种类": cats["name_zh"].to_numpy(), "案件数（宗）": cats["value"].astype(float).to_numpy(),
                         "占比（%）": np.asarray(share, dtype=float), "说明": note}).reset_index(drop=True)


def key_paragraph(summary: pd.DataFrame, region_code: str, year: int, indicators: Sequence[str],
                  flags=()) -> str:
    """The narrative paragraph for ``indicators`` (:func:`analysis.present.narrative.paragraph`); ``flags``:
    the figures the quality report flags (:attr:`Report.flags`), noted where used.

    When *every* indicator is in its first statistics year (nothing to compare, no trend), the values
    are listed in one sentence followed by a single note, instead of repeating the same clause per
    indicator.
    """
    from analysis.present.narrative import paragraph

    rows = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                           & summary["indicator"].isin(list(indicators))])
    if rows.empty or not (rows["pct_change_status"] == "first_year").all():
        return paragraph(summary, region_code, year, list(indicators), flags=flags)
    by_code = {r["indicator"]: r for _, r in rows.iterrows()}
    level = str(rows["level"].iloc[0])
    ranked = level in ("city", "county") and rows["rank"].notna().any()
    items = []
    for c in indicators:
        if c not in by_code:
            continue
        r = by_code[c]
        rank = (say("overview", "key.first_year_rank", rank=int(r["rank"]))
                if ranked and pd.notna(r["rank"]) and pd.notna(r["n_peers"]) else "")
        items.append(say("overview", "key.first_year_item", name=r["name_zh"], value=format_row(r), rank=rank))
    note = ""
    if ranked:
        note = say("overview", "key.first_year_rank_note", peers=say("overview", f"key.first_year_peers.{level}"))
    return say("overview", "key.first_year", year=int(year), region=str(rows["region_name"].iloc[0]),
               items=join("overview", "key.first_year_item_separator", items), note=note)


def license_paragraph(summary: pd.DataFrame, region_code: str, year: int, region_name: str) -> str:
    """A compact paragraph on licensing: applications, decisions, the grant rate and its change.

    Empty string when the region has no licensing figure in ``year``.
    """
    have = {c: r for c in LICENSE_INDICATORS if has_value(r := row_of(summary, region_code, year, c))}
    if not have:
        return ""
    parts = [say("overview", f"licensing.{key}", value=format_row(have[c]))
             for c, key in (("licenses_applied", "applied"), ("licenses_accepted", "accepted")) if c in have]
    decided = [say("overview", f"licensing.{key}", value=format_row(have[c]))
               for c, key in (("licenses_granted", "granted"), ("licenses_refused", "refused")) if c in have]
    if decided:
        parts.append(join("overview", "licensing.decided_separator", decided))
    text = say("overview", "licensing.lead", year=int(year), region=region_name)
    text += join("overview", "licensing.part_separator", parts)
    if "licenses_revoked" in have:
        text += say("overview", "licensing.revoked", value=format_row(have["licenses_revoked"]))
    rate = have.get("license_grant_rate")
    if rate is not None:
        text += say("overview", "licensing.rate", value=format_row(rate))
        if rate["pct_change_status"] in ("ok", "zero_base") and pd.notna(rate["prev_value"]):
            diff = float(rate["value"]) - float(rate["prev_value"])
            key = "rate_flat" if abs(diff) < flat_threshold_points() else "rate_change"
            text += say("overview", f"licensing.{key}", change=points_change(diff))
            if key == "rate_change":
                text += _rate_test_clause(summary, rate)
        elif rate["pct_change_status"] == "first_year":
            text += say("overview", "licensing.rate_first_year")
        else:
            text += say("overview", "licensing.rate_missing_base", prev_year=int(year) - 1)
    return text + say("overview", "licensing.end")


def _rate_test_clause(summary: pd.DataFrame, row: pd.Series) -> str:
    """The narrative's test clause for a rate's change (counts of both years), ``""`` when it cannot be run."""
    from analysis.present.narrative import load_templates, rate_change_significant

    prev = row_of(summary, row["region_code"], int(row["prev_year"]), row["indicator"])
    if prev is None:
        return ""
    significant = rate_change_significant({**row.to_dict(), "prev_numerator": prev["numerator"],
                                           "prev_denominator": prev["denominator"]})
    if significant is None:
        return ""
    return load_templates()["rate_test"]["significant" if significant else "not_significant"]


# --------------------------------------------------------------------------- sections


@for_word("overview")
def intro(rep: Report) -> Section:
    """The subtitle and what the report covers."""
    prov, year, first_year = rep.province, rep.year, rep.data.years[0]
    span = (say("overview", "intro.span_one", year=year) if first_year == year
            else say("overview", "intro.span_many", first_year=first_year, year=year))
    text = say("overview", "intro.text", span=span, region=prov["name"], year=year)
    if year == first_year:
        text += say("overview", "intro.first_year")
    return Section([Html(header_html(say("common", "header.year", region=prov["name"], year=year), rep.is_sample)),
                    paragraphs(text)])


@for_word("overview", "key")
def key_indicators(rep: Report) -> Section:
    """The headline paragraph and table 1."""
    from analysis.present.tables import key_indicator_table

    prov, year, summary = rep.province, rep.year, rep.summary
    key = available_indicators(summary, prov["code"], year, OVERVIEW_INDICATORS)
    text = rep.keep_text(key_paragraph(summary, prov["code"], year, [c for c in KEY_INDICATORS if c in key],
                                       flags=rep.flags))
    table = rep.keep("主要指标", key_indicator_table(summary, prov["code"], year, key))
    out = Section([paragraphs(text), Table(table, say("overview", "key.caption", region=prov["name"], year=year))])
    note = rep.keep_text(table_note(rep.flags, summary, prov["code"], year, key))
    if note:
        out.append(paragraphs(note))
    return out


def trends(rep: Report) -> Section:
    """Small multiples of the headline indicators and trend lines of cases and fines (two years or more)."""
    from analysis.present import charts

    prov, year, summary = rep.province, rep.year, rep.summary
    series = indicator_series(summary, prov["code"], KEY_INDICATORS, upto_year=year)
    out = Section()
    if series["year"].nunique() >= 2:
        title = say("overview", "trends.title", region=prov["name"], first_year=rep.data.years[0], year=year)
        out.append(Figure(charts.small_multiples(series, ncols=3, title=title, **rep.chart), rep.out_dir,
                          "02_overview_key_indicators"))
    for code, stem in (("cases_filed", "cases"), ("fines_collected", "fines")):
        part = series[series["code"] == code]
        if part["value"].notna().sum() >= 2:
            r = row_of(summary, prov["code"], year, code)
            fig = charts.trend_line(part[["year", "value"]], r["name_zh"], r["unit"], **rep.chart)
            out.append(Figure(fig, rep.out_dir, f"02_overview_trend_{stem}"))
    return out


@for_word("overview", "penalties")
def penalties(rep: Report) -> Section:
    """Penalties by category: the paragraph, the composition chart and table 2 (latest year with figures)."""
    from analysis.present import charts
    from analysis.present.narrative import format_value

    prov, year, summary, P = rep.province, rep.year, rep.summary, rep.province["code"]
    comp = penalty_composition_frame(summary, P, year)
    pen_years = sorted(comp["year"].unique())
    if not pen_years:
        rep.keep("行政处罚结构", pd.DataFrame())
        return Section([paragraphs(say("overview", "penalties.none", year=year))])
    pen_year = year if year in pen_years else int(pen_years[-1])
    share = rep.keep("行政处罚结构", penalty_share_table(summary, P, pen_year))
    facts = rep.facts
    rolled = facts[(facts["region_code"] == P) & (facts["year"] == pen_year)
                   & (facts["indicator"] == "penalties_total")]["rolled_up"].any()
    total = row_of(summary, P, pen_year, "penalties_total")
    lead = say("overview", "penalties.lead_this_year" if pen_year == year else "penalties.lead_earlier",
               year=pen_year)
    if total is not None and not total["missing"]:
        total_text = format_value(total["value"], total["unit"], total["kind"], bool(total["approx"]))
    else:
        total_text = format_value(share["案件数（宗）"].sum(), say("overview", "penalties.count_unit"), "count")
    text = say("overview", "penalties.total", lead=lead, region=prov["name"], total=total_text)
    top = share[share["案件数（宗）"] > 0].head(3)
    if len(top):
        items = [say("overview", "penalties.top_item", name=r["处罚种类"], count=int(r["案件数（宗）"]),
                     share=r["占比（%）"]) for _, r in top.iterrows()]
        text += say("overview", "penalties.top_intro") + join("overview", "penalties.top_separator", items)
    text += say("overview", "penalties.end")
    if rolled:
        text += say("overview", "penalties.rolled_up")
    category = indicator_catalog().set_index("code")["category"]
    if (comp["code"].map(category) == "penalty_merged").any():
        text += say("overview", "penalties.merged")
    fig = charts.penalty_composition(comp, share=True, title=say("overview", "penalties.chart_title",
                                                                 region=prov["name"]), **rep.chart)
    return Section([paragraphs(text), Figure(fig, rep.out_dir, "02_overview_penalty_structure"),
                    Table(share, say("overview", "penalties.caption", region=prov["name"], year=pen_year))])


@for_word("overview", "licensing")
def licensing(rep: Report) -> Section:
    """The licensing paragraph and table 3 (or a note that nothing was reported)."""
    from analysis.present.tables import key_indicator_table

    prov, year, summary = rep.province, rep.year, rep.summary
    lic = available_indicators(summary, prov["code"], year, LICENSE_INDICATORS)
    if not lic:
        rep.keep("行政许可", pd.DataFrame())
        return Section([paragraphs(rep.keep_text(say("overview", "licensing.none", year=year)))])
    text = rep.keep_text(license_paragraph(summary, prov["code"], year, prov["name"]))
    table = rep.keep("行政许可", key_indicator_table(summary, prov["code"], year, lic))
    return Section([paragraphs(text),
                    Table(table, say("overview", "licensing.caption", region=prov["name"], year=year))])


@for_word("overview", "casefile")
def casefiles(rep: Report) -> Section:
    """The case-file evaluations: paragraph, table 4 and the pass-rate chart over the years."""
    prov, year, summary = rep.province, rep.year, rep.summary
    cf = casefile_rates(summary, region_code=prov["code"], upto_year=year)
    if cf.empty:
        rep.keep("案卷评查", pd.DataFrame())
        return Section([paragraphs(rep.keep_text(say("overview", "casefile.none", year=year)))])
    this = cf[cf["year"] == year]
    if len(this):
        text = (say("overview", "casefile.this_year", year=year, evaluated_year=int(this["evaluated_year"].iloc[0]))
                + casefile_paragraph(summary, prov["code"], year, prov["name"]))
    else:
        last = cf.iloc[-1]
        text = say("overview", "casefile.earlier", year=year, last_year=int(last["year"]),
                   evaluated_year=int(last["evaluated_year"]), pass_rate=last["pass_rate"])
    table = rep.keep("案卷评查", casefile_rate_table(cf, by="year"))
    labels = [say("overview", "casefile.chart_label", year=int(y), evaluated_year=int(e))
              for y, e in zip(cf["year"], cf["evaluated_year"])]
    fig = pass_rate_figure(rep, cf, labels, "pass", name=say("overview", "casefile.rate_name"),
                           title=say("overview", "casefile.chart_title", region=prov["name"]))
    return Section([paragraphs(rep.keep_text(text)),
                    Table(table, say("overview", "casefile.caption", region=prov["name"])),
                    Figure(fig, rep.out_dir, "02_overview_casefile_pass_rate")])


NOTES = ("trend", "judgement", "rate_test", "wilson", "flags")
"""The 附注 of the overview (``common.yaml`` ``notes.<key>``)."""


def notes(rep: Report) -> Section:
    """The 附注 on methods (trend test, the judgement rule, rate tests, intervals, flagged figures)."""
    from analysis.views.notes import notes_section

    return notes_section(rep, NOTES)


def export(rep: Report) -> Section:
    """The non-empty tables to ``tables/02_overview.xlsx``/CSV and, with the paragraphs, to a Word file."""
    title = say("overview", "export.docx_title", region=rep.province["name"], year=rep.year)
    return rep.export("02_overview", docx_title=title, note="tables_docx")
