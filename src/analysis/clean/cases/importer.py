"""One sheet of case-level penalty records -> case-table rows and findings.

:func:`find_case_header` says whether a sheet is a case-record export (its header row maps to the fields of
``case_columns.csv``); :func:`import_case_sheet` turns its rows into dicts (the columns of
:data:`analysis.clean.cases.table.CASE_COLUMNS`). A bad cell is a finding and the row still comes through;
nothing about a natural person (name, ID number) is written into a finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from analysis.catalog import Catalog
from analysis.catalog.cases import AMOUNT_FIELDS, CaseCatalog, header_unit
from analysis.clean.cases.parse import parse_amount_cell, parse_date, text_fine
from analysis.clean.cases.privacy import is_id_number, mask_text, party_kind, public_name
from analysis.clean.findings import QualityReport
from analysis.safe_cells import neutralize_formula

#: Rows above the header a case export may carry (a title, an export note).
HEADER_SEARCH_ROWS = 10
TEXT_FIELDS = ("party_name", "case_name", "violation_type", "facts_text", "legal_basis", "penalty_category",
               "penalty_content", "license_action", "agency", "source_unit", "remark", "legal_rep")
#: The fields whose values decide whether two publications of one 文号 are the same decision.
CONTENT_FIELDS = ("party_name", "party_code", "violation_type", "penalty_category", "penalty_content",
                  "fine_amount", "confiscation_amount", "decision_date")
_CATEGORY_SPLIT = re.compile(r"[、,，;；/|\s]+|(?:并处|和|及)")
_SPACE = re.compile(r"[\s\u3000]+")


def find_case_header(sheet, cases: CaseCatalog) -> int | None:
    """Index of the sheet's case-record header row, or None when the sheet is not a case export."""
    for r, row in enumerate(sheet.values[:HEADER_SEARCH_ROWS]):
        if cases.is_case_header(row):
            return r
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _key(text: str) -> str:
    return _SPACE.sub("", text)


class _SheetImport:
    """State of one sheet's import: where things are and what was already reported."""

    def __init__(self, sheet, rel_path: str, header_row: int, catalog: Catalog, cases: CaseCatalog,
                 report: QualityReport, today: dt.date):
        self.sheet, self.rel, self.h = sheet, rel_path, header_row
        self.catalog, self.cases, self.report, self.today = catalog, cases, report, today
        header = sheet.values[header_row]
        self.fields = cases.header_fields(header)
        self.units = {f: header_unit(header[c]) for c, f in self.fields.items() if f in AMOUNT_FIELDS}
        self.col_of: dict[str, int] = {}
        for c, f in self.fields.items():
            self.col_of.setdefault(f, c)  # the first column of a field wins (a second one is reported)
        self.limit = int(cases.rule("max_text_chars"))
        self.agencies: dict[str, tuple] = {}
        self.unknown_terms: set[str] = set()

    def add(self, code: str, r: int, at: str = "", raw: object = "", /, **params) -> None:
        c = self.col_of.get(at, 0)
        self.report.add(code, file=self.rel, sheet=self.sheet.name, cell=self.sheet.ref(r, c),
                        raw_value=mask_text(_text(raw)), **params)

    def check_columns(self, last_row: int) -> None:
        header = self.sheet.values[self.h]
        seen: set[str] = set()
        for c, value in enumerate(header):
            if value is None or not _text(value):
                continue
            field = self.fields.get(c, "")
            if field and field not in seen:
                seen.add(field)
                continue
            cells = f"{self.sheet.ref(self.h, c)}:{self.sheet.ref(max(last_row, self.h), c)}"
            self.report.add("case_column_unmapped", file=self.rel, sheet=self.sheet.name, cell=cells,
                            raw_value=mask_text(_text(value)), header=mask_text(_text(value)))

    def cell(self, row: list[object], field: str) -> object:
        c = self.col_of.get(field)
        return row[c] if c is not None and c < len(row) else None

    def text(self, r: int, row: list[object], field: str) -> str:
        value = _text(self.cell(row, field))
        if not value:
            return ""
        if field in TEXT_FIELDS and neutralize_formula(value) != value:
            self.add("case_formula_text", r, field, value[:60], field=self.cases.label(field))
        if len(value) > self.limit:
            self.add("case_cell_too_long", r, field, value[:60], field=self.cases.label(field),
                     length=len(value), limit=self.limit)
            value = value[: self.limit]
        return value

    def region(self, agency: str, year: int | None) -> tuple[str, str, str]:
        key = (_key(agency), year)
        if key not in self.agencies:
            match = self.catalog.resolve_region(agency, year=year) if agency else None
            region = match.region if match is not None and match.status == "ok" else None
            self.agencies[key] = (region.code, region.name, region.level) if region else ("", "", "")
        return self.agencies[key]

    def amount(self, r: int, row: list[object], field: str) -> float | None:
        raw = self.cell(row, field)
        parsed = parse_amount_cell(raw, self.units.get(field, "万元"))
        if parsed.status == "bad":
            self.add("case_amount_unparseable", r, field, raw, field=self.cases.label(field),
                     value=mask_text(_text(raw))[:60])
            return None
        return parsed.value if parsed.status == "ok" else None

    def fine(self, r: int, row: list[object], content: str) -> tuple[float | None, str]:
        """The decision's fine in 万元 and where it came from (``column``, ``text`` or ``""``)."""
        from_text = text_fine(content)
        if "fine_amount" not in self.col_of:
            return (from_text, "text") if from_text is not None else (None, "")
        value = self.amount(r, row, "fine_amount")
        if value is None:
            return (from_text, "text") if from_text is not None and parse_amount_cell(
                self.cell(row, "fine_amount")).status == "none" else (None, "")
        limit = self.cases.rule("max_fine_wan")
        tol = self.cases.rule("amount_match_wan")
        if value > limit:
            as_yuan = round(value / 10_000, 6)
            if from_text is not None and abs(from_text - as_yuan) <= tol:
                self.add("case_amount_unit_suspect", r, "fine_amount", self.cell(row, "fine_amount"),
                         field=self.cases.label("fine_amount"), value=f"{value:g}", limit=f"{limit:g}",
                         action=f"处罚内容文字为{from_text:g}万元，按元计为{as_yuan:g}万元",
                         action_en=f"the penalty text says {from_text:g}; read as yuan: {as_yuan:g}")
                return as_yuan, "column_yuan"
            self.add("case_amount_unit_suspect", r, "fine_amount", self.cell(row, "fine_amount"),
                     field=self.cases.label("fine_amount"), value=f"{value:g}", limit=f"{limit:g}",
                     action="该金额未计入罚没款合计，请核对单位",
                     action_en="the amount is left out of the fine totals; check the unit")
            return None, "implausible"
        if from_text is not None and abs(from_text - value) > tol:
            self.add("case_amount_conflict", r, "fine_amount", self.cell(row, "fine_amount"),
                     column=f"{value:g}", text=f"{from_text:g}")
        return value, "column"

    def decision_date(self, r: int, row: list[object]) -> dt.date | None:
        raw = self.cell(row, "decision_date")
        parsed = parse_date(raw)
        if parsed.status == "bad":
            self.add("case_date_unparseable", r, "decision_date", raw, value=mask_text(_text(raw))[:40])
            return None
        if parsed.status == "none":
            self.add("case_date_unparseable", r, "decision_date", raw, value="")
            return None
        min_year = int(self.cases.rule("min_year"))
        if parsed.value.year < min_year or parsed.value > self.today:
            self.add("case_date_out_of_range", r, "decision_date", raw, value=parsed.value.isoformat(),
                     min_year=min_year)
            return None
        return parsed.value

    def categories(self, r: int, category: str) -> list[str]:
        codes: list[str] = []
        for term in (t for t in _CATEGORY_SPLIT.split(category) if t):
            code = self.cases.penalty_code(term)
            if not code:
                code = "penalty_other"
                if term not in self.unknown_terms:
                    self.unknown_terms.add(term)
                    self.add("case_category_unmapped", r, "penalty_category", term, category=term[:40])
            if code not in codes:
                codes.append(code)
        return codes

    def record(self, r: int, row: list[object]) -> dict:
        t = {f: self.text(r, row, f) for f in self.col_of if f not in AMOUNT_FIELDS and f != "decision_date"}
        decision_date = self.decision_date(r, row) if "decision_date" in self.col_of else None
        year = decision_date.year if decision_date else None
        content = t.get("penalty_content", "")
        fine, fine_source = self.fine(r, row, content)
        confiscation = self.amount(r, row, "confiscation_amount") if "confiscation_amount" in self.col_of else None
        decision_no = t.get("decision_no", "")
        if not decision_no:
            self.add("case_no_decision_no", r, "decision_no", "")
        agency = t.get("agency", "") or t.get("source_unit", "")
        region_code, region_name, level = self.region(agency, year)
        if not region_code:
            self.add("case_agency_unknown", r, "agency", agency, agency=mask_text(agency)[:60])
        ids = [v for v in (t.get("id_number", ""), t.get("legal_rep_id", "")) if v]
        code = t.get("party_code", "")
        kind = party_kind(t.get("party_name", ""), code, t.get("party_kind", "") or t.get("id_type", ""),
                          t.get("id_number", ""))
        if is_id_number(code):
            ids.insert(0, code)
        if kind == "natural" and len(t.get("party_name", "")) >= 2:  # the person's name inside the texts
            for f in ("facts_text", "penalty_content", "case_name", "remark", "license_action"):
                if f in t:
                    t[f] = t[f].replace(t["party_name"], public_name("", "natural"))
            content = t.get("penalty_content", "")
        digest = hashlib.sha256("\x1f".join(_text(self.cell(row, f)) for f in CONTENT_FIELDS).encode()).hexdigest()
        return {
            "source_file": self.rel, "source_sheet": self.sheet.name, "source_row": r + 1,
            "source_cell": self.sheet.ref(r, 0),
            "party_name": t.get("party_name", ""), "party_kind": kind,
            "party_public": public_name(t.get("party_name", ""), kind),
            "party_code": str(mask_text(code)), "id_number": ";".join(ids),
            "legal_rep": t.get("legal_rep", ""),
            "decision_no": decision_no, "case_name": str(mask_text(t.get("case_name", ""))),
            "violation_type": t.get("violation_type", ""), "facts_text": str(mask_text(t.get("facts_text", ""))),
            "legal_basis": t.get("legal_basis", ""), "penalty_category": t.get("penalty_category", ""),
            "category_codes": ";".join(self.categories(r, t.get("penalty_category", ""))),
            "penalty_content": str(mask_text(content)),
            "fine_wan": fine, "fine_source": fine_source, "confiscation_wan": confiscation,
            "license_action": str(mask_text(t.get("license_action", ""))),
            "decision_date": decision_date, "year": year, "month": decision_date.month if decision_date else None,
            "agency": agency, "region_code": region_code, "region_name": region_name, "level": level,
            "remark": str(mask_text(t.get("remark", ""))), "content_hash": digest,
        }


def import_case_sheet(sheet, rel_path: str, header_row: int, catalog: Catalog, cases: CaseCatalog,
                      report: QualityReport, today: dt.date | None = None) -> list[dict]:
    """The records of one case-record sheet (header at ``header_row``); findings go to ``report``."""
    state = _SheetImport(sheet, rel_path, header_row, catalog, cases, report, today or dt.date.today())
    rows = [(r, row) for r, row in enumerate(sheet.values) if r > header_row
            and any(_text(v) for c, v in enumerate(row) if c in state.fields)]
    last = max((r for r, _ in rows), default=header_row)
    state.check_columns(last)
    if not rows:
        report.add("case_file_empty", file=rel_path, sheet=sheet.name,
                   cell=f"{sheet.ref(0, 0)}:{sheet.ref(max(sheet.n_rows - 1, 0), max(sheet.n_cols - 1, 0))}")
        return []
    records = [state.record(r, row) for r, row in rows]
    n_cols = max(sheet.n_cols, 1)
    # Every cell of the sheet is now in the case table (or a finding): one finding accounts for the range.
    report.add("case_records_imported", file=rel_path, sheet=sheet.name,
               cell=f"{sheet.ref(0, 0)}:{sheet.ref(max(sheet.n_rows - 1, 0), n_cols - 1)}",
               n=len(records), table="cases.duckdb")
    return records
