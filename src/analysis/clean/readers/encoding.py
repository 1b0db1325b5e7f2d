"""Text decoding for CSV files, plain-text letters and web pages.

UTF-8 BOM -> ``utf_8_sig``; UTF-16 BOM -> ``utf_16`` (Excel "Unicode text"); text with NUL bytes and no
BOM is not a supported encoding; strict UTF-8 -> ``utf_8``; otherwise strict GB18030 (a superset of
GBK/GB2312, so it is preferred whatever Chinese code page charset-normalizer names) -> ``gb18030``,
provided the decoded text is plausible (no control characters, at most 1% private-use characters;
otherwise UTF-16 without a BOM or random bytes would "decode" as gibberish). When nothing decodes, the
caller reports ``encoding_undetected`` with charset-normalizer's best guess, so the user knows what to
convert from.

A web page may declare its encoding (``<meta charset>``, ``http-equiv="Content-Type"``, an XML
declaration): :func:`declared_charset` reads it, and a declared GBK/GB2312 is decoded as GB18030.
"""

from __future__ import annotations

import codecs
import re

CHINESE_CODEPAGES = {"gb2312", "gbk", "gb18030", "cp936", "hz", "hz_gb_2312", "euc_cn", "iso2022_cn", "x-gbk"}


def charset_guess(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
        return best.encoding if best is not None else ""
    except Exception:  # pragma: no cover
        return ""


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PUA_RE = re.compile(r"[\ue000-\uf8ff]")


def plausible_text(text: str) -> bool:
    """Reject GB18030 "successes" that are really other bytes: control characters, or more than
    1% private-use characters (GB18030 maps its user-defined areas there)."""
    if _CONTROL_RE.search(text):
        return False
    return len(_PUA_RE.findall(text)) <= max(1, len(text) // 100)


def decode_text(data: bytes) -> tuple[str | None, str | None, str]:
    """(text, encoding, guess). ``text`` is ``None`` when no supported encoding decodes the bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf_8_sig"), "utf_8_sig", ""
        except UnicodeDecodeError:
            return None, None, "utf_8_sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf_16"), "utf_16", ""
        except UnicodeDecodeError:
            return None, None, "utf_16"
    if b"\x00" in data:
        return None, None, charset_guess(data) or "binary"
    try:
        return data.decode("utf_8"), "utf_8", ""
    except UnicodeDecodeError:
        pass
    # Not UTF-8. Every Chinese code page charset-normalizer might name (GB2312, GBK, CP936)
    # is a subset of GB18030, so GB18030 is always the one to try.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and plausible_text(text):
        return text, "gb18030", ""
    guess = charset_guess(data)
    if guess and guess.lower() not in CHINESE_CODEPAGES:
        return None, None, guess
    return None, None, guess or "unknown"


_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-.:]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first 8 KB (``<meta charset>``, http-equiv, XML declaration)."""
    head = data[:8192]
    m = _META_CHARSET_RE.search(head) or _XML_DECL_RE.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").strip().lower()
    if name in CHINESE_CODEPAGES:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(data: bytes) -> tuple[str | None, str | None, str]:
    """Decode a web page: a BOM first, then the declared charset (strict), then :func:`decode_text`."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    declared = declared_charset(data)
    if declared:
        try:
            text = data.decode(declared)
            if plausible_text(text.replace("\x0c", "")):
                return text, declared, ""
        except UnicodeDecodeError:
            pass  # a wrong declaration is common: fall back to detection
    return decode_text(data)
