"""Transitional re-exports: text normalisation moved to :mod:`analysis.catalog.normalize`, value parsing to
:mod:`analysis.clean.values`, the formula guard to :mod:`analysis.safe_cells`. Import from those."""

from analysis.catalog.normalize import HeaderText, normalize_header, normalize_text, normalize_unit  # noqa: F401
from analysis.catalog.units import MONEY_UNITS, UNITS  # noqa: F401
from analysis.clean.values import (  # noqa: F401
    EXCEL_ERRORS,
    INVALID_REASONS,
    MISSING_TOKENS,
    ParsedValue,
    is_excel_error,
    looks_numeric,
    parse_value,
)
from analysis.safe_cells import neutralize_formula  # noqa: F401
