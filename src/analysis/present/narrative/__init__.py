"""Generated formal-Chinese narrative from the summary table; the wording is data in ``templates.yaml``."""

from analysis.present.narrative.judgement import judgement, rate_change_significant, standing
from analysis.present.narrative.paragraph import paragraph, rank_sentence, trend_sentence
from analysis.present.narrative.render import (
    change_case,
    format_pct,
    format_row,
    format_value,
    load_templates,
    sentence,
)

__all__ = ["change_case", "format_pct", "format_row", "format_value", "judgement", "load_templates", "paragraph",
           "rank_sentence", "rate_change_significant", "sentence", "standing", "trend_sentence"]
