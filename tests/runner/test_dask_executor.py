"""The ``dask`` executor against a real scheduler and two worker processes on loopback.

A LocalCluster (``processes=True``, ``host="127.0.0.1"``, no dashboard) is a real scheduler and real
``dask worker`` processes under nannies; the runner connects to it by address, as
``--scheduler tcp://…`` would. Synchronisation is on files (the gate notebook) and the scheduler's
own task state, every wait bounded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.errors import ParameterError
from analysis.report.build_state import BuildState
from analysis.report.executors.forked import ForkedExecutor
from analysis.report.params import load_data_info
from analysis.report.runner import plan_jobs, run_report
from analysis.report.suite import load_suite

from .conftest import ROOT, cli, make_suite, wait_for

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as c, distributed.Client(c, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=300)
        yield c, client


def figure_notebook(folder: Path) -> None:
    """A notebook that writes a figure and a table under output_dir, as the real suite's notebooks do."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('year = 2024\nprocessed_dir = ""\noutput_dir = ""\n')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        "from pathlib import Path\n"
        "import pandas as pd\n"
        "facts = pd.read_parquet(Path(processed_dir) / 'facts.parquet')\n"
        "total = facts[facts.year == year].value.sum()\n"
        "out = Path(output_dir)\n"
        "(out / 'figures' / 'fig_total.svg').write_text(f'<svg><text>{total:.2f}</text></svg>', 'utf-8')\n"
        "(out / 'tables' / 'fig_total.csv').write_text(f'指标,数值\\n合计,{total:.2f}\\n', 'utf-8')\n"
        "print('合计', round(total, 2))\n"
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# 图表测试"), params, body]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "figure.ipynb")
    suite = json.loads((folder / "suite.json").read_text("utf-8"))
    suite.append({"id": "figure", "file": "figure.ipynb", "title": "图表测试", "reads": ["facts.parquet"]})
    (folder / "suite.json").write_text(json.dumps(suite, ensure_ascii=False), "utf-8")


def test_cluster_run_matches_local_run(tmp_path, processed, outputs, cluster):
    c, _client = cluster
    suite = make_suite(tmp_path / "suite", ["01_quality", "02_overview", "05_region_profile"])
    figure_notebook(suite)
    kw = dict(processed_dir=processed, notebooks_dir=suite, outputs_dir=outputs, progress=False, jobs=2)
    local = run_report(2024, executor="local", **kw)
    assert not local.failed, [r.message for r in local.failed]
    snapshot = tmp_path / "local_copy"
    # PDFs are printed on the host from the HTML after either run (their bytes carry a creation time):
    # the HTML they are printed from is what is compared.
    skip = shutil.ignore_patterns(".cache", ".lock*", "pdf")
    shutil.copytree(outputs / "2024", snapshot, ignore=skip)
    shutil.rmtree(outputs / "2024")  # same paths for the cluster run, so the parameters cells agree

    remote = run_report(2024, scheduler=c.scheduler_address, **kw)
    assert remote.executor == "dask"
    assert not remote.failed, [r.message for r in remote.failed]
    assert sorted(r.job.id for r in remote.results) == sorted(r.job.id for r in local.results)
    ydir = outputs / "2024"
    assert not list(ydir.rglob(".tmp-*")), "the manager moved every returned temp file into place"
    # Figures and tables the worker wrote came back to the host's folder, byte for byte as locally.
    for rel in ("figures/fig_total.svg", "tables/fig_total.csv"):
        assert (ydir / rel).read_bytes() == (snapshot / rel).read_bytes()
    # The totals are the fixture's own numbers (2024: 214 + 214/3 + 214/4 + 9172.05 + 9172.05/3 + 9172.05/4).
    expected = 214 + 214 / 3 + 214 / 4 + 9172.05 + 9172.05 / 3 + 9172.05 / 4
    assert f"{expected:.2f}" in (ydir / "tables/fig_total.csv").read_text("utf-8")
    state = BuildState.load(ydir / ".cache" / "state.json")
    assert state.extra["last_run"]["executor"] == "dask"
    if not ForkedExecutor.available():  # warm kernels on every worker, as the local default executor has
        assert {state.jobs[r.job.id]["kernel"] for r in remote.results} == {"forked"}
    cluster_copy = tmp_path / "cluster_copy"
    shutil.copytree(ydir, cluster_copy, ignore=skip)
    cmp = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compare_reports.py"), str(snapshot), str(cluster_copy)],
        capture_output=True, text=True, timeout=300,
    )
    assert cmp.returncode == 0, cmp.stdout + cmp.stderr


def _worker_running(client, key_prefix: str) -> str:
    """The address of the worker that is processing the task whose key starts with ``key_prefix``."""
    for addr, keys in client.processing().items():
        if any(str(k).startswith(key_prefix) for k in keys):
            return addr
    return ""


def test_killed_worker_task_reruns_elsewhere_and_previous_outputs_stay(tmp_path, processed, outputs, gate, cluster):
    import threading

    c, client = cluster
    suite = make_suite(tmp_path / "suite", ["gate"])
    kw = dict(processed_dir=processed, notebooks_dir=suite, outputs_dir=outputs, progress=False,
              parameters={"gate_dir": str(gate.folder)}, scheduler=c.scheduler_address)
    gate.release()  # first run: passes the gate at once
    first = run_report(2024, **kw)
    assert not first.failed, [r.message for r in first.failed]
    html = outputs / "2024" / "html" / "gate.html"
    before = html.read_bytes()

    gate.reset()
    result = {}
    runner = threading.Thread(target=lambda: result.setdefault("r", run_report(2024, force=True, **kw)))
    runner.start()
    try:
        gate.running_pid()  # the notebook runs on a worker and waits at the gate
        addr = wait_for(lambda: _worker_running(client, "notebook-gate-"), "the task on a worker")
        pids = client.run(os.getpid, workers=[addr])
        os.kill(pids[addr], signal.SIGKILL)  # the worker process dies mid-notebook
        assert html.read_bytes() == before, "previous outputs untouched while the task is lost"
        wait_for(lambda: gate.attempts() >= 2, "the task to be rerun on another worker")
        gate.release()
    finally:
        gate.release()
        runner.join(timeout=600)
    assert not runner.is_alive(), "the run ended"
    r = result["r"]
    assert not r.failed, [x.message for x in r.failed]
    assert gate.attempts() == 2
    after = html.read_bytes()
    assert after != before or "放行后完成" in after.decode("utf-8")
    assert "放行后完成" in after.decode("utf-8")
    client.wait_for_workers(2, timeout=300)  # the nanny restarted the killed worker for the other tests


def test_scheduler_requires_dask_executor(tmp_path, processed, outputs):
    suite = make_suite(tmp_path / "suite", ["trivial"])
    with pytest.raises(ParameterError, match="--scheduler"):
        run_report(2024, processed_dir=processed, notebooks_dir=suite, outputs_dir=outputs, progress=False,
                   executor="local", scheduler="tcp://127.0.0.1:1")


@pytest.mark.parametrize(
    ("profiles", "levels"), [("all", {"city", "county"}), ("city", {"city"}), ("county", {"county"}), ("none", set())]
)
def test_profiles_limits_region_notebooks_by_level(tmp_path, processed, profiles, levels):
    suite = load_suite(make_suite(tmp_path / "suite", ["02_overview", "05_region_profile"]))
    info = load_data_info(processed)
    state = BuildState.load(tmp_path / "state.json")
    jobs = plan_jobs(2024, suite, info, tmp_path / "out", {}, state, profiles)
    assert {j.region.level for j in jobs if j.region is not None} == levels
    assert [j.id for j in jobs if j.region is None] == ["02_overview"]  # other notebooks are unaffected


def test_profiles_rejects_unknown_level(tmp_path, processed):
    suite = load_suite(make_suite(tmp_path / "suite", ["05_region_profile"]))
    with pytest.raises(ParameterError, match="--profiles"):
        plan_jobs(2024, suite, load_data_info(processed), tmp_path / "out", {}, BuildState.load(tmp_path / "s"), "town")


def test_cli_scheduler_with_another_executor_is_a_parameter_error(tmp_path, processed, outputs):
    suite = make_suite(tmp_path / "suite", ["trivial"])
    proc = cli("report", "--processed", str(processed), "--notebooks", str(suite), "--outputs", str(outputs),
               "--executor", "local", "--scheduler", "tcp://127.0.0.1:1", "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "--scheduler" in proc.stderr
    assert not (outputs / "2024").exists(), "nothing written before the parameters are valid"


def test_cli_profiles_choices(tmp_path, processed, outputs):
    proc = cli("report", "--processed", str(processed), "--outputs", str(outputs), "--profiles", "town")
    assert proc.returncode == 2
    assert "--profiles" in proc.stderr
