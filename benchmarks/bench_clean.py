"""Benchmark: ``analysis.clean.pipeline.clean`` on ``data/raw`` against just reading the same files with pandas.

Run: ``.venv/bin/python benchmarks/bench_clean.py [--raw data/raw] [--repeat 3]``

The baseline, measured in the same run, merely reads the files ``clean`` discovers with each format's own
library, with no layout detection, parsing, validation or findings: ``pandas.read_csv`` (CSV, with the
file's encoding), ``pandas.read_excel(sheet_name=None)`` (XLSX/XLS, every sheet), ``lxml.html`` (web pages:
parse and list the table cells), ``python-docx`` (Word: paragraphs and table cells), ``pdfplumber`` (PDF:
page text and ruled tables) and a plain decode (text letters).
Prints the best-of-N time of each and the ratio clean / baseline.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import warnings
from pathlib import Path

import docx
import lxml.html
import pandas as pd
import pdfplumber

from analysis.clean.findings import QualityReport
from analysis.clean.pipeline import clean
from analysis.clean.readers import discover_files, read_workbook

ROOT = Path(__file__).resolve().parents[1]


def _encoding(path: Path, raw_root: Path) -> str:
    wb = read_workbook(path, raw_root, QualityReport())
    return (wb.encoding if wb is not None and wb.encoding else "utf-8")


def baseline_read(raw: Path, files: list[Path], encodings: dict[Path, str]) -> int:
    """Read every discovered file with pandas; return the number of cells read."""
    cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in files:
            try:
                data = p.read_bytes()
                if p.suffix.lower() == ".csv":
                    df = pd.read_csv(io.BytesIO(data), header=None, dtype=str, encoding=encodings[p],
                                     keep_default_na=False)
                    cells += df.size
                elif p.suffix.lower() in (".xlsx", ".xls"):
                    for df in pd.read_excel(io.BytesIO(data), sheet_name=None, header=None).values():
                        cells += df.size
                elif p.suffix.lower() in (".html", ".htm"):
                    cells += len(lxml.html.fromstring(data).xpath("//td|//th"))
                elif p.suffix.lower() == ".docx":
                    doc = docx.Document(io.BytesIO(data))
                    cells += len(doc.paragraphs) + sum(len(r.cells) for t in doc.tables for r in t.rows)
                elif p.suffix.lower() == ".pdf":
                    with pdfplumber.open(io.BytesIO(data)) as pdf:
                        for page in pdf.pages:
                            page.extract_text()
                            cells += sum(len(row) for tb in page.extract_tables() for row in tb)
                elif p.suffix.lower() == ".txt":
                    cells += len(data.decode(encodings.get(p, "utf-8"), errors="replace").splitlines())
            except Exception as err:  # a broken file costs what it costs; report and go on
                print(f"baseline could not read {p.name}: {type(err).__name__}", file=sys.stderr)
    return cells


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.raw.is_dir():
        print(f"原始数据文件夹不存在 / raw folder not found: {args.raw}", file=sys.stderr)
        return 2
    files = discover_files(args.raw)
    encodings = {p: _encoding(p, args.raw) for p in files if p.suffix.lower() in (".csv", ".txt")}
    clean(args.raw)  # warm-up: imports, catalogue load, OpenCC dictionary
    baseline_read(args.raw, files, encodings)
    facts, report, _ = clean(args.raw)
    t_clean = best_of(lambda: clean(args.raw), args.repeat)
    t_base = best_of(lambda: baseline_read(args.raw, files, encodings), args.repeat)
    ratio = t_clean / t_base if t_base > 0 else float("inf")
    kinds = sorted({p.suffix.lower() for p in files})
    print(f"files: {len(files)} ({', '.join(kinds)}), facts: {len(facts)}, findings: {len(report.findings)}")
    print(f"clean():             {t_clean:8.3f} s (best of {args.repeat})")
    print(f"pandas read baseline:{t_base:8.3f} s (best of {args.repeat})")
    print(f"ratio clean/baseline: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
