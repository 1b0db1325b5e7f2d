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


def test_build_letter_unchanged_inputs_write_nothing(tmp_path, processed_dir):
    """The no-change re-run: same data, package, year and date -> the draft is not written again."""
    year_dir = tmp_path / "outputs" / "2024"
    day = dt.date(2025, 1, 10)
    first = build_letter(2024, processed_dir, year_dir, date=day, stream=io.StringIO())
    before = first.stat()
    again = build_letter(2024, processed_dir, year_dir, date=day, stream=io.StringIO())
    after = again.stat()
    assert again == first
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # atomic writes replace the inode

    # Another date (成文日期) is another draft.
    later = build_letter(2024, processed_dir, year_dir, date=dt.date(2025, 1, 11), stream=io.StringIO())
    assert later.stat().st_ino != before.st_ino
    assert "2025年1月11日" in [p.text for p in docx.Document(str(later)).paragraphs]

    # A draft deleted by hand is written again even though nothing else changed.
    later.unlink()
    assert build_letter(2024, processed_dir, year_dir, date=dt.date(2025, 1, 11), stream=io.StringIO()).is_file()


def test_letter_key_follows_every_processed_file(tmp_path, processed_dir):
    from analysis.processed import PROCESSED_FILES
    from analysis.report.letter_step import letter_key

    day = dt.date(2025, 1, 10)
    base = letter_key(2024, processed_dir, "", day)
    assert letter_key(2024, processed_dir, "", day) == base
    assert letter_key(2024, processed_dir, "640000", day) != base
    for name in PROCESSED_FILES:
        path = processed_dir / name
        original = path.read_bytes() if path.exists() else None
        path.write_bytes((original or b"") + b"\n")
        assert letter_key(2024, processed_dir, "", day) != base, name
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    assert letter_key(2024, processed_dir, "", day) == base
