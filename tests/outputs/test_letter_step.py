"""The report-run step that writes outputs/<year>/letter/: one call, never a traceback."""

from __future__ import annotations

import datetime as dt
import io

import docx

from analysis.report.letter_step import build_letter


def test_build_letter_writes_the_province_letter(tmp_path, processed_dir):
    year_dir = tmp_path / "outputs" / "2024"
    path = build_letter(2024, processed_dir, year_dir, date=dt.date(2025, 1, 10), stream=io.StringIO())
    assert path == year_dir / "letter" / "letter_2024_640000.docx"
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "2025年1月10日" in texts
    assert any("214起" in t for t in texts)


def test_build_letter_without_processed_data_prints_one_line(tmp_path):
    out = io.StringIO()
    assert build_letter(2024, tmp_path / "nothing", tmp_path / "outputs" / "2024", stream=out) is None
    assert out.getvalue().count("\n") == 1 and "enforcement clean" in out.getvalue()
    assert not (tmp_path / "outputs" / "2024" / "letter").exists()
