"""The 附注 on methods at the end of each report: method names, finding codes and rules, in Chinese.

The leaders' text of a report says what the figures show; how they were computed -- the names of the
statistical methods (Mann-Kendall, MAD, Wilson, Fisher-Freeman-Halton ...), the finding codes of the data-
quality report, the rule behind 向好 / 需予以关注 -- is said here, once, under the report's 附注 heading.
The notes are ``common.yaml`` ``notes.<key>``; a section may add its own (:meth:`Report.keep_note`, e.g. the
test each difference test used and why).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.views.context import Report
from analysis.views.display import Html, Section, esc
from analysis.views.wording import say


def note_text(key: str) -> str:
    """One note of ``common.yaml`` ``notes.<key>`` (``judgement`` quotes the narrative's stated rule)."""
    if key == "judgement":
        from analysis.present.narrative import load_templates

        return say("common", "notes.judgement", rule=load_templates()["judgement"]["rule"])
    return say("common", f"notes.{key}")


def notes_section(rep: Report, keys: Sequence[str]) -> Section:
    """The numbered 附注: the notes ``keys``, then the notes the report's sections kept, then (for sample
    data) the sample note. The texts also go to the report's Word export (:meth:`Report.keep_text`)."""
    texts = [note_text(k) for k in keys]
    texts += [t for t in rep.method_notes if t]
    if rep.is_sample:
        texts.append(note_text("sample"))
    texts = list(dict.fromkeys(texts))
    for i, text in enumerate(texts, start=1):
        rep.keep_text(say("common", "notes.numbered", n=i, text=text))
    items = "".join(f"<li>{esc(t)}</li>" for t in texts)
    return Section([Html(f'<ol class="report-notes">{items}</ol>')])
