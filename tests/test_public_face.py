"""``import analysis``: the handful of names an analyst uses, on the bundled sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import analysis
from analysis.clean.pipeline import clean, write_outputs

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    facts, report, meta = clean(REPO / "data" / "raw")
    write_outputs(out, facts, report, meta)
    return out


def test_import_analysis_is_cheap():
    code = "import sys, analysis; print(sorted(m for m in ('pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_face_lists_its_names():
    for name in ("load", "build_summary", "trend_chart", "paragraph", "indicator_table", "format_number"):
        assert name in analysis.__all__
        assert callable(getattr(analysis, name))
    with pytest.raises(AttributeError):
        analysis.no_such_name  # noqa: B018


def test_explore_the_sample(processed):
    data = analysis.load(processed)
    assert data.is_sample
    summary = analysis.build_summary(data.facts)
    # The sample's 2024 province figures equal the published letter: 214 cases filed, 9172.05 万元 collected.
    text = analysis.paragraph(summary, "640000", 2024, ["cases_filed", "fines_collected"])
    assert "214起" in text and "9172.05万元" in text
    table = analysis.indicator_table(summary, "640000", 2024, ["cases_filed"])
    assert len(table) == 1
    assert float(table["数值"].iloc[0]) == 214.0
    fig = analysis.trend_chart(summary, "640000", "cases_filed")
    assert fig.axes and "宁夏" in fig._suptitle.get_text()


def test_face_reports_unknown_region_clearly(processed):
    from analysis.errors import ParameterError

    summary = analysis.build_summary(analysis.load(processed).facts)
    with pytest.raises(ParameterError, match="999999"):
        analysis.trend_chart(summary, "999999", "cases_filed")


def test_one_formatter_for_all_faces():
    assert analysis.format_number(9172.05, "万元") == "9,172.05"
    assert analysis.format_number(18907, "个") == "18,907"
    assert analysis.format_number(95.14, "%") == "95.1"
    assert analysis.format_number(float("nan"), "起") == "—"


@pytest.mark.slow
def test_start_here_notebook_runs_on_the_sample(processed, tmp_path):
    import nbformat
    import papermill

    source = REPO / "notebooks" / "00_start_here.ipynb"
    nb = nbformat.read(source, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed with outputs"
    out = tmp_path / "start.ipynb"
    papermill.execute_notebook(str(source), str(out), parameters={"processed_dir": str(processed)},
                               cwd=str(REPO / "notebooks"), progress_bar=False, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "214起" in printed  # the paragraph cell printed the 2024 figure (sample = the published letter)
