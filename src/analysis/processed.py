"""The tidy-facts contract as a pandera schema (see ``docs/contracts.md`` section 1).

``FACT_COLUMNS`` is the column order of ``facts.parquet``/``facts.csv``. ``facts_schema(catalog)``
builds the schema with the catalogue's indicator codes and units; ``FACTS_SCHEMA`` is the schema
over the packaged catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

try:  # pandera >= 0.24 moved the pandas API to ``pandera.pandas``
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from analysis.catalog import LEVELS, Catalog, load_catalog

FACT_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "level",
    "agency",
    "indicator",
    "value",
    "unit",
    "approx",
    "source_file",
    "source_sheet",
    "source_cell",
]
FACT_DTYPES = {
    "year": "int64",
    "region_code": "object",
    "region_name": "object",
    "level": "object",
    "agency": "object",
    "indicator": "object",
    "value": "float64",
    "unit": "object",
    "approx": "bool",
    "source_file": "object",
    "source_sheet": "object",
    "source_cell": "object",
}


def empty_facts() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in FACT_DTYPES.items()})[FACT_COLUMNS]


def facts_schema(catalog: Catalog) -> pa.DataFrameSchema:
    units = {code: ind.unit for code, ind in catalog.indicators.items()}
    names = {code: r.name for code, r in catalog.regions.items()}

    def unit_matches(df: pd.DataFrame) -> pd.Series:
        return df["indicator"].map(units) == df["unit"]

    def name_matches(df: pd.DataFrame) -> pd.Series:
        return df["region_code"].map(names) == df["region_name"]

    return pa.DataFrameSchema(
        {
            "year": pa.Column(int, pa.Check.in_range(1949, 2100)),
            "region_code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")),
            "region_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "level": pa.Column(str, pa.Check.isin(sorted(LEVELS))),
            "agency": pa.Column(str),
            "indicator": pa.Column(str, pa.Check.isin(sorted(catalog.indicators))),
            "value": pa.Column(float, pa.Check(lambda s: np.isfinite(s), element_wise=False, name="finite")),
            "unit": pa.Column(str),
            "approx": pa.Column(bool),
            "source_file": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source_sheet": pa.Column(str),
            "source_cell": pa.Column(str, pa.Check.str_matches(r"^([A-Z]{1,3}\d+|R\d+C\d+)$")),
        },
        checks=[
            pa.Check(unit_matches, name="unit_matches_catalogue"),
            pa.Check(name_matches, name="region_name_matches_code"),
        ],
        strict=False,
        coerce=False,
        name="tidy_facts",
    )


FACTS_SCHEMA = facts_schema(load_catalog())
