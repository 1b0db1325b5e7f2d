"""Issue 12: no leader-facing text names an English statistical method or a finding code outside the 附注.

Leader-facing: the reports 02 (overview), 03 (regions), 04 (case files) and 05 (region profiles) -- their
Markdown headings, paragraphs, table captions and cells, and chart alternative text. (01_quality is the
analysts' checklist: its tables list the finding codes on purpose.) Most checks run the views' section
functions on the sample data, cleaned into ``tmp_path``, without notebooks; one end-to-end check executes
the overview and case-file notebooks and reads the exported HTML.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import matplotlib
import pytest

from analysis.views.display import Figure, Html, Paragraphs, Table, alt_text

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
METHODS = ("Mann-Kendall", "Mann", "Kendall", "MAD", "Wilson", "Fisher", "Freeman", "Halton", "Spiegelhalter",
           "chi-square", "z-score", "Monte Carlo")
SECTIONS = {
    "overview": ["intro", "key_indicators", "trends", "penalties", "licensing", "casefiles"],
    "regions": ["intro", "city_ranking", "city_history", "county_ranking", "outliers", "per_capita"],
    "casefile": ["intro", "by_year", "by_city", "tests", "funnel"],
    "profile": ["header", "overview", "trends", "peers", "counties"],
}
PROFILES = ("640100", "640104")  # a city and a county


def banned_pattern() -> re.Pattern:
    from analysis.clean.findings import finding_codes

    codes = list(finding_codes())
    words = [re.escape(w) for w in METHODS] + [re.escape(c) for c in codes if "_" in c]
    return re.compile(r"(?<![A-Za-z_])(" + "|".join(words) + r")(?![A-Za-z_])")


BANNED = banned_pattern()


def test_the_pattern_catches_what_it_must():
    assert BANNED.search("采用Mann-Kendall检验") and BANNED.search("代码 total_mismatch")
    assert BANNED.search("（中位数/MAD）") and not BANNED.search("马德里") and not BANNED.search("MADE")


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    from analysis.clean.pipeline import clean, write_outputs

    base = tmp_path_factory.mktemp("leader_text")
    facts, report, meta = clean(ROOT / "data" / "raw", progress=False)
    out = base / "data" / "processed"
    write_outputs(out, facts, report, meta)
    (base / "data" / "reference").mkdir()
    shutil.copy(ROOT / "data" / "reference" / "regions_population_area_sample.csv", base / "data" / "reference")
    return out


def block_texts(block) -> list[str]:
    if isinstance(block, Paragraphs):
        return list(block.texts)
    if isinstance(block, Html):
        return [re.sub(r"<style.*?</style>|<[^>]+>", " ", block.fragment, flags=re.DOTALL)]
    if isinstance(block, Table):
        cells = [str(c) for c in block.df.columns]
        for col in block.df.columns:
            if block.df[col].dtype == object:
                cells += [str(x) for x in block.df[col]]
        return [block.caption, *cells]
    if isinstance(block, Figure):
        return [alt_text(block.fig, block.alt)]
    return []


def run_report(processed: Path, out: Path, report: str, region: str | None = None) -> tuple[list[str], list[str]]:
    """(leader texts, 附注 texts) of one report, from its section functions."""
    import matplotlib.pyplot as plt

    from analysis import views as v

    module = getattr(v, report)
    rep = v.open_report(processed, YEAR, out, **({"region": region} if region else {}))
    texts = []
    for name in SECTIONS[report]:
        for block in getattr(module, name)(rep):
            texts += block_texts(block)
        plt.close("all")
    notes = [t for b in module.notes(rep) for t in block_texts(b)]
    return texts, notes


@pytest.fixture(scope="module")
def reports(processed, tmp_path_factory) -> dict[str, tuple[list[str], list[str]]]:
    out = tmp_path_factory.mktemp("leader_out")
    got = {r: run_report(processed, out, r) for r in ("overview", "regions", "casefile")}
    for code in PROFILES:
        got[f"profile_{code}"] = run_report(processed, out, "profile", code)
    return got


@pytest.mark.parametrize("report", ["overview", "regions", "casefile", *(f"profile_{c}" for c in PROFILES)])
def test_leader_text_has_no_method_name_or_finding_code(reports, report):
    texts, notes = reports[report]
    assert texts and notes
    hits = sorted({m.group(0) for t in texts for m in BANNED.finditer(t)})
    assert not hits, f"{report}: {hits}"


def test_the_notes_say_the_methods(reports):
    """The 附注 is where the names went (the check above would pass on an empty report otherwise)."""
    overview_notes = " ".join(reports["overview"][1])
    assert "Mann-Kendall" in overview_notes and "total_mismatch" in overview_notes
    assert "MAD" in " ".join(reports["regions"][1])
    casefile_notes = " ".join(reports["casefile"][1])
    assert "Wilson" in casefile_notes and "Fisher-Freeman-Halton" in casefile_notes


@pytest.mark.parametrize("report", ["overview", "regions", "casefile", "profile"])
def test_markdown_headings_have_no_method_name(report):
    from analysis.views.wording import template

    for key, text in template(report, "markdown").items():
        if key != "notes":
            assert not BANNED.search(text), (report, key, text)


def test_the_overview_notes_the_flagged_base_of_a_change(reports):
    """The sample's 2023 province 发现制止违法行为 is a 合计 that differs from its rows (total_mismatch)."""
    text = " ".join(reports["overview"][0])
    assert "作为比较基数的2023年数据" in text
    assert "注：2023年发现制止违法行为" in text


def test_overview_and_casefile_report_agree_on_the_pass_rate_change(reports):
    def clause(texts):
        found = re.findall(r"与上一次评查（[^。]*", " ".join(texts))
        assert len(found) == 1, found
        return found[0]

    overview, casefile = clause(reports["overview"][0]), clause(reports["casefile"][0])
    assert overview == casefile
    assert "经统计检验" in overview  # the change is told together with whether the test can tell it apart


def test_a_profile_says_its_ranks_and_trend_once(reports):
    texts, _ = reports["profile_640104"]
    para = next(t for t in texts if t.startswith(f"{YEAR}年，兴庆区立案查处案件"))
    assert para.count("在22个县（市、区）中") == 1
    assert para.count("情况看") <= 2  # one trend group per number of years (5 and 6 years here)
    assert "未呈现显著变化趋势" not in para


# --------------------------------------------------------------------------- end to end, real HTML


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_exported_html_has_no_method_name_outside_the_notes(processed, tmp_path):
    """Execute the overview and case-file notebooks, export them, read what a reader sees."""
    import nbformat
    import papermill

    from analysis.report.htmlexport import render_html, visible_text

    for stem in ("02_overview", "04_casefile"):
        out_nb = tmp_path / f"{stem}.ipynb"
        papermill.execute_notebook(str(ROOT / "notebooks" / f"{stem}.ipynb"), str(out_nb),
                                   parameters={"year": YEAR, "processed_dir": str(processed),
                                               "output_dir": str(tmp_path / "outputs")},
                                   cwd=str(ROOT / "notebooks"), progress_bar=False, log_output=False)
        page, _, failed = render_html(nbformat.read(out_nb, as_version=4), stem)
        assert not failed
        text = visible_text(page)
        assert "附注" in text
        leader, notes = text.rsplit("附注", 1)
        hits = sorted({m.group(0) for m in BANNED.finditer(leader)})
        assert not hits, f"{stem}: {hits}"
        assert BANNED.search(notes), f"{stem}: the 附注 names no method"
        imgs = re.findall(r"<img\b[^>]*>", page)
        assert imgs and all(re.search(r'alt="图表：[^"]+"', i) for i in imgs), stem
