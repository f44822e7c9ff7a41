"""Task-table column headers: which column of a .docx table, sheet or .csv holds what.

Plans name their columns in many ways ("Nội dung", "Nhiệm vụ cụ thể", "Nội dung nhiệm vụ" are all
the task text). Headers are compared accent- and case-insensitively with punctuation dropped;
the longest known name a header starts with wins, so "Nhiệm vụ chung" (the group) beats
"Nhiệm vụ" (the task text) and "Thời gian bắt đầu" (ignored) beats "Thời gian".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Column key -> the name a person reads in messages.
COLUMN_NAMES: dict[str, str] = {
    "group": "Nhiệm vụ chung",
    "number": "STT",
    "title": "Nội dung / Nhiệm vụ",
    "product": "Sản phẩm",
    "lead": "Cơ quan chủ trì",
    "support": "Cơ quan phối hợp",
    "timing": "Thời gian thực hiện",
}
# Without these a table cannot give tasks their owner and deadline.
REQUIRED = ("title", "lead", "timing")

IGNORED = "-"  # a known column nhacviec does not use (notes, budget, start date)

_NAMES: dict[str, str] = {}
for _key, _names in {
    "number": ("stt", "tt", "so tt", "so thu tu", "thu tu"),
    "title": (
        "noi dung", "nhiem vu", "nhiem vu cu the", "noi dung nhiem vu", "noi dung cong viec",
        "ten nhiem vu", "cong viec", "noi dung thuc hien", "nhiem vu giai phap",
    ),
    "product": (
        "san pham", "ket qua", "san pham dau ra", "ket qua dau ra", "hinh thuc san pham",
        "san pham ket qua",
    ),
    "lead": (
        "co quan chu tri", "don vi chu tri", "chu tri", "co quan thuc hien", "don vi thuc hien",
        "co quan chiu trach nhiem", "co quan don vi chu tri", "trach nhiem thuc hien",
    ),
    "support": ("co quan phoi hop", "don vi phoi hop", "phoi hop", "co quan don vi phoi hop"),
    "timing": (
        "thoi gian thuc hien", "thoi gian hoan thanh", "thoi han", "thoi gian", "tien do",
        "thoi han hoan thanh", "tien do thuc hien", "moc thoi gian",
    ),
    "group": ("nhiem vu chung", "nhom nhiem vu", "linh vuc"),
    IGNORED: (
        "ghi chu", "thoi gian bat dau", "kinh phi", "nguon kinh phi", "du toan",
        "kinh phi thuc hien",
    ),
}.items():
    for _name in _names:
        _NAMES[_name] = _key

_BY_LENGTH = sorted(_NAMES, key=len, reverse=True)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold_header(text: str) -> str:
    """Lower case, no accents, đ -> d, punctuation and line breaks as single spaces."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def match_header(text: str) -> str | None:
    """The column key a header names, ``IGNORED`` for known unused columns, None if unknown."""
    folded = fold_header(text)
    if not folded or len(folded) > 80:  # a header is a few words, not a paragraph
        return None
    if folded in _NAMES:
        return _NAMES[folded]
    for name in _BY_LENGTH:
        if folded.startswith(name + " "):
            return _NAMES[name]
    return None


def names_exactly(text: str) -> str | None:
    """The column key when `text` is a header name and nothing more ("Nội dung"), not a longer
    text that starts like one ("Nội dung rà soát ...")."""
    return _NAMES.get(fold_header(text))


def describe(keys: list[str] | tuple[str, ...] | set[str]) -> str:
    order = list(COLUMN_NAMES)
    return ", ".join(COLUMN_NAMES[k] for k in sorted(keys, key=order.index))
