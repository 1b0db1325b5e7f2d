"""Personal data in case records: ID numbers are masked, natural persons are named 个人.

ID numbers (18-digit 居民身份证号 with an X check digit, 15-digit old ones) stay in the ID columns of the case
table (``cases.duckdb``); every text that leaves it (free-text columns, exports, figures, findings) goes
through :func:`mask_text`, which masks anything shaped like one: ``640104190001010017`` ->
``6401**********0017``. Over-masking is deliberate: a 15-digit 工商注册号 is masked as well.

Natural or legal person: the 行政相对人类别 says so when present (自然人 / 个人 / 身份证); a 统一社会信用代码 means a
legal person (or 个体工商户, whose business name is public); an ID number in the code column means a natural
person; else the name decides (2-4 Chinese characters and no organisational word -> a person).
"""

from __future__ import annotations

import re

PERSON_LABEL = "个人"
# 17 digits + digit/X, or 15 digits, not inside a longer run of digits/letters
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{5})(\d{3}[0-9Xx]|\d{2})(?![0-9A-Za-z])")
_STRICT_ID = re.compile(r"^(?:\d{17}[0-9Xx]|\d{15})$")
# 统一社会信用代码 (GB 32100): 18 characters from digits and capitals without I, O, S, V, Z
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_NATURAL_KIND = ("自然人", "个人", "身份证", "居民身份证", "公民")
_LEGAL_KIND = ("法人", "组织", "个体工商户", "单位", "企业", "机关")
_ORG_WORDS = ("公司", "厂", "店", "部", "社", "中心", "合作", "局", "委员会", "村", "组", "场", "站", "院", "所",
              "学校", "医院", "集团", "协会", "经营", "工作室", "矿", "队", "处", "馆", "行", "门市", "作坊", "政府")
_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")


def mask_id(number: str) -> str:
    """``640104190001010017`` -> ``6401**********0017`` (first four, last four kept)."""
    s = str(number)
    return s[:4] + "*" * (len(s) - 8) + s[-4:] if len(s) > 8 else "*" * len(s)


def mask_text(text: object) -> object:
    """Every ID-number-shaped run in ``text`` masked; non-strings are returned unchanged."""
    if not isinstance(text, str) or not text:
        return text
    return ID_PATTERN.sub(lambda m: mask_id(m.group(0)), text)


def has_id_number(text: object) -> bool:
    return isinstance(text, str) and ID_PATTERN.search(text) is not None


def is_id_number(text: object) -> bool:
    return isinstance(text, str) and _STRICT_ID.match(text.strip()) is not None


def is_uscc(text: object) -> bool:
    return isinstance(text, str) and _USCC.match(text.strip().upper()) is not None and not is_id_number(text)


def party_kind(name: str, code: str = "", kind_text: str = "", id_number: str = "") -> str:
    """``natural`` or ``legal`` (see the module docstring for the order of the tests)."""
    kind_text = (kind_text or "").strip()
    if kind_text:
        if any(w in kind_text for w in _NATURAL_KIND) and "个体工商户" not in kind_text:
            return "natural"
        if any(w in kind_text for w in _LEGAL_KIND):
            return "legal"
    code = (code or "").strip()
    if is_id_number(code):
        return "natural"
    if code and is_uscc(code):
        return "legal"
    name = (name or "").strip()
    if any(w in name for w in _ORG_WORDS):
        return "legal"
    if id_number and is_id_number(id_number):
        return "natural"
    return "natural" if _PERSON_NAME.match(name) else "legal"


def public_name(name: str, kind: str) -> str:
    """What a report may show: a legal person's name (masked of ID numbers), 个人 for a natural person."""
    return PERSON_LABEL if kind == "natural" else str(mask_text(name or ""))
