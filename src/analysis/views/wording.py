"""The report-reader wording of the notebooks, read from ``analysis/present/narrative/reports/<report>.yaml``.

One YAML file per report (``quality``, ``overview``, ``regions``, ``casefile``, ``profile``, ``cases``) plus
``common`` for the wording every report shares. Python never holds a Chinese sentence: it picks a
template by its dotted key and fills the ``{named}`` placeholders (:func:`say`). The flat threshold of a
rate's change comes from the narrative templates (``number.flat_threshold_points``), the one home of it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from analysis.errors import CatalogError
from analysis.present.narrative.render import read_wording_file

REPORTS = ("common", "quality", "overview", "regions", "casefile", "profile", "cases")


@functools.cache
def report_templates(report: str) -> dict:
    """The parsed wording file of one report (see :data:`REPORTS`)."""
    if report not in REPORTS:
        raise CatalogError(f"没有报告措辞文件：{report}", f"unknown report wording file {report!r}")
    data, _ = read_wording_file(f"reports/{report}.yaml", None, ("报告措辞文件", f"{report}.yaml"))
    if not isinstance(data, Mapping):
        raise CatalogError(f"报告措辞文件应为映射结构：{report}.yaml", f"{report}.yaml must be a mapping")
    return dict(data)


def template(report: str, key: str) -> Any:
    """The node at dotted ``key`` (a string or a mapping); :class:`CatalogError` when absent."""
    node: Any = report_templates(report)
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise CatalogError(f"报告措辞缺少条目 {report}.{key}", f"wording {key!r} is missing in {report}.yaml")
        node = node[part]
    return node


def say(report: str, key: str, /, **fields: Any) -> str:
    """The template ``report:key`` with ``fields`` filled in (``str.format`` syntax, e.g. ``{share:.1f}``)."""
    text = template(report, key)
    if not isinstance(text, str):
        raise CatalogError(f"报告措辞条目不是文本：{report}.{key}", f"wording {key!r} in {report}.yaml is not text")
    return text.format_map(fields)


def join(report: str, separator_key: str, items) -> str:
    """``items`` joined with the separator template ``report:separator_key`` (e.g. ``、``)."""
    return say(report, separator_key).join(str(i) for i in items)


def flat_threshold_points() -> float:
    """A rate change (percentage points) below this reads as 持平 (``number.flat_threshold_points``)."""
    from analysis.present.narrative import load_templates

    return float(load_templates()["number"]["flat_threshold_points"])


def points_change(diff: float) -> str:
    """``持平`` / ``提高1.2个百分点`` / ``下降0.3个百分点`` for a rate change of ``diff`` points."""
    if abs(diff) < flat_threshold_points():
        return say("common", "change.flat")
    return say("common", "change.up" if diff > 0 else "change.down", points=abs(diff))
