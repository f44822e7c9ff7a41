"""Normalise a Vietnamese timing phrase once, so that the rules match one spelling.

Everything language-specific about *spelling* lives here (the rules hold the wording):
Unicode NFC, lower case, one kind of dash and space, "hằng" -> "hàng", Roman quarter numbers ->
Arabic, number words in parentheses dropped ("06 (sáu)" -> "06"), and dates
written out ("ngày 15 tháng 3 năm 2026", "15-3-2026", "15.3.2026") turned into "15/3/2026".
Leading zeros stay ("tháng 01/2025"): the rules read numbers with int().
"""

from __future__ import annotations

import re
import unicodedata

# One translation table: dashes -> "-", odd spaces -> " ", zero-width characters dropped.
_TABLE = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t\r\n\v\f"), " "),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None),
}
_ODD = re.compile("[" + "".join(map(chr, _TABLE)) + "]")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}
_NUMBER_WORDS = {
    "không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy", "tám", "chín",
    "mười", "mươi", "linh", "lẻ", "trăm",
}

# "quý IV", "quý iv", "quý II và IV", "quý I, II" - Roman numbers only right after "quý"
# or in a list that follows it.
_QUARTER_ROMAN = re.compile(r"\b(quý)\s+((?:[ivx]+)(?:\s*(?:,|và|-)\s*(?:quý\s+)?[ivx]+)*)\b")
_ROMAN_TOKEN = re.compile(r"\b[ivx]+\b")
_PAREN_WORDS = re.compile(r"(\d)\s*\(([^()\d]*)\)")
_SPELLED_DATE = re.compile(
    r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?\b"
)
_DASH_DATE = re.compile(r"\b(\d{1,2})[-.](\d{1,2})[-.](\d{4})\b")
_MONTH_YEAR_WORDS = re.compile(r"\b(tháng|quý)\s+(\d{1,2})\s+năm\s+(\d{4})\b")
_DASH_PERIOD_YEAR = re.compile(r"\b(tháng|quý) (\d{1,2})-((?:19|20)\d\d)\b")
_MULTI_SPACE = re.compile(r" {2,}")
_SPACE_SLASH = re.compile(r"\s*/\s*")
_EDGE_PUNCT = " .;,:"


def normalize(phrase: str) -> str:
    """The canonical spelling the rules match against."""
    text = unicodedata.normalize("NFC", phrase or "")
    if _ODD.search(text):
        text = text.translate(_TABLE)
    text = text.lower().replace("hằng", "hàng")
    if "quí" in text:
        text = text.replace("quí", "quý")  # the old spelling ("Quí IV-2025")
    # Each substitution runs only when its trigger is present: this is the hot path of a
    # national-scale import, and most phrases need two or three of them.
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    text = text.strip(_EDGE_PUNCT)
    if "(" in text:
        text = _PAREN_WORDS.sub(_drop_number_words, text)
    if "quý" in text:
        text = _QUARTER_ROMAN.sub(_roman_quarters, text)
    if " /" in text or "/ " in text:
        text = _SPACE_SLASH.sub("/", text)
    if "tháng" in text and "ngày" in text:
        text = _SPELLED_DATE.sub(_spelled_date, text)
    if "năm" in text and ("tháng" in text or "quý" in text):
        text = _MONTH_YEAR_WORDS.sub(r"\1 \2/\3", text)
    if "-" in text or "." in text:
        text = _DASH_DATE.sub(r"\1/\2/\3", text)
        # "quý 4-2025", "tháng 12-2025": a period and its year joined by a dash.
        text = _DASH_PERIOD_YEAR.sub(r"\1 \2/\3", text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return text.strip(_EDGE_PUNCT)


def _drop_number_words(m: re.Match[str]) -> str:
    words = m.group(2).split()
    if words and all(w in _NUMBER_WORDS for w in words):
        return m.group(1)
    return m.group(0)


def _roman_quarters(m: re.Match[str]) -> str:
    body = _ROMAN_TOKEN.sub(lambda r: str(_ROMAN.get(r.group(0), r.group(0))), m.group(2))
    return f"{m.group(1)} {body}"


def _spelled_date(m: re.Match[str]) -> str:
    day, month, year = m.groups()
    return f"ngày {day}/{month}/{year}" if year else f"ngày {day}/{month}"


def fold(text: str) -> str:
    """Accent-insensitive key: NFD without combining marks, đ -> d, lower case, one space."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d").replace("Đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())
