"""The one rule behind the judgements of the narrative (呈向好态势 / 需予以关注), and the test of a rate's change.

The rule is stated in words in ``templates.yaml`` (``judgement.rule``), which the reports quote in their
附注; this module applies it. For a row whose year-on-year case is ``up`` or ``down``:

1. No judgement for an indicator without a direction (``direction`` neutral or blank: workload figures such
   as cases filed or fines), and none for a rate whose change the test of the two years' counts cannot
   distinguish from chance (:func:`rate_change_significant` is ``False``).
2. A change in the unfavourable direction -> ``concern`` (需予以关注).
3. A change in the favourable direction -> by the region's *standing* among its peers (:func:`standing`;
   1 = best): unranked or in the upper half (standing <= ceil(n/2)) -> ``good`` (呈向好态势); in the
   lower half -> ``improved`` (较上年有所改善); in the last quarter (standing > 3n/4) -> ``improved_low``
   (有所改善，但仍居后列，需予以关注). So the last of 22 is never 向好.

The summary table's ``rank`` is 1 for the largest value, ties sharing the smallest rank. For an up-good
indicator the standing is that rank; for a down-good one it is the rank counted from the smallest value,
``n - rank - n_tied + 2`` (``n_tied``: how many regions share the rank, 1 when not given), so tied
regions share the same standing in both directions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from analysis.present.numbers import is_blank

DIRECTIONS = ("up-good", "down-good")
VERDICTS = ("good", "improved", "improved_low", "concern")


def _int(value) -> int | None:
    return None if is_blank(value) else int(value)


def standing(row: Mapping) -> tuple[int, int] | None:
    """``(standing, n_peers)`` of a ranked city or county (1 = best in the indicator's direction), else None."""
    rank, n = _int(row.get("rank")), _int(row.get("n_peers"))
    direction = str(row.get("direction") or "")
    if rank is None or n is None or n < 2 or direction not in DIRECTIONS:
        return None
    if str(row.get("level") or "") not in ("city", "county"):
        return None
    if direction == "up-good":
        return rank, n
    tied = _int(row.get("n_tied")) or 1
    return n - rank - tied + 2, n


def judgement(row: Mapping, case: str, significant: bool | None = None) -> str:
    """The verdict key (one of :data:`VERDICTS`) for a row with change ``case``, or ``""`` for none."""
    direction = str(row.get("direction") or "")
    if direction not in DIRECTIONS or case not in ("up", "down") or significant is False:
        return ""
    if (case == "up") != (direction == "up-good"):
        return "concern"
    place = standing(row)
    if place is None:
        return "good"
    position, n = place
    if position <= math.ceil(n / 2):
        return "good"
    return "improved_low" if position > 0.75 * n else "improved"


def rate_change_significant(row: Mapping) -> bool | None:
    """Whether a rate's change from the previous year is statistically distinguishable.

    Needs ``kind == "rate"`` and the counts of both years: ``numerator``/``denominator`` and
    ``prev_numerator``/``prev_denominator`` (0 <= numerator <= denominator, denominator > 0). The test is
    :func:`analysis.stats.rates.rate_difference_test` on the 2 x 2 table (chi-square, or Fisher's exact
    test when an expected count is below 5), at the 0.05 level. ``None`` when it cannot be run.
    """
    if str(row.get("kind") or "") != "rate":
        return None
    counts = [row.get(k) for k in ("numerator", "denominator", "prev_numerator", "prev_denominator")]
    if any(is_blank(c) for c in counts):
        return None
    x, n, px, pn = (float(c) for c in counts)
    if n <= 0 or pn <= 0 or not (0 <= x <= n and 0 <= px <= pn):
        return None
    from analysis.stats.rates import rate_difference_test

    result = rate_difference_test([x, px], [n, pn])
    if result["test"] == "none":
        return None
    return bool(result["significant"])
