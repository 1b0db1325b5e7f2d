"""Plain-text letters: prose is sniffed from the content and becomes paragraphs, never a CSV table."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.pipeline import clean

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "reference" / "seed_letter_2024_ningxia_natural_resources.txt"

LETTER = """关于报送自治区自然资源厅

2024 年度行政执法工作情况的函

自治区司法厅：

组织全区开展日常执法巡查4637次，发现制止违

法行为252起。立案查处自然资源领域违法案件214起，收缴罚没款9172.

05万元。

一、加强监测监管

"""


def test_wrapped_letter_lines_are_rejoined(tmp_path: Path, read_doc):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER, "utf-8")
    wb, report = read_doc(path)
    assert report.codes() == [] and wb.kind == "text" and wb.sheets == []
    texts = [p.text for p in wb.paragraphs]
    assert texts[0] == "关于报送自治区自然资源厅2024 年度行政执法工作情况的函自治区司法厅："
    assert texts[1] == "组织全区开展日常执法巡查4637次，发现制止违法行为252起。立案查处自然资源领域违法案件214起，收缴罚没款9172.05万元。"
    assert texts[2] == "一、加强监测监管"
    assert [p.location for p in wb.paragraphs] == ["P1", "P2", "P3"]


def test_single_spaced_paragraphs_split_at_blank_lines(tmp_path: Path, read_doc):
    path = tmp_path / "memo.txt"
    path.write_text("第一段没有句号\n\n第二段。\n第三段", "utf-8")
    wb, _ = read_doc(path)
    assert [p.text for p in wb.paragraphs] == ["第一段没有句号", "第二段。", "第三段"]


def test_gb18030_letter(tmp_path: Path, read_doc):
    path = tmp_path / "letter.txt"
    path.write_bytes(LETTER.encode("gb18030"))
    wb, report = read_doc(path)
    assert report.codes() == ["encoding_detected"] and wb.encoding == "gb18030"
    assert "9172.05万元" in wb.paragraphs[1].text


def test_unsupported_encoding(tmp_path: Path, read_doc):
    path = tmp_path / "letter.txt"
    path.write_bytes(b"\x80\x80\xff\xfe\xff \x81\x7f\xff\x80 " * 20)
    wb, report = read_doc(path)
    assert wb is None and report.codes() == ["encoding_undetected"] and report.findings[0].file == "letter.txt"


def test_a_txt_table_is_still_a_table(tmp_path: Path, read_doc):
    path = tmp_path / "table.txt"
    path.write_text("地区\t立案\n银川市\t12\n吴忠市\t8\n", "utf-8")
    wb, report = read_doc(path)
    assert wb.kind == "csv" and wb.sheets[0].values[1] == ["银川市", "12"] and wb.paragraphs == []


def test_seed_letter_is_prose_not_a_broken_table(tmp_path: Path):
    raw = tmp_path / "raw" / "2024"
    raw.mkdir(parents=True)
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    facts, report, _ = clean(raw.parent)
    codes = set(report.codes())
    assert "header_not_found" not in codes and "file_no_table" not in codes
    assert not any(f.code == "figure_not_used" and f.cell.startswith("R") for f in report.findings)
