"""Runs that collide or die midway (issue 6), synchronised on events, never on a sleep (issue 13).

The ``gate`` fixture notebook writes ``running`` once it runs and waits for ``release``; the tests
wait for those files, for the lock's waiting message and for processes to exit.
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pandas as pd
import pytest

from .conftest import WAIT, Gate, cli, make_suite, popen, read_line_until, wait_exited, wait_for

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


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


def test_two_runs_at_once_both_finish(tmp_path: Path, processed: Path, outputs: Path, gate: Gate):
    notebooks = make_suite(tmp_path / "nb", ["02_overview", "gate"])
    args = _args(processed, notebooks, outputs, "-p", gate.param)
    first = popen(*args)
    gate.running_pid()  # the first run holds the lock and is inside the gate notebook
    second = popen(*args)
    waited = read_line_until(second.stdout, "等待")  # the second run is now waiting for the lock
    gate.release()
    out1, err1 = first.communicate(timeout=WAIT)
    out2, err2 = second.communicate(timeout=WAIT)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    # The first run built both reports; the second waited for the lock and found them up to date.
    assert _counts(out1) == {"ok": 2, "failed": 0, "skipped": 0}
    assert _counts(waited + out2) == {"ok": 0, "failed": 0, "skipped": 2}
    assert gate.attempts() == 1
    year_dir = outputs / "2024"
    _complete_html(year_dir / "html")
    assert set(_state(year_dir)["jobs"]) == {"02_overview", "gate"}
    assert not list(year_dir.rglob(".tmp-*"))


def test_second_run_can_fail_fast_with_already_running(tmp_path: Path, processed: Path, outputs: Path, gate: Gate):
    notebooks = make_suite(tmp_path / "nb", ["gate"])
    first = popen(*_args(processed, notebooks, outputs, "-p", gate.param))
    gate.running_pid()  # the first run is inside its notebook: it holds the lock until released
    assert (outputs / "2024" / ".cache" / "run.lock").exists()
    proc = cli(*_args(processed, notebooks, outputs, "-p", gate.param),
               env={**os.environ, "ENFORCEMENT_LOCK_TIMEOUT": "0"})
    assert proc.returncode == 3, proc.stderr
    assert "正在由另一个进程生成" in proc.stderr and "Traceback" not in proc.stderr
    flag = cli(*_args(processed, notebooks, outputs, "-p", gate.param), "--lock-timeout", "0")
    assert flag.returncode == 3 and "正在由另一个进程生成" in flag.stderr
    gate.release()
    first.communicate(timeout=WAIT)
    assert first.returncode == 0
    assert gate.attempts() == 1


def test_sigkill_midway_keeps_previous_outputs_and_resumes(tmp_path: Path, processed: Path, outputs: Path,
                                                           gate: Gate):
    notebooks = make_suite(tmp_path / "nb", ["02_overview", "05_region_profile", "gate"],
                           overrides={"gate": {"reads": ["facts.parquet"]}})
    year_dir = outputs / "2024"
    gate.release()  # the first run passes straight through
    done = cli(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", gate.param))
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in (year_dir / "html").glob("*.html")}
    index_before = (year_dir / "index.html").read_bytes()
    index_inode = (year_dir / "index.html").stat().st_ino
    jobs_before = _state(year_dir)["jobs"]
    assert len(before) == 4

    # New data: every report is stale. One worker runs the jobs in suite order, the gate last;
    # kill the run while the gate notebook runs, once the other three are recorded with new keys.
    facts = pd.read_parquet(processed / "facts.parquet")
    facts["value"] = facts["value"] + 1
    facts.to_parquet(processed / "facts.parquet", index=False)
    gate.reset()
    run = popen(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", gate.param))
    kernel = gate.running_pid()
    first_three = {"02_overview", "05_region_profile_640100", "05_region_profile_640104"}

    def recorded() -> bool:
        jobs = _state(year_dir)["jobs"]
        return all(j in jobs and jobs[j]["key"] != jobs_before[j]["key"] for j in first_three)

    wait_for(recorded, "the first three notebooks to be recorded")
    kernel_parent = _parent(kernel)  # the warm-kernel template (or the run itself for a spawned kernel)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=WAIT)
    # Nothing outlives the killed run: its kernel and (forked executor) the template exit by themselves.
    wait_exited(kernel, "the killed run's kernel to exit")
    wait_exited(kernel_parent, "the killed run's kernel template to exit")

    # Previous complete outputs are intact: whole files only, old gate report and old index kept.
    _complete_html(year_dir / "html")
    assert (year_dir / "html" / "gate.html").read_bytes() == before["gate.html"]
    assert (year_dir / "index.html").read_bytes() == index_before
    assert (year_dir / "index.html").stat().st_ino == index_inode
    assert _state(year_dir)["jobs"]["gate"] == jobs_before["gate"]

    # Run again: the three finished notebooks are skipped, only the interrupted one runs.
    gate.release()
    again = cli(*_args(processed, notebooks, outputs, "--jobs", "1", "-p", gate.param))
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == {"ok": 1, "failed": 0, "skipped": 3}
    assert not list(year_dir.rglob(".tmp-*"))
    assert (year_dir / "index.html").stat().st_ino != index_inode  # rewritten (atomically: a new file)
    _complete_html(year_dir / "html")
