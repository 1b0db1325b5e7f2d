"""The runner end to end on fixture notebooks: outputs, offline HTML, cache, isolation, timeouts, bad parameters."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import OutputError, ParameterError
from analysis.report.executors.local import LocalExecutor
from analysis.report.htmlexport import MAX_REPORT_BYTES, offline_violations
from analysis.report.runner import run_report

from .conftest import cli, make_suite

FULL = ["01_quality", "02_overview", "05_region_profile"]
JOB_IDS = ["01_quality", "02_overview", "05_region_profile_640100", "05_region_profile_640104"]


def _run(processed: Path, notebooks: Path, outputs: Path, **kw):
    kw.setdefault("jobs", 2)
    kw.setdefault("timeout", 900)  # first use of analysis.present.fonts may build its font cache (minutes, once)
    stream = io.StringIO()
    result = run_report(2024, processed_dir=processed, notebooks_dir=notebooks, outputs_dir=outputs,
                        stream=stream, progress=True, **kw)
    return result, stream.getvalue()


def _no_kernel(*a, **k):  # pragma: no cover - reaching it is the failure
    raise AssertionError("a notebook was executed")


def _statuses(result) -> dict[str, str]:
    return {r.job.id: r.status for r in result.results}


def _fonts_available() -> bool:
    try:
        from analysis.present.fonts import font_face_css  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
def test_full_fixture_suite_outputs_and_cache(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", FULL)
    result, text = _run(processed, notebooks, outputs)
    assert _statuses(result) == dict.fromkeys(JOB_IDS, "ok"), text
    year_dir = outputs / "2024"

    headings = {
        "01_quality": ["数据质量报告", "错误 1 项，警告 1 项"],
        "02_overview": ["年度执法工作总览", "全区概况", "2024年立案 214 件，罚没款 9172.05 万元"],
        "05_region_profile_640100": ["地区画像：银川市", "银川市（640100）"],
        "05_region_profile_640104": ["地区画像：兴庆区", "兴庆区（640104）"],
    }
    for job_id, expected in headings.items():
        html_path = year_dir / "html" / f"{job_id}.html"
        page = html_path.read_text("utf-8")
        assert html_path.stat().st_size < MAX_REPORT_BYTES
        assert offline_violations(page) == []
        assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
        assert '<html lang="zh-CN">' in page
        for text_zh in expected:
            assert text_zh in page, (job_id, text_zh)
        assert "read_parquet" not in page and "processed_dir" not in page  # code (and parameters) hidden
        if _fonts_available():
            assert "@font-face" in page and "ReportCJK" in page
        assert (year_dir / "notebooks" / f"{job_id}.ipynb").is_file()
    assert "data:image/png;base64," in (year_dir / "html" / "02_overview.html").read_text("utf-8")
    assert (year_dir / "figures" / "overview_cases.png").stat().st_size > 0
    assert (year_dir / "figures" / "overview_cases.svg").read_text().lstrip().startswith("<?xml")
    assert (year_dir / "tables" / "quality_counts.csv").is_file()

    index = (year_dir / "index.html").read_text("utf-8")
    for job_id in JOB_IDS:
        assert f'href="html/{job_id}.html"' in index
    assert "示例数据" in index and "错误 1 项" in index and '<html lang="zh-CN">' in index
    assert offline_violations(index) == []
    assert not list(year_dir.rglob(".tmp-*"))

    # Second run: nothing changed -> everything skipped, no kernel (the benchmark times it).
    index_before = (year_dir / "index.html").read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LocalExecutor, "submit", _no_kernel)
        result, _ = _run(processed, notebooks, outputs)
    assert set(_statuses(result).values()) == {"skipped"} and result.executor == ""
    assert not result.index_written and (year_dir / "index.html").read_bytes() == index_before

    # touch (mtime only) changes nothing: the cache hashes content.
    (processed / "facts.parquet").touch()
    result, _ = _run(processed, notebooks, outputs)
    assert set(_statuses(result).values()) == {"skipped"}

    # Changing quality.csv re-runs exactly the notebook that reads it.
    q = pd.read_csv(processed / "quality.csv")
    pd.concat([q, q.iloc[[0]]]).to_csv(processed / "quality.csv", index=False)
    result, _ = _run(processed, notebooks, outputs)
    assert _statuses(result) == {"01_quality": "ok", "02_overview": "skipped",
                                 "05_region_profile_640100": "skipped", "05_region_profile_640104": "skipped"}
    assert "错误 2 项" in (year_dir / "index.html").read_text("utf-8")

    # Changing one notebook's source re-runs only that notebook (both regions of a fanned-out one).
    nb_path = notebooks / "05_region_profile.ipynb"
    nb = json.loads(nb_path.read_text("utf-8"))
    nb["cells"][-1]["source"] = "".join(nb["cells"][-1]["source"]) + '\nprint("新增一行")'
    nb_path.write_text(json.dumps(nb, ensure_ascii=False), "utf-8")
    result, _ = _run(processed, notebooks, outputs)
    assert _statuses(result) == {"01_quality": "skipped", "02_overview": "skipped",
                                 "05_region_profile_640100": "ok", "05_region_profile_640104": "ok"}

    # A -p parameter re-runs only the notebooks declaring it; region restricts the fan-out.
    result, _ = _run(processed, notebooks, outputs, parameters={"region": "兴庆区"})
    assert _statuses(result) == {"01_quality": "skipped", "02_overview": "skipped",
                                 "05_region_profile_640104": "skipped"}

    # --force re-runs everything.
    result, _ = _run(processed, notebooks, outputs, force=True)
    assert set(_statuses(result).values()) == {"ok"}


@pytest.mark.slow
def test_facts_change_reruns_exactly_its_readers(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["01_quality", "trivial"])
    result, _ = _run(processed, notebooks, outputs)
    assert set(_statuses(result).values()) == {"ok"}
    facts = pd.read_parquet(processed / "facts.parquet")
    facts.loc[0, "value"] = facts.loc[0, "value"] + 1
    facts.to_parquet(processed / "facts.parquet", index=False)
    result, _ = _run(processed, notebooks, outputs)
    assert _statuses(result) == {"01_quality": "ok", "trivial": "skipped"}  # trivial reads no data


@pytest.mark.slow
def test_broken_notebook_is_isolated_cli(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["02_overview", "broken"])
    proc = cli("report", "--year", "2024", "--processed", str(processed), "--notebooks", str(notebooks),
               "--outputs", str(outputs), "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "错误 / error: 1 份报告未能完整生成" in proc.stderr
    summary = proc.stdout
    assert re.search(r"02_overview\s+成功 ok", summary)
    assert re.search(r"broken\s+失败 failed", summary)
    assert "ValueError: 故意制造的错误" in summary
    year_dir = outputs / "2024"
    page = (year_dir / "html" / "broken.html").read_text("utf-8")
    assert "本报告未能完整生成" in page and "执行在此处出错并中止" in page
    assert "出错前的输出" in page and "故意制造的错误" in page and "不应出现的输出" not in page
    assert offline_violations(page) == []
    executed = json.loads((year_dir / "notebooks" / "broken.ipynb").read_text("utf-8"))
    assert any("papermill-error-cell-tag" in c["metadata"].get("tags", []) for c in executed["cells"])
    assert (year_dir / "html" / "02_overview.html").is_file()
    state = json.loads((year_dir / ".cache" / "state.json").read_text("utf-8"))
    assert "02_overview" in state["jobs"] and "broken" not in state["jobs"]
    index = (year_dir / "index.html").read_text("utf-8")
    assert 'href="html/broken.html"' in index and "1 份未能完整生成" in index


@pytest.mark.slow
def test_hanging_notebook_times_out_others_continue(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", ["hang", "trivial"])
    result, text = _run(processed, notebooks, outputs, timeout=3)
    assert _statuses(result) == {"hang": "failed", "trivial": "ok"}, text
    assert "超过 3 秒" in result.failed[0].message
    assert result.retries == {}  # a time-out is the notebook's, not the infrastructure's: never retried
    page = (outputs / "2024" / "html" / "hang.html").read_text("utf-8")
    assert "执行在此处超时" in page and "开始运行" in page and "不应出现的输出" not in page
    assert re.search(r"hang\s+失败 failed", text)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"parameters": {"nosuch": "1"}}, "未知参数"),
        ({"parameters": {"region": "999999"}}, "未知地区"),
        ({"parameters": {"region": '银川市"\nimport os'}}, "不允许的字符"),
        ({"parameters": {"region": "银川市'; os.system('x')"}}, "不允许的字符"),
        ({"year": 2019}, "2019 年没有数据"),
    ],
)
def test_bad_parameters_rejected_before_any_kernel(tmp_path, processed, outputs, monkeypatch, kwargs, message):
    notebooks = make_suite(tmp_path / "nb", FULL)

    monkeypatch.setattr(LocalExecutor, "submit", _no_kernel)  # the forked executor inherits it
    year = kwargs.pop("year", 2024)
    with pytest.raises(ParameterError, match=message):
        run_report(year, processed_dir=processed, notebooks_dir=notebooks, outputs_dir=outputs, **kwargs)
    assert not outputs.exists()  # nothing written, not even the folder


def test_bad_parameter_cli_message_no_traceback(tmp_path: Path, processed: Path, outputs: Path):
    notebooks = make_suite(tmp_path / "nb", FULL)
    base = ["report", "--processed", str(processed), "--notebooks", str(notebooks), "--outputs", str(outputs)]
    for extra, message in (
        (["--year", "2024", "-p", "region=银川市\"\nimport os"], "不允许的字符"),
        (["--year", "2024", "-p", "colour=red"], "未知参数"),
        (["--years", "2023-2025"], "2025 年没有数据"),
    ):
        proc = cli(*base, *extra)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not outputs.exists()


@pytest.mark.slow
def test_disk_full_while_writing_index_keeps_previous_index(tmp_path, processed, outputs, monkeypatch):
    notebooks = make_suite(tmp_path / "nb", ["trivial"])
    _run(processed, notebooks, outputs)
    index = outputs / "2024" / "index.html"
    before = index.read_bytes()
    meta = json.loads((processed / "meta.json").read_text("utf-8"))
    meta["is_sample"] = False  # the index must change; the notebook does not re-run
    (processed / "meta.json").write_text(json.dumps(meta), "utf-8")

    import analysis.atomic as atomic_mod

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_mod.os, "fsync", full)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        _run(processed, notebooks, outputs)
    assert index.read_bytes() == before
    assert not list((outputs / "2024").rglob(".tmp-*"))


def test_unwritable_outputs_cli(tmp_path: Path, processed: Path):
    notebooks = make_suite(tmp_path / "nb", ["trivial"])
    blocker = tmp_path / "outputs"
    blocker.write_text("not a folder")
    proc = cli("report", "--year", "2024", "--processed", str(processed), "--notebooks", str(notebooks),
               "--outputs", str(blocker))
    assert proc.returncode == 2
    assert "错误 / error" in proc.stderr and "Traceback" not in proc.stderr
