"""Fast tests of the runner's parts: parameters, cache keys, atomic writes, lock, offline check, index page."""

from __future__ import annotations

import errno
import json
import threading
from pathlib import Path

import nbformat
import pytest

from analysis import atomic
from analysis.atomic import OutputLock, atomic_path, atomic_write_text, remove_stale_temps
from analysis.errors import AlreadyRunningError, OutputError, ParameterError
from analysis.report.build_state import BuildState, file_digest, job_key, notebook_digest
from analysis.report.htmlexport import NotOfflineError, check_offline, offline_violations
from analysis.report.index_page import SEARCH_SCRIPT, IndexEntry, render_index, script_hash
from analysis.report.params import (
    check_safe_string,
    check_year,
    convert_value,
    load_data_info,
    parse_param_args,
    resolve_region,
)
from analysis.report.suite import DEFAULT_SUITE, load_suite

from .conftest import FIXTURES, make_suite, write_processed

# --- parameters ----------------------------------------------------------------------------------


def test_data_info_reads_years_regions_quality(processed: Path):
    info = load_data_info(processed)
    assert info.years == [2023, 2024]
    assert info.regions["640100"].name == "银川市"
    assert info.is_sample is True
    assert info.quality_counts == {"error": 1, "warning": 1, "info": 1}


def test_missing_processed_folder_is_parameter_error(tmp_path: Path):
    with pytest.raises(ParameterError, match="enforcement clean"):
        load_data_info(tmp_path / "nothing")


def test_year_without_data_rejected(processed: Path):
    info = load_data_info(processed)
    assert check_year(2024, info) == 2024
    with pytest.raises(ParameterError, match="2019 年没有数据"):
        check_year(2019, info)


@pytest.mark.parametrize("value", ["640100", "银川市", "640104", "兴庆区"])
def test_region_by_code_or_canonical_name(processed: Path, value: str):
    code = resolve_region(value, load_data_info(processed))
    assert code in {"640100", "640104"}


@pytest.mark.parametrize(
    "value, message",
    [
        ("999999", "未知地区"),
        ("银川", "未知地区"),  # short name is not the canonical name
        ("640000", "未知地区"),  # the province is not a city/county
        ('银川市"; import os; "', "不允许的字符"),
        ("银川市\nimport os", "不允许的字符"),
        ("银川市'", "不允许的字符"),
        ("银川市\\", "不允许的字符"),
        ("银川市\x00", "不允许的字符"),
        ("银川市\u202e", "不允许的字符"),  # bidi override (format character)
    ],
)
def test_bad_regions_rejected(processed: Path, value: str, message: str):
    with pytest.raises(ParameterError, match=message):
        resolve_region(value, load_data_info(processed))


def test_parse_param_args():
    assert parse_param_args(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ParameterError, match="名称=值"):
        parse_param_args(["novalue"])
    with pytest.raises(ParameterError, match="参数名称无效"):
        parse_param_args(["1bad=2"])
    with pytest.raises(ParameterError, match="由运行程序设置"):
        parse_param_args(["year=2020"])


def test_convert_value_by_declared_type():
    assert convert_value("n", "3", "int") == 3
    assert convert_value("x", "2.5", "float") == 2.5
    assert convert_value("f", "true", "bool") is True
    assert convert_value("s", "银川市", "str") == "银川市"
    for raw, kind in [("3; import os", "int"), ("1e", "float"), ("maybe", "bool"), ("[1]", "list")]:
        with pytest.raises(ParameterError):
            convert_value("p", raw, kind)
    with pytest.raises(ParameterError):
        convert_value("s", "a'b", "str")


def test_safe_string_length_limit():
    with pytest.raises(ParameterError, match="过长"):
        check_safe_string("s", "字" * 500)


# --- suite ---------------------------------------------------------------------------------------


def test_default_suite_registry():
    ids = [s.id for s in DEFAULT_SUITE]
    assert ids == ["01_quality", "02_overview", "03_regions", "04_casefile", "05_region_profile", "06_cases"]
    assert [s.title for s in DEFAULT_SUITE] == ["数据质量报告", "年度执法工作总览", "地区比较", "案卷评查分析", "地区画像",
                                                "行政处罚案件分析"]
    assert [s.per_region for s in DEFAULT_SUITE] == [False, False, False, False, True, False]
    assert "cases.parquet" in DEFAULT_SUITE[5].reads  # 06 re-runs when the case records change
    assert "quality.csv" in DEFAULT_SUITE[0].reads and "quality.csv" not in DEFAULT_SUITE[1].reads


def test_suite_json_and_missing_notebook(tmp_path: Path):
    folder = make_suite(tmp_path / "nb", ["02_overview", "05_region_profile"])
    suite = load_suite(folder)
    assert [s.id for s in suite.specs] == ["02_overview", "05_region_profile"]
    assert suite.specs[1].per_region
    (folder / "02_overview.ipynb").unlink()
    with pytest.raises(ParameterError, match="未找到笔记本"):
        load_suite(folder)
    with pytest.raises(ParameterError, match="目录不存在"):
        load_suite(tmp_path / "absent")


# --- cache ---------------------------------------------------------------------------------------


def test_notebook_digest_ignores_outputs_but_not_source(tmp_path: Path):
    nb = nbformat.read(FIXTURES / "02_overview.ipynb", as_version=4)
    a = tmp_path / "a.ipynb"
    nbformat.write(nb, a)
    base = notebook_digest(a)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="hello")]
    nb.cells[2].execution_count = 7
    nb.metadata["papermill"] = {"duration": 1}
    nbformat.write(nb, a)
    assert notebook_digest(a) == base
    nb.cells[2].source += "\nprint(1)"
    nbformat.write(nb, a)
    assert notebook_digest(a) != base


def test_job_key_changes_with_each_input():
    base = dict(notebook="n", parameters={"year": 2024}, data={"facts.parquet": "d"}, version="0.1.0")
    k = job_key(**base)
    assert job_key(**base) == k
    for change in (
        {"notebook": "n2"},
        {"parameters": {"year": 2023}},
        {"data": {"facts.parquet": "e"}},
        {"version": "0.2.0"},
    ):
        assert job_key(**{**base, **change}) != k


def test_file_digest_is_content_only(tmp_path: Path):
    p = tmp_path / "f"
    p.write_bytes(b"abc")
    d = file_digest(p)
    p.touch()
    assert file_digest(p) == d
    p.write_bytes(b"abd")
    assert file_digest(p) != d
    assert file_digest(tmp_path / "missing") == "missing"


def test_state_roundtrip_and_corrupt_state(tmp_path: Path):
    path = tmp_path / ".cache" / "state.json"
    state = BuildState.load(path)
    assert state.jobs == {}
    out = tmp_path / "x.html"
    out.write_text("x")
    state.record("a", {"key": "k1"})
    state.save()
    again = BuildState.load(path)
    assert again.is_fresh("a", "k1", [out])
    assert not again.is_fresh("a", "k2", [out])
    assert not again.is_fresh("a", "k1", [out, tmp_path / "gone.html"])
    path.write_text("{not json")
    assert BuildState.load(path).jobs == {}


# --- atomic writes and lock ----------------------------------------------------------------------


def test_atomic_write_disk_full_keeps_old_file(tmp_path: Path, monkeypatch):
    dest = tmp_path / "index.html"
    atomic_write_text(dest, "old complete page")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        atomic_write_text(dest, "new page")
    assert dest.read_text() == "old complete page"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]  # no temp file left behind


def test_unwritable_output_folder(tmp_path: Path):
    blocker = tmp_path / "outputs"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(OutputError):
        atomic_write_text(blocker / "2024" / "index.html", "x")


def test_atomic_path_and_stale_temp_cleanup(tmp_path: Path):
    dest = tmp_path / "figures" / "a.png"
    with atomic_path(dest) as tmp:
        assert tmp.name.startswith(".tmp-") and tmp.suffix == ".png"
        tmp.write_bytes(b"png")
    assert dest.read_bytes() == b"png"
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert dest.read_bytes() == b"png"
    (tmp_path / "figures" / ".tmp-1-ab-left.png").write_bytes(b"x")
    assert remove_stale_temps(tmp_path) == 1
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["a.png"]


def test_lock_fails_fast_or_waits(tmp_path: Path):
    with OutputLock(tmp_path, timeout=0):
        with pytest.raises(AlreadyRunningError, match="另一个进程"):
            OutputLock(tmp_path, timeout=0).__enter__()
        with pytest.raises(AlreadyRunningError, match="已等待"):
            OutputLock(tmp_path, timeout=0.2).__enter__()
    # released: a waiting lock gets it once the holder leaves (the holder leaves when the waiter says it waits)
    holder = OutputLock(tmp_path, timeout=0).__enter__()
    waited = []

    def on_wait(lock):
        waited.append(True)
        threading.Thread(target=holder.__exit__, args=(None, None, None)).start()

    with OutputLock(tmp_path, timeout=300, on_wait=on_wait):
        pass
    assert waited == [True]


# --- offline check and index page ----------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example.com/require.js"></script>',
        "<script type='text/javascript' src=http://x/y.js></script>",
        '<link rel="stylesheet" href="//cdn.example.com/a.css">',
        '<img src="https://example.com/a.png">',
        "<style>@import url(https://fonts.example.com/a.css);</style>",
    ],
)
def test_offline_check_rejects_network_references(tag: str):
    page = f'<!DOCTYPE html><html lang="zh-CN"><head>{tag}</head><body>正文</body></html>'
    assert offline_violations(page)
    with pytest.raises(NotOfflineError, match="联网引用"):
        check_offline(page, "x.html")


def test_offline_check_allows_plain_links_and_data_uris():
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><style>/* see https://example.com */</style></head>'
        '<body><a href="https://example.com">链接</a><img src="data:image/png;base64,AAAA"></body></html>'
    )
    assert offline_violations(page) == []
    check_offline(page)
    with pytest.raises(OutputError, match="中文语言"):
        check_offline(page.replace('lang="zh-CN"', 'lang="en"'))


def _entries():
    return [
        IndexEntry("01_quality", "数据质量报告", "html/01_quality.html", "ok"),
        IndexEntry("broken", "故障测试报告", "html/broken.html", "failed"),
        IndexEntry("05_x", "地区画像：<script>alert(1)</script>", "html/05_x.html", "ok", "地区画像",
                   "<script>alert(1)</script>"),
    ]


def test_index_escapes_data_and_shows_status():
    page = render_index(2024, _entries(), "2025年01月02日 08:00", {"error": 2, "warning": 0, "info": 5},
                        True, quality_href="html/01_quality.html", embed_font=False)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the one script is the index's constant search filter, allowed by its hash and nothing else
    assert page.count("<script") == 1 and f"<script>{SEARCH_SCRIPT}</script>" in page
    assert f"script-src {script_hash()};" in page.replace("&#39;", "'")
    assert '<html lang="zh-CN">' in page
    assert "示例数据" in page
    assert "错误 2 项" in page and "提示 5 项" in page
    assert 'href="html/broken.html"' in page and "未能完整生成" in page
    assert "2025年01月02日 08:00" in page


def test_index_without_sample_banner():
    page = render_index(2024, _entries(), "now", {"error": 0, "warning": 0, "info": 0}, False, embed_font=False)
    assert "示例数据" not in page
    assert "未发现问题" in page


def test_fixture_processed_meta(tmp_path: Path):
    folder = write_processed(tmp_path / "p", is_sample=False)
    assert json.loads((folder / "meta.json").read_text())["is_sample"] is False
