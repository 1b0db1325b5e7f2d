"""Scope of a figure: the whole region (``region``) or the reporting bureau's own work (``agency``).

A row for 固原市 or 全市 counts the whole city, counties included; a row for 固原市自然资源局 or 银川市本级
counts the bureau's own work. The markers are catalogue data (``catalog/data/scope_markers.csv``,
``marker,scope,note``), read through the override mechanism like every catalogue file.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

from analysis.catalog.loader import _read_text, env_override_dir
from analysis.errors import CatalogError

SCOPES = ("region", "agency")


@lru_cache(maxsize=8)
def _markers(override_dir: str) -> tuple[tuple[str, str], ...]:
    text, where = _read_text("scope_markers.csv", override_dir or env_override_dir())
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        marker, scope = (row.get("marker") or "").strip(), (row.get("scope") or "").strip()
        if not marker:
            continue
        if scope not in SCOPES:
            raise CatalogError(f"{where} 中“{marker}”的范围“{scope}”无效（应为 region 或 agency）",
                               f"{where}: bad scope {scope!r} for {marker!r}")
        out.append((marker, scope))
    return tuple(sorted(out, key=lambda m: -len(m[0])))


def scope_markers(override_dir: str = "") -> tuple[tuple[str, str], ...]:
    """(marker, scope) pairs, longest marker first."""
    return _markers(str(override_dir or ""))


def label_scope(label: str, via_agency: bool, override_dir: str = "") -> str:
    """Scope of a table row: an agency name (suffix stripped to find the region) or a 本级 marker is
    ``agency``; a plain region name or 全市 is ``region``."""
    text = str(label or "")
    for marker, scope in scope_markers(override_dir):
        if marker in text:
            return scope
    return "agency" if via_agency else "region"


def text_scope(sentence: str, override_dir: str = "") -> str:
    """Scope of a figure in a sentence: ``agency`` when the sentence names the bureau's own level
    (厅本级, 厅机关, 厅务会 ...), else ``region``."""
    for marker, scope in scope_markers(override_dir):
        if scope == "agency" and marker in sentence:
            return "agency"
    return "region"
