"""Generated formal-Chinese narrative from the summary table; the wording is data in ``templates.yaml``."""

from analysis.present.narrative.render import (
    change_case,
    format_pct,
    format_value,
    load_templates,
    paragraph,
    sentence,
)

__all__ = ["change_case", "format_pct", "format_value", "load_templates", "paragraph", "sentence"]
