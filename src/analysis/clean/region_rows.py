"""Row labels of one table -> regions, with the context the file, its title and its rows establish.

:func:`table_rows` gathers, per data row, the label to resolve (with the region code written in a code
column such as 区划代码, when there is one) and the texts of its parent label columns; :func:`contexts`
turns them into a context per row (see :meth:`analysis.catalog.regions.RegionResolver.row_contexts`);
:func:`report_match` turns a :class:`~analysis.catalog.regions.RegionMatch` into findings (unknown,
ambiguous, a bad code, a former unit) and says whether the row's figures can be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analysis.catalog import Catalog
from analysis.catalog.regions import RegionMatch

_CODE_CELL_RE = re.compile(r"^\s*(\d{6}|\d{12})(?:\.0)?\s*$")
KIND_ZH = {
    "rename": "更名", "upgrade-to-district": "撤县（市）设区", "upgrade-to-city": "撤县（地区）设市", "recode": "改变代码",
    "merge": "合并", "split": "拆分", "abolish": "撤销", "adjust": "调整",
}


@dataclass
class RowLabel:
    label: str  # what is resolved: the name, or "code name" when a code column holds the code
    parents: tuple[str, ...] = ()
    code_cells: list[tuple[int, int]] = field(default_factory=list)
    reported: str = ""  # the code or name as published (facts' region_code_reported)


def _code_of(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    m = _CODE_CELL_RE.match(str(value))
    return m.group(1)[:6] if m else ""


def table_rows(sheet_value, layout, rows) -> dict[int, RowLabel]:
    """Per data row (by sheet row index): its label, parent texts and code cells.

    ``sheet_value(r, c)`` reads a cell; a blank parent cell inherits the value above it (a merged city cell
    spanning its counties).
    """
    label_cols = layout.label_cols
    carried: dict[int, str] = {}
    out: dict[int, RowLabel] = {}
    for drow in rows:
        texts: list[tuple[int, str]] = []
        codes: list[tuple[int, str]] = []
        for c in label_cols:
            v = sheet_value(drow.row, c)
            code = _code_of(v)
            if code:
                codes.append((c, code))
                continue
            text = "" if v is None else str(v).strip()
            if text:
                carried[c] = text
            elif c != drow.label_col and c in carried and c < drow.label_col:
                text = carried[c]
            if text:
                texts.append((c, text))
        name = drow.label if not _code_of(drow.label) else (texts[-1][1] if texts else "")
        parents = tuple(t for c, t in texts if t != name and c != drow.label_col)
        if codes and drow.kind == "data":
            code = codes[-1][1]
            out[drow.row] = RowLabel(f"{code} {name}".strip(), parents, [(drow.row, c) for c, _ in codes], code)
        else:
            out[drow.row] = RowLabel(name, parents, [], name.strip())
    return out


def file_context(catalog: Catalog, rel_path: str, titles: list[str]) -> tuple[str, ...]:
    """The region the titles (first) or the file and folder names establish, as a context tuple."""
    resolver = catalog.resolver
    for text in (*titles, PurePosixPath(rel_path).stem, *reversed(PurePosixPath(rel_path).parts[:-1])):
        ctx = resolver.regions_in_text(text)
        if ctx:
            return ctx
    return ()


def contexts(catalog: Catalog, labels: dict[int, RowLabel], base: tuple[str, ...],
             year: int | None) -> dict[int, tuple[str, ...]]:
    order = sorted(labels)
    ctxs = catalog.resolver.row_contexts([(labels[r].label, labels[r].parents) for r in order], base, year)
    return dict(zip(order, ctxs, strict=True))


def _listing(catalog: Catalog, match: RegionMatch) -> str:
    return "、".join(catalog.resolver.describe(r) for r in match.candidates) or "无"


def report_match(add, catalog: Catalog, match: RegionMatch, label: str, cell: str, year: int | None,
                 clip) -> tuple[str, str] | None:
    """Findings for a resolved row label; returns the reason its figures are not used (``None``: usable).

    ``add(code, cell=..., raw=..., **params)`` records a finding (the extractor's ``add``).
    """
    lab = clip(label)
    if match.status == "ok":
        ch = match.change
        if ch is not None:
            add("region_code_mapped", cell=cell, raw=label, label=lab, old=f"{ch.old_name}({ch.old_code})",
                change_year=ch.year, kind_zh=KIND_ZH.get(ch.kind, ch.kind), kind_en=ch.kind,
                new=catalog.resolver.describe(match.region))
        return None
    if match.status == "ambiguous":
        add("region_ambiguous", cell=cell, raw=label, label=lab, candidates=_listing(catalog, match))
        return (f"行标签“{lab}”对应多个区划", f"row label '{lab}' is ambiguous")
    if match.status == "invalid":
        cands = _listing(catalog, match)
        ch = match.change
        if match.problem == "code_name_mismatch":
            own = match.candidates[0]
            add("region_code_name_mismatch", cell=cell, raw=label, label=lab, given_code=match.reported_code,
                code_name=own.name, candidates=cands)
        elif match.problem == "code_unknown":
            add("region_code_unknown", cell=cell, raw=label, label=lab, given_code=match.reported_code, candidates=cands)
        elif match.problem == "abolished" and ch is not None:
            add("region_abolished", cell=cell, raw=label, label=lab, old=f"{ch.old_name}({ch.old_code})",
                change_year=ch.year, kind_zh=KIND_ZH.get(ch.kind, ch.kind), kind_en=ch.kind, year=year,
                candidates=cands)
        elif ch is not None:
            add("region_change_not_one_to_one", cell=cell, raw=label, label=lab, old=f"{ch.old_name}({ch.old_code})",
                change_year=ch.year, kind_zh=KIND_ZH.get(ch.kind, ch.kind), kind_en=ch.kind, candidates=cands,
                document=f"（{ch.document}）" if ch.document else "")
        else:  # pragma: no cover - every invalid match names its problem
            add("region_unknown", cell=cell, raw=label, label=lab, suggest_zh="", suggest_en="")
        return (f"行标签“{lab}”的区划代码或区划变更有问题", f"row label '{lab}' has a region code or change problem")
    close = match.close_names()
    suggest = "、".join(catalog.resolver.describe(r) for r in close) if close else ""
    add("region_unknown", cell=cell, raw=label, label=lab,
        suggest_zh=f"（相近名称：{suggest}）" if suggest else "", suggest_en=f" (close names: {suggest})" if suggest else "")
    return (f"行标签“{lab}”无法识别", f"row label '{lab}' is unknown")
