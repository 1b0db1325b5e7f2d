"""Generate the report notebooks in ``notebooks/`` from the cell lists below (reviewable Python, not JSON).

Usage::

    .venv/bin/python scripts/build_notebooks.py            # (re)write notebooks/*.ipynb
    .venv/bin/python scripts/build_notebooks.py --check    # exit 1 when a committed notebook differs

The notebooks are written without outputs, with ``execution_count: null``, kernel ``python3``, and a first
code cell tagged ``parameters`` (papermill). A notebook is thin: its parameters, one call per report section
(:mod:`analysis.views.quality` ...), the calls that show what they return, and Markdown headings. The
Markdown text is read from the report's wording file ``analysis/present/narrative/reports/<report>.yaml``
(key ``markdown``); no Chinese sentence lives here. Edit the cells here, then re-run this script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.views.wording import template

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

PARAMS = '''# 参数（papermill 运行时会在本单元格之后注入实际取值）
year = 2024
processed_dir = "../data/processed"
output_dir = ""  # 留空则写入 ../outputs/<year>/（leave empty: ../outputs/<year>/）
province = ""  # 省级地区代码或名称；数据只含一个省时留空（a province code or name; empty: the data's only one）'''

PROFILE_PARAMS = PARAMS + '\nregion = "640100"'


def setup(module: str, options: str = "") -> str:
    """The first code cell: import the views, open the report's context (parameters checked, data loaded)."""
    return f'''from analysis import views as v
from analysis.views import {module}

rep = v.open_report(processed_dir, year, output_dir{options}, province=province)'''


def section(module: str, name: str) -> str:
    """One report section: the call that returns its ready blocks, and the call that shows them."""
    return f"{name} = {module}.{name}(rep)\nv.show({name})"


def notebook(report: str, module: str, cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Resolve ``("md", key)`` cells to the Markdown of ``reports/<report>.yaml`` ``markdown.<key>``."""
    return [(kind, template(report, f"markdown.{body}") if kind == "md" else body) for kind, body in cells]


QUALITY = notebook("quality", "quality", [
    ("md", "title"),
    ("md", "lead"),
    ("params", PARAMS),
    ("code", setup("quality", ", summary=False, require_quality=True, with_reference=False") + "\n"
     + section("quality", "intro")),
    ("md", "loaded"),
    ("code", section("quality", "loaded")),
    ("md", "coverage"),
    ("code", section("quality", "coverage")),
    ("md", "findings"),
    ("code", section("quality", "findings")),
    ("md", "missing"),
    ("code", section("quality", "missing")),
    ("md", "agencies"),
    ("code", section("quality", "agencies")),
    ("md", "hierarchy"),
    ("code", section("quality", "hierarchy")),
    ("code", "v.show(quality.export(rep))"),
])

OVERVIEW = notebook("overview", "overview", [
    ("md", "title"),
    ("params", PARAMS),
    ("code", setup("overview") + "\n" + section("overview", "intro")),
    ("md", "key"),
    ("code", section("overview", "key_indicators")),
    ("code", section("overview", "trends")),
    ("code", section("overview", "change_by_city")),
    ("code", section("overview", "enforcement_chain")),
    ("code", section("overview", "closure_rate")),
    ("md", "penalties"),
    ("code", section("overview", "penalties")),
    ("md", "licensing"),
    ("code", section("overview", "licensing")),
    ("md", "casefile"),
    ("code", section("overview", "casefiles")),
    ("md", "notes"),
    ("code", section("overview", "notes")),
    ("code", "v.show(overview.export(rep))"),
])

REGIONS = notebook("regions", "regions", [
    ("md", "title"),
    ("params", PARAMS),
    ("code", setup("regions") + "\n" + section("regions", "intro")),
    ("md", "cities"),
    ("code", section("regions", "city_ranking")),
    ("code", section("regions", "city_history")),
    ("md", "counties"),
    ("code", section("regions", "county_ranking")),
    ("md", "outliers"),
    ("code", section("regions", "outliers")),
    ("md", "per_capita"),
    ("code", section("regions", "per_capita")),
    ("md", "notes"),
    ("code", section("regions", "notes")),
    ("code", "v.show(regions.export(rep))"),
])

CASEFILE = notebook("casefile", "casefile", [
    ("md", "title"),
    ("params", PARAMS),
    ("code", setup("casefile") + "\n" + section("casefile", "intro")),
    ("md", "by_year"),
    ("code", section("casefile", "by_year")),
    ("md", "by_city"),
    ("code", section("casefile", "by_city")),
    ("md", "tests"),
    ("code", section("casefile", "tests")),
    ("md", "funnel"),
    ("code", section("casefile", "funnel")),
    ("md", "notes"),
    ("code", section("casefile", "notes")),
    ("code", "v.show(casefile.export(rep))"),
])

PROFILE = notebook("profile", "profile", [
    ("md", "title"),
    ("params", PROFILE_PARAMS),
    ("code", setup("profile", ", region=region") + "\n" + section("profile", "header")),
    ("md", "overview"),
    ("code", section("profile", "overview")),
    ("md", "trends"),
    ("code", section("profile", "trends")),
    ("md", "peers"),
    ("code", section("profile", "peers")),
    ("code", section("profile", "counties")),
    ("md", "notes"),
    ("code", section("profile", "notes") + "\nv.show(profile.export(rep))"),
])

CASES_SECTIONS = ("amounts", "violations", "months", "agencies", "categories", "largest", "reconciliation")
CASES = [
    # Every section of analysis.views.cases shows its own heading and shows nothing when the data has no case
    # records for the year (the introduction then says why), so this notebook has no ``if``.
    ("md", template("cases", "markdown.title")),
    ("params", PARAMS),
    ("code", "from analysis import views as v\nfrom analysis.views import cases\n\n"
             "cr = cases.open_cases(processed_dir, year, output_dir, province=province)\nv.show(cases.intro(cr))"),
    *[("code", f"v.show(cases.{name}(cr))") for name in CASES_SECTIONS],
    ("code", "v.show(cases.export(cr))"),
]

SUITE = {
    "01_quality.ipynb": QUALITY,
    "02_overview.ipynb": OVERVIEW,
    "03_regions.ipynb": REGIONS,
    "04_casefile.ipynb": CASEFILE,
    "05_region_profile.ipynb": PROFILE,
    "06_cases.ipynb": CASES,
}


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(cells):
        cell_id = f"cell-{i:02d}"
        if kind == "md":
            cell = new_markdown_cell(source, id=cell_id)
        else:
            cell = new_code_cell(source, id=cell_id)
            cell.execution_count = None
            cell.outputs = []
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed notebooks")
    parser.add_argument("--out", type=Path, default=NOTEBOOKS)
    args = parser.parse_args(argv)
    differ = []
    for name, cells in SUITE.items():
        text = nbformat.writes(build(cells)) + "\n"
        dest = args.out / name
        if args.check:
            if not dest.is_file() or dest.read_text("utf-8") != text:
                differ.append(name)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    if differ:
        print("out of date: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
