"""The case table: its columns, deduplication, and the files it is stored in.

``cases.duckdb`` (table ``cases``) is the case table: one row per decision, ID numbers in ``id_number`` only.
``cases.parquet`` is the interchange copy *without* personal data: no ``id_number``, ``legal_rep`` or
``party_name`` of natural persons (``party_public`` is 个人 for them). Free-text columns are masked of
ID-number-shaped runs in both (see :mod:`analysis.clean.cases.privacy`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_path, ensure_dir, output_error
from analysis.clean.cases.privacy import mask_text
from analysis.clean.findings import QualityReport
from analysis.processed import CASES_DUCKDB, CASES_PARQUET

#: Column -> DuckDB type of the ``cases`` table (the order of the table and of ``cases.parquet``).
CASE_COLUMNS = {
    "record_id": "VARCHAR", "source_file": "VARCHAR", "source_sheet": "VARCHAR", "source_row": "INTEGER",
    "source_cell": "VARCHAR", "party_name": "VARCHAR", "party_kind": "VARCHAR", "party_public": "VARCHAR",
    "party_code": "VARCHAR", "id_number": "VARCHAR", "legal_rep": "VARCHAR", "decision_no": "VARCHAR",
    "case_name": "VARCHAR", "violation_type": "VARCHAR", "facts_text": "VARCHAR", "legal_basis": "VARCHAR",
    "penalty_category": "VARCHAR", "category_codes": "VARCHAR", "penalty_content": "VARCHAR",
    "fine_wan": "DOUBLE", "fine_source": "VARCHAR", "confiscation_wan": "DOUBLE", "license_action": "VARCHAR",
    "decision_date": "DATE", "year": "INTEGER", "month": "INTEGER", "agency": "VARCHAR", "region_code": "VARCHAR",
    "region_name": "VARCHAR", "level": "VARCHAR", "remark": "VARCHAR", "content_hash": "VARCHAR",
    "duplicate_of": "VARCHAR",
}
#: Columns that never leave ``cases.duckdb``.
PRIVATE_COLUMNS = ("id_number", "legal_rep", "party_name")
#: The one column that holds ID numbers unmasked.
ID_COLUMNS = ("id_number",)
_INT_COLUMNS = ("source_row", "year", "month")


def case_frame(records: list[dict]) -> pd.DataFrame:
    """Records as a frame with every case column (nullable integers, dates as datetime64)."""
    df = pd.DataFrame(records, columns=[c for c in CASE_COLUMNS if c not in ("record_id", "duplicate_of")])
    df.insert(0, "record_id", df["source_file"] + "!" + df["source_sheet"] + "!" + df["source_row"].astype(str))
    df["duplicate_of"] = ""
    for col in _INT_COLUMNS:
        df[col] = pd.array(df[col], dtype="Int64")
    for col in ("fine_wan", "confiscation_wan"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["decision_date"] = pd.to_datetime(df["decision_date"], errors="coerce")
    for col, kind in CASE_COLUMNS.items():
        if kind == "VARCHAR":
            df[col] = df[col].fillna("").astype(str)
            if col not in ID_COLUMNS:
                df[col] = df[col].map(mask_text)  # an ID number typed into any other column is masked too
    return df[list(CASE_COLUMNS)]


def dedupe(df: pd.DataFrame, report: QualityReport) -> pd.DataFrame:
    """One row per (决定书文号, agency): a re-publication with the same content is dropped (info finding);
    the same 文号 with other content keeps both rows (warning naming both). Rows without 文号 are all kept."""
    if df.empty:
        return df
    keyed = df[df["decision_no"] != ""]
    key = keyed["decision_no"].str.replace(r"\s+", "", regex=True) + "\x1f" + keyed["agency"]
    drop: list[int] = []
    for _, group in keyed.groupby(key, sort=False):
        if len(group) < 2:
            continue
        first = group.iloc[0]
        for idx, row in group.iloc[1:].iterrows():
            where = dict(file=row["source_file"], sheet=row["source_sheet"], cell=row["source_cell"],
                         raw_value=row["decision_no"], decision_no=row["decision_no"], agency=row["agency"],
                         row=_row_name(row, first), first_row=_row_name(first, row))
            if row["content_hash"] == first["content_hash"]:
                report.add("case_duplicate", **where)
                drop.append(idx)
                df.loc[idx, "duplicate_of"] = first["record_id"]
            else:
                fields = [c for c in ("penalty_category", "penalty_content", "fine_wan", "confiscation_wan",
                                      "decision_date", "party_public", "violation_type")
                          if not _same(row[c], first[c])] or ["party"]
                report.add("case_duplicate_conflict", fields="、".join(fields), **where)
    return df.drop(index=drop).reset_index(drop=True)


def _row_name(row, other) -> str:
    """``5`` within one sheet, ``file!sheet!5`` when the two rows are in different places."""
    if (row["source_file"], row["source_sheet"]) == (other["source_file"], other["source_sheet"]):
        return str(row["source_row"])
    return f"{row['source_file']}!{row['source_sheet']}!{row['source_row']}"


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return a == b


def public_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The case table without its private columns (what ``cases.parquet`` and every view hold)."""
    return df.drop(columns=[c for c in PRIVATE_COLUMNS if c in df.columns])


def write_case_table(out_dir: Path, df: pd.DataFrame) -> None:
    """Write ``cases.duckdb`` (the full table) and ``cases.parquet`` (public columns), each atomically."""
    import duckdb

    out_dir = ensure_dir(Path(out_dir))
    try:
        with atomic_path(out_dir / CASES_PARQUET) as tmp:
            public_frame(df).to_parquet(tmp, index=False)
        with atomic_path(out_dir / CASES_DUCKDB) as tmp:
            Path(tmp).unlink(missing_ok=True)
            con = duckdb.connect(str(tmp))
            try:
                columns = ", ".join(f'"{c}" {t}' for c, t in CASE_COLUMNS.items())
                con.execute(f"CREATE TABLE cases ({columns})")
                con.register("incoming", df)
                con.execute(f"INSERT INTO cases SELECT {', '.join(chr(34) + c + chr(34) for c in CASE_COLUMNS)} "
                            "FROM incoming")
                con.unregister("incoming")
            finally:
                con.close()
    except OSError as err:
        raise output_error(err, out_dir / CASES_DUCKDB) from None


def remove_case_table(out_dir: Path) -> None:
    """Remove case files left by an earlier run (the raw folder no longer has case records)."""
    for name in (CASES_DUCKDB, CASES_PARQUET):
        (Path(out_dir) / name).unlink(missing_ok=True)
