"""No ID number leaves the case table: every processed file, the quality report and the report's exports
are scanned for ID-number patterns (and natural persons' names)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from analysis.clean.pipeline import run_clean
from analysis.processed import CASES_DUCKDB

from .fixtures import OLD_ID, PERSON_ID, row, write_csv, yearly_table

# Written out here (not imported from the code under test): 18 digits ending in a digit or X, or 15 digits
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
PERSONS = ("张示例", "李示例")


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    yearly_table(raw, fines=30.0, penalties=4)
    rows = [
        row(),
        row(name="张示例", kind="自然人", code="", id_type="身份证", id_no=PERSON_ID, no="兴庆自然资罚〔2024〕2号",
            facts=f"当事人张示例（身份证号{PERSON_ID}）擅自占用土地", fine="200", content="罚款200万元"),
        row(name="李示例", kind="", code=PERSON_ID[:-1] + "X", no="兴庆自然资罚〔2024〕3号",
            facts=f"旧证号{OLD_ID}", content=f"罚款人民币壹万元整，当事人证件{OLD_ID}", fine="xx" + PERSON_ID),
        row(name="王示例", code="", id_no=PERSON_ID, no="兴庆自然资罚〔2024〕3号", agency=f"局{PERSON_ID}"),
    ]
    write_csv(raw / "cases" / "records.csv", rows)
    return raw


def _texts(folder: Path):
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == CASES_DUCKDB:
            continue
        if path.suffix in (".csv", ".json", ".html", ".svg", ".md", ".txt"):
            yield path, path.read_text("utf-8-sig", errors="replace")
        elif path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as zf:
                yield path, "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml"))
        elif path.suffix == ".parquet":
            yield path, pd.read_parquet(path).astype(str).to_csv(index=False)


def test_no_id_number_in_any_output(tmp_path):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    run_clean(raw, out, progress=False)
    assert (out / CASES_DUCKDB).is_file()

    from analysis.views import cases

    cr = cases.open_cases(out, 2024, tmp_path / "outputs")
    sections = [cases.intro(cr), cases.amounts(cr), cases.violations(cr), cases.months(cr), cases.agencies(cr),
                cases.categories(cr), cases.largest(cr), cases.reconciliation(cr), cases.export(cr)]
    for section in sections:
        for fig in section.figures():
            from analysis.present.charts import save_figure

            save_figure(fig, tmp_path / "outputs" / "figures", f"f{id(fig)}", formats=("svg",))
    shown = "".join(str(b) for s in sections for b in s)
    largest = cases.largest(cr).tables()[0]
    assert "个人" in set(largest.iloc[:, 1])  # the person's decision is among the largest, anonymised

    scanned = list(_texts(out)) + list(_texts(tmp_path / "outputs")) + [(Path("<sections>"), shown)]
    assert {p.suffix for p, _ in scanned} >= {".csv", ".json", ".parquet", ".xlsx"}
    leaks = [(str(p), m) for p, text in scanned for m in ID_RE.findall(text)]
    assert not leaks, leaks[:5]
    reports = [(p, t) for p, t in scanned if p.suffix != ".parquet" or "case_facts" in p.name]
    names = [(str(p), n) for p, text in reports for n in PERSONS if n in text and "processed" not in str(p)]
    assert not names, names[:5]
    quality = (out / "quality.csv").read_text("utf-8-sig")
    assert not any(n in quality for n in PERSONS)
    public = pd.read_parquet(out / "cases.parquet")
    assert not any(n in public.astype(str).to_csv() for n in PERSONS)


def test_the_scan_would_catch_a_leak(tmp_path):
    """The pattern finds the fixture's IDs as written (so an unmasked one could not slip through)."""
    assert ID_RE.findall(f"号{PERSON_ID}，{OLD_ID}。") == [PERSON_ID, OLD_ID]
    assert ID_RE.findall(f"x{PERSON_ID}y") == []  # inside a longer code: not an ID on its own
