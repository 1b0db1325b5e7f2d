"""The index page at scale (issue 12 section 3, issue 14 item 2): grouped by province and city, downloads,
an offline search that is progressive, and a size that stays bounded with thousands of reports.

Expected groupings are written out by hand (a hand-made hierarchy; for the catalogue, facts anyone can check:
兴庆区 is a district of 银川市 in 宁夏回族自治区; 东城区 is a district of 北京市, which has no city level).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from support.browser import chromium_path

from analysis.report.htmlexport import MAX_REPORT_BYTES
from analysis.report.index_page import OPEN_LIMIT, IndexEntry, group_regions, render_index

QUALITY = {"error": 0, "warning": 1, "info": 2}
MAIN = [
    IndexEntry("01_quality", "数据质量报告", "html/01_quality.html", "ok"),
    IndexEntry("02_overview", "年度执法工作总览", "html/02_overview.html", "ok"),
]


def region(code, name, level, parent=""):
    return SimpleNamespace(code=code, name=name, level=level, parent_code=parent)


HAND_REGIONS = {r.code: r for r in [
    region("100000", "甲省", "province"),
    region("100100", "甲一市", "city", "100000"),
    region("100101", "甲一市东区", "county", "100100"),
    region("100102", "甲一市西区", "county", "100100"),
    region("100200", "甲二市", "city", "100000"),
    region("100201", "甲二县", "county", "100200"),
    region("109001", "甲省直辖县", "county", "100000"),
    region("200000", "乙市", "province"),
    region("200101", "乙市中区", "county", "200000"),
]}


def profile(code, name, status="ok"):
    return IndexEntry(f"05_region_profile_{code}", f"地区画像：{name}", f"html/05_region_profile_{code}.html",
                      status, "地区画像", name)


def hand_entries():
    return [profile(c, r.name) for c, r in HAND_REGIONS.items() if r.level != "province"] + [
        profile("999999", "未知地区")]


def test_groups_counties_under_their_city_and_cities_under_their_province():
    provinces = group_regions(hand_entries(), HAND_REGIONS)
    assert [(p.code, p.name) for p in provinces] == [("100000", "甲省"), ("200000", "乙市"), ("", "其他地区")]
    jia, yi, other = provinces
    assert [(c.code, [e.label for e in c.own], [e.label for e in c.entries]) for c in jia.groups] == [
        ("100100", ["甲一市"], ["甲一市东区", "甲一市西区"]),
        ("100200", ["甲二市"], ["甲二县"]),
    ]
    assert [e.label for e in jia.entries] == ["甲省直辖县"]  # directly under the province
    assert jia.count == 6
    assert yi.groups == [] and [e.label for e in yi.entries] == ["乙市中区"]
    assert [e.label for e in other.entries] == ["未知地区"]


def test_region_code_comes_from_the_entry_or_the_job_id():
    assert profile("640104", "兴庆区").region_code == "640104"
    assert IndexEntry("x", "t", "html/x.html", "ok", "地区画像", "某地", code="640105").region_code == "640105"
    assert IndexEntry("02_overview", "t", "html/02_overview.html", "ok").region_code == ""


def _details_path(page: str, label: str) -> list[str]:
    """Ids of the <details> around the <li> whose link says ``label``, innermost first."""
    doc = lxml.html.fromstring(page)
    (li,) = [li for li in doc.iter("li") if li.get("data-search") and li.findtext("a").startswith(label)]
    return [d.get("id") for d in li.iterancestors("details")]


def test_rendered_groups_nest_in_details_with_a_jump_list():
    page = render_index(2024, MAIN + hand_entries(), "now", QUALITY, False, embed_font=False,
                        regions=HAND_REGIONS)
    assert _details_path(page, "甲一市东区") == ["r1-100100", "r1-100000"]
    assert _details_path(page, "甲省直辖县") == ["r1-100000"]
    assert _details_path(page, "乙市中区") == ["r1-200000"]
    assert _details_path(page, "未知地区") == ["r1-other"]
    assert "甲一市（全市）" in page
    jump = lxml.html.fromstring(page).find_class("jump")[0]
    assert [a.get("href") for a in jump.iter("a")] == ["#r1-100000", "#r1-200000", "#r1-other"]
    # few profiles: groups start open; a county's search key carries its city and province
    assert all(d.get("open") is not None for d in lxml.html.fromstring(page).iter("details"))
    assert 'data-search="甲一市东区 100101 甲一市 甲省"' in page


def test_one_province_needs_no_province_level():
    entries = [profile("640100", "银川市"), profile("640104", "兴庆区"), profile("640205", "惠农区")]
    page = render_index(2024, MAIN + entries, "now", QUALITY, True, embed_font=False)  # the real catalogue
    assert _details_path(page, "兴庆区") == ["r1-640100"]
    assert _details_path(page, "惠农区") == ["r1-640200"]
    assert "details class=\"region-group province\"" not in page
    assert "按城市：" in page


def test_catalogue_puts_municipal_districts_under_the_municipality():
    entries = [profile("110101", "东城区"), profile("640104", "兴庆区")]
    page = render_index(2024, MAIN + entries, "now", QUALITY, True, embed_font=False)
    assert _details_path(page, "东城区") == ["r1-110000"]
    assert _details_path(page, "兴庆区") == ["r1-640100", "r1-640000"]


def test_downloads_list_only_files_that_exist(tmp_path: Path):
    for rel in ("pdf/02_overview.pdf", "tables/02_overview.xlsx", "tables/02_overview.docx",
                "tables/01_quality.xlsx", "letter/letter_2024_640000.docx"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    page = render_index(2024, MAIN, "now", QUALITY, False, embed_font=False, year_dir=tmp_path)
    hrefs = {a.get("href") for a in lxml.html.fromstring(page).iter("a")}
    assert {"pdf/02_overview.pdf", "tables/02_overview.xlsx", "tables/02_overview.docx", "tables/01_quality.xlsx",
            "letter/letter_2024_640000.docx"} <= hrefs
    assert "pdf/01_quality.pdf" not in hrefs and "tables/01_quality.docx" not in hrefs
    assert "公文草稿" in page
    # without year_dir (older callers) no download column at all
    page = render_index(2024, MAIN, "now", QUALITY, False, embed_font=False)
    assert "<th>下载</th>" not in page and "公文草稿" not in page


def test_the_only_script_is_the_one_the_policy_allows():
    page = render_index(2024, MAIN + hand_entries(), "now", QUALITY, False, embed_font=False, regions=HAND_REGIONS)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 1 and page.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    csp = lxml.html.fromstring(page).xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert f"script-src 'sha256-{digest}';" in csp and "default-src 'none'" in csp
    # without region profiles there is nothing to search, and no script
    assert "<script" not in render_index(2024, MAIN, "now", QUALITY, False, embed_font=False)
    # the filter box is hidden until the script shows it; the no-script way is explained
    box = lxml.html.fromstring(page).get_element_by_id("region-search-box")
    assert box.get("hidden") is not None
    assert "Ctrl+F" in page


# --------------------------------------------------------------------------- at national scale


def national_entries(n: int) -> list[IndexEntry]:
    from analysis.catalog import load_catalog

    regions = [r for r in load_catalog().regions.values() if r.level in ("city", "county")]
    step = max(1, len(regions) // n)
    return [profile(r.code, r.name) for r in regions[::step][:n]]


@pytest.fixture(scope="module")
def national():
    from analysis.catalog import load_catalog

    entries = national_entries(3000)
    assert len(entries) == 3000
    return entries, load_catalog().regions


def test_three_thousand_profiles_are_grouped_and_closed(national):
    entries, regions = national
    page = render_index(2024, MAIN + entries, "now", QUALITY, False, embed_font=False)
    doc = lxml.html.fromstring(page)
    items = [li for li in doc.iter("li") if li.get("data-search")]
    assert sorted(li.find("a").get("href") for li in items) == sorted(e.href for e in entries)
    provinces = {r.code for r in regions.values() if r.level == "province"}
    wanted = set()
    for e in entries:  # the province of each entry, walking parent_code by hand
        node = regions[e.region_code]
        while node.level != "province":
            node = regions[node.parent_code]
        wanted.add(node.code)
    assert len(wanted) > 20 and wanted <= provinces  # several provinces
    assert {d.get("id") for d in doc.find_class("province")} == {f"r1-{c}" for c in wanted}
    for li in items[::97]:  # a county sits in the details of its parent (city, or the province itself)
        code = li.get("data-search").split()[1]
        parent = regions[code].parent_code
        ids = [d.get("id") for d in li.iterancestors("details")]
        assert ids[0] == f"r1-{parent}" or (regions[code].level == "city" and ids[0] == f"r1-{code}"), (code, ids)
    assert len(entries) > OPEN_LIMIT and not [d for d in doc.iter("details") if d.get("open") is not None]
    assert len(page.encode("utf-8")) < 200 * len(entries)  # about 140 bytes a profile


def test_three_thousand_profiles_with_the_font_stay_under_the_report_limit(national):
    entries, _ = national
    page = render_index(2024, MAIN + entries, "now", QUALITY, False)
    assert "@font-face" in page
    assert len(page.encode("utf-8")) < MAX_REPORT_BYTES


# --------------------------------------------------------------------------- in a browser

needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed (/usr/bin/chromium)")


@pytest.mark.slow
@needs_chromium
def test_search_filters_and_works_offline(tmp_path: Path):
    from support.browser import offline_page

    path = tmp_path / "index.html"
    path.write_text(render_index(2024, MAIN + hand_entries(), "now", QUALITY, False, regions=HAND_REGIONS), "utf-8")
    with offline_page(path, viewport=(390, 844)) as (page, report):
        assert page.is_visible("#region-search")
        page.fill("#region-search", "甲一市")  # the city: its own profile and its two districts
        visible = page.evaluate("() => [...document.querySelectorAll('li[data-search]')]"
                                ".filter(li => li.offsetParent !== null).map(li => li.textContent)")
        assert visible == ["甲一市（全市）", "甲一市东区", "甲一市西区"]
        assert page.text_content("#region-search-count") == "找到 3 份"
        assert page.evaluate("() => document.getElementById('r1-200000').hidden")
        page.fill("#region-search", "")
        assert page.evaluate("() => [...document.querySelectorAll('li[data-search]')].every(li => !li.hidden)")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert not report.console_errors and not report.external_requests


@pytest.mark.slow
@needs_chromium
def test_policy_stops_a_script_that_escaped_escaping(tmp_path: Path):
    """Were some markup to reach the page unescaped, the CSP would still not run it; the page still works."""
    from support.browser import offline_page

    page_html = render_index(2024, MAIN + hand_entries(), "now", QUALITY, False, embed_font=False,
                             regions=HAND_REGIONS)
    page_html = page_html.replace("</h1>", "</h1><script>document.title='pwned'</script>"
                                  "<img src=x onerror=\"document.title='pwned'\">", 1)
    path = tmp_path / "index.html"
    path.write_text(page_html, "utf-8")
    with offline_page(path) as (page, report):
        assert page.title() != "pwned"
        assert page.is_visible("#region-search")  # the allowed script still ran
    assert any("Content Security Policy" in m for m in report.console_errors), report.console_errors
