"""Runs that collide or die midway (issue 6): two processes at once, SIGKILL and resume."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from .conftest import cli, make_suite, popen

pytestmark = pytest.mark.slow


def _args(processed: Path, notebooks: Path, outputs: Path, *extra: str) -> list[str]:
    return ["report", "--year", "2024", "--processed", str(processed), "--notebooks", str(notebooks),
            "--outputs", str(outputs), "--quiet", *extra]


def _counts(stdout: str) -> dict[str, int]:
    m = re.search(r"成功 ok (\d+)，失败 failed (\d+)，跳过 skipped (\d+)", stdout)
    assert m, stdout
    return {"ok": int(m[1]), "failed": int(m[2]), "skipped": int(m[3])}


def _complete_html(folder: Path) -> None:
    for page in folder.glob("*.html"):
        assert page.read_text("utf-8").rstrip().endswith("</html>"), page


def _state(year_dir: Path) -> dict:
    try:
        return json.loads((year_dir / ".cache" / "state.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"jobs": {}}


def test_two_runs_at_once_both_finish(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["02_overview", "slow"])
    args = _args(processed, notebooks, outputs, "-p", "delay=3")
    first, second = popen(*args), popen(*args)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    c1, c2 = _counts(out1), _counts(out2)
    # One run built both reports, the other waited for the lock and found them up to date.
    assert sorted([c1["ok"], c2["ok"]]) == [0, 2] and sorted([c1["skipped"], c2["skipped"]]) == [0, 2]
    assert "等待" in out1 + out2
    year_dir = outputs / "2024"
    _complete_html(year_dir / "html")
    assert set(_state(year_dir)["jobs"]) == {"02_overview", "slow"}
    assert not list(year_dir.rglob(".tmp-*"))


def test_second_run_can_fail_fast_with_already_running(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["slow"])
    first = popen(*_args(processed, notebooks, outputs, "-p", "delay=8"))
    lock = outputs / "2024" / ".cache" / "run.lock"
    deadline = time.time() + 60
    while not (outputs / "2024" / "notebooks").is_dir() and time.time() < deadline:
        time.sleep(0.1)  # the folders are created right after the lock is taken
    assert lock.exists()
    proc = cli(*_args(processed, notebooks, outputs, "-p", "delay=8"),
               env={**os.environ, "ENFORCEMENT_LOCK_TIMEOUT": "0"})
    assert proc.returncode == 3
    assert "正在由另一个进程生成" in proc.stderr and "Traceback" not in proc.stderr
    flag = cli(*_args(processed, notebooks, outputs, "-p", "delay=8"), "--lock-timeout", "0")
    assert flag.returncode == 3 and "正在由另一个进程生成" in flag.stderr
    first.communicate(timeout=300)
    assert first.returncode == 0


def test_sigkill_midway_keeps_previous_outputs_and_resumes(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["02_overview", "05_region_profile", "slow"],
                           overrides={"slow": {"reads": ["facts.parquet"]}})
    year_dir = outputs / "2024"
    done = cli(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", "delay=0.1"))
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in (year_dir / "html").glob("*.html")}
    index_before = (year_dir / "index.html").read_bytes()
    index_inode = (year_dir / "index.html").stat().st_ino
    finished_before = {k: v["finished"] for k, v in _state(year_dir)["jobs"].items()}
    assert len(before) == 4

    # New data: every report is stale. Kill the run while the last (slow) notebook sleeps.
    facts = pd.read_parquet(processed / "facts.parquet")
    facts["value"] = facts["value"] + 1
    facts.to_parquet(processed / "facts.parquet", index=False)
    time.sleep(1.1)  # "finished" timestamps have one-second resolution
    run = popen(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", "delay=60"))
    first_three = {"02_overview", "05_region_profile_640100", "05_region_profile_640104"}
    deadline = time.time() + 180
    while time.time() < deadline:
        jobs = _state(year_dir)["jobs"]
        if all(jobs.get(j, {}).get("finished") != finished_before[j] for j in first_three):
            break
        time.sleep(0.2)
    else:
        run.kill()
        pytest.fail("the first notebooks did not finish in time")
    time.sleep(1.0)  # the slow notebook is now running
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=60)

    # Previous complete outputs are intact: whole files only, old slow report and old index kept.
    _complete_html(year_dir / "html")
    assert (year_dir / "html" / "slow.html").read_bytes() == before["slow.html"]
    assert (year_dir / "index.html").read_bytes() == index_before
    assert (year_dir / "index.html").stat().st_ino == index_inode
    assert _state(year_dir)["jobs"]["slow"]["finished"] == finished_before["slow"]

    # Run again: the three finished notebooks are skipped, only the interrupted one runs.
    again = cli(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", "delay=0.1"))
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == {"ok": 1, "failed": 0, "skipped": 3}
    assert not list(year_dir.rglob(".tmp-*"))
    assert (year_dir / "index.html").stat().st_ino != index_inode  # rewritten (atomically: a new file)
    _complete_html(year_dir / "html")
