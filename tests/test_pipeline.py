"""``run_clean`` / ``clean``: outputs, exit status, neutralisation, raw folder untouched, bundled sample."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, key_table, run_cli, write_csv, write_xlsx

from analysis.clean.pipeline import clean, run_clean
from analysis.errors import RawInputError
from analysis.processed import FACT_COLUMNS

SAMPLE = ROOT / "data" / "raw"
SEED = Path("/work/shared/reference/seed_2024_ningxia_figures.csv")


def _tree_hash(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_run_clean_writes_all_outputs(raw, tmp_path):
    write_csv(raw / "2024" / "k.csv", key_table(total=[150, 2000.75, 1050]))
    out = tmp_path / "out"
    status = run_clean(raw, out, progress=False)
    assert status == 0
    for name in ("facts.parquet", "facts.csv", "quality.csv", "meta.json"):
        assert (out / name).is_file(), name
    parquet = pd.read_parquet(out / "facts.parquet")
    assert list(parquet.columns) == FACT_COLUMNS
    assert len(parquet) == 18
    assert str(parquet["year"].dtype) == "int64" and str(parquet["value"].dtype) == "float64"
    assert (out / "facts.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert (out / "quality.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    csv_df = pd.read_csv(out / "facts.csv", encoding="utf-8-sig", dtype={"region_code": str})
    assert len(csv_df) == 18 and set(csv_df["region_code"]) >= {"640000", "640100"}
    meta = json.loads((out / "meta.json").read_text("utf-8"))
    assert meta["years"] == [2024] and meta["is_sample"] is False
    assert meta["regions"] == ["640000", "640100", "640200", "640300", "640400", "640500"]
    assert len(meta["raw_digest"]) == 64
    assert not list(out.glob(".tmp-*"))


def test_exit_status_one_on_errors_and_valid_data_still_written(raw, tmp_path):
    write_csv(raw / "2024" / "k.csv", [["地区", "立案", "未知指标"], ["银川市", 3, 4]])
    out = tmp_path / "out"
    assert run_clean(raw, out, progress=False) == 1
    facts = pd.read_parquet(out / "facts.parquet")
    assert facts["indicator"].tolist() == ["cases_filed"]
    q = pd.read_csv(out / "quality.csv", encoding="utf-8-sig")
    assert "header_unmapped" in set(q["code"])
    assert list(q.columns) == ["severity", "code", "file", "sheet", "cell", "raw_value", "message", "message_zh",
                               "message_en"]
    row = q[q["code"] == "header_unmapped"].iloc[0]
    assert " | " in row["message"]


def test_formula_injection_neutralised_in_csv_outputs(raw, tmp_path):
    rows = [["2024年"], ["地区", "立案"], ["银川市", 3], ["@SUM(A1)+cmd", 4]]
    write_xlsx(raw / "k.xlsx", {"+SUM(1)": rows})
    out = tmp_path / "out"
    run_clean(raw, out, progress=False)
    with (out / "facts.csv").open(encoding="utf-8-sig") as fh:
        facts = list(csv.DictReader(fh))
    assert facts[0]["source_sheet"] == "'+SUM(1)"
    with (out / "quality.csv").open(encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    unknown = [r for r in q if r["code"] == "region_unknown"]
    assert unknown and unknown[0]["raw_value"] == "'@SUM(A1)+cmd"
    # the parquet keeps the true text
    assert pd.read_parquet(out / "facts.parquet")["source_sheet"].iloc[0] == "+SUM(1)"


def test_missing_raw_dir_is_typed_error(tmp_path):
    with pytest.raises(RawInputError):
        clean(tmp_path / "nope")
    res = run_cli(tmp_path / "nope", tmp_path / "out")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "nope" in res.stderr


def test_raw_folder_never_modified_and_digest_stable(raw, tmp_path):
    write_csv(raw / "2024" / "k.csv", key_table())
    write_xlsx(raw / "2023" / "k.xlsx", {"S": key_table(year=2023)})
    before = _tree_hash(raw)
    _, _, m1 = clean(raw)
    run_clean(raw, tmp_path / "out", progress=False)
    assert _tree_hash(raw) == before
    _, _, m2 = clean(raw)
    assert m1["raw_digest"] == m2["raw_digest"]
    write_csv(raw / "2024" / "k.csv", key_table(values={"银川市": [1, 2, 3]}))
    _, _, m3 = clean(raw)
    assert m3["raw_digest"] != m1["raw_digest"]


def test_cli_subprocess_summary_line(raw, tmp_path):
    write_csv(raw / "2024" / "k.csv", key_table())
    res = run_cli(raw, tmp_path / "out")
    assert res.returncode == 0, res.stderr
    assert "已写入 15 条数据" in res.stdout and "wrote 15 facts" in res.stdout
    assert "Traceback" not in res.stderr


@pytest.mark.skipif(not (SAMPLE / "SAMPLE").exists(), reason="bundled sample not generated")
def test_bundled_sample_cleans_without_errors_and_matches_seed():
    facts, report, meta = clean(SAMPLE)
    errors = [(f.code, f.file, f.sheet, f.cell) for f in report.findings if f.severity == "error"]
    assert errors == []
    assert meta["is_sample"] is True
    assert meta["years"] == [2019, 2020, 2021, 2022, 2023, 2024]
    if SEED.is_file():
        seed = pd.read_csv(SEED, dtype={"region_code": str})
        prov = facts[(facts["year"] == 2024) & (facts["region_code"] == "640000")].set_index("indicator")["value"]
        checked = 0
        for _, s in seed.iterrows():
            if s["region_code"] == "640000" and s["indicator"] in prov.index:
                assert prov[s["indicator"]] == pytest.approx(s["value"]), s["indicator"]
                checked += 1
        assert checked >= 9  # cases, fines, patrols, violations, stop orders, 4 case-file figures


def test_user_catalogue_folder_via_environment(raw, tmp_path, monkeypatch):
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "regions.csv").write_text(
        "code,name,short_name,level,parent_code,aliases\n330000,浙江省,浙江,province,,全省\n"
        "330100,杭州市,杭州,city,330000,\n",
        encoding="utf-8",
    )
    write_csv(raw / "2024" / "zj.csv", [["单位", "立案"], ["杭州市自然资源和规划局", 7], ["全省", 70]])
    monkeypatch.setenv("ENFORCEMENT_CATALOG_DIR", str(cat))
    facts, report, _ = clean(raw)
    assert dict(zip(facts["region_code"], facts["value"])) == {"330100": 7.0, "330000": 70.0}
    assert not report.has_errors
    res = run_cli(raw, tmp_path / "out")  # the subprocess inherits the variable
    assert res.returncode == 0 and "Traceback" not in res.stderr


def test_utf8_bom_csv(raw):
    write_csv(raw / "2024" / "bom.csv", key_table(), encoding="utf-8-sig")
    facts, report, _ = clean(raw)
    assert len(facts) == 15 and not report.has_errors


def test_unwritable_output_is_a_clear_error(raw, tmp_path):
    import os

    if os.geteuid() == 0:
        # root ignores permissions: use a path under a regular file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        out = blocker / "out"
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o500)
    write_csv(raw / "2024" / "k.csv", key_table())
    res = run_cli(raw, out)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and "错误" in res.stderr
