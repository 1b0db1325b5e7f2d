"""Extraction patterns for figures inside sentences, as catalogue data (``catalog/data/text_patterns.csv``).

Columns: ``indicator`` (a code of ``indicators.csv``), ``triggers`` (pipe-separated phrases), ``position``
(``before``: the phrase stands before the number, 立案查处违法案件214起; ``after``: it follows the number and
its unit, 18907个土地卫片疑似图斑; ``either``), ``units`` (pipe-separated units the number must carry; for
money, 元 also admits 万元/亿元), ``context`` (pipe-separated; when given, one of these words must stand in
the same sentence), ``example`` (a sentence the pattern reads; the tests check every example), ``note``.
Adding a phrase is a change of this file only. The file is read through the catalogue override mechanism
(a ``text_patterns.csv`` in the override folder replaces the packaged one).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.catalog.loader import Catalog, _read_text, env_override_dir
from analysis.errors import CatalogError

PATTERN_COLUMNS = ["indicator", "triggers", "position", "units", "context", "example"]
POSITIONS = ("before", "after", "either")


@dataclass(frozen=True)
class TextPattern:
    indicator: str
    triggers: tuple[str, ...]
    position: str
    units: tuple[str, ...]
    context: tuple[str, ...]
    example: str
    line: int


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split("|") if p.strip())


def load_text_patterns(catalog: Catalog) -> tuple[TextPattern, ...]:
    """The patterns, checked against ``catalog`` (unknown indicator codes are a :class:`CatalogError`).

    The override folder is the catalogue's own (``catalog.source_dir``), else ``ENFORCEMENT_CATALOG_DIR``.
    """
    override = catalog.source_dir or (str(env_override_dir()) if env_override_dir() else "")
    return _load(override, tuple(sorted(catalog.indicators)))


@lru_cache(maxsize=8)
def _load(override: str, codes: tuple[str, ...]) -> tuple[TextPattern, ...]:
    text, where = _read_text("text_patterns.csv", Path(override) if override else None)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PATTERN_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"目录文件 {where} 缺少列：{'、'.join(missing)}", f"{where} lacks columns {missing}")
    out: list[TextPattern] = []
    known = set(codes)
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not row.get("indicator"):
            continue
        code = row["indicator"]
        if code not in known:
            raise CatalogError(f"{where} 第{line}行引用了不存在的指标代码 {code}",
                               f"{where} line {line}: unknown indicator code {code}")
        position = row.get("position") or "before"
        if position not in POSITIONS:
            raise CatalogError(f"{where} 第{line}行的 position“{position}”无效（before、after 或 either）",
                               f"{where} line {line}: bad position {position!r}")
        triggers = _split(row["triggers"])
        units = _split(row["units"])
        if not triggers or not units:
            raise CatalogError(f"{where} 第{line}行缺少触发短语或单位", f"{where} line {line}: no triggers or units")
        out.append(TextPattern(code, triggers, position, units, _split(row.get("context", "")),
                               row.get("example", ""), line))
    return tuple(out)
