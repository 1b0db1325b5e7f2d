"""Every wording key the views ask for exists in its report's YAML file, and the call fills every placeholder.

The report wording lives in ``analysis/present/narrative/reports/<report>.yaml``; the views pick a template
with ``say("<report>", "<dotted.key>", field=...)``. Many of those calls sit in branches the sample data never
reaches (no penalty figures, an earlier evaluation year ...), so they are checked statically here: each
literal call is read with ``ast`` and matched against the YAML.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from analysis.errors import CatalogError
from analysis.views.wording import REPORTS, report_templates, say, template

VIEWS = Path(__file__).resolve().parents[1] / "src" / "analysis" / "views"


def _say_calls():
    for path in sorted(VIEWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"
                    and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
                yield path.name, node.lineno, node.args[0].value, node.args[1].value, {k.arg for k in node.keywords}


CALLS = list(_say_calls())


def test_the_static_check_sees_the_calls():
    assert len(CALLS) > 100
    assert {report for _, _, report, _, _ in CALLS} == set(REPORTS)


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_file_loads(report):
    assert isinstance(report_templates(report), dict)


@pytest.mark.parametrize(("where", "line", "report", "key", "given"), CALLS,
                         ids=[f"{c[0]}:{c[1]}" for c in CALLS])
def test_say_call_matches_its_template(where, line, report, key, given):
    text = template(report, key)
    assert isinstance(text, str), f"{where}:{line}: {report}.{key} is not text"
    needed = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}
    assert needed <= given, f"{where}:{line}: {report}.{key} needs {sorted(needed - given)}"


def test_say_fills_and_formats():
    assert say("common", "year", year=2024) == "2024年"
    assert say("casefile", "interval", lo=91.04, hi=99.96) == "91.0%～100.0%"
    with pytest.raises(CatalogError):
        say("common", "no.such.key")
