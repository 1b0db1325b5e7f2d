"""A paragraph about one region and year: one sentence per indicator, then ranks, trends and caveats once.

Rules (wording in ``templates.yaml``, ``paragraph.*``):

- Each indicator's sentence states its value and the year's change (with the judgement of
  :mod:`analysis.present.narrative.judgement`); with two indicators or more, its rank and its multi-year
  trend are left out of it, so no clause repeats in every sentence and the year's change never shares
  a sentence with the trend.
- **Ranks** (cities and counties): one sentence, "在22个县（市、区）中，立案查处案件居第6位，……并列第4位",
  one group per number of peers; indicators with the same rank are named together ("A、B均居第1位"). A rank shared by several regions of the same level and province in the
  summary table reads 并列.
- **Trends**: one sentence, "从近6年情况看，A、B呈上升趋势，其余……无明显升降趋势", one group per number of
  years; when one label covers every indicator, "上述指标均……". Indicators with fewer than 4 years join
  the grouped caveat instead.
- **Caveats** (first year, previous year missing, too few years): one sentence each for all indicators.
- **Rates** get the counts of the previous year (``prev_numerator``, ``prev_denominator``) from the
  summary table, so a change in a rate is told together with its test.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from analysis.present.narrative.render import (
    _int_text,
    _is_casefile,
    change_case,
    is_ranked,
    load_templates,
    sentence,
    tied,
)
from analysis.present.numbers import is_blank

TREND_LABELS = ("显著上升", "显著下降", "无显著趋势")


def paragraph(
    summary_df: pd.DataFrame,
    region_code: str,
    year: int,
    indicators: Sequence[str] | None = None,
    *,
    templates: Mapping | None = None,
    flags: Collection[tuple] = (),
) -> str:
    """A paragraph for one region and year, in ``indicators`` order (module docstring for the rules).

    Without ``indicators``, every indicator with a value comes in summary-table order (missing values
    are left out); with ``indicators``, a missing value gets its "数据缺失" sentence and codes with no
    row are skipped. Consecutive case-file sentences about the same evaluated year name that year
    once. When nothing is left, the ``paragraph.empty`` sentence is returned. ``flags``:
    ``(year, region_code, indicator)`` of figures the data-quality report flags.
    """
    t = templates or load_templates()
    rows = summary_df[(summary_df["region_code"].astype(str) == str(region_code))
                      & (summary_df["year"].astype(int) == int(year))]
    if indicators is not None:
        by_code = {code: group for code, group in rows.groupby("indicator", sort=False)}
        ordered = [by_code[c].iloc[0] for c in indicators if c in by_code]
    else:
        ordered = [r for _, r in rows.drop_duplicates("indicator").iterrows() if not _row_missing(r)]
    if not ordered:
        region = str(rows["region_name"].iloc[0]) if len(rows) else _region_name(summary_df, region_code)
        return t["paragraph"]["empty"].format_map({"year": int(year), "region": region})
    ordered = [_with_context(summary_df, r) for r in ordered]
    several = len(ordered) > 1
    grouped = t["paragraph"].get("grouped", {})
    omit_cases = frozenset(k for k in ("first_year", "missing_base") if k in grouped) if several else frozenset()
    omit_trends = (frozenset(TREND_LABELS) | ({"数据不足"} if "no_trend" in grouped else set())) if several \
        else frozenset()
    caveats: dict[str, list[str]] = {"first_year": [], "missing_base": [], "no_trend": []}
    parts = []
    previous_evaluation = None
    for i, r in enumerate(ordered):
        evaluation = _int_text(r.get("evaluated_year")) if _is_casefile(r) else None
        intro = evaluation is None or evaluation != previous_evaluation
        parts.append(sentence(r, lead=(i == 0), casefile_intro=intro, templates=t, omit_cases=omit_cases,
                              omit_trends=omit_trends, with_rank=not several, flags=flags))
        previous_evaluation = evaluation
        if _row_missing(r):
            continue
        name = _name(r)
        case = change_case(r, t)
        if case in omit_cases:
            caveats[case].append(name)
        if str(r.get("trend_label") or "") == "数据不足" and "数据不足" in omit_trends:
            caveats["no_trend"].append(name)
    if several:
        parts.append(rank_sentence(ordered, t))
        parts.append(trend_sentence(ordered, t))
    parts.extend(_caveat_sentences(caveats, grouped, int(year)))
    return "".join(parts)


def rank_sentence(rows: Sequence[Mapping], templates: Mapping | None = None) -> str:
    """The ranks of the ranked rows in one sentence, grouped by number of peers ("" when none is ranked)."""
    t = templates or load_templates()
    spec = t["paragraph"]["ranks"]
    groups: dict[int, dict[tuple[int, bool], list[str]]] = {}
    level = ""
    for r in rows:
        if _row_missing(r) or not is_ranked(r):
            continue
        level = str(r.get("level"))
        groups.setdefault(int(r["n_peers"]), {}).setdefault((int(r["rank"]), tied(r)), []).append(_name(r))
    if not groups:
        return ""
    level_name = t.get("levels", {}).get(level, "同级地区")
    sep = str(t["paragraph"].get("grouped", {}).get("separator", "、"))
    texts = []
    for n, by_rank in sorted(groups.items(), key=lambda kv: -kv[0]):
        items = []
        for (rank, is_tied), names in by_rank.items():  # indicators with the same rank: named together
            key = ("item_many" if len(names) > 1 else "item") + ("_tied" if is_tied else "")
            items.append(spec[key].format_map({"name": names[0], "names": sep.join(names), "rank": rank}))
        texts.append(spec["lead"].format_map({"n_peers": n, "level": level_name}) + spec["separator"].join(items))
    return spec["group_separator"].join(texts) + spec["end"]


def trend_sentence(rows: Sequence[Mapping], templates: Mapping | None = None) -> str:
    """The multi-year trends of the rows in one sentence, grouped by number of years ("" when none)."""
    t = templates or load_templates()
    spec = t["paragraph"]["trends"]
    sep = str(t["paragraph"].get("grouped", {}).get("separator", "、"))
    by_years: dict[int, dict[str, list[str]]] = {}
    for r in rows:
        label = str(r.get("trend_label") or "")
        if _row_missing(r) or label not in TREND_LABELS or is_blank(r.get("n_years")):
            continue
        by_years.setdefault(int(r["n_years"]), {}).setdefault(label, []).append(_name(r))
    if not by_years:
        return ""
    n_with_trend = sum(len(v) for labels in by_years.values() for v in labels.values())
    texts = []
    for n, labels in sorted(by_years.items(), key=lambda kv: -kv[0]):
        if len(labels) == 1 and n_with_trend > 1 and n_with_trend == len(rows) and len(by_years) == 1:
            (label,) = labels
            items = [spec["all"][label]]
        else:
            items = [spec[label].format_map({"names": sep.join(dict.fromkeys(labels[label]))})
                     for label in TREND_LABELS if label in labels]
        texts.append(spec["lead"].format_map({"n_years": n}) + spec["separator"].join(items))
    return spec["group_separator"].join(texts) + spec["end"]


def _caveat_sentences(caveats: dict[str, list[str]], grouped: Mapping, year: int) -> list[str]:
    sep = str(grouped.get("separator", "、"))
    for key in ("first_year", "missing_base"):  # the same indicators lack both: say it in one sentence
        both = f"{key}_no_trend"
        if caveats[key] and both in grouped and dict.fromkeys(caveats[key]) == dict.fromkeys(caveats["no_trend"]):
            caveats[both] = caveats.pop(key)
            caveats["no_trend"] = []
    out = []
    for key in ("first_year", "first_year_no_trend", "missing_base", "missing_base_no_trend", "no_trend"):
        if caveats.get(key):
            names = sep.join(dict.fromkeys(caveats[key]))
            out.append(grouped[key].format_map({"year": year, "prev_year": year - 1, "names": names}))
    return out


def _with_context(summary_df: pd.DataFrame, row: pd.Series) -> dict:
    """The row as a dict with ``n_tied`` (regions sharing its rank) and, for a rate, the previous year's
    counts (``prev_numerator``, ``prev_denominator``)."""
    out = dict(row.items())
    if is_ranked(out):
        peers = summary_df[(summary_df["year"].astype(int) == int(out["year"]))
                           & (summary_df["indicator"] == out["indicator"])
                           & (summary_df["level"] == out["level"])
                           & (summary_df["region_code"].astype(str).str[:2] == str(out["region_code"])[:2])
                           & (summary_df["rank"] == out["rank"])]
        if "missing" in peers.columns:
            peers = peers[~peers["missing"].fillna(False).astype(bool)]
        out["n_tied"] = max(1, int(peers["region_code"].nunique()))
    if str(out.get("kind") or "") == "rate" and not is_blank(out.get("prev_year")) \
            and "numerator" in summary_df.columns:
        prev = summary_df[(summary_df["region_code"].astype(str) == str(out["region_code"]))
                          & (summary_df["indicator"] == out["indicator"])
                          & (summary_df["year"].astype(int) == int(out["prev_year"]))]
        if len(prev):
            out["prev_numerator"] = prev["numerator"].iloc[0]
            out["prev_denominator"] = prev["denominator"].iloc[0]
    return out


def _name(row: Mapping) -> str:
    return str(row.get("name_zh") or row.get("indicator") or "")


def _row_missing(row: Mapping) -> bool:
    missing = row.get("missing")
    return (not is_blank(missing) and bool(missing)) or is_blank(row.get("value"))


def _region_name(summary_df: pd.DataFrame, region_code: str) -> str:
    names = summary_df.loc[summary_df["region_code"].astype(str) == str(region_code), "region_name"]
    return str(names.iloc[0]) if len(names) else str(region_code)
