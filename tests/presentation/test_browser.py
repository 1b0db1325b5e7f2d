"""A self-contained page (web font subset, embedded chart, hostile table) checked in headless Chromium."""

from __future__ import annotations

import base64
import html
import io

import pandas as pd
import pytest
from support.browser import check_page, chromium_path, is_blank_image

from analysis.present import charts, fonts, tables

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed at /usr/bin/chromium (apt-get install chromium)"),
]

HOSTILE = '<script>document.title="pwned";window.__pwned=1</script><img src=x onerror="document.title=\'pwned\'">'
FONT_PROBE = """
<script>
document.fonts.ready.then(() => {
  const ok = [...document.fonts].some(f => f.family.replace(/"/g, '') === 'ReportCJK' && f.status === 'loaded');
  if (document.title !== 'pwned') document.title = ok ? 'font-ok' : 'font-missing';
});
</script>
"""


def _page(tmp_path, body: str, text_for_font: str) -> str:
    css = fonts.font_face_css(text_for_font) + fonts.font_face_css(text_for_font, weight="bold")
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>start</title>'
        f'<style>{css} body {{ font-family: "ReportCJK", sans-serif; }}</style></head>'
        f"<body>{body}{FONT_PROBE}</body></html>"
    )


def test_offline_page_loads_cleanly_and_hostile_names_stay_text(tmp_path, house_font):
    series = pd.DataFrame({"year": [2022, 2023, 2024], "value": [180.0, 195.0, 214.0]})
    fig = charts.trend_line(series, "立案查处案件", "起", data_year=2024, is_sample=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    table = pd.DataFrame({"地区": [HOSTILE, "银川市"], "数值": [214.0, 9172.05], "单位": ["起", "万元"]})
    table_html = tables.to_html(table, caption="各地区主要指标")
    heading = "2024年度行政执法工作总览"
    body = f'<h1>{html.escape(heading)}</h1><img alt="趋势图" src="data:image/png;base64,{png}">{table_html}'
    page = tmp_path / "report.html"
    page.write_text(_page(tmp_path, body, heading + "各地区主要指标银川市数值单位起万元"), encoding="utf-8")

    report = check_page(page, tmp_path / "shot.png")
    assert report.external_requests == []
    assert report.console_errors == []
    assert report.failed_requests == []
    assert report.failed_images == []
    assert not report.blank
    assert report.ok
    assert report.title == "font-ok"  # the embedded CJK font loaded and the hostile script never ran
    assert "pwned" not in report.title


def test_check_page_catches_external_requests_errors_and_broken_images(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
        '<body><p>text</p><img src="http://example.com/chart.png"><script>undefinedFunction()</script></body></html>',
        encoding="utf-8",
    )
    report = check_page(page, tmp_path / "bad.png")
    assert not report.ok
    assert set(report.external_requests) == {"https://cdn.example.com/x.css", "http://example.com/chart.png"}
    assert any("undefinedFunction" in e for e in report.console_errors)
    assert report.failed_images == ["http://example.com/chart.png"]


def test_blank_page_is_detected(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    report = check_page(page, tmp_path / "blank.png")
    assert report.blank and not report.ok
    assert is_blank_image(tmp_path / "blank.png")
