"""The report notebooks are thin: parameters, one call per section, the calls that show them, headings.

Every code cell of every report notebook (``notebooks/0[1-6]_*.ipynb``) is parsed with ``ast``: no function or
class definitions, at most 40 code lines (not blank, not comment-only) and at most three ``if``/``for``
statements per notebook, no HTML strings and no DataFrame construction.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = sorted((ROOT / "notebooks").glob("0[1-6]_*.ipynb"))
MAX_CODE_LINES = 40
MAX_BRANCHES = 3
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s>/]")


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text("utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


def _code_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def test_there_are_six_report_notebooks():
    assert [p.name[:2] for p in REPORTS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_report_notebook_is_thin(path: Path):
    cells = _code_cells(path)
    trees = [ast.parse(src) for src in cells]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    defs = [n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
    assert not defs, f"{path.name}: definitions in a notebook: {[getattr(d, 'name', 'lambda') for d in defs]}"
    branches = [n for n in nodes if isinstance(n, (ast.If, ast.For, ast.While, ast.IfExp, ast.comprehension))]
    assert len(branches) <= MAX_BRANCHES, f"{path.name}: {len(branches)} if/for statements (max {MAX_BRANCHES})"
    lines = sum(_code_lines(src) for src in cells)
    assert lines <= MAX_CODE_LINES, f"{path.name}: {lines} code lines (max {MAX_CODE_LINES})"
    frames = [n for n in nodes if isinstance(n, ast.Attribute) and n.attr in ("DataFrame", "Series")]
    assert not frames, f"{path.name}: builds pandas objects itself"
    html = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and HTML_TAG.search(n.value)]
    assert not html, f"{path.name}: HTML strings {html}"


def test_the_checks_catch_a_fat_notebook(tmp_path: Path):
    """The rules above fail on the kind of cell the notebooks used to hold."""
    fat = {"cells": [{"cell_type": "code", "source": "def f(x):\n    return x\nfor a in b:\n    if a:\n        pass\n"
                      "if c:\n    pass\nelse:\n    pass\ny = [i for i in z]\n"
                      "v.show_html('<h2>x</h2>')\nt = pd.DataFrame({'a': [1]})\n",
                      "metadata": {}, "outputs": [], "execution_count": None}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "09_fat.ipynb"
    path.write_text(json.dumps(fat), "utf-8")
    with pytest.raises(AssertionError, match="definitions"):
        test_report_notebook_is_thin(path)
    tree = ast.parse(_code_cells(path)[0])
    branches = [n for n in ast.walk(tree) if isinstance(n, (ast.If, ast.For, ast.comprehension))]
    assert len(branches) == 4
