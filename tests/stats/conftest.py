"""Shared helpers for the statistics tests: small synthetic tidy-facts tables built by hand."""

from __future__ import annotations

import pandas as pd
import pytest

FACT_COLUMNS = ["year", "region_code", "region_name", "level", "agency", "indicator", "value", "unit", "approx",
                "source_file", "source_sheet", "source_cell"]

# A few Ningxia regions from catalogs/regions.csv: code -> (name, level)
REGIONS = {
    "640000": ("宁夏回族自治区", "province"),
    "640100": ("银川市", "city"),
    "640200": ("石嘴山市", "city"),
    "640300": ("吴忠市", "city"),
    "640400": ("固原市", "city"),
    "640500": ("中卫市", "city"),
    "640104": ("兴庆区", "county"),
    "640105": ("西夏区", "county"),
    "640106": ("金凤区", "county"),
    "640121": ("永宁县", "county"),
    "640122": ("贺兰县", "county"),
    "640181": ("灵武市", "county"),
}


def facts_from(rows) -> pd.DataFrame:
    """Build tidy facts from ``(year, region_code, indicator, value[, approx[, agency]])`` tuples."""
    out = []
    for i, r in enumerate(rows):
        year, code, indicator, value = r[:4]
        approx = r[4] if len(r) > 4 else False
        agency = r[5] if len(r) > 5 else ""
        name, level = REGIONS.get(code, (code, "county"))
        out.append((int(year), code, name, level, agency, indicator, float(value), "", bool(approx),
                    "test.csv", "test", f"R{i + 1}C2"))
    return pd.DataFrame(out, columns=FACT_COLUMNS)


@pytest.fixture
def make_facts():
    return facts_from
