"""A no-change re-run is cheap: planning reads no Parquet file and imports neither pandas nor the notebook stack.

The speed itself is measured by ``benchmarks/bench_report.py``; these tests check the things that make it
fast, none of them by timing: the facts index in ``meta.json`` (and its fallback when stale), the
``csv``-module quality counts, and which modules the re-run imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.processed import (
    FACTS_INDEX,
    META_JSON,
    QUALITY_CSV,
    empty_facts,
    quality_counts,
    read_facts_index,
    write_processed,
)
from analysis.report.params import load_data_info

from .conftest import ROOT, make_suite

HEAVY = ("pandas", "pyarrow", "numpy", "papermill", "nbconvert", "docx", "matplotlib")


def _facts(rows):
    base = empty_facts().iloc[0:0]
    frame = pd.DataFrame([dict(agency="", unit="件", approx=False, source_file="a.xlsx", source_sheet="S",
                               source_cell="B2", scope="region", source_kind="table", evidence="",
                               evidence_span="", region_code_reported="", indicator="cases_filed", **r)
                          for r in rows])
    return pd.concat([base, frame], ignore_index=True)[list(base.columns)]


ROWS = [
    dict(year=2024, region_code="640000", region_name="宁夏回族自治区", level="province", value=214.0),
    dict(year=2023, region_code="640100", region_name="银川市", level="city", value=20.0),
    dict(year=2024, region_code="640100", region_name="银川市", level="city", value=21.0),
]


def test_clean_output_carries_a_facts_index_matching_the_parquet_file(tmp_path: Path):
    folder = tmp_path / "processed"
    write_processed(folder, _facts(ROWS), pd.DataFrame(columns=["severity"]), {"is_sample": True})
    meta = json.loads((folder / META_JSON).read_text("utf-8"))
    assert meta["is_sample"] is True and FACTS_INDEX in meta
    years, regions = read_facts_index(folder)
    assert years == [2023, 2024]
    assert regions == {"640000": ("宁夏回族自治区", "province"), "640100": ("银川市", "city")}

    # The index and a read of the Parquet file itself agree.
    indexed = load_data_info(folder)
    meta.pop(FACTS_INDEX)
    (folder / META_JSON).write_text(json.dumps(meta), "utf-8")
    assert read_facts_index(folder) is None
    read = load_data_info(folder)
    assert (indexed.years, indexed.regions) == (read.years, read.regions)


def test_a_stale_facts_index_is_ignored(tmp_path: Path):
    """facts.parquet replaced after meta.json was written: the runner reads the file, not the old index."""
    folder = tmp_path / "processed"
    write_processed(folder, _facts(ROWS), pd.DataFrame(columns=["severity"]), {"is_sample": False})
    newer = _facts([*ROWS, dict(year=2025, region_code="640104", region_name="兴庆区", level="county", value=3.0)])
    newer.to_parquet(folder / "facts.parquet", index=False)
    assert read_facts_index(folder) is None
    info = load_data_info(folder)
    assert info.years == [2023, 2024, 2025] and info.regions["640104"].name == "兴庆区"


@pytest.mark.parametrize("index", [{"sha256": "x"}, "nonsense", {"sha256": None, "years": "2024"}])
def test_a_malformed_facts_index_is_ignored(tmp_path: Path, index):
    folder = tmp_path / "processed"
    write_processed(folder, _facts(ROWS), pd.DataFrame(columns=["severity"]), {})
    meta = json.loads((folder / META_JSON).read_text("utf-8"))
    meta[FACTS_INDEX] = index
    (folder / META_JSON).write_text(json.dumps(meta), "utf-8")
    assert read_facts_index(folder) is None
    assert load_data_info(folder).years == [2023, 2024]


def test_quality_counts_match_pandas_on_quoted_multiline_cells(tmp_path: Path):
    frame = pd.DataFrame({
        "severity": ["error", " warning", "info", "info", "bogus", ""],
        "code": ["a", "b", "c", "d", "e", "f"],
        "message": ["一行", "两行\r\n第二行", '含"引号"', "逗号,在内", "x", "y"],
    })
    (tmp_path / QUALITY_CSV).write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    expected = frame["severity"].str.strip().value_counts()
    assert quality_counts(tmp_path) == {s: int(expected.get(s, 0)) for s in ("error", "warning", "info")}
    assert quality_counts(tmp_path / "absent") == {"error": 0, "warning": 0, "info": 0}


PROBE = """
import sys
from analysis.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.slow
def test_no_change_rerun_imports_no_heavy_library(tmp_path: Path, processed: Path, outputs: Path):
    # The fixture folder as `enforcement clean` writes it (with the facts index in meta.json).
    facts = pd.read_parquet(processed / "facts.parquet")
    quality = pd.read_csv(processed / QUALITY_CSV, dtype=str)
    write_processed(processed, pd.concat([empty_facts(), facts], ignore_index=True).fillna(
        {"scope": "region", "source_kind": "table", "evidence": "", "evidence_span": "", "region_code_reported": ""}),
        quality, json.loads((processed / META_JSON).read_text("utf-8")))
    notebooks = make_suite(tmp_path / "nb", ["trivial", "01_quality"])
    args = ["report", "--year", "2024", "--processed", str(processed), "--notebooks", str(notebooks),
            "--outputs", str(outputs), "--quiet"]
    first = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT,
                           timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    again = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True,
                           text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "跳过 skipped 2" in again.stdout
    assert "HEAVY=\n" in again.stdout, again.stdout  # nothing heavy was imported
