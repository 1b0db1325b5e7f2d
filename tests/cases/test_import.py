"""Case records through ``enforcement clean``: every input form, every bad input as a finding, good rows kept."""

from __future__ import annotations

import datetime as dt

import duckdb
import openpyxl
import pandas as pd
import pytest

from analysis.clean.pipeline import clean, run_clean
from analysis.processed import CASE_FACTS_PARQUET, CASE_RECONCILE_CSV, CASES_DUCKDB, CASES_PARQUET

from .fixtures import HEADER, PERSON_ID, row, write_csv, yearly_table


def _clean(raw):
    from analysis.catalog import load_catalog
    from analysis.clean.cases import CaseCollector

    cases = CaseCollector(load_catalog())
    facts, report, meta = clean(raw, cases=cases)
    return cases.result, report.to_frame(), facts, meta


def _codes(quality: pd.DataFrame) -> list[str]:
    return sorted(quality.loc[quality["code"].str.startswith("case_"), "code"])


def test_good_records_amount_forms_and_facts(tmp_path):
    raw = tmp_path / "raw"
    rows = [
        row(),                                                                    # 12.3 万元, capital text
        row(no="兴庆自然资罚〔2024〕2号", content="罚款12.3万元", fine="12.3", date="2024/3/5"),
        row(no="兴庆自然资罚〔2024〕3号", content="共计罚款35,600元", fine="", date="2024年4月1日"),  # text only
        row(no="兴庆自然资罚〔2024〕4号", category="没收违法所得", content="没收违法所得5000元", fine="— —",
            confiscation="0.5", date="45413"),                                   # serial: 2024-05-01
        row(no="兴庆自然资罚〔2024〕5号", category="警告", content="给予警告", fine="", date="2024-06-30"),
    ]
    write_csv(raw / "cases" / "records.csv", rows)
    result, quality, facts, meta = _clean(raw)
    t = result.table.set_index("decision_no")
    assert t.loc["兴庆自然资罚〔2024〕1号", "fine_wan"] == pytest.approx(12.3)
    assert t.loc["兴庆自然资罚〔2024〕3号", "fine_wan"] == pytest.approx(3.56)
    assert t.loc["兴庆自然资罚〔2024〕3号", "fine_source"] == "text"
    assert t.loc["兴庆自然资罚〔2024〕4号", "decision_date"] == pd.Timestamp(2024, 5, 1)
    assert set(t["region_code"]) == {"640104"}
    assert _codes(quality) == ["case_records_imported"]
    assert meta["n_case_records"] == 5
    got = result.facts.set_index("indicator")["value"].to_dict()
    # 5 decisions; 罚没款 = 12.3 + 12.3 + 3.56 + 0.5 = 28.66 万元; categories 3 罚款, 1 没收违法所得, 1 警告
    assert got == pytest.approx({"penalties_total": 5, "fines_collected": 28.66, "penalty_fine": 3,
                                 "penalty_confiscate_income": 1, "penalty_warning": 1})
    assert set(result.facts["source_kind"]) == {"cases"} and set(result.facts["scope"]) == {"agency"}
    assert facts.empty  # nothing from the case file became a table fact


def test_yuan_header_and_excel_cells(tmp_path):
    raw = tmp_path / "raw"
    (raw / "cases").mkdir(parents=True)
    header = [h.replace("(万元)", "(元)") for h in HEADER]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(row(fine=12300, content="罚款12300元", date=45356))          # Excel serial number
    ws.append(row(no="兴庆自然资罚〔2024〕9号", fine=35600, content="共计罚款35,600元",
                  date=dt.datetime(2024, 7, 1)))                            # a date cell
    wb.save(raw / "cases" / "records.xlsx")
    result, quality, _, _ = _clean(raw)
    assert sorted(result.table["fine_wan"]) == pytest.approx([1.23, 3.56])
    assert sorted(result.table["decision_date"]) == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 7, 1)]
    assert _codes(quality) == ["case_records_imported"]


def test_bad_inputs_each_a_finding_good_rows_still_counted(tmp_path):
    raw = tmp_path / "raw"
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    rows = [
        row(no="好〔2024〕1号"),                                                     # good
        row(no=""),                                                                 # no 文号
        row(no="好〔2024〕3号", fine="十几万", content="罚款若干"),                    # unparseable amount
        row(no="好〔2024〕4号", date=future),                                        # future date
        row(no="好〔2024〕5号", date="1998-01-01"),                                  # before 2000
        row(no="好〔2024〕6号", agency="火星市自然资源局"),                           # unknown agency
        row(no="好〔2024〕7号", fine="12,300", content="罚款12,300元"),               # 元 under a 万元 header
        row(no="好〔2024〕8号", fine="5000", content="给予处罚"),                     # implausible, no text
        row(no="好〔2024〕9号", facts="=HYPERLINK(\"http://x\",\"点击\")"),             # formula injection
        row(no="好〔2024〕10号", facts="占" * 100_000),                              # 100,000 characters
        row(no="好〔2024〕11号", fine="5", content="罚款6万元"),                       # column vs text
    ]
    write_csv(raw / "cases" / "records.csv", rows)
    write_csv(raw / "cases" / "empty.csv", [])                                      # a header only
    result, quality, _, _ = _clean(raw)
    codes = _codes(quality)
    for code in ("case_no_decision_no", "case_amount_unparseable", "case_agency_unknown", "case_formula_text",
                 "case_cell_too_long", "case_amount_conflict", "case_file_empty"):
        assert codes.count(code) == 1, (code, codes)
    assert codes.count("case_date_out_of_range") == 2
    assert codes.count("case_amount_unit_suspect") == 2
    t = result.table.set_index("decision_no")
    assert len(result.table) == 11  # every row comes through
    assert t.loc["好〔2024〕7号", "fine_wan"] == pytest.approx(1.23)  # text confirms 元: 12,300 元 = 1.23 万元
    assert pd.isna(t.loc["好〔2024〕8号", "fine_wan"])  # implausible and unconfirmed: left out of totals
    assert t.loc["好〔2024〕11号", "fine_wan"] == pytest.approx(5.0)  # the column wins, both in the finding
    conflict = quality[quality["code"] == "case_amount_conflict"].iloc[0]
    assert "5" in conflict["message_zh"] and "6" in conflict["message_zh"]
    assert len(t.loc["好〔2024〕10号", "facts_text"]) == 5000
    assert t.loc["好〔2024〕9号", "facts_text"].startswith("=")  # stored as written; neutralised on export
    # counted: rows with a 2024 date and a known agency: 11 - 2 dates - 1 agency = 8 decisions;
    # 罚没款 of those: the good row, the 文号-less row and rows 9, 10 at 12.3 each, row 7 at 1.23 (元 read),
    # row 11 at 5 (column); rows 3 and 8 have none: 12.3 * 4 + 1.23 + 5 = 55.43
    got = result.facts.set_index("indicator")["value"]
    assert got["penalties_total"] == 8
    assert got["fines_collected"] == pytest.approx(55.43)


def test_unmapped_header_is_a_finding(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "cases" / "r.csv", [[*row(), "x"]], header=[*HEADER, "内部流水号"])
    _, quality, _, _ = _clean(raw)
    f = quality[quality["code"] == "case_column_unmapped"]
    assert len(f) == 1 and "内部流水号" in f.iloc[0]["message_zh"] and f.iloc[0]["cell"] == "R1C15:R2C15"


def test_dedupe_same_and_conflicting(tmp_path):
    raw = tmp_path / "raw"
    rows = [row(), row(), row(no="兴庆自然资罚〔2024〕2号"), row(no="兴庆自然资罚〔2024〕2号", fine="3",
                                                           content="罚款3万元")]
    write_csv(raw / "cases" / "r.csv", rows)
    result, quality, _, _ = _clean(raw)
    dup = quality[quality["code"] == "case_duplicate"]
    conflict = quality[quality["code"] == "case_duplicate_conflict"]
    assert len(dup) == 1 and dup.iloc[0]["severity"] == "info"
    assert len(conflict) == 1 and conflict.iloc[0]["severity"] == "warning"
    assert "第4行和第5行" in conflict.iloc[0]["message_zh"]  # rows 4 and 5 of the file (header is row 1)
    assert len(result.table) == 3
    assert result.facts.set_index("indicator")["value"]["penalties_total"] == 3


def test_reconcile_against_a_yearly_table(tmp_path):
    raw = tmp_path / "raw"
    yearly_table(raw, fines=24.6, penalties=3)
    write_csv(raw / "cases" / "r.csv", [row(), row(no="兴庆自然资罚〔2024〕2号")])  # 2 decisions, 24.6 万元
    result, quality, _, _ = _clean(raw)
    r = result.reconcile.set_index(["region_code", "indicator"])
    assert r.loc[("640104", "fines_collected"), "within_tolerance"]
    assert r.loc[("640104", "penalties_total"), "difference"] == -1
    diff = quality[quality["code"] == "case_reconcile_difference"]
    assert len(diff) == 1  # only 兴庆区 has a yearly figure: 2 decisions against 3
    assert diff.iloc[0]["severity"] == "warning" and "兴庆区" in diff.iloc[0]["message_zh"]
    assert set(result.reconcile.loc[~result.reconcile["within_tolerance"], "indicator"]) == {"penalties_total"}


def test_run_clean_writes_the_case_files_and_removes_stale_ones(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "cases" / "r.csv", [row(), row(name="张示例", kind="自然人", code="", id_type="身份证",
                                                   id_no=PERSON_ID, no="兴庆自然资罚〔2024〕2号")])
    run_clean(raw, out, progress=False)
    for name in (CASES_DUCKDB, CASES_PARQUET, CASE_FACTS_PARQUET):
        assert (out / name).is_file()
    con = duckdb.connect(str(out / CASES_DUCKDB), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 2
        assert con.execute("SELECT id_number FROM cases WHERE party_kind = 'natural'").fetchone()[0] == PERSON_ID
    finally:
        con.close()
    public = pd.read_parquet(out / CASES_PARQUET)
    assert "id_number" not in public and "party_name" not in public
    assert sorted(public["party_public"]) == ["个人", "示例某某建材有限公司"]
    assert not (out / CASE_RECONCILE_CSV).exists() or len(pd.read_csv(out / CASE_RECONCILE_CSV)) == 0
    (raw / "cases" / "r.csv").unlink()
    run_clean(raw, out, progress=False)
    assert not (out / CASES_DUCKDB).exists() and not (out / CASES_PARQUET).exists()
