"""Issue 12: the overview's leader sections (change by city, enforcement chain, 结案率) and its Word export in
GB/T 9704 layout, on hand-built facts (every expected figure is computed by hand in the comments)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from analysis import views as v
from analysis.views import overview
from analysis.views.display import Paragraphs, Table
from analysis.views.leader import chain_frame, change_frame, closure_table
from analysis.views.wording import template

YEAR = 2024
REGIONS = {"640000": ("宁夏回族自治区", "province"), "640100": ("银川市", "city"), "640200": ("石嘴山市", "city")}
UNITS = {"cases_filed": "起", "cases_closed": "起", "fines_collected": "万元", "patrols": "次",
         "violations_stopped": "起", "stop_orders": "份", "penalties_total": "宗", "penalty_fine": "宗",
         "penalty_warning": "宗"}
# (indicator, region) -> (2023, 2024)
VALUES = {
    ("cases_filed", "640000"): (90, 100), ("cases_filed", "640100"): (50, 40), ("cases_filed", "640200"): (15, 20),
    ("cases_closed", "640000"): (80, 95), ("cases_closed", "640100"): (45, 36), ("cases_closed", "640200"): (14, 19),
    ("fines_collected", "640000"): (500, 600), ("fines_collected", "640100"): (300, 350),
    ("fines_collected", "640200"): (100, 90),
    ("patrols", "640000"): (900, 1000), ("violations_stopped", "640000"): (70, 80),
    ("stop_orders", "640000"): (50, 60),
    ("penalties_total", "640000"): (40, 50), ("penalty_fine", "640000"): (30, 35),
    ("penalty_warning", "640000"): (10, 15),
}


def _facts() -> pd.DataFrame:
    rows = []
    for (indicator, code), pair in VALUES.items():
        name, level = REGIONS[code]
        for year, value in zip((YEAR - 1, YEAR), pair):
            rows.append({"year": year, "region_code": code, "region_name": name, "level": level, "agency": "",
                         "indicator": indicator, "value": float(value), "unit": UNITS[indicator], "approx": False,
                         "source_file": f"{year}/a.xlsx", "source_sheet": "S", "source_cell": "B2"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def rep(tmp_path_factory):
    base = tmp_path_factory.mktemp("overview_exports")
    processed = base / "processed"
    processed.mkdir()
    _facts().to_parquet(processed / "facts.parquet", index=False)
    (processed / "meta.json").write_text(json.dumps({"is_sample": True}), "utf-8")
    return v.open_report(processed, YEAR, base / "out", with_reference=False)


def test_change_frame_is_value_minus_previous_value(rep):
    frame = change_frame(rep.summary, YEAR, "cases_filed", "city").set_index("region_name")
    # 石嘴山市 20 - 15 = +5 (+33.3%), 银川市 40 - 50 = -10 (-20%); largest rise first
    assert frame.index.tolist() == ["石嘴山市", "银川市"]
    assert frame["change"].tolist() == [5.0, -10.0]
    assert frame["pct_change"].tolist() == pytest.approx([5 / 15 * 100, -20.0])


def test_enforcement_chain_order_and_values(rep):
    frame = chain_frame(rep.summary, "640000", YEAR)
    assert frame["code"].tolist() == ["patrols", "violations_stopped", "stop_orders", "cases_filed", "cases_closed"]
    assert frame["value"].tolist() == [1000.0, 80.0, 60.0, 100.0, 95.0]


def test_closure_rate_is_closed_over_filed(rep):
    table = closure_table(rep.summary, YEAR, "city").set_index("地区")
    # 银川市 36 / 40 = 90.0 %, 石嘴山市 19 / 20 = 95.0 %
    assert table["结案率（%）"].to_dict() == pytest.approx({"银川市": 90.0, "石嘴山市": 95.0})
    assert table["结案案件（起）"].to_dict() == {"银川市": 36.0, "石嘴山市": 19.0}
    prov = rep.summary[(rep.summary["indicator"] == "case_closure_rate") & (rep.summary["region_code"] == "640000")
                       & (rep.summary["year"] == YEAR)]
    assert float(prov["value"].iloc[0]) == pytest.approx(95.0)  # 95 / 100


def test_leader_sections_return_their_charts_and_tables(rep):
    change = overview.change_by_city(rep)
    assert len(change.figures()) == 2  # cases filed and fines
    text = "".join(b.text for b in change if isinstance(b, Paragraphs))
    assert "银川市" in text and "石嘴山市减少最多" in text  # fines: 石嘴山市 90 - 100 = -10 万元
    assert len(overview.enforcement_chain(rep).figures()) == 1
    closure = overview.closure_rate(rep)
    assert "结案率" in "".join(b.text for b in closure if isinstance(b, Paragraphs))
    assert "95.0%" in closure[0].text


def test_overview_docx_has_gongwen_layout_headings_and_every_paragraph(rep):
    shown = []
    for name in ("intro", "key_indicators", "trends", "change_by_city", "enforcement_chain", "closure_rate",
                 "penalties", "licensing", "casefiles"):
        section = getattr(overview, name)(rep)
        shown += [t for b in section if isinstance(b, Paragraphs) for t in b.texts if t]
        shown += [b.caption for b in section if isinstance(b, Table)]
    overview.export(rep)
    doc = Document(str(rep.out_dir / "tables" / "02_overview.docx"))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16  # 三号, not 14 pt
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = [template("overview", f"markdown.{k}").lstrip("#").strip()
                for k in ("key", "penalties", "licensing", "casefile")]
    assert heads == expected
    h1 = doc.styles["Heading 1"].element.rPr.rFonts
    assert h1.get(qn("w:eastAsia")) == "黑体"
    texts = [p.text for p in doc.paragraphs]
    missing = [t for t in shown if t not in texts and not any(t in cell.text for tb in doc.tables
                                                              for row in tb.rows for cell in row.cells)]
    assert not missing
    penalty = [b for b in overview.penalties(rep) if isinstance(b, Paragraphs)][0].text
    assert penalty and penalty in texts  # the penalty paragraph, missing before
    # 3 tables of the key sections + leader tables, each a real Word table
    assert len(doc.tables) >= 5
