"""Formal-Chinese sentences from summary-table rows (contracts.md section 4), worded by ``templates.yaml``.

Rules (the wording itself is in the YAML file):

- **Case** of the year-on-year clause, from ``pct_change_status`` and the values:
  ``first_year``, ``missing_base`` (previous year absent or missing), ``zero_base`` (previous value 0,
  this value > 0; both 0 is ``flat``), else ``up`` / ``down`` / ``flat``.
- **Flat**: exact equality -> ``flat`` ("与上年持平"); for counts and money ``|pct_change| <
  flat_threshold_pct`` (0.5%) -> ``flat_approx`` ("与上年基本持平"); for rates (``kind == "rate"``,
  compared in percentage points) ``|abs_change| < flat_threshold_points`` (0.05, i.e. 0.0 when shown
  with one decimal) -> ``flat``.
- **Judgement** after an up/down change (呈向好态势 / 需予以关注 ...): one rule, stated in the YAML
  (``judgement.rule``) and applied by :mod:`analysis.present.narrative.judgement` -- direction, the change
  and the region's standing among its peers, so that the last of 22 is never 向好.
- **Rates**: a change in a rate carries the test of the two years' counts (``rate_test``) when the row
  has them (``prev_numerator``/``prev_denominator``), and a change the test cannot distinguish gets no
  judgement.
- **Trend**: never in the same sentence as the year's change: a sentence of its own (``trend``); a
  paragraph says it once for all its indicators (:mod:`analysis.present.narrative.paragraph`).
- **Ties**: a rank shared with other regions (``n_tied`` > 1) reads 并列第X位.
- **Flags**: ``flags`` holds ``(year, region_code, indicator)`` of figures the data-quality report flags
  (a 合计 that differs from its rows); such a value, or such a previous-year value used as the base of
  the change, carries the note ``flag.value`` / ``flag.base``.
- **Numbers** (:func:`format_value`), rounded half-up (四舍五入): 万元 with 2 decimals; counts and people as integers; rates with 1
  decimal and ``%``; YoY percentages with 1 decimal; rate changes in percentage points with 1 decimal.
  Prose does not group digits by default (``18907起``, customary in Chinese government reports and
  allowed by GB/T 15835-2011); ``number.group_digits: true`` in the YAML gives ``18,907起``.
  ``approx`` (the raw cell said 约/余/多/近) puts ``约`` before the value and before the changes.
- Sentences are plain text. Escape them when putting them in HTML (``html.escape``).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.errors import CatalogError
from analysis.present.narrative.judgement import judgement, rate_change_significant
from analysis.present.numbers import MISSING_MARK, decimals_for, is_blank, number_text

PLACEHOLDERS = frozenset(
    {
        "year", "region", "name", "value", "prev_year", "prev_value", "abs_change", "pct_change",
        "evaluated_year", "n_years", "rank", "n_peers", "level",
        "names",  # paragraph.grouped/trends only: the indicators a caveat applies to, 、-joined
    }
)
AMOUNT_KINDS = ("count", "money", "people")


# --------------------------------------------------------------------------- templates


def read_wording_file(name: str, path: str | Path | None, what: tuple[str, str]) -> tuple[object, str]:
    """Parse a wording YAML: the bundled ``present/narrative/<name>`` or ``path``. Returns ``(data, origin)``.

    ``what`` names the file in messages (Chinese, English); an unreadable or malformed file is a
    :class:`CatalogError`. The one reader behind the narrative, letter and report wording files.
    """
    if path is None:
        source = resources.files("analysis.present.narrative").joinpath(*name.split("/"))
        origin = f"analysis/present/narrative/{name}"
    else:
        source, origin = Path(path), str(path)
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8")), origin
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise CatalogError(f"{what[0]}无法读取或格式错误：{origin}", f"{what[1]} cannot be read: {err}") from None


@functools.lru_cache(maxsize=8)
def _load(path: str | None) -> dict:
    data, origin = read_wording_file("templates.yaml", path, ("叙述模板文件", "narrative templates"))
    _validate(data, origin)
    return data


def load_templates(path: str | Path | None = None) -> dict:
    """The narrative templates (the bundled YAML, or ``path``), validated: placeholders must be known."""
    return _load(None if path is None else str(Path(path)))


def _walk(node: Any, trail: str):
    if isinstance(node, str):
        yield trail, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{trail}.{key}" if trail else str(key))


_REQUIRED = (
    "value.lead.default", "value.lead.rate", "value.lead.casefile", "value.lead.casefile_rate",
    "value.follow.default", "value.follow.rate", "value.follow.casefile", "value.follow.casefile_rate",
    "value.missing.lead", "value.missing.follow", "rank", "rank_tied", "end", "paragraph.empty",
    "paragraph.grouped.first_year", "paragraph.grouped.missing_base", "paragraph.grouped.no_trend",
    *(f"change.{group}.{case}" for group in ("amount", "rate")
      for case in ("up", "down", "flat", "flat_approx", "zero_base", "first_year", "missing_base")),
    "judgement.rule", *(f"judgement.{v}" for v in ("good", "improved", "improved_low", "concern")),
    "rate_test.significant", "rate_test.not_significant", "flag.value", "flag.base",
    *(f"trend.{label}" for label in ("显著上升", "显著下降", "无显著趋势", "数据不足")),
    *(f"paragraph.ranks.{k}" for k in ("lead", "item", "item_tied", "item_many", "item_many_tied", "separator",
                                       "group_separator", "end")),
    *(f"paragraph.trends.{k}" for k in ("lead", "显著上升", "显著下降", "无显著趋势", "separator",
                                        "group_separator", "end")),
    *(f"paragraph.trends.all.{label}" for label in ("显著上升", "显著下降", "无显著趋势")),
)


def _get(data: Mapping, dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _validate(data: Any, origin: str) -> None:
    if not isinstance(data, Mapping):
        raise CatalogError(f"叙述模板文件应为映射结构：{origin}", f"templates must be a mapping: {origin}")
    for key in _REQUIRED:
        if not isinstance(_get(data, key), str):
            raise CatalogError(f"叙述模板缺少条目 {key}：{origin}", f"template {key} is missing in {origin}")
    for trail, text in _walk({k: v for k, v in data.items() if k not in ("number", "levels")}, ""):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as err:
            raise CatalogError(f"叙述模板 {trail} 格式错误", f"template {trail} is malformed: {err}") from None
        unknown = [f for f in fields if f not in PLACEHOLDERS]
        if unknown:
            raise CatalogError(
                f"叙述模板 {trail} 含未知占位符 {unknown}",
                f"template {trail} uses unknown placeholder(s) {unknown}; allowed: {sorted(PLACEHOLDERS)}",
            )


# --------------------------------------------------------------------------- numbers


def format_value(
    value: float,
    unit: str,
    kind: str,
    approx: bool = False,
    *,
    group_digits: bool | None = None,
    templates: Mapping | None = None,
) -> str:
    """A value with its unit as prose shows it: ``214起``, ``9172.05万元``, ``95.1%``, ``约214起``.

    ``kind`` is the catalogue kind: ``money`` (2 decimals), ``rate`` (1 decimal, ``%``), ``count`` and
    ``people`` (integers). Other kinds: integers if whole, else 2 decimals. ``group_digits`` (default
    from the YAML, false) writes ``18,907``. Missing values give ``—``.
    """
    if is_blank(value):
        return MISSING_MARK
    number = (templates or load_templates())["number"]
    group = number.get("group_digits", False) if group_digits is None else group_digits
    unit = "" if is_blank(unit) else str(unit)
    text = number_text(value, decimals_for(float(value), unit, kind), group)
    prefix = number.get("approx_prefix", "约") if approx else ""
    return f"{prefix}{text}{unit}"


def format_row(row: Mapping | pd.Series | None, *, templates: Mapping | None = None) -> str:
    """A summary row's value as prose shows it (:func:`format_value` of its value, unit, kind and 约);
    ``—`` for no row, a missing row or a blank value."""
    if row is None:
        return MISSING_MARK
    missing = row.get("missing")
    if (not is_blank(missing) and bool(missing)) or is_blank(row.get("value")):
        return MISSING_MARK
    approx = row.get("approx")
    return format_value(row["value"], row.get("unit"), str(row.get("kind") or ""),
                        bool(approx) if not is_blank(approx) else False, templates=templates)


def format_pct(pct: float, approx: bool = False, templates: Mapping | None = None) -> str:
    """A YoY percentage magnitude with 1 decimal: ``9.7%`` (sign is carried by the wording)."""
    prefix = (templates or load_templates())["number"].get("approx_prefix", "约") if approx else ""
    return f"{prefix}{number_text(abs(pct), 1, False)}%"


# --------------------------------------------------------------------------- cases


def change_case(row: Mapping, templates: Mapping | None = None) -> str:
    """The wording case of a row: up, down, flat, flat_approx, zero_base, first_year, missing_base."""
    number = (templates or load_templates())["number"]
    status = str(row.get("pct_change_status") or "")
    if status == "first_year":
        return "first_year"
    value, prev = row.get("value"), row.get("prev_value")
    if status == "missing_base" or is_blank(prev):
        return "first_year" if status == "first_year" else "missing_base"
    value, prev = float(value), float(prev)
    if value == prev:
        return "flat"
    diff = value - prev
    if row.get("kind") == "rate":
        if abs(diff) < float(number.get("flat_threshold_points", 0.05)):
            return "flat"
        return "up" if diff > 0 else "down"
    if status == "zero_base" or prev == 0:
        return "zero_base"
    pct = row.get("pct_change")
    if is_blank(pct):
        pct = diff / abs(prev) * 100
    if abs(float(pct)) < float(number.get("flat_threshold_pct", 0.5)):
        return "flat_approx"
    return "up" if diff > 0 else "down"


def _is_casefile(row: Mapping) -> bool:
    if str(row.get("category") or "") == "casefile":
        return True
    ev = row.get("evaluated_year")
    return not is_blank(ev) and not is_blank(row.get("year")) and int(ev) != int(row["year"])


def _int_text(value: Any) -> str:
    return "" if is_blank(value) else str(int(value))


def sentence(
    row: Mapping | pd.Series,
    *,
    lead: bool = True,
    casefile_intro: bool = True,
    templates: Mapping | None = None,
    omit_cases: frozenset[str] = frozenset(),
    omit_trends: frozenset[str] = frozenset(),
    with_rank: bool = True,
    flags: Collection[tuple] = (),
) -> str:
    """One formal sentence for one summary-table row (value, rank, YoY change, judgement, trend).

    ``omit_cases`` / ``omit_trends`` drop the change clause for those wording cases (e.g.
    ``missing_base``) and the trend clause for those labels (e.g. ``数据不足``); ``with_rank=False`` drops
    the rank: a paragraph says such clauses once for all indicators instead of in every sentence.
    ``flags``: ``(year, region_code, indicator)`` of figures the data-quality report flags.

    ``lead=True`` opens with the year and the region ("2024年，银川市……"); paragraphs use
    ``lead=False`` for the sentences after the first. Case-file rows name the evaluated year
    ("对2023年度……案卷开展评查"); ``casefile_intro=False`` drops that for a follow-up sentence about
    the same evaluation.
    """
    t = templates or load_templates()
    row = dict(row.items()) if isinstance(row, pd.Series) else dict(row)
    kind = str(row.get("kind") or "count")
    unit = "" if is_blank(row.get("unit")) else str(row.get("unit"))
    approx = bool(row.get("approx")) if not is_blank(row.get("approx")) else False
    year = _int_text(row.get("year"))
    prev_year = _int_text(row.get("prev_year")) or (str(int(year) - 1) if year else "")
    fields = {
        "year": year,
        "region": str(row.get("region_name") or ""),
        "name": str(row.get("name_zh") or row.get("indicator") or ""),
        "prev_year": prev_year,
        "evaluated_year": _int_text(row.get("evaluated_year")) or year,
        "n_years": _int_text(row.get("n_years")),
        "rank": _int_text(row.get("rank")),
        "n_peers": _int_text(row.get("n_peers")),
        "level": t.get("levels", {}).get(str(row.get("level") or ""), "同级地区"),
        "value": format_value(row.get("value"), unit, kind, approx, templates=t),
        "prev_value": format_value(row.get("prev_value"), unit, kind, False, templates=t),
        "abs_change": "",
        "pct_change": "",
    }
    position = "lead" if lead else "follow"
    missing = bool(row.get("missing")) if not is_blank(row.get("missing")) else False
    if missing or is_blank(row.get("value")):
        return t["value"]["missing"][position].format_map(fields) + t["end"]

    casefile = _is_casefile(row) and (lead or casefile_intro)
    variant = ("casefile_" if casefile else "") + ("rate" if kind == "rate" else "default")
    if variant == "casefile_default":
        variant = "casefile"
    text = t["value"][position][variant]

    if with_rank and is_ranked(row):
        text += t["rank_tied"] if tied(row) else t["rank"]

    case = change_case(row, t)
    group = "rate" if kind == "rate" else "amount"
    if case in ("up", "down", "zero_base"):
        diff = row.get("abs_change")
        if is_blank(diff):
            diff = float(row["value"]) - float(row["prev_value"])
        if kind == "rate":
            fields["abs_change"] = ("约" if approx else "") + number_text(abs(float(diff)), 1, False)
        else:
            fields["abs_change"] = format_value(abs(float(diff)), unit, kind, approx, templates=t)
        pct = row.get("pct_change")
        if is_blank(pct) and case != "zero_base":
            pct = float(diff) / abs(float(row["prev_value"])) * 100
        if not is_blank(pct):
            fields["pct_change"] = format_pct(float(pct), approx, templates=t)
    if case not in omit_cases:
        text += t["change"][group][case]
    text += _flag_note(row, case, flags, t)
    if case in ("up", "down"):
        significant = rate_change_significant(row)
        if significant is not None:
            text += t["rate_test"]["significant" if significant else "not_significant"]
        verdict = judgement(row, case, significant)
        if verdict:
            text += t["judgement"][verdict]

    label = row.get("trend_label")
    if not is_blank(label) and str(label) in t["trend"] and str(label) not in omit_trends:
        text += t["trend"][str(label)]
    return text.format_map(fields) + t["end"]


def is_ranked(row: Mapping) -> bool:
    """A city or county with a rank among at least 2 peers (the province is not ranked)."""
    return (str(row.get("level") or "") in ("city", "county") and not is_blank(row.get("rank"))
            and not is_blank(row.get("n_peers")) and int(row["n_peers"]) >= 2)


def tied(row: Mapping) -> bool:
    """The rank is shared with other regions (``n_tied`` > 1)."""
    n = row.get("n_tied")
    return not is_blank(n) and int(n) > 1


def _flag_note(row: Mapping, case: str, flags: Collection[tuple], t: Mapping) -> str:
    if not flags:
        return ""
    region, code = str(row.get("region_code") or ""), str(row.get("indicator") or "")
    year, prev_year = _int_text(row.get("year")), _int_text(row.get("prev_year"))
    keys = {(int(y), str(r), str(i)) for y, r, i in flags}
    if year and (int(year), region, code) in keys:
        return t["flag"]["value"]
    if prev_year and case not in ("first_year", "missing_base") and (int(prev_year), region, code) in keys:
        return t["flag"]["base"]
    return ""
