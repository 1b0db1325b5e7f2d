from analysis.clean.findings import QualityReport, finding_codes, visible_text


def test_control_characters_in_raw_value_are_shown_as_escapes():
    report = QualityReport()
    report.add("missing_value", file="a.csv", cell="R2C3", raw_value="\x1b[31m12\r\n")
    raw = report.findings[0].raw_value
    assert raw == "\\x1b[31m12\\x0d\\x0a"
    assert not any(ord(ch) < 32 for ch in raw)


def test_visible_text_keeps_chinese_and_markup_as_written():
    assert visible_text("<b>银川市</b>") == "<b>银川市</b>"


def test_long_raw_values_are_clipped_to_200_characters():
    report = QualityReport()
    report.add("missing_value", raw_value="9" * 1000)
    assert len(report.findings[0].raw_value) == 201


def test_every_finding_code_has_both_messages_and_a_known_severity():
    codes = finding_codes()
    assert len(codes) > 30
    for spec in codes.values():
        assert spec.message_zh.strip() and spec.message_en.strip(), spec.code
        assert spec.severity in {"error", "warning", "info"}


def test_has_errors_and_counts():
    report = QualityReport()
    report.add("missing_value")
    assert not report.has_errors and report.count("info") == 1
    report.add("file_empty", file="x.xlsx")
    assert report.has_errors and report.to_frame()["severity"].tolist() == ["info", "error"]
