"""Catalogue data for case-level penalty records (行政处罚结果公示, one row per decision).

- ``case_columns.csv`` (``raw_header,field,note``): the export's column header -> canonical field. The national
  双公示 layout and the common renames; the unit of an amount column is read from its header (万元 or 元).
- ``case_penalty_terms.csv`` (``term,indicator``): 处罚类别 words -> the penalty-category indicator codes of the
  yearly forms (``column_maps/penalty_national.csv`` is consulted first, so both speak the same codes).
- ``case_rules.csv`` (``rule,value``): plausibility limits (earliest year, largest single fine, text length).
- ``reconcile_tolerance.csv`` (``indicator,abs_tolerance,rel_tolerance``): rounding allowed when case totals
  are compared with a yearly table.

Files are read through the override mechanism (``ENFORCEMENT_CATALOG_DIR``) like every catalogue file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.catalog.loader import _read_text, env_override_dir, load_catalog, norm_header_path
from analysis.errors import CatalogError

#: The canonical fields a case record can carry (the ``field`` column of ``case_columns.csv``).
CASE_FIELDS = (
    "party_name", "party_kind", "party_code", "party_code_alt", "legal_rep", "legal_rep_id_type", "legal_rep_id",
    "id_type", "id_number", "decision_no", "case_name", "violation_type", "facts_text", "legal_basis",
    "penalty_category", "penalty_content", "fine_amount", "confiscation_amount", "license_action",
    "decision_date", "valid_until", "publish_until", "agency", "agency_code", "source_unit", "source_unit_code",
    "region_code_reported", "remark",
)
AMOUNT_FIELDS = ("fine_amount", "confiscation_amount")
#: A header row is a case-record header when it maps at least this many fields, 文号 and a penalty field among them.
MIN_MAPPED = 4
_PENALTY_FIELDS = ("penalty_category", "penalty_content", "fine_amount")
_PARENS = str.maketrans({"（": "(", "）": ")", "，": ",", "、": "、"})
_SPACE = re.compile(r"[\s\u3000]+")


def header_key(text: object) -> str:
    """A header as looked up in ``case_columns.csv``: spaces removed, full-width brackets made ASCII."""
    return _SPACE.sub("", str(text or "")).translate(_PARENS)


def header_unit(text: object) -> str:
    """``元`` when an amount header names 元 but not 万元 (罚款金额(元)); else ``万元`` (the national layout)."""
    key = header_key(text)
    return "元" if ("元" in key and "万元" not in key) else "万元"


@dataclass(frozen=True)
class CaseCatalog:
    columns: dict[str, str]  # header_key -> field
    labels: dict[str, str]  # field -> its national header (the first row of case_columns.csv naming it)
    penalty_terms: dict[str, str]  # normalised term -> indicator code
    rules: dict[str, float]
    tolerance: dict[str, tuple[float, float]]  # indicator -> (abs, rel)

    def field_of(self, header: object) -> str:
        """The canonical field of a header (``""`` when unmapped)."""
        key = header_key(header)
        if key in self.columns:
            return self.columns[key]
        # 罚款金额（单位：元） and similar: the header without its bracketed unit
        bare = re.sub(r"\(.*?\)", "", key)
        return self.columns.get(bare, "")

    def header_fields(self, row: list[object]) -> dict[int, str]:
        """Column index -> field for the mapped cells of a header row."""
        return {c: f for c, v in enumerate(row) if v is not None and (f := self.field_of(v))}

    def is_case_header(self, row: list[object]) -> bool:
        fields = set(self.header_fields(row).values())
        return len(fields) >= MIN_MAPPED and "decision_no" in fields and bool(fields & set(_PENALTY_FIELDS))

    def penalty_code(self, term: str) -> str:
        """Indicator code of one 处罚类别 term (``""`` when the catalogue does not know it)."""
        return self.penalty_terms.get(norm_header_path(term), "")

    def label(self, field: str) -> str:
        return self.labels.get(field, field)

    def rule(self, name: str) -> float:
        return self.rules[name]


def _rows(name: str, required: tuple[str, ...], override: str) -> list[dict[str, str]]:
    text, where = _read_text(name, override or env_override_dir())
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"目录文件 {where} 缺少列：{'、'.join(missing)}", f"{where} lacks columns {missing}")
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CatalogError(f"目录文件 {where} 中的数值“{text}”无效", f"{where}: bad number {text!r}") from None


@lru_cache(maxsize=4)
def _load(override: str) -> CaseCatalog:
    catalog = load_catalog(override or None)
    columns: dict[str, str] = {}
    labels: dict[str, str] = {}
    for row in _rows("case_columns.csv", ("raw_header", "field"), override):
        if row["field"] not in CASE_FIELDS:
            raise CatalogError(f"case_columns.csv 中的字段“{row['field']}”未定义",
                               f"case_columns.csv: unknown field {row['field']!r}")
        columns[header_key(row["raw_header"])] = row["field"]
        labels.setdefault(row["field"], row["raw_header"])
    terms = dict(catalog.column_maps.get("penalty_national", {}))
    for row in _rows("case_penalty_terms.csv", ("term", "indicator"), override):
        if row["indicator"] not in catalog.indicators:
            raise CatalogError(f"case_penalty_terms.csv 引用了不存在的指标代码 {row['indicator']}",
                               f"case_penalty_terms.csv: unknown indicator {row['indicator']!r}")
        terms.setdefault(norm_header_path(row["term"]), row["indicator"])
    terms = {k: v for k, v in terms.items() if v.startswith("penalty_") and catalog.indicators[v].category == "penalty"}
    rules = {r["rule"]: _number(r["value"], "case_rules.csv") for r in _rows("case_rules.csv", ("rule", "value"),
                                                                                override)}
    for need in ("min_year", "max_fine_wan", "max_text_chars", "amount_match_wan"):
        if need not in rules:
            raise CatalogError(f"case_rules.csv 缺少规则 {need}", f"case_rules.csv lacks rule {need}")
    tolerance = {
        r["indicator"]: (_number(r["abs_tolerance"] or "0", "reconcile_tolerance.csv"),
                         _number(r["rel_tolerance"] or "0", "reconcile_tolerance.csv"))
        for r in _rows("reconcile_tolerance.csv", ("indicator", "abs_tolerance", "rel_tolerance"), override)
    }
    return CaseCatalog(columns, labels, terms, rules, tolerance)


def load_case_catalog(override_dir=None) -> CaseCatalog:
    """The case-record catalogue (packaged files, or those in ``override_dir`` / ``ENFORCEMENT_CATALOG_DIR``)."""
    return _load(str(override_dir or ""))
