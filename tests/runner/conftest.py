"""Fixtures for the report-runner tests: tiny processed data and fixture suites, all in ``tmp_path``."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.report.executors.forked import pid_alive

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
    "gate": {"file": "gate.ipynb", "title": "同步测试报告", "reads": ["meta.json"]},
    "raises_counted": {"file": "raises_counted.ipynb", "title": "计数故障报告", "reads": ["meta.json"]},
    "polluter": {"file": "polluter.ipynb", "title": "污染测试报告", "reads": []},
    "probe": {"file": "probe.ipynb", "title": "隔离检查报告", "reads": []},
}
WAIT = 300.0  # upper bound on waiting for an event; tests never wait for a duration


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


def wait_for(condition, what: str, timeout: float = WAIT, poll: float = 0.02):
    """Wait until ``condition()`` is truthy (an event: a file appears, a process exits); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(poll)


class Gate:
    """The ``gate`` fixture notebook's folder: it says when it runs, and waits until released."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def param(self) -> str:
        return f"gate_dir={self.folder}"

    def running_pid(self, alive_only: bool = True) -> int:
        """Block until the gate notebook runs; its kernel's pid."""
        def pid():
            try:
                value = int((self.folder / "running").read_text("utf-8"))
            except (OSError, ValueError):
                return 0
            return value if not alive_only or pid_alive(value) else 0

        return wait_for(pid, "the gate notebook to run")

    def reset(self) -> None:
        for name in ("running", "release", "attempts"):
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()

    def release(self) -> None:
        (self.folder / "release").write_text("go", "utf-8")

    def attempts(self, name: str = "attempts") -> int:
        try:
            return len((self.folder / name).read_text("utf-8").splitlines())
        except FileNotFoundError:
            return 0


@pytest.fixture
def gate(tmp_path: Path) -> Gate:
    return Gate(tmp_path / "gate")


def wait_exited(pid: int, what: str = "the kernel to exit") -> None:
    wait_for(lambda: not pid_alive(pid), what)


def read_line_until(stream, needle: str) -> str:
    """Read a subprocess's text stream line by line until a line contains ``needle`` (blocking reads)."""
    seen = []
    for line in stream:
        seen.append(line)
        if needle in line:
            return "".join(seen)
    pytest.fail(f"stream ended without {needle!r}: {''.join(seen)}")
