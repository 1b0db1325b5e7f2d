"""The department's real 2024 letter cleans to its published figures, and every number in it is accounted for."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from analysis.clean.pipeline import clean

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
LETTER = REFERENCE / "seed_letter_2024_ningxia_natural_resources.txt"
FIGURES = REFERENCE / "seed_2024_ningxia_figures.csv"

pytestmark = pytest.mark.skipif(not LETTER.is_file() or not FIGURES.is_file(), reason="../shared/reference absent")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(LETTER, raw / LETTER.name)
    return clean(raw)


def test_letter_cleans_to_every_published_figure(cleaned):
    facts, _, _ = cleaned
    seed = pd.read_csv(FIGURES, dtype={"region_code": str})
    expected = {(int(y), c, i, float(v)) for y, c, i, v in zip(seed.year, seed.region_code, seed.indicator, seed.value)}
    got = {(int(y), c, i, float(v)) for y, c, i, v in zip(facts.year, facts.region_code, facts.indicator, facts.value)}
    assert got == expected
    assert len(facts) == len(seed)  # one fact per figure: the restated 39宗 merged, nothing doubled


def test_units_are_the_catalogue_units_of_the_reference(cleaned):
    facts, _, _ = cleaned
    seed = pd.read_csv(FIGURES, dtype={"region_code": str}).set_index("indicator")
    for row in facts.itertuples():
        assert row.unit == seed.loc[row.indicator, "unit"], row.indicator


def test_provenance_names_the_sentence_and_the_span(cleaned):
    facts, _, _ = cleaned
    assert set(facts["source_kind"]) == {"text"}
    assert set(facts["source_file"]) == {LETTER.name}
    for row in facts.itertuples():
        a, b = (int(x) for x in row.evidence_span.split("-"))
        token = unicodedata.normalize("NFKC", row.evidence[a:b])
        number = re.search(r"\d+(?:\.\d+)?", token).group()
        assert float(number) == pytest.approx(row.value), (row.indicator, token)
        assert re.fullmatch(r"S\d+", row.source_cell)
    fines = facts.set_index("indicator").loc["fines_collected"]
    assert fines.evidence == "立案查处自然资源领域违法案件214起，收缴罚没款9172.05万元。"
    a, b = (int(x) for x in fines.evidence_span.split("-"))
    assert fines.evidence[a:b] == "9172.05万元"
    assert fines.agency == "宁夏回族自治区自然资源厅"


def test_scope_of_the_departments_own_work(cleaned):
    facts, _, _ = cleaned
    scope = dict(zip(facts.indicator, facts.scope))
    # 厅本级 / 厅务会: the department's own work; 组织全区…: the whole region.
    assert scope["enforcement_officers"] == scope["casefile_reviewed"] == scope["law_study_sessions"] == "agency"
    assert scope["patrols"] == scope["cases_filed"] == scope["inspection_issues_found"] == "region"


def _digit_runs(text: str) -> int:
    return len(re.findall(r"\d+", unicodedata.normalize("NFKC", text)))


def test_every_number_in_the_letter_is_a_fact_or_a_finding(cleaned):
    facts, report, _ = cleaned
    # Independent count: digit runs in the raw letter, lines rejoined (a number is never cut by a wrap here).
    raw = "".join(line.strip() for line in LETTER.read_text("utf-8").splitlines())
    total = _digit_runs(raw)
    in_facts = sum(_digit_runs(e[int(s.split("-")[0]):int(s.split("-")[1])])
                   for e, s in zip(facts.evidence, facts.evidence_span))
    in_findings = sum(_digit_runs(f.raw_value) for f in report.findings if f.file == LETTER.name)
    assert total > 100  # the letter is full of numbers: the check is not vacuous
    assert in_facts + in_findings == total
    codes = {f.code for f in report.findings}
    assert {"text_number_date", "text_number_ordinal", "text_number_unmatched", "text_percent_unmatched",
            "text_figure_repeated", "text_number_reference"} <= codes
    assert not report.has_errors


def test_chinese_ordinals_of_the_letter_are_findings(cleaned):
    _, report, _ = cleaned
    ordinals = [f.raw_value for f in report.findings if f.code == "text_number_ordinal"]
    for word in ("一是", "二是", "五是", "十三届", "十二届", "一、", "四、"):
        assert word in ordinals
