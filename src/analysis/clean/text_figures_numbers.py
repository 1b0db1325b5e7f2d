"""Numbers inside sentences: splitting, finding every number, and saying what each one is.

:func:`fold` maps full-width digits and punctuation to ASCII one character for one character, so spans
found in the folded text are spans of the original sentence. :func:`scan_numbers` returns one
:class:`NumberToken` per number written in a sentence (Arabic digits, and Chinese numerals that count
something or rank something); its ``kind`` says what it is:

- ``quantity``: a count or amount with its unit (``214起``, ``9172.05万元``, ``31.63万平方米``, ``二十起``),
  the only kind that can become a fact;
- ``percent``: ``100%``;
- ``date``: a date, a year (``2024年度``) or a period (``2023—2025年``, ``1-9月``; ``partial`` is set for a
  part-year period);
- ``reference``: a document number (``〔2021〕30号``) or a number inside a title 《…》;
- ``ordinal``: 一是, 第二, 十三届, 二次会议, a heading number;
- ``truncated``: a number cut off at the end of a truncated text (``4076.``); never a fact.

Approximations (约, 近, 超过, 逾, 余, 多, 左右, 以上) set ``approx``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from analysis.catalog.units import MONEY_FACTORS_TO_WANYUAN, UNITS

SENTENCE_END = "。！？；!?;"
CLAUSE_END = "，,；;。！？!?：:"
# Measure words that follow a number in prose but are not units of any catalogue figure.
EXTRA_MEASURES = ("栋", "部门", "部", "种", "台", "支", "轮次", "轮", "专题", "村", "乡", "镇", "届", "年", "月", "日",
                  "周", "倍", "位", "类", "批次", "方面", "环节", "亿", "万")
MEASURES = tuple(sorted({*UNITS, *EXTRA_MEASURES} - {"亿", "万"}, key=lambda u: (-len(u), u)))
MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6}
APPROX_PREFIXES = ("大约", "将近", "接近", "超过", "约", "近", "逾", "超")
APPROX_SUFFIXES = ("左右", "以上", "有余")
CN_DIGITS = "零〇一二两三四五六七八九十"
CN_CHARS = CN_DIGITS + "百千万亿"

_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20

_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
                      r"|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日")
_PERIOD_RE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?度?")
_PART_YEAR_RE = re.compile(r"(?<!\d)\d{1,2}\s*[-—–~至到]\s*\d{1,2}\s*月|[上下]半年|前[一二三]季度|第[一二三四]季度")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年度?|(?<!\d)(?:19|20)\d{2}(?=\s*(?:至|到|—|-)\s*(?:19|20)\d{2})")
_DOCNO_RE = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d+\s*号")
_PERCENT_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*%")
_ARABIC_RE = re.compile(r"(?<![\d.])(?<!\d,)(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_CN_RE = re.compile(f"(?<![{CN_CHARS}])[{CN_CHARS}]+")
_TITLE_RE = re.compile(r"《[^《》]*》")
_HEADING_RE = re.compile(r"^\s*[(（]?\s*$")


def fold(text: str) -> str:
    """Full-width ASCII -> ASCII, ideographic space -> space; the length never changes."""
    return text.translate(_FOLD)


@dataclass
class NumberToken:
    start: int
    end: int
    text: str
    kind: str
    value: float | None = None
    unit: str = ""
    approx: bool = False
    partial: bool = False
    note: str = ""


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs; a sentence ends with 。！？； (kept) and is stripped of spaces."""
    out: list[tuple[int, str]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in SENTENCE_END:
            piece = text[start:i + 1]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                out.append((start + lead, piece.strip()))
            start = i + 1
    piece = text[start:]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        out.append((start + lead, piece.strip()))
    return out


def clause_bounds(folded: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause (between ，；。： marks) holding offset ``pos``."""
    a = pos
    while a > 0 and folded[a - 1] not in CLAUSE_END:
        a -= 1
    b = pos
    while b < len(folded) and folded[b] not in CLAUSE_END:
        b += 1
    return a, b


def title_spans(folded: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TITLE_RE.finditer(folded)]


def mask_titles(folded: str) -> str:
    """The sentence with every 《title》 blanked (same length): phrases inside a title are no trigger."""
    return _TITLE_RE.sub(lambda m: "□" * len(m.group()), folded)


def _measure_at(s: str, p: int) -> str:
    for u in MEASURES:
        if s.startswith(u, p):
            return u
    return ""


def _after_number(s: str, p: int) -> tuple[int, float, str, bool]:
    """Read multiplier, 余/多, unit and 左右 after a number ending at ``p``: (end, factor, unit, approx)."""
    factor, approx = 1.0, False
    q = p
    while q < len(s) and s[q] == " ":
        q += 1
    unit = _measure_at(s, q)
    if not unit:
        for m, f in sorted(MULTIPLIERS.items(), key=lambda kv: -len(kv[0])):
            if s.startswith(m, q):
                factor, q = f, q + len(m)
                break
        if q < len(s) and s[q] in "余多":
            approx, q = True, q + 1
        unit = _measure_at(s, q)
        if unit in MONEY_FACTORS_TO_WANYUAN and factor != 1.0:
            money = {1e4: "万元", 1e8: "亿元", 1e3: "千元", 1e6: "百万元"}[factor] if unit == "元" else ""
            if money:
                unit, factor = money, 1.0
    end = q + len(unit) if unit else (q if factor != 1.0 or approx else p)
    for suf in APPROX_SUFFIXES:
        if unit and s.startswith(suf, end):
            approx, end = True, end + len(suf)
            break
    return end, factor, unit, approx


def _approx_prefix(s: str, start: int) -> tuple[int, bool]:
    for pre in APPROX_PREFIXES:
        if start >= len(pre) and s[start - len(pre):start] == pre:
            return start - len(pre), True
    return start, False


def scan_numbers(sentence: str, at_text_end: bool = False, text_complete: bool = True) -> list[NumberToken]:
    """Every number of one sentence, left to right (see the module docstring for the kinds).

    ``at_text_end``: the sentence is the last of the whole text; with ``text_complete`` False (the text
    does not end with a sentence mark) a number at its very end is ``truncated``.
    """
    s = fold(sentence)
    taken: list[tuple[int, int]] = []
    tokens: list[NumberToken] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(tok: NumberToken) -> None:
        taken.append((tok.start, tok.end))
        tokens.append(tok)

    partial = bool(_PART_YEAR_RE.search(s))
    for rx, kind, note in ((_DOCNO_RE, "reference", "docno"), (_DATE_RE, "date", "date"),
                           (_PART_YEAR_RE, "date", "part_year"), (_PERIOD_RE, "date", "period"),
                           (_YEAR_RE, "date", "year"), (_PERCENT_RE, "percent", "")):
        for m in rx.finditer(s):
            if re.search(r"\d|[" + CN_DIGITS + "]", m.group()) and free(m.start(), m.end()):
                value = float(m.group().rstrip("% ").strip()) if kind == "percent" else None
                add(NumberToken(m.start(), m.end(), sentence[m.start():m.end()], kind, value,
                                "%" if kind == "percent" else "", note=note))
    for m in _ARABIC_RE.finditer(s):
        if not free(m.start(), m.end()):
            continue
        num_end = m.end()
        if s.startswith("第", max(m.start() - 1, 0)) and m.start() > 0:
            add(NumberToken(m.start() - 1, num_end, sentence[m.start() - 1:num_end], "ordinal", note="di"))
            continue
        dangling = num_end < len(s) and s[num_end] == "." and (num_end + 1 == len(s) or not s[num_end + 1].isdigit())
        rest_blank = not s[num_end + (1 if dangling else 0):].strip(" 。")
        if at_text_end and rest_blank and (dangling or not text_complete):
            end = num_end + (1 if dangling else 0)
            add(NumberToken(m.start(), end, sentence[m.start():end], "truncated"))
            continue
        if m.start() == 0 and num_end < len(s) and s[num_end] in ".、)" and not s[num_end + 1:num_end + 2].isdigit():
            add(NumberToken(0, num_end + 1, sentence[:num_end + 1], "ordinal", note="heading"))
            continue
        end, factor, unit, approx_s = _after_number(s, num_end)
        start, approx_p = _approx_prefix(s, m.start())
        value = float(m.group().replace(",", "")) * factor
        add(NumberToken(start, end, sentence[start:end], "quantity", value, unit, approx_s or approx_p, partial))
    for m in _CN_RE.finditer(s):
        a, b = m.start(), m.end()
        if not any(ch in CN_DIGITS for ch in m.group()) or not free(a, b):
            continue
        nxt = s[b:b + 4]
        before = s[a - 1] if a > 0 else ""
        if before == "第" or nxt.startswith(("是", "届")) or re.match(r"次(?:会议|全会|全体会议)", nxt):
            start = a - 1 if before == "第" else a
            end = b + (1 if nxt.startswith(("是", "届")) else 0)
            add(NumberToken(start, end, sentence[start:end], "ordinal", note="cn"))
            continue
        if (nxt.startswith("、") and _HEADING_RE.match(s[:a])) or (before in "(（" and nxt.startswith((")", "）"))):
            add(NumberToken(a, b + 1, sentence[a:b + 1], "ordinal", note="heading"))
            continue
        unit = _measure_at(s, b)
        if not unit or unit in ("万", "亿"):
            continue  # 统一, 一体化, 一刀切: a word, not a number
        try:
            value = float(cn2an.cn2an(m.group(), "smart"))
        except (ValueError, KeyError, TypeError):
            value = None
        start, approx_p = _approx_prefix(s, a)
        end = b + len(unit)
        kind = "quantity" if value is not None else "unparsed"
        add(NumberToken(start, end, sentence[start:end], kind, value, unit, approx_p, partial, note="cn"))
    titles = title_spans(s)
    for tok in tokens:
        if tok.kind in ("quantity", "percent", "unparsed") and any(a <= tok.start and tok.end <= b for a, b in titles):
            tok.kind, tok.note = "reference", "title"
    return sorted(tokens, key=lambda t: t.start)
