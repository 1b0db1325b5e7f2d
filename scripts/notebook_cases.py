"""The cell list of the case-record report notebook ``notebooks/06_cases.ipynb`` (行政处罚案件分析).

:func:`cases_notebook` returns ``(kind, source)`` cells in the format of ``scripts/build_notebooks.py``
(``md``, ``params``, ``code``); that script builds and checks the notebook file. Every section function of
:mod:`analysis.views.cases` shows its own heading and returns nothing when the data has no case records
for the year (the introduction then says why the report is empty), so the notebook has no ``if``.

Standalone use (writes the notebook without the build script)::

    .venv/bin/python scripts/notebook_cases.py [--out notebooks]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILE = "06_cases.ipynb"

PARAMS = '''# 参数（papermill 运行时会在本单元格之后注入实际取值）
year = 2024
processed_dir = "../data/processed"
output_dir = ""  # 留空则写入 ../outputs/<year>/（leave empty: ../outputs/<year>/）
province = ""  # 省级地区代码或名称；数据只含一个省时留空（a province code or name; empty: the data's only one）'''

SECTIONS = ("amounts", "violations", "months", "agencies", "categories", "largest", "reconciliation")


def cases_notebook() -> list[tuple[str, str]]:
    """The cells of ``06_cases.ipynb``: title, parameters, the opening call, one cell per section, export."""
    import yaml

    wording = yaml.safe_load((ROOT / "src/analysis/present/narrative/reports/cases.yaml").read_text("utf-8"))
    cells = [
        ("md", wording["markdown"]["title"]),
        ("params", PARAMS),
        ("code", "from analysis import views as v\nfrom analysis.views import cases\n\n"
                 "cr = cases.open_cases(processed_dir, year, output_dir, province=province)\nv.show(cases.intro(cr))"),
    ]
    cells += [("code", f"v.show(cases.{name}(cr))") for name in SECTIONS]
    cells.append(("code", "v.show(cases.export(cr))"))
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "scripts"))
    import nbformat
    from build_notebooks import build  # the one notebook writer (ids, no outputs, parameters tag)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / FILE).write_text(nbformat.writes(build(cases_notebook())) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
