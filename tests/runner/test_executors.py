"""Executors (issue 13): warm kernels are isolated, fall back with the same results, and retries are bounded.

Every wait is on an event (a file the notebook writes, a process exiting), never on a duration.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analysis.errors import ParameterError
from analysis.report.executors import default_executor, executor_class, executor_names, resolve_executor
from analysis.report.executors import forked as forked_mod
from analysis.report.executors.forked import FALLBACK_WARNING, ForkedExecutor, fork_unavailable
from analysis.report.executors.template import fork_hazards
from analysis.report.runner import run_report

from .conftest import WAIT, Gate, cli, make_suite, wait_exited

FULL = ["01_quality", "02_overview", "05_region_profile"]


def _run(processed: Path, notebooks: Path, outputs: Path, **kw):
    kw.setdefault("jobs", 2)
    kw.setdefault("timeout", 900)  # first use of analysis.present.fonts may build its font cache (minutes, once)
    stream = io.StringIO()
    result = run_report(2024, processed_dir=processed, notebooks_dir=notebooks, outputs_dir=outputs, force=True,
                        stream=stream, progress=True, **kw)
    return result, stream.getvalue()


def _state(result) -> dict:
    return json.loads((result.year_dir / ".cache" / "state.json").read_text("utf-8"))


def _kernels(result) -> dict[str, str]:
    return {job_id: entry.get("kernel") for job_id, entry in _state(result)["jobs"].items()}


# --- registry and decisions ----------------------------------------------------------------------


def test_registry_names_default_and_unknown(monkeypatch):
    assert {"local", "forked"} <= set(executor_names())
    assert executor_class("local").name == "local" and executor_class("forked") is ForkedExecutor
    with pytest.raises(ParameterError, match="未知执行器"):
        executor_class("nosuch")
    expected = "forked" if os.name == "posix" and hasattr(os, "fork") else "local"
    assert default_executor() == expected
    monkeypatch.setattr(ForkedExecutor, "available", classmethod(lambda cls: "no fork here"))
    assert default_executor() == "local"  # e.g. Windows
    with pytest.raises(ParameterError, match="不可用"):
        resolve_executor("forked")


def test_only_this_interpreters_ipykernel_is_forked():
    from jupyter_client.kernelspec import KernelSpec

    python = KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                        language="python", display_name="Python 3")
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]
    assert fork_unavailable(cmd, python) == ""
    r_kernel = KernelSpec(argv=["R", "--slave"], language="R", display_name="R")
    assert "language r" in fork_unavailable(["R", "--slave", "-e", "IRkernel::main()"], r_kernel)
    assert "interpreter" in fork_unavailable(["/usr/bin/python3", *cmd[1:]], python)
    assert "ipykernel_launcher" in fork_unavailable([sys.executable, "-m", "other_kernel", "-f", "x"], python)


def test_fork_hazards_sees_a_thread():
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert any("threads" in h for h in fork_hazards())
    finally:
        release.set()
        worker.join()


HOST = """\
import sys
from pathlib import Path
from analysis.report.executors.forked import TemplateClient

client = TemplateClient(Path(sys.argv[1]))
client.start()
print(client.wait_ready() or "ok", client.pid, client.folder, flush=True)
sys.stdin.read()  # the test kills this host while it waits here
"""


@pytest.mark.slow
@pytest.mark.skipif(ForkedExecutor.available() != "", reason="no fork on this system")
def test_template_is_private_and_exits_with_its_host(tmp_path: Path):
    host = subprocess.Popen([sys.executable, "-c", HOST, str(tmp_path / "template.log")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        status, pid, folder = host.stdout.readline().split()
        assert status == "ok", (tmp_path / "template.log").read_text()
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700  # connecting to the socket means running code
        assert stat.S_IMODE(os.stat(Path(folder) / "template.sock").st_mode) == 0o600
        host.send_signal(signal.SIGKILL)  # no chance to stop the template itself
        host.wait(timeout=WAIT)
        wait_exited(int(pid), "the template to exit with its host")
    finally:
        host.kill()
        host.wait(timeout=WAIT)


# --- isolation, fallback, identical outputs ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(ForkedExecutor.available() != "", reason="no fork on this system")
def test_warm_kernel_leaves_nothing_for_the_next_notebook(tmp_path: Path, processed: Path, gate: Gate):
    notebooks = make_suite(tmp_path / "nb", ["polluter", "probe"])
    params = {"gate_dir": str(gate.folder)}
    # One worker: the probe runs right after the polluter, forked from the same template.
    result, text = _run(processed, notebooks, tmp_path / "forked", jobs=1, executor="forked", parameters=params)
    assert {r.job.id: r.status for r in result.results} == {"polluter": "ok", "probe": "ok"}, text
    assert _kernels(result) == {"polluter": "forked", "probe": "forked"}
    polluter = json.loads((gate.folder / "polluter.json").read_text())
    seen = json.loads((gate.folder / "probe.json").read_text())
    assert seen["ppid"] == polluter["ppid"] and seen["pid"] != polluter["pid"]  # same template, fresh process

    # What a kernel started from scratch sees, for comparison.
    reference_nb = make_suite(tmp_path / "nb_ref", ["probe"])
    _run(processed, reference_nb, tmp_path / "spawned", jobs=1, executor="local", parameters=params)
    fresh = json.loads((gate.folder / "probe.json").read_text())

    assert seen["global"] is False and seen["builtin"] is False
    assert (seen["linewidth"], seen["font_size"]) == (fresh["linewidth"], fresh["font_size"])
    assert seen["linewidth"] != 7.25 and seen["font_size"] != 31.0
    assert seen["read_parquet"] == fresh["read_parquet"] and "lambda" not in seen["read_parquet"]
    assert seen["atomic_path"] is True and seen["env"] is None and seen["module"] is False
    if os.path.isdir("/proc/self/fd"):
        assert seen["left_open"] == [] and fresh["left_open"] == []


_CELL_ID = re.compile(r"cell-id=[0-9a-f-]+")
# matplotlib stamps an SVG with the time and, without ``svg.hashsalt``, random clip-path/marker ids.
_SVG_VOLATILE = re.compile(r"<dc:date>[^<]*</dc:date>|\b[mp][0-9a-f]{10}\b")


def _comparable(year_dir: Path) -> dict[str, object]:
    """Executed cells (type, source, outputs) and HTML with papermill's random cell ids masked; figures.

    Each run writes to its own folder, which the injected ``output_dir`` parameter names: masked too.
    """
    out: dict[str, object] = {}
    for path in sorted((year_dir / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text("utf-8").replace(str(year_dir), "OUTPUT_DIR"))
        out[path.name] = [(c["cell_type"], c["source"], c.get("outputs")) for c in nb["cells"]]
    for path in sorted((year_dir / "html").glob("*.html")):
        out[path.name] = _CELL_ID.sub("cell-id=X", path.read_text("utf-8").replace(str(year_dir), "OUTPUT_DIR"))
    for path in sorted((year_dir / "figures").iterdir()):
        data = path.read_bytes()
        out[path.name] = _SVG_VOLATILE.sub("X", data.decode("utf-8")) if path.suffix == ".svg" else data
    return out


@pytest.mark.slow
@pytest.mark.skipif(ForkedExecutor.available() != "", reason="no fork on this system")
def test_forked_local_and_fallback_build_identical_reports(tmp_path: Path, processed: Path, monkeypatch):
    notebooks = make_suite(tmp_path / "nb", FULL)
    warm, text = _run(processed, notebooks, tmp_path / "warm", executor="forked")
    assert set(_kernels(warm).values()) == {"forked"}, text
    assert "执行器 executor: forked" in text
    cold, _ = _run(processed, notebooks, tmp_path / "cold", executor="local")
    assert set(_kernels(cold).values()) == {"spawned"}

    # The fallback: the forked executor, but no kernel can be forked (as for a kernel that is not Python).
    monkeypatch.setattr(forked_mod, "fork_unavailable", lambda cmd, spec: "forced fallback")
    fallback, text = _run(processed, notebooks, tmp_path / "fallback", executor="forked")
    assert set(_kernels(fallback).values()) == {"spawned"}
    assert f"{FALLBACK_WARNING}: forced fallback" in text
    assert _state(fallback)["extra"]["last_run"]["warnings"] == [f"{FALLBACK_WARNING}: forced fallback"]

    expected = _comparable(warm.year_dir)
    assert len([k for k in expected if k.endswith(".png")]) >= 1 and len(expected) >= 9
    for other in (cold, fallback):
        got = _comparable(other.year_dir)
        assert got.keys() == expected.keys()
        for name in expected:
            assert got[name] == expected[name], name


# --- infrastructure retries ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["forked", "local"])
def test_kernel_killed_from_outside_is_retried_once_notebook_error_is_not(
    tmp_path: Path, processed: Path, gate: Gate, executor: str
):
    if executor == "forked" and ForkedExecutor.available():
        pytest.skip("no fork on this system")
    notebooks = make_suite(tmp_path / "nb", ["gate", "raises_counted"])
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(_run, processed, notebooks, tmp_path / "out", executor=executor,
                              parameters={"gate_dir": str(gate.folder)})
        kernel = gate.running_pid()  # the gate notebook signals that it runs
        os.kill(kernel, signal.SIGKILL)  # from outside, as the OOM killer would
        wait_exited(kernel)
        gate.release()  # the retry passes the gate
        result, text = running.result(timeout=WAIT)

    assert {r.job.id: r.status for r in result.results} == {"gate": "ok", "raises_counted": "failed"}, text
    assert gate.attempts() == 2  # killed once, then a fresh kernel
    assert gate.attempts("raise_attempts") == 1  # the notebook's own error: never retried
    assert list(result.retries) == ["gate"] and len(result.retries["gate"]) == 1
    assert "内核意外退出" in result.retries["gate"][0]
    state = _state(result)
    assert len(state["jobs"]["gate"]["retries"]) == 1
    last_run = state["extra"]["last_run"]
    assert last_run["executor"] == executor
    assert list(last_run["retries"]) == ["gate"]  # recorded apart from notebook errors
    assert list(last_run["failed"]) == ["raises_counted"] and "故意制造的错误" in last_run["failed"]["raises_counted"]
    assert "重试 / retried (infrastructure): gate" in text and "重试 retries 1" in text


@pytest.mark.slow
def test_kernel_start_failures_are_retried_a_bounded_number_of_times(tmp_path: Path, processed: Path,
                                                                    monkeypatch):
    import papermill

    notebooks = make_suite(tmp_path / "nb", ["trivial"])
    real = papermill.execute_notebook
    calls = []

    def flaky(*args, failures: int, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError("Kernel didn't respond in 120 seconds")  # what nbclient raises on a start time-out
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: flaky(*a, failures=1, **k))
    result, _ = _run(processed, notebooks, tmp_path / "once", executor="local")
    assert result.results[0].status == "ok" and len(calls) == 2
    assert "内核启动或连接失败" in result.retries["trivial"][0]

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: flaky(*a, failures=99, **k))
    result, text = _run(processed, notebooks, tmp_path / "always", executor="local", retries=2)
    assert result.results[0].status == "failed" and len(calls) == 3  # the first attempt and two retries
    assert "已重试 2 次" in result.results[0].message and len(result.retries["trivial"]) == 2

    calls.clear()
    result, _ = _run(processed, notebooks, tmp_path / "never", executor="local", retries=0)
    assert result.results[0].status == "failed" and len(calls) == 1 and result.retries == {}


def test_unknown_executor_cli_message_no_traceback(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["trivial"])
    proc = cli("report", "--year", "2024", "--processed", str(processed), "--notebooks", str(notebooks),
               "--outputs", str(outputs), "--executor", "nosuch")
    assert proc.returncode == 2, proc.stderr
    assert "未知执行器" in proc.stderr and "forked" in proc.stderr and "Traceback" not in proc.stderr
    assert not outputs.exists()
