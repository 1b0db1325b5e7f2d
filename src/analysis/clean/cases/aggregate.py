"""Case records -> yearly facts per agency and region, aggregated in DuckDB.

The SQL runs over a relation named ``cases`` (the case table's columns): an in-memory frame registered in a
connection during ``enforcement clean``, or the ``cases`` table of ``cases.duckdb`` for a national volume, so a
query never needs every record in memory. Facts carry ``source_kind = "cases"`` and ``scope = "agency"``
(each figure is one deciding agency's records) and go to ``case_facts.parquet``, never into a table's figure.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalog import Catalog
from analysis.processed import FACT_COLUMNS, FACT_DTYPES

SOURCE_KIND = "cases"
#: Records that count: a usable year and region, not a re-publication of another record.
COUNTED = "year IS NOT NULL AND region_code <> '' AND coalesce(duplicate_of, '') = ''"

FACTS_SQL = f"""
WITH c AS (SELECT * FROM cases WHERE {COUNTED})
SELECT year, region_code, agency, 'penalties_total' AS indicator, count(*)::DOUBLE AS value,
       min(source_file) AS source_file, count(*) AS n
FROM c GROUP BY year, region_code, agency
UNION ALL
SELECT year, region_code, agency, 'fines_collected',
       round(sum(coalesce(fine_wan, 0) + coalesce(confiscation_wan, 0)), 6), min(source_file), count(*)
FROM c GROUP BY year, region_code, agency
UNION ALL
SELECT year, region_code, agency, code, count(*)::DOUBLE, min(source_file), count(*)
FROM (SELECT year, region_code, agency, source_file, unnest(string_split(category_codes, ';')) AS code FROM c)
WHERE code <> ''
GROUP BY year, region_code, agency, code
"""

VIOLATIONS_SQL = f"""
SELECT year, region_code, agency, coalesce(nullif(violation_type, ''), '未注明') AS violation_type,
       count(*) AS decisions, round(sum(coalesce(fine_wan, 0) + coalesce(confiscation_wan, 0)), 6) AS fines_wan
FROM cases WHERE {COUNTED}
GROUP BY ALL ORDER BY year, region_code, agency, decisions DESC, violation_type
"""


def aggregate_facts(con, catalog: Catalog) -> pd.DataFrame:
    """Yearly facts from the ``cases`` relation of DuckDB connection ``con`` (the facts contract's columns)."""
    raw = con.execute(FACTS_SQL).df()
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in FACT_DTYPES.items()})[FACT_COLUMNS]
    raw = raw.sort_values(["year", "region_code", "agency", "indicator"], kind="stable").reset_index(drop=True)
    regions = catalog.regions
    out = pd.DataFrame({
        "year": raw["year"].astype("int64"),
        "region_code": raw["region_code"].astype(str),
        "region_name": raw["region_code"].map(lambda c: regions[c].name),
        "level": raw["region_code"].map(lambda c: regions[c].level),
        "agency": raw["agency"].astype(str),
        "indicator": raw["indicator"].astype(str),
        "value": raw["value"].astype("float64"),
        "unit": raw["indicator"].map(lambda c: catalog.indicators[c].unit),
        "approx": False,
        "source_file": raw["source_file"].astype(str),
        "source_sheet": "",
        "source_cell": "",
        "scope": "agency",
        "source_kind": SOURCE_KIND,
        "evidence": raw["n"].map(lambda n: f"{int(n)} 条处罚决定记录"),
        "evidence_span": "",
        "region_code_reported": "",
    })
    return out.astype(FACT_DTYPES)[FACT_COLUMNS]


def violation_counts(con) -> pd.DataFrame:
    """Decisions and 罚没款 (万元) by year, region, agency and 违法行为类型 (a small table of its own: the
    violation types are the agencies' words, not indicator codes)."""
    return con.execute(VIOLATIONS_SQL).df()


def frame_connection(df: pd.DataFrame):
    """An in-memory DuckDB connection where ``df`` is the relation ``cases``."""
    import duckdb

    con = duckdb.connect()
    con.register("cases", df)
    return con
