"""The region profile (notebook 05, one per city and county): its figures, its years, its peers, its counties.

Data: :func:`peer_table`. Sections: :func:`header`, :func:`overview`, :func:`trends`, :func:`peers`,
:func:`counties`, :func:`notes`, :func:`export`. The region is the notebook's ``region`` parameter, checked by
:func:`analysis.views.context.open_report` (``rep.region``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.views.casefile import casefile_paragraph
from analysis.views.context import Report
from analysis.views.display import Figure, Html, Section, Table, header_html, heading_html, paragraphs
from analysis.views.flags import table_note
from analysis.views.overview import key_paragraph
from analysis.views.shaping import (
    ASSIGNED_INDICATORS,
    KEY_INDICATORS,
    available_indicators,
    indicator_series,
    present,
    rank_text,
    ranking_frame,
    ranking_table,
    tie_counts,
)
from analysis.views.wording import say

PROFILE = ["cases_filed", "cases_closed", "fines_collected", "patrols", "violations_stopped", "stop_orders",
           "fines_per_case", "stop_order_rate", "penalties_total", "licenses_granted", "license_grant_rate",
           "casefile_reviewed", "casefile_pass_rate", "casefile_excellent_rate"]
"""The indicators of a region profile, in table order."""
NARRATIVE = [c for c in PROFILE if not c.startswith("casefile")]
"""The indicators of the profile's opening paragraph (case files have a paragraph of their own)."""
CHILD_INDICATORS = ["cases_filed", "fines_collected", "patrols"]


def peer_table(summary: pd.DataFrame, region_code: str, year: int, indicators: Sequence[str]) -> pd.DataFrame:
    """The region's standing among its peers (same level and province) in ``year``.

    Columns 指标, 本地区, 单位, 同级排名, 同级中位数, 同级最大值, 是否异常; one row per indicator with a value.
    Rank 1 = largest value (ties share the minimum rank and read 并列). A quantity the province assigns
    (:data:`ASSIGNED_INDICATORS`) is never an anomaly: its 是否异常 is ``—``.
    """
    me = present(summary[(summary["region_code"] == str(region_code)) & (summary["year"] == int(year))
                         & summary["indicator"].isin(list(indicators))])
    records = []
    for code in indicators:
        mine = me[me["indicator"] == code]
        if mine.empty:
            continue
        r = mine.iloc[0]
        peers = present(summary[(summary["year"] == int(year)) & (summary["indicator"] == code)
                                & (summary["level"] == r["level"])
                                & (summary["region_code"].str[:2] == str(region_code)[:2])])
        tied = tie_counts(summary, year, code, r["level"]).get(str(region_code), 1)
        rank = rank_text(r["rank"], r["n_peers"], tied)
        flag = "—" if code in ASSIGNED_INDICATORS else ("是" if bool(r["outlier"]) else "否")
        records.append({"指标": r["name_zh"], "本地区": float(r["value"]), "单位": r["unit"] or "",
                        "同级排名": rank, "同级中位数": float(peers["value"].median()),
                        "同级最大值": float(peers["value"].max()), "是否异常": flag})
    return pd.DataFrame.from_records(
        records, columns=["指标", "本地区", "单位", "同级排名", "同级中位数", "同级最大值", "是否异常"])


# --------------------------------------------------------------------------- sections


def _peer_label(level: str) -> str:
    peers = say("profile", "level_peers_default")
    return say("profile", f"level_peers.{level}") if level in ("city", "county", "province") else peers


def header(rep: Report) -> Section:
    """The subtitle: the region, its level and the year."""
    info = rep.region
    level = say("profile", f"level_short.{info['level']}") if info["level"] in ("city", "county", "province") else ""
    return Section([Html(header_html(say("profile", "subtitle", region=info["name"], level=level, year=rep.year),
                                     rep.is_sample))])


def overview(rep: Report) -> Section:
    """The opening paragraph, the case-file paragraph and table 1."""
    from analysis.present.tables import key_indicator_table

    info, year, summary = rep.region, rep.year, rep.summary
    key = available_indicators(summary, info["code"], year, PROFILE)
    text = key_paragraph(summary, info["code"], year, [c for c in key if c in NARRATIVE], flags=rep.flags)
    table = rep.keep("主要指标", key_indicator_table(summary, info["code"], year, key))
    out = Section([paragraphs(text, casefile_paragraph(summary, info["code"], year, info["name"])),
                   Table(table, say("profile", "overview_caption", region=info["name"], year=year))])
    note = table_note(rep.flags, summary, info["code"], year, key)
    if note:
        out.append(paragraphs(note))
    return out


def trends(rep: Report) -> Section:
    """Small multiples of the headline indicators (two years or more)."""
    from analysis.present import charts

    info = rep.region
    series = indicator_series(rep.summary, info["code"], KEY_INDICATORS, upto_year=rep.year)
    if series["year"].nunique() >= 2 and len(series):
        fig = charts.small_multiples(series, ncols=3, title=say("profile", "trends.title", region=info["name"]),
                                     **rep.chart)
        return Section([Figure(fig, rep.out_dir, f"05_profile_{info['code']}_trends")])
    return Section([paragraphs(say("profile", "trends.too_short"))])


def peers(rep: Report) -> Section:
    """The region among its peers: the note on ranks, table 2 and the cases ranking with the region marked."""
    from analysis.present import charts

    info, year = rep.region, rep.year
    table = rep.keep("同级比较", peer_table(rep.summary, info["code"], year, PROFILE))
    label = _peer_label(info["level"])
    out = Section([paragraphs(say("profile", "peers.note", label=label)),
                   Table(table, say("profile", "peers.caption", region=info["name"], year=year, label=label))])
    r = ranking_frame(rep.summary, year, "cases_filed", info["level"])
    if len(r) >= 2:
        fig = charts.ranking_bars(r, unit=str(r["unit"].iloc[0]),
                                  indicator_name=say("profile", "peers.chart_indicator_name"),
                                  average_label=say("profile", "peers.chart_average_label", label=label),
                                  highlight=info["name"], title=say("profile", "peers.chart_title", year=year,
                                                                    label=label), **rep.chart)
        out.append(Figure(fig, rep.out_dir, f"05_profile_{info['code']}_ranking"))
    return out


def counties(rep: Report) -> Section:
    """For a city: its counties' main figures under their own heading (nothing for a county)."""
    info = rep.region
    if info["level"] != "city":
        rep.keep("所辖县区", pd.DataFrame())
        return Section()
    table = rep.keep("所辖县区", ranking_table(rep.summary, rep.year, "county", CHILD_INDICATORS,
                                            parent_code=info["code"]))
    if not len(table):
        return Section()
    return Section([Html(heading_html(say("profile", "children.heading"))),
                    Table(table, say("profile", "children.caption", region=info["name"], year=rep.year))])


NOTES = ("rank", "trend", "judgement", "rate_test", "wilson", "outliers", "assigned", "flags")
"""The 附注 of a region profile (``common.yaml`` ``notes.<key>``)."""


def notes(rep: Report) -> Section:
    """The 附注 on methods (ranks, trends, the judgement rule, tests, outliers, flagged figures)."""
    from analysis.views.notes import notes_section

    return notes_section(rep, NOTES)


def export(rep: Report) -> Section:
    """The non-empty tables to ``tables/05_region_profile_<code>.*`` (no closing note in a profile)."""
    return rep.export(f"05_region_profile_{rep.region['code']}", note=None)
