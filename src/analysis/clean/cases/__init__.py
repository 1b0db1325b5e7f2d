"""Case-level penalty records (行政处罚结果公示): import, deduplicate, aggregate, reconcile.

``enforcement clean`` hands every sheet whose header matches ``case_columns.csv`` to :class:`CaseCollector`
instead of the table extractor. After the tables are cleaned, :meth:`CaseCollector.finish` deduplicates the
records, aggregates them into yearly facts (DuckDB) and reconciles them with the tables' facts;
:func:`write_case_outputs` writes ``cases.duckdb``, ``cases.parquet``, ``case_facts.parquet`` and
``case_reconcile.csv`` into the processed folder.

Modules: :mod:`.parse` (amounts, dates), :mod:`.privacy` (ID masking, natural persons), :mod:`.importer`
(one sheet), :mod:`.table` (columns, dedupe, storage), :mod:`.aggregate` (SQL), :mod:`.reconcile`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_path, atomic_write_bytes, ensure_dir
from analysis.catalog import Catalog
from analysis.catalog.cases import CaseCatalog, load_case_catalog
from analysis.clean.cases.aggregate import aggregate_facts, frame_connection, violation_counts
from analysis.clean.cases.importer import find_case_header, import_case_sheet
from analysis.clean.cases.reconcile import RECONCILE_COLUMNS, reconcile
from analysis.clean.cases.table import case_frame, dedupe, remove_case_table, write_case_table
from analysis.clean.findings import QualityReport
from analysis.processed import CASE_FACTS_PARQUET, CASE_RECONCILE_CSV
from analysis.safe_cells import neutralize_frame

__all__ = ["CaseCollector", "CaseResult", "write_case_outputs"]


@dataclass
class CaseResult:
    table: pd.DataFrame  # the case table (private columns included: write it only to cases.duckdb)
    facts: pd.DataFrame  # yearly facts, source_kind "cases"
    reconcile: pd.DataFrame
    violations: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.table.empty


@dataclass
class CaseCollector:
    """Collects case-record sheets during one clean run."""

    catalog: Catalog
    cases: CaseCatalog | None = None
    today: dt.date | None = None
    records: list[dict] = field(default_factory=list)
    sheets: int = 0
    result: CaseResult | None = None

    def __post_init__(self) -> None:
        if self.cases is None:
            self.cases = load_case_catalog(self.catalog.source_dir or None)

    def take(self, wb, report: QualityReport) -> set[str]:
        """Import ``wb``'s case-record sheets; the names of the sheets taken (the table extractor skips them)."""
        taken: set[str] = set()
        for sheet in wb.sheets:
            header = find_case_header(sheet, self.cases)
            if header is None:
                continue
            taken.add(sheet.name)
            self.sheets += 1
            self.records.extend(import_case_sheet(sheet, wb.rel_path, header, self.catalog, self.cases, report,
                                                  self.today))
        return taken

    def finish(self, facts: pd.DataFrame, report: QualityReport) -> CaseResult:
        table = dedupe(case_frame(self.records), report) if self.records else case_frame([])
        con = frame_connection(table)
        try:
            case_facts = aggregate_facts(con, self.catalog)
            violations = violation_counts(con)
        finally:
            con.close()
        recon = reconcile(facts, case_facts, self.catalog, self.cases, report) if not table.empty else \
            pd.DataFrame(columns=RECONCILE_COLUMNS)
        self.result = CaseResult(table, case_facts, recon, violations)
        return self.result


def write_case_outputs(out_dir: Path | str, result: CaseResult | None) -> None:
    """Write the case files into the processed folder (or remove stale ones when there are no records)."""
    out_dir = ensure_dir(Path(out_dir))
    if result is None or result.empty:
        remove_case_table(out_dir)
        for name in (CASE_FACTS_PARQUET, CASE_RECONCILE_CSV):
            (out_dir / name).unlink(missing_ok=True)
        return
    write_case_table(out_dir, result.table)
    with atomic_path(out_dir / CASE_FACTS_PARQUET) as tmp:
        result.facts.to_parquet(tmp, index=False)
    safe = neutralize_frame(result.reconcile, ["region_name", "indicator_name", "table_source"])
    atomic_write_bytes(out_dir / CASE_RECONCILE_CSV,
                       safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
