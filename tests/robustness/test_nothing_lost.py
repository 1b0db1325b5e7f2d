"""Issue 6, "Nothing lost".

1. Raw files are opened read-only and never modified: a full ``run_clean`` over a copy of ``data/raw``
   leaves every file's sha256 and mtime unchanged, opens nothing under it for writing (audit hook), and
   still works when the copy is read-only (files 0o444, folders 0o555).
2. The conservation property for every bad-input fixture of the robustness suite: each raw cell for
   which :func:`analysis.clean.values.looks_numeric` is true ends up as a fact (source_file/sheet/cell) or a
   quality finding (file/sheet/cell), or, for a file that could not be read at all, the file has an
   error-level finding saying so. :func:`assert_conserved` is the reusable check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, expand_cells, key_table, run_cli, write_csv, write_xls, write_xlsx

from analysis.clean.findings import QualityReport
from analysis.clean.pipeline import clean, run_clean
from analysis.clean.readers import read_workbook
from analysis.clean.values import looks_numeric
from analysis.safe_cells import neutralize_formula

from . import test_exports_neutralised, test_hostile, test_meaningless_tables
from .conftest import UNDECODABLE_CSV, encrypted_xlsx_bytes, xlsx_bytes
from .test_meaningless_tables import add_good_sibling, assert_good_processed

# File-level findings meaning "this file was not read": they account for every cell of the file.
NOT_READ_CODES = frozenset(
    {"file_empty", "file_corrupt", "file_encrypted", "file_unreadable", "file_unsupported",
     "encoding_undetected", "file_hidden", "pdf_no_text", "pdf_encrypted", "document_no_figures"}
)


# --------------------------------------------------------------------------- the reusable check


def _raw_files(raw_dir: Path) -> list[Path]:
    """Every file a user may have put in the raw folder, hidden ones included. Not data by design:
    the root ``manifest.csv`` and ``SAMPLE`` marker, ``README*``, Office ``~$`` lock files, macOS
    ``._`` resource forks, and anything inside hidden folders such as ``.git``."""
    out = []
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            p = Path(dirpath) / name
            at_root = Path(dirpath) == Path(raw_dir)
            low = name.lower()
            if (at_root and low in ("manifest.csv", "sample")) or low.startswith(("readme", "~$", "._")):
                continue
            out.append(p)
    return sorted(out)


def _unneutralise(text: str) -> str:
    """Undo the CSV formula guard (``'=x`` -> ``=x``) so cells read back from quality.csv compare exactly."""
    if isinstance(text, str) and text.startswith("'") and neutralize_formula(text[1:]) == text:
        return text[1:]
    return text


def _quality_rows(quality) -> list[tuple[str, str, str, str, str]]:
    """(severity, code, file, sheet, cell) from a QualityReport, or a quality frame (in memory or read
    back from quality.csv, in which case the formula guard is undone)."""
    if isinstance(quality, QualityReport):
        return [(f.severity, f.code, f.file, f.sheet, f.cell) for f in quality.findings]
    q = quality.fillna("")
    return [
        (r["severity"], r["code"], *(_unneutralise(r[k]) for k in ("file", "sheet", "cell")))
        for r in q.to_dict("records")
    ]


def assert_conserved(raw_dir: Path, facts: pd.DataFrame, quality) -> int:
    """Every numeric-looking raw cell is a fact or a finding; an unread file has an error saying so.

    ``facts``: the tidy facts (from ``clean`` or ``facts.parquet``). ``quality``: a ``QualityReport`` or
    the quality frame. Raw cells are read with :func:`analysis.clean.readers.read_workbook`, so cell
    references match the pipeline's. Returns the number of numeric-looking cells checked.
    """
    raw_dir = Path(raw_dir)
    rows = _quality_rows(quality)
    fact_cells = set(zip(facts["source_file"].astype(str), facts["source_sheet"].astype(str),
                         facts["source_cell"].astype(str)))
    finding_cells = {(file, sheet, c) for _, _, file, sheet, cell in rows for c in expand_cells(cell)}
    not_read = {file for sev, code, file, sheet, cell in rows
                if sev == "error" and code in NOT_READ_CODES and not sheet and not cell}
    missing: list[tuple[str, str, str, object]] = []
    n = 0
    for path in _raw_files(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        wb = read_workbook(path, raw_dir, QualityReport())
        if wb is None or rel in not_read:
            assert rel in not_read, f"{rel}: not read, but no error-level finding says so: {rows}"
            continue
        assert wb.rel_path == rel
        for sh in wb.sheets:
            for r, row in enumerate(sh.values):
                for c, v in enumerate(row):
                    if v is None or not looks_numeric(v):
                        continue
                    n += 1
                    key = (rel, sh.name, sh.ref(r, c))
                    if key not in fact_cells and key not in finding_cells:
                        missing.append((*key, str(v)[:40]))
    assert missing == [], f"numeric cells that are neither a fact nor a finding: {missing[:20]}"
    return n


# --------------------------------------------------------------------------- bad-input builders
# Broken files, bad values and bad identities (the cases of test_broken_files.py, test_values.py and
# test_identities.py, rebuilt here with the shared builders so the property covers them too).

ROWS = [["地区", "立案数量（起）", "罚没款（万元）"], ["银川市", 12, 3.5], ["吴忠市", 8, 1.25]]


def _bytes(rel: str, data: bytes) -> Callable[[Path], None]:
    def build(raw: Path) -> None:
        p = raw / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    return build


def _truncated_xlsx(raw: Path) -> None:
    data = xlsx_bytes(ROWS * 50)
    _bytes("2024/truncated.xlsx", data[: len(data) // 2])(raw)


def _xls_named_xlsx(raw: Path) -> None:
    write_xls(raw / "2024" / "tmp.xls", {"表1": ROWS})
    (raw / "2024" / "tmp.xls").rename(raw / "2024" / "really_xls.xlsx")


def _formula_no_cache(raw: Path) -> None:
    write_xlsx(raw / "2024" / "f.xlsx", {"S": [["地区", "立案", "结案"], ["银川市", "=1+1", 3], ["吴忠市", 4, "=B3*2"]]})


def _excel_errors(raw: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "立案", "结案率（%）"])
    ws.append(["银川市", "#DIV/0!", "#REF!"])
    ws.append(["吴忠市", 3, "#N/A"])
    (raw / "2024").mkdir(parents=True, exist_ok=True)
    wb.save(raw / "2024" / "errors.xlsx")


def _dates(raw: Path) -> None:
    write_xlsx(raw / "2024" / "dates.xlsx", {"S": [["地区", "立案"], ["银川市", dt.datetime(2024, 3, 1)],
                                                  ["吴忠市", dt.date(2024, 1, 5)], ["固原市", "2024年1月5日"]]})


def _document_builders() -> dict[str, Callable[[Path], object]]:
    """Web page, Word and PDF tables (merges, blanks, unknown rows, 合计) and bad documents (issue 10)."""
    from readers.writers import html_table, write_docx, write_pdf

    rows = [["地区", "行政处罚", None, "罚没款（万元）"], [None, "立案", "结案", None], ["银川市", "12", "", "3.5"],
            ["火星市", "8", "7", "约1.25"], ["合计", "20", "7", "4.75"]]
    merges = [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)]
    page = ("<html><head><title>2024年执法情况</title></head><body><p>全年立案20起。</p>"
            + html_table(rows, {(0, 0): 'rowspan="2"', (0, 1): 'colspan="2"', (0, 3): 'rowspan="2"'}, 2)
            + "</body></html>")
    return {
        "html_table": _bytes("2024/page.html", page.encode("gb18030")),
        "html_no_figures": _bytes("2024/empty.html", "<html><body><p>暂无。</p></body></html>".encode()),
        "docx_table": lambda raw: write_docx(raw / "2024" / "report.docx", ["2024年执法情况"],
                                             [{"rows": rows, "merges": merges}]),
        "docx_broken": _bytes("2024/broken.docx", b"PK\x03\x04" + b"\x00" * 40),
        "pdf_table": lambda raw: write_pdf(raw / "2024" / "form.pdf",
                                           [{"lines": ["2024年执法情况"], "tables": [{"rows": rows, "merges": merges}]}]),
        "pdf_scan": lambda raw: write_pdf(raw / "2024" / "scan.pdf", [{"image_only": True}]),
        "pdf_locked": lambda raw: write_pdf(raw / "2024" / "locked.pdf", [{"lines": ["2024年"]}],
                                            encrypt_password="pw"),
        "txt_letter": _bytes("2024/letter.txt", "2024年全区立案查处违法案件214起，收缴罚没款9172.05万元。\n".encode()),
    }


BROKEN_AND_BAD = {
    "empty_csv": _bytes("2024/empty.csv", b""),
    "blank_csv": _bytes("2024/blank.csv", b",,,\n,,\n"),
    "zero_byte_xlsx": _bytes("2024/zero.xlsx", b""),
    "truncated_xlsx": _truncated_xlsx,
    "random_bytes_xlsx": _bytes("2024/corrupt.xlsx", random.Random(6).randbytes(4096)),
    "password_xlsx": lambda raw: _bytes("2024/locked.xlsx", encrypted_xlsx_bytes(ROWS))(raw),
    "undecodable_csv": _bytes("2024/garbled.csv", UNDECODABLE_CSV),
    "utf16_no_bom_csv": _bytes("2024/utf16.csv", "地区,立案\n银川市,12\n".encode("utf-16-le")),
    "xlsx_name_really_csv": _bytes("2024/really_csv.xlsx", "地区,立案数量（起）\n银川市,12\n".encode()),
    "csv_name_really_xlsx": lambda raw: _bytes("2024/really_xlsx.csv", xlsx_bytes(ROWS))(raw),
    "xls_name_really_xlsx": lambda raw: _bytes("2024/really_xlsx.xls", xlsx_bytes(ROWS))(raw),
    "xlsx_name_really_xls": _xls_named_xlsx,
    "pdf": _bytes("2024/report.pdf", b"%PDF-1.7\n1 0 obj 2024 12 345\n"),
    **_document_builders(),
    "hidden_csv": lambda raw: write_csv(raw / "2024" / ".hidden 2024.csv", key_table(year=2024)),
    "negative_count": lambda raw: write_csv(raw / "2024" / "neg.csv",
                                            [["地区", "立案"], ["银川市", -3], ["吴忠市", 8]]),
    "fractional_count": lambda raw: write_csv(raw / "2024" / "frac.csv", [["地区", "立案"], ["银川市", "12.5"]]),
    "rate_over_100": lambda raw: write_csv(raw / "2024" / "rate.csv",
                                           [["地区", "持证率（%）"], ["银川市", "101.5%"], ["吴忠市", "99%"]]),
    "text_in_numeric": lambda raw: write_csv(raw / "2024" / "text.csv",
                                             [["地区", "立案"], ["银川市", "暂未统计完成"], ["吴忠市", "12件左右"],
                                              ["固原市", "第3季度未报"]]),
    "formula_no_cache": _formula_no_cache,
    "excel_errors": _excel_errors,
    "dates": _dates,
    "unknown_region": lambda raw: write_csv(raw / "2024" / "u.csv", [["地区", "立案"], ["银川市", 3], ["火星市", 4]]),
    "ambiguous_region": lambda raw: write_csv(raw / "2024" / "a.csv",
                                              [["单位", "立案"], ["银川市石嘴山市联合执法局", 3], ["吴忠市", 4]]),
    "header_two_indicators": lambda raw: write_csv(raw / "2024" / "h.csv",
                                                   [["地区", "立案及结案数", "执法巡查"], ["银川市", 3, 9]]),
    "indicator_twice": lambda raw: write_csv(raw / "2024" / "d.csv",
                                             [["地区", "立案", "执法巡查", "立案数量"], ["银川市", 3, 9, 4]]),
    "conflicting_duplicates": lambda raw: (
        write_csv(raw / "2024" / "c1.csv", [["地区", "立案"], ["银川市", 3], ["吴忠市", 8]]),
        write_xlsx(raw / "2024" / "c2.xlsx", {"S": [["地区", "立案"], ["银川市", 5]]}),
    ),
    "year_contradicts_folder": lambda raw: write_csv(raw / "2023" / "y.csv", key_table(year=2024)),
    "notes_titles_index_totals": lambda raw: write_csv(raw / "2024" / "zoo.csv", [
        ["2024年主要指标（示例数据）", None, None, None],
        ["序号", "地区", "立案（起）", "罚没款（元）"],
        [1, "银川市", "12起", "1.2万"],
        [2, "石嘴山市", "-", "约300"],
        [None, "合计", 99, 5000],
        ["注：1. 本表数据截至2024年12月31日。", None, None, None],
    ], encoding="gb18030"),
}

ALL_BUILDERS: dict[str, Callable[[Path], object]] = {
    **{f"meaningless/{k}": v for k, v in test_meaningless_tables.BUILDERS.items()},
    **{f"hostile/{k}": v for k, v in test_hostile.BUILDERS.items()},
    **{f"exports/{k}": v for k, v in test_exports_neutralised.BUILDERS.items()},
    **{f"bad/{k}": v for k, v in BROKEN_AND_BAD.items()},
}


@pytest.mark.parametrize("name", sorted(ALL_BUILDERS))
def test_conservation_for_every_bad_input(raw, name):
    add_good_sibling(raw)
    ALL_BUILDERS[name](raw)
    facts, report, _ = clean(raw)
    n = assert_conserved(raw, facts, report)
    assert n > 6  # the good sibling alone holds 7 numeric cells (title year + 6 figures)
    assert_good_processed(facts)


def test_conservation_for_all_bad_inputs_together_through_the_cli(tmp_path):
    """Every fixture in its own folder of one raw tree, checked on what the CLI wrote (parquet, quality.csv)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    add_good_sibling(raw)
    for name, build in ALL_BUILDERS.items():
        sub = raw / name.replace("/", "_")
        sub.mkdir()
        build(sub)
    out = tmp_path / "out"
    res = run_cli(raw, out)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 1, res.stderr
    facts = pd.read_parquet(out / "facts.parquet")
    quality = pd.read_csv(out / "quality.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    n = assert_conserved(raw, facts, quality)
    assert n > 250
    assert_good_processed(facts)


def test_conservation_check_catches_a_lost_cell(raw):
    """The check itself can fail: drop one fact and one finding and it names the lost cells."""
    add_good_sibling(raw)
    write_csv(raw / "2024" / "u.csv", [["地区", "立案"], ["银川市", 3], ["火星市", 4]])
    facts, report, _ = clean(raw)
    assert_conserved(raw, facts, report)
    with pytest.raises(AssertionError, match=r"R2C2"):
        lost = (facts["source_file"] == "2024/u.csv") & (facts["source_cell"] == "R2C2")
        assert_conserved(raw, facts[~lost], report)
    kept = QualityReport([f for f in report.findings if not (f.file == "2024/u.csv" and f.cell == "R3C2")])
    with pytest.raises(AssertionError, match=r"R3C2"):
        assert_conserved(raw, facts, kept)
    (raw / "2024" / "gone.csv").write_bytes(b"")  # unread file with no finding
    with pytest.raises(AssertionError, match="gone.csv"):
        assert_conserved(raw, facts, report)


# --------------------------------------------------------------------------- raw files are never modified


def _digest(root: Path) -> dict[str, tuple[str, int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        if p.is_file():
            out[p.relative_to(root).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns,
                                                   stat.S_IMODE(st.st_mode))
        else:
            out[p.relative_to(root).as_posix() + "/"] = ("dir", st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return out


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_MUTATING_EVENTS = {"os.rename", "os.remove", "os.rmdir", "os.utime", "os.chmod", "os.chown", "os.truncate",
                    "os.mkdir", "os.symlink", "os.link", "shutil.rmtree", "shutil.move", "shutil.copyfile"}
_AUDIT: dict[str, object] = {"root": None, "events": []}


def _audit_hook(event: str, args: tuple) -> None:
    root = _AUDIT["root"]
    if root is None or not (event == "open" or event in _MUTATING_EVENTS):
        return
    try:
        paths = [os.fspath(a) for a in args if isinstance(a, str | bytes | os.PathLike)]
    except TypeError:
        return
    hits = [p for p in paths if isinstance(p, str) and os.path.abspath(p).startswith(root)]
    if not hits:
        return
    if event == "open":
        mode = args[1] if len(args) > 1 else "r"
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = (isinstance(mode, str) and any(ch in mode for ch in "wax+")) or bool(flags & _WRITE_FLAGS)
        if not writing:
            return
    _AUDIT["events"].append((event, hits[0]))


@pytest.fixture
def audit_raw_writes():
    """Records, via a Python audit hook, every write-open or mutating os call under a folder."""
    if not getattr(sys, "_robustness_audit_installed", False):
        sys.addaudithook(_audit_hook)
        sys._robustness_audit_installed = True

    def start(root: Path) -> list:
        _AUDIT["root"] = os.path.abspath(root) + os.sep
        _AUDIT["events"] = []
        return _AUDIT["events"]

    yield start
    _AUDIT["root"] = None


def _set_tree_mode(root: Path, file_mode: int, dir_mode: int) -> None:
    for p in sorted(root.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        os.chmod(p, dir_mode if p.is_dir() else file_mode)
    os.chmod(root, dir_mode)


BUNDLED_RAW = ROOT / "data" / "raw"


@pytest.mark.skipif(not BUNDLED_RAW.is_dir() or not any(BUNDLED_RAW.iterdir()), reason="no data/raw")
def test_raw_files_are_never_modified_and_read_only_is_enough(tmp_path, audit_raw_writes, capfd):
    raw = tmp_path / "raw"
    shutil.copytree(BUNDLED_RAW, raw)
    # one hostile and one broken file too, so the error paths are covered as well
    test_hostile.build_formula_injection(raw)
    (raw / "2024" / "locked.xlsx").write_bytes(encrypted_xlsx_bytes(ROWS))
    before = _digest(raw)
    assert len([k for k in before if not k.endswith("/")]) >= 10

    events = audit_raw_writes(raw)
    status = run_clean(raw, tmp_path / "out1", progress=False)
    assert status == 1  # the hostile and locked files are errors; the bundled sample alone has none
    assert events == [], events  # nothing under raw was opened for writing, renamed, touched or removed
    assert _digest(raw) == before
    facts1 = pd.read_parquet(tmp_path / "out1" / "facts.parquet")
    assert len(facts1) > 100

    _set_tree_mode(raw, 0o444, 0o555)
    try:
        events = audit_raw_writes(raw)
        status = run_clean(raw, tmp_path / "out2", progress=False)
        assert status == 1
        assert events == [], events
        facts2 = pd.read_parquet(tmp_path / "out2" / "facts.parquet")
        pd.testing.assert_frame_equal(facts1, facts2)
        ro = _digest(raw)
        assert {k: v[:2] for k, v in ro.items()} == {k: v[:2] for k, v in before.items()}
        facts, report, _ = clean(raw)
        assert_conserved(raw, facts, report)
    finally:
        _set_tree_mode(raw, 0o644, 0o755)
    assert "Traceback" not in capfd.readouterr().err


def test_read_only_raw_folder_through_the_cli(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    add_good_sibling(raw)
    test_meaningless_tables.build_data_without_header(raw)
    before = _digest(raw)
    _set_tree_mode(raw, 0o444, 0o555)
    try:
        res = run_cli(raw, tmp_path / "out")
        assert "Traceback" not in res.stderr, res.stderr
        assert res.returncode == 1  # header_not_found is an error
        assert {k: v[:2] for k, v in _digest(raw).items()} == {k: v[:2] for k, v in before.items()}
    finally:
        _set_tree_mode(raw, 0o644, 0o755)
    assert_good_processed(pd.read_parquet(tmp_path / "out" / "facts.parquet"))


def test_audit_hook_sees_writes_under_the_folder(tmp_path, audit_raw_writes):
    """The write detector itself can fail: a write, a rename and a utime under the folder are recorded."""
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "a.csv").write_text("x", "utf-8")
    events = audit_raw_writes(watched)
    (watched / "a.csv").read_bytes()
    (tmp_path / "elsewhere.txt").write_text("y", "utf-8")
    assert events == []
    (watched / "a.csv").write_text("z", "utf-8")
    os.rename(watched / "a.csv", watched / "b.csv")
    os.utime(watched / "b.csv")
    assert [e for e, _ in events] == ["open", "os.rename", "os.utime"]
