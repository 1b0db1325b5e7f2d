"""Catalogues: the indicator, region, unit and column-map tables as CSV data (``data/``) and their loader.

This is the lowest domain layer: it imports nothing from ``clean``, ``stats``, ``present`` or ``report``.
A user's ``ENFORCEMENT_CATALOG_DIR`` overrides any file in ``data/`` by name.
"""

from analysis.catalog.loader import (
    CATALOG_ENV,
    INDEX_HEADERS,
    LABEL_HEADERS,
    LEVELS,
    Catalog,
    HeaderMatch,
    Indicator,
    Region,
    RegionMatch,
    env_override_dir,
    load_catalog,
    norm_header_path,
    read_catalog_text,
    year_candidates,
)

__all__ = [
    "CATALOG_ENV",
    "INDEX_HEADERS",
    "LABEL_HEADERS",
    "LEVELS",
    "Catalog",
    "HeaderMatch",
    "Indicator",
    "Region",
    "RegionMatch",
    "env_override_dir",
    "load_catalog",
    "norm_header_path",
    "read_catalog_text",
    "year_candidates",
]
