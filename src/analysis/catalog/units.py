"""The unit vocabulary, read from ``catalog/data/units.csv`` (the one home of every unit spelling).

Columns: ``unit`` (canonical spelling), ``kind`` (``money``, ``rate``, ``count``, ``people``, ``measure``,
``time``, or ``composite`` for a stacked unit-row token such as ``宗/万元`` that is never a value's unit),
``to_wanyuan`` (money only: the factor converting the unit to 万元, the canonical money unit),
``unit_row`` (1 when the unit alone in a cell marks a table's unit row), ``aliases`` (pipe-separated
spellings that mean the unit). The file is read once, at import, through the catalogue override
mechanism (``ENFORCEMENT_CATALOG_DIR``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from analysis.catalog.loader import read_catalog_text


@dataclass(frozen=True)
class Unit:
    unit: str
    kind: str
    to_wanyuan: float | None
    unit_row: bool
    aliases: tuple[str, ...]


def load_units() -> tuple[Unit, ...]:
    rows = csv.DictReader(io.StringIO(read_catalog_text("units.csv")))
    out = []
    for row in rows:
        factor = (row.get("to_wanyuan") or "").strip()
        out.append(Unit(
            unit=row["unit"].strip(),
            kind=row["kind"].strip(),
            to_wanyuan=float(factor) if factor else None,
            unit_row=(row.get("unit_row") or "").strip() == "1",
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
        ))
    return tuple(out)


UNIT_TABLE = load_units()
#: Canonical units a figure can carry (composite unit-row tokens excluded).
UNITS = tuple(u.unit for u in UNIT_TABLE if u.kind != "composite")
#: Money units: a multiplier in front of them is part of the unit (``47.10万元`` -> 47.10 万元).
MONEY_UNITS = tuple(u.unit for u in UNIT_TABLE if u.kind == "money")
#: Money unit -> factor to 万元.
MONEY_FACTORS_TO_WANYUAN = {u.unit: u.to_wanyuan for u in UNIT_TABLE if u.kind == "money"}
#: Spellings (already ``normalize_text``-ed) that mean a canonical unit.
UNIT_ALIASES = {alias: u.unit for u in UNIT_TABLE for alias in u.aliases}
#: Spellings written right after a number in a cell (``12万元人民币``): a money unit followed by 人民币.
IN_CELL_UNIT_ALIASES = {a: u.unit for u in UNIT_TABLE if u.kind == "money" for a in u.aliases if a.startswith(u.unit)}
#: Tokens that, alone in a cell (or after 单位：), mark a table's unit row or unit line.
UNIT_ROW_TOKENS = tuple(u.unit for u in UNIT_TABLE if u.unit_row)

__all__ = ["IN_CELL_UNIT_ALIASES", "MONEY_FACTORS_TO_WANYUAN", "MONEY_UNITS", "UNITS", "UNIT_ALIASES", "UNIT_ROW_TOKENS", "UNIT_TABLE", "Unit"]
