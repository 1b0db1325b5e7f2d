"""``enforcement clean``: raw folder -> tidy facts + quality report + meta.json.

:func:`clean` does the work in memory (for notebooks and tests); :func:`run_clean` writes
``facts.parquet``, ``facts.csv`` (UTF-8 with BOM), ``quality.csv`` and ``meta.json`` atomically
into the output folder and returns the exit status (1 when there are error findings).
Raw files are only ever read.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd

from analysis.catalog import Catalog, env_override_dir, load_catalog
from analysis.clean.cases import CaseCollector, write_case_outputs
from analysis.clean.extract import extract_workbook, load_manifest
from analysis.clean.findings import QualityReport
from analysis.clean.readers import discover_files, read_workbook
from analysis.clean.rowlabel import pivot_row_label_sheets
from analysis.clean.text_figures import extract_text_figures, paragraphs_are_sample
from analysis.clean.validate import validate_facts
from analysis.errors import CatalogError, RawInputError
from analysis.processed import FACT_DTYPES, empty_facts, write_processed

SAMPLE_MARKER_FILE = "SAMPLE"


def _check_raw_dir(raw_dir: Path) -> Path:
    raw_dir = Path(raw_dir)
    if not raw_dir.exists():
        raise RawInputError(f"原始数据文件夹不存在：{raw_dir}，请检查 --raw 参数", f"raw folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise RawInputError(f"原始数据路径不是文件夹：{raw_dir}", f"raw path is not a folder: {raw_dir}")
    return raw_dir


def raw_digest(raw_dir: Path, files: list[Path]) -> str:
    """sha256 over the sorted (relative POSIX path, file bytes) pairs of the discovered files."""
    h = hashlib.sha256()
    pairs = []
    for p in files:
        try:
            rel = p.relative_to(raw_dir).as_posix()
        except ValueError:
            rel = p.name
        pairs.append((rel, p))
    for rel, p in sorted(pairs):
        h.update(rel.encode("utf-8") + b"\0")
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def _progress(iterable, enabled: bool, total: int):
    if not enabled or not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc="清洗 / cleaning", unit="file", file=sys.stderr)


def clean(raw_dir: Path | str, catalog: Catalog | None = None, catalog_dir: Path | str | None = None,
          progress: bool = False, cases: CaseCollector | None = None) -> tuple[pd.DataFrame, QualityReport, dict]:
    """Read, extract and validate every raw file. Returns ``(facts, report, meta)``.

    Catalogue files are the packaged ones, except those present in ``catalog_dir`` (or, when it is not
    given, in the folder named by the ``ENFORCEMENT_CATALOG_DIR`` environment variable).
    Case-level penalty records go to ``cases`` (a :class:`CaseCollector`; its ``result`` holds them afterwards).
    """
    raw_dir = _check_raw_dir(Path(raw_dir))
    if catalog is None:
        if catalog_dir is not None and not Path(catalog_dir).is_dir():
            raise CatalogError(f"目录覆盖文件夹不存在：{catalog_dir}", f"catalogue folder not found: {catalog_dir}")
        catalog = load_catalog(catalog_dir if catalog_dir is not None else env_override_dir())
    report = QualityReport()
    files = discover_files(raw_dir, report)
    manifest = load_manifest(raw_dir, report)
    rows: list[dict] = []
    is_sample = (raw_dir / SAMPLE_MARKER_FILE).exists()
    cases = cases if cases is not None else CaseCollector(catalog)
    for path in _progress(files, progress, len(files)):
        wb = read_workbook(path, raw_dir, report)
        if wb is None:
            continue
        # ---- case-level penalty records (行政处罚结果公示): a sheet whose header matches case_columns.csv goes
        # to the case importer (analysis.clean.cases), not to the table extractor.
        taken = cases.take(wb, report)
        if taken:
            wb.sheets = [sh for sh in wb.sheets if sh.name not in taken]
            if not wb.sheets and not wb.paragraphs:
                continue
        # ---- end of the case branch
        # Tables (from every format) go through the one table extractor. A letter or a document with
        # running text only has no sheets: it is not a "file with no table" error.
        if wb.sheets or not wb.paragraphs:
            pivot_row_label_sheets(wb, catalog, report)  # 信息公开年报: the indicator is in the row label
            result = extract_workbook(wb, catalog, report, manifest)
            rows.extend(result.facts)
            is_sample = is_sample or result.is_sample
        # Running text (wb.paragraphs: letters, and the text around web/Word/PDF tables): figures in sentences.
        paragraphs = getattr(wb, "paragraphs", [])
        if paragraphs:
            rows.extend(extract_text_figures(paragraphs, wb.rel_path, catalog, report, manifest))
            is_sample = is_sample or paragraphs_are_sample(paragraphs)
    raw = pd.DataFrame(rows) if rows else empty_facts().assign(raw_value="", from_total=False)
    facts = validate_facts(raw, catalog, report)
    facts = facts.astype(FACT_DTYPES) if not facts.empty else empty_facts()
    facts = facts.sort_values(["year", "region_code", "indicator", "source_file", "source_cell"],
                              kind="stable").reset_index(drop=True)
    case_result = cases.finish(facts, report)  # dedupe, aggregate, reconcile with the tables (adds findings)
    meta = {
        "is_sample": bool(is_sample),
        "years": sorted(int(y) for y in facts["year"].unique()),
        "regions": sorted(str(c) for c in facts["region_code"].unique()),
        "n_facts": int(len(facts)),
        "n_files": len(files),
        "findings": {s: report.count(s) for s in ("error", "warning", "info")},
        "raw_digest": raw_digest(raw_dir, files),
    }
    if not case_result.empty:
        meta["n_case_records"] = int(len(case_result.table))
    return facts, report, meta


def write_outputs(out_dir: Path, facts: pd.DataFrame, report: QualityReport, meta: dict) -> None:
    """Write the processed folder (:func:`analysis.processed.write_processed`)."""
    write_processed(out_dir, facts, report.to_frame(), meta)


def run_clean(raw_dir: Path, out_dir: Path, progress: bool = True) -> int:
    """The ``enforcement clean`` command: clean, write, print a summary; 1 when errors were found."""
    cases = CaseCollector(load_catalog(env_override_dir()))
    facts, report, meta = clean(raw_dir, progress=progress, cases=cases)
    write_outputs(Path(out_dir), facts, report, meta)
    write_case_outputs(Path(out_dir), cases.result)
    n_err, n_warn, n_info = (report.count(s) for s in ("error", "warning", "info"))
    sample = "（示例数据 / sample data）" if meta["is_sample"] else ""
    print(
        f"已写入 {len(facts)} 条数据{sample}：错误 {n_err} 条，警告 {n_warn} 条，提示 {n_info} 条；输出目录 {out_dir} | "
        f"wrote {len(facts)} facts: {n_err} errors, {n_warn} warnings, {n_info} info -> {out_dir}"
    )
    if n_err:
        print(f"请查看 {Path(out_dir) / 'quality.csv'} 中的错误 | see errors in quality.csv", file=sys.stderr)
    return 1 if n_err else 0
