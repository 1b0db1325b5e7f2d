"""Fixtures for the report-runner tests: tiny processed data and fixture suites, all in ``tmp_path``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]

REGIONS = [
    ("640000", "宁夏回族自治区", "province"),
    ("640100", "银川市", "city"),
    ("640104", "兴庆区", "county"),
]

SPECS = {
    "01_quality": {"file": "01_quality.ipynb", "title": "数据质量报告",
                   "reads": ["facts.parquet", "quality.csv", "meta.json"]},
    "02_overview": {"file": "02_overview.ipynb", "title": "年度执法工作总览", "reads": ["facts.parquet"]},
    "05_region_profile": {"file": "05_region_profile.ipynb", "title": "地区画像", "reads": ["facts.parquet"],
                          "per_region": True},
    "broken": {"file": "broken.ipynb", "title": "故障测试报告", "reads": ["meta.json"]},
    "hang": {"file": "hang.ipynb", "title": "超时测试报告", "reads": ["meta.json"]},
    "slow": {"file": "slow.ipynb", "title": "慢速测试报告", "reads": ["meta.json"]},
    "trivial": {"file": "trivial.ipynb", "title": "基准", "reads": []},
}


def write_processed(folder: Path, years=(2023, 2024), is_sample=True, regions=REGIONS) -> Path:
    """facts.parquet (contract columns), quality.csv and meta.json."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for year in years:
        for i, (code, name, level) in enumerate(regions):
            for indicator, unit, base in (("cases_filed", "件", 214.0), ("fines", "万元", 9172.05)):
                value = base if level == "province" and year == 2024 else base / (i + 2)
                rows.append(dict(year=year, region_code=code, region_name=name, level=level, agency="",
                                 indicator=indicator, value=value, unit=unit, approx=False,
                                 source_file="a.xlsx", source_sheet="Sheet1", source_cell="B2"))
    pd.DataFrame(rows).to_parquet(folder / "facts.parquet", index=False)
    q = pd.DataFrame([
        dict(severity="error", code="x", file="a.xlsx", sheet="S", cell="B2", raw_value="-1",
             message="负数 | negative", message_zh="负数", message_en="negative"),
        dict(severity="warning", code="y", file="a.xlsx", sheet="S", cell="B3", raw_value="",
             message="警告 | warn", message_zh="警告", message_en="warn"),
        dict(severity="info", code="missing_value", file="a.xlsx", sheet="S", cell="B4", raw_value="-",
             message="缺失 | missing", message_zh="缺失", message_en="missing"),
    ])
    q.to_csv(folder / "quality.csv", index=False)
    meta = {"is_sample": is_sample, "years": list(years), "regions": [c for c, _, _ in regions], "raw_digest": "t"}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return folder


def make_suite(folder: Path, ids: list[str], overrides: dict | None = None) -> Path:
    """Copy fixture notebooks into ``folder`` and write its ``suite.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for ident in ids:
        spec = dict(SPECS[ident], id=ident, **(overrides or {}).get(ident, {}))
        shutil.copy(FIXTURES / spec["file"], folder / spec["file"])
        entries.append(spec)
    (folder / "suite.json").write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
def processed(tmp_path: Path) -> Path:
    return write_processed(tmp_path / "processed")


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    return tmp_path / "outputs"


def cli(*args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m analysis`` in a subprocess (the real CLI path)."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


def popen(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, **kw)
