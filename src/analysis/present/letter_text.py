"""The yearly letter's content, built from the summary table with the wording of ``narrative/letter.yaml``.

This module decides *what* the letter says; :mod:`analysis.present.gongwen` lays it out in Word.

- Figures come only from the summary table (contracts.md section 4), from the rows of one region and
  year. Every figure in a sentence is a :class:`Segment` carrying a :class:`Trace` (indicator code,
  summary column, the unrounded value and the text shown), so the draft can list and annotate where
  each number came from.
- Numbers are written by the same rules as every other report (``analysis.present.narrative``:
  ``format_value`` with its units, 约 for approximate figures, ``change_case`` for the YoY wording).
- A sentence whose figure is missing for the year is left out; headings and 一是/二是 are numbered over
  what remains. Template placeholders are checked against the indicator catalogue when loaded, so a
  typo fails loudly instead of silently dropping a sentence.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import CatalogError
from analysis.present.narrative import change_case, format_pct, format_value
from analysis.present.narrative.render import read_wording_file
from analysis.present.numbers import is_blank, number_text
from analysis.stats.derive import indicator_metadata

CONTEXT_FIELDS = frozenset({"year", "prev_year", "next_year", "evaluated_year", "region", "sender", "addressee",
                            "self"})
TOP_FIELD = "top"
CHANGE_SPEC = "change"
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Trace:
    """Where one number of the draft came from: a summary-table cell."""

    indicator: str
    name_zh: str
    column: str  # value | pct_change | abs_change | prev_value
    raw: float
    text: str


@dataclass(frozen=True)
class Segment:
    text: str
    trace: Trace | None = None


@dataclass
class Block:
    """One paragraph or heading of the body: ``kind`` is heading1, heading2 or body."""

    kind: str
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass
class LetterContent:
    title: str
    addressee: str
    sender: str
    date_text: str
    is_sample: bool
    blocks: list[Block]
    attachment_line: str
    attachment_label: str
    attachment_title: str
    table_columns: list[str]
    table_rows: list[list[str]]
    table_codes: list[str]
    templates: Mapping[str, Any] = field(repr=False, default_factory=dict)
    region_name: str = ""
    region_code: str = ""
    year: int = 0

    @property
    def traces(self) -> list[Trace]:
        return [s.trace for b in self.blocks for s in b.segments if s.trace is not None]


# --------------------------------------------------------------------------- templates


def _fields(text: str) -> list[tuple[str, str]]:
    try:
        return [(name, spec or "") for _, name, spec, _ in _FORMATTER.parse(text) if name is not None]
    except ValueError as err:
        raise CatalogError(f"公文模板占位符格式错误：{text!r}", f"bad placeholder in letter template: {err}") from None


def _template_strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _template_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _template_strings(value)


def _validate(data: Any, origin: str) -> None:
    if not isinstance(data, Mapping) or not isinstance(data.get("sections"), list):
        raise CatalogError(f"公文模板缺少 sections：{origin}", f"letter template has no sections list: {origin}")
    for key in ("title", "defaults", "opening", "closing", "change", "attachment", "trace", "ordinals", "sample"):
        if key not in data:
            raise CatalogError(f"公文模板缺少 {key}：{origin}", f"letter template lacks {key!r}: {origin}")
    known = set(indicator_metadata().index)
    tops = set(data.get("top", {}))
    allowed_other = {"pct", "points", "name", "value", "share", "code", "column", "raw", "region_code"}
    for text in _template_strings(data["sections"]):
        for name, spec in _fields(text):
            ok = (name in CONTEXT_FIELDS or (name == TOP_FIELD and spec in tops)
                  or (name in known and spec in ("", CHANGE_SPEC)))
            if not ok:
                raise CatalogError(f"公文模板中有未知占位符 {{{name}{':' + spec if spec else ''}}}：{origin}",
                                   f"unknown placeholder {{{name}:{spec}}} in letter template {origin}")
    for text in _template_strings({k: v for k, v in data.items() if k != "sections"}):
        for name, _ in _fields(text):
            if name not in CONTEXT_FIELDS and name not in allowed_other:
                raise CatalogError(f"公文模板中有未知占位符 {{{name}}}：{origin}",
                                   f"unknown placeholder {{{name}}} in letter template {origin}")


@functools.lru_cache(maxsize=4)
def _load(path: str | None) -> dict:
    data, origin = read_wording_file("letter.yaml", path, ("公文模板文件", "letter template"))
    _validate(data, origin)
    return data


def load_letter_templates(path: str | Path | None = None) -> dict:
    """The letter wording (the bundled ``letter.yaml`` or ``path``), placeholders validated."""
    return _load(None if path is None else str(Path(path)))


# --------------------------------------------------------------------------- rows and numbers


def region_rows(summary: pd.DataFrame, year: int, region_code: str) -> dict[str, dict]:
    """The summary rows of one region and year with a figure, by indicator code."""
    sel = summary[(summary["year"].astype(int) == int(year)) & (summary["region_code"].astype(str) == str(region_code))]
    out: dict[str, dict] = {}
    for row in sel.to_dict("records"):
        if bool(row.get("missing")) or is_blank(row.get("value")):
            continue
        out.setdefault(str(row["indicator"]), row)
    return out


def _approx(row: Mapping) -> bool:
    return not is_blank(row.get("approx")) and bool(row.get("approx"))


def value_segment(row: Mapping) -> Segment:
    text = format_value(float(row["value"]), row.get("unit") or "", str(row.get("kind") or ""), _approx(row))
    return Segment(text, Trace(str(row["indicator"]), str(row.get("name_zh") or ""), "value", float(row["value"]), text))


def _fill(template: str, values: Mapping[str, Segment | str]) -> list[Segment]:
    out: list[Segment] = []
    for literal, name, _spec, _conv in _FORMATTER.parse(template):
        if literal:
            out.append(Segment(literal))
        if name is not None:
            v = values[name]
            out.append(v if isinstance(v, Segment) else Segment(str(v)))
    return out


def change_segments(row: Mapping, tpl: Mapping) -> list[Segment]:
    """The YoY clause of one row (empty when the previous year has no comparable figure)."""
    case = change_case(row)
    wording = tpl["change"]
    name = str(row.get("name_zh") or "")
    code = str(row["indicator"])
    if row.get("kind") == "rate" and case in ("up", "down", "flat", "flat_approx"):
        if case in ("flat", "flat_approx"):
            return _fill(wording["rate_flat"], {})
        diff = float(row["abs_change"])
        text = ("约" if _approx(row) else "") + number_text(abs(diff), 1)
        seg = Segment(text, Trace(code, name, "abs_change", diff, text))
        return _fill(wording["rate_up" if case == "up" else "rate_down"], {"points": seg})
    if case in ("up", "down"):
        pct = float(row["pct_change"])
        text = format_pct(pct, _approx(row))
        seg = Segment(text, Trace(code, name, "pct_change", pct, text))
        return _fill(wording[case], {"pct": seg})
    if case in ("flat", "flat_approx", "zero_base"):
        return _fill(wording[case], {})
    return []  # first_year, missing_base: no comparison in a letter


def top_segments(rows: Mapping[str, dict], spec: Mapping) -> list[Segment]:
    """The largest items of some categories ("罚款120宗（占62.5%）、警告30宗"), each figure traced."""
    cats = set(spec.get("codes_categories", []))
    exclude = set(spec.get("exclude", []))
    items = [r for r in rows.values()
             if r.get("category") in cats and r["indicator"] not in exclude and float(r["value"]) > 0]
    items.sort(key=lambda r: (-float(r["value"]), str(r["indicator"])))
    out: list[Segment] = []
    for i, row in enumerate(items[: int(spec.get("count", 3))]):
        if i:
            out.append(Segment(spec.get("joiner", "、")))
        share = rows.get(f"share_{row['indicator']}")
        name = str(row.get("name_zh") or "").replace("（合并列）", "")
        values: dict[str, Segment | str] = {"name": name, "value": value_segment(row)}
        if share is not None:
            values["share"] = value_segment(share)
            out.extend(_fill(spec["item_share"], values))
        else:
            out.extend(_fill(spec["item"], values))
    return out


def render(template: str, context: Mapping[str, str], rows: Mapping[str, dict], tpl: Mapping) -> list[Segment] | None:
    """Segments of one template sentence, or None when one of its figures is missing for the year."""
    out: list[Segment] = []
    for literal, name, spec, _conv in _FORMATTER.parse(template):
        if literal:
            out.append(Segment(literal))
        if name is None:
            continue
        if name in CONTEXT_FIELDS:
            out.append(Segment(str(context[name])))
        elif name == TOP_FIELD:
            top = top_segments(rows, tpl["top"][spec])
            if not top:
                return None
            out.extend(top)
        elif name not in rows:
            return None
        elif spec == CHANGE_SPEC:
            out.extend(change_segments(rows[name], tpl))
        else:
            out.append(value_segment(rows[name]))
    return out


def _sentences(templates: Sequence[str], context, rows, tpl) -> list[list[Segment]]:
    """Rendered sentences; a to-be-completed sentence (〔…〕) stays only when a figure sentence does."""
    done = [render(t, context, rows, tpl) for t in templates]
    with_figures = [s for s, t in zip(done, templates) if s is not None and _fields(t) and "〔" not in t]
    if not with_figures:
        return []
    return [s for s in done if s is not None]


# --------------------------------------------------------------------------- the letter


def date_text(day) -> str:
    """成文日期 in Arabic numerals without zero padding: 2025年1月10日 (GB/T 9704-2012 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _plain(text: str, context: Mapping[str, str]) -> str:
    return text.format_map(dict(context))


def _attachment(rows: Mapping[str, dict], year: int, tpl: Mapping) -> tuple[list[str], list[list[str]], list[str]]:
    from analysis.present.tables import change_text, format_cell

    order = {code: i for i, code in enumerate(indicator_metadata().index)}
    skip = set(tpl["attachment"].get("exclude_categories", []))
    codes = sorted((c for c in rows if rows[c].get("category") not in skip), key=lambda c: order.get(c, len(order)))
    blank = tpl["attachment"].get("blank_cell", "—")
    table_rows = []
    for i, code in enumerate(codes, start=1):
        row = rows[code]
        unit = "" if is_blank(row.get("unit")) else str(row["unit"])
        value = format_cell(float(row["value"]), unit)
        if _approx(row):
            value = "约" + value
        prev = blank if is_blank(row.get("prev_value")) else format_cell(float(row["prev_value"]), unit)
        table_rows.append([str(i), str(row.get("name_zh") or code), unit, value, prev, change_text(row)])
    return [str(c) for c in tpl["attachment"]["columns"]], table_rows, codes


def build_letter_content(summary: pd.DataFrame, year: int, region_code: str, *, sender: str | None = None,
                         addressee: str | None = None, day=None, self_name: str | None = None,
                         templates: Mapping | None = None) -> LetterContent:
    """Everything the letter says, in order, with every figure traced to the summary table."""
    import datetime as dt

    tpl = templates or load_letter_templates()
    rows = region_rows(summary, year, region_code)
    sel = summary[summary["region_code"].astype(str) == str(region_code)]
    region_name = str(sel["region_name"].iloc[0]) if len(sel) else str(region_code)
    is_sample = bool(len(summary)) and bool(summary["is_sample"].fillna(False).astype(bool).any())
    evaluated = next((int(r["evaluated_year"]) for r in rows.values() if r.get("category") == "casefile"), year - 1)
    context = {"year": str(year), "prev_year": str(year - 1), "next_year": str(year + 1),
               "evaluated_year": str(evaluated), "region": region_name}
    defaults = tpl["defaults"]
    context["sender"] = sender or _plain(defaults["sender"], context)
    context["addressee"] = addressee or _plain(defaults["addressee"], context)
    context["self"] = self_name or defaults.get("self", "我单位")
    ordinals = list(tpl["ordinals"])

    blocks: list[Block] = [Block("body", [Segment(_plain(tpl["opening"], context))])]
    n_section = 0
    for section in tpl["sections"]:
        section_blocks: list[Block] = []
        if "points" in section:
            parts: list[Segment] = []
            n_point = 0
            for point in section["points"]:
                sentences = _sentences(point["sentences"], context, rows, tpl)
                if not sentences:
                    continue
                parts.append(Segment(f"{ordinals[n_point]}是{point['label']}。"))
                n_point += 1
                for s in sentences:
                    parts.extend(s)
            if parts:
                lead = [Segment(_plain(section["lead"], context))] if section.get("lead") else []
                section_blocks.append(Block("body", lead + parts))
        for sub in section.get("subsections", []):
            sentences = _sentences(sub["sentences"], context, rows, tpl)
            if not sentences:
                continue
            n_sub = sum(b.kind == "heading2" for b in section_blocks)
            section_blocks.append(Block("heading2", [Segment(f"（{ordinals[n_sub]}）{sub['heading']}")]))
            section_blocks.append(Block("body", [seg for s in sentences for seg in s]))
        if not section_blocks:
            continue
        if section.get("lead") and "points" not in section:
            section_blocks.insert(0, Block("body", [Segment(_plain(section["lead"], context))]))
        blocks.append(Block("heading1", [Segment(f"{ordinals[n_section]}、{section['heading']}")]))
        n_section += 1
        blocks.extend(section_blocks)
    blocks.append(Block("body", [Segment(_plain(tpl["closing"], context))]))

    columns, table_rows, codes = _attachment(rows, year, tpl)
    columns = [_plain(c, context) for c in columns]
    return LetterContent(
        title=_plain(tpl["title"], context),
        addressee=context["addressee"],
        sender=context["sender"],
        date_text=date_text(day or dt.date.today()),
        is_sample=is_sample,
        blocks=blocks,
        attachment_line=_plain(tpl["attachment"]["line"], context),
        attachment_label=tpl["attachment"]["label"],
        attachment_title=_plain(tpl["attachment"]["title"], context),
        table_columns=columns,
        table_rows=table_rows,
        table_codes=codes,
        templates=tpl,
        region_name=region_name,
        region_code=str(region_code),
        year=int(year),
    )


def raw_text(value: float) -> str:
    """An unrounded summary value as the trace list shows it (no float noise beyond 10 significant digits)."""
    if is_blank(value) or not math.isfinite(float(value)):
        return "—"
    return f"{float(value):.10g}"
