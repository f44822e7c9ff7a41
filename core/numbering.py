"""Task numbers as plans write them: "4", "4.2", "4.2.1", with or without a trailing dot.

Shared by the text reader (is this line a new task or the rest of the one above?) and the
builder (parent, restarts). A number has at most 4 levels of 1-2 digits, so that "2025 ..." or
"14/5/2016 ..." at the start of a continued cell is not taken for a task number.
"""

from __future__ import annotations

import functools
import re

# "1.", "1.1", "1.1.", "4.2.1." followed by the title; "1)" is not a plan numbering style.
# A last level may be a letter: "1.a", "2.1.b" (a sub-item of task 1, of task 2.1).
_LEADING = re.compile(
    r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3}(?:\.[a-zđ](?=[.)\s]|$))?)(?:\.(?=\D|$)|(?<=[a-zđ])\)|(?=\s|$))"
    r"\s*(.*)$",
    re.S)
_ALONE = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3}(?:\.[a-zđ](?=[.)]?\s*$))?)[.)]?\s*$")
_ROMAN = re.compile(r"^\s*([IVXLC]{1,6})\.?\s*$")
# Group and sub-group headings: "III", "III.1", "III.1.2" (a Roman group and its sub-groups),
# "A", "B." (lettered parts).
_GROUP_CODE = re.compile(r"^\s*(?:([IVXLC]{1,6})((?:\.\d{1,2}){0,3})|([A-ZĐ]))\.?\s*$")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def split_number(text: str) -> tuple[str | None, str]:
    """("4.2.1", "Cập nhật ...") from "4.2.1. Cập nhật ..."; (None, text) without a number."""
    m = _LEADING.match(text or "")
    if not m:
        return None, (text or "").strip()
    return m.group(1), m.group(2).strip()


def parse_code(cell: str) -> str | None:
    """A code from an STT cell ("1", "1.1.", "2.1"); None for anything else."""
    m = _ALONE.match(cell or "")
    return m.group(1) if m else None


def is_roman(cell: str) -> bool:
    return bool(_ROMAN.match(cell or ""))


def group_code(cell: str) -> tuple[str, int] | None:
    """("III.1", 2) for a sub-group heading's number, ("II", 1) for a group's, ("A", 1) for a
    lettered part; None for anything else (a task number "1.2" included)."""
    m = _GROUP_CODE.match(cell or "")
    if not m:
        return None
    if m.group(3):
        return m.group(3), 1
    code = m.group(1) + (m.group(2) or "")
    return code, code.count(".") + 1


def parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def parts(code: str) -> tuple[int, ...]:
    """The levels of a code as numbers ("1.a" -> (1, 1): a letter counts from a)."""
    return tuple(int(p) if p.isdigit() else ord(p[:1]) - ord("a") + 1 for p in code.split("."))


def plausible_next(prev: str | None, code: str, *, max_step: int = 3) -> bool:
    """Could `code` follow `prev` in a plan? A first child ("4.2" -> "4.2.1"), a later sibling
    of `prev` or of one of its ancestors (a step of at most `max_step`), or a restart at "1"."""
    new = parts(code)
    if prev is None or new == (1,):
        return True
    old = parts(prev)
    if new == (*old, 1):
        return True
    for depth in range(1, len(old) + 1):
        if len(new) == depth and new[:-1] == old[:depth - 1]:
            step = new[-1] - old[depth - 1]
            if 1 <= step <= max_step:
                return True
    return False


def sort_key(code: str | None) -> tuple:
    """Reading order of task numbers: "1.10" after "1.9" (numeric parts as numbers); a part
    that is not a number comes after the numbers of its level ("2a" after "2", "I" after
    "10"), by text;
    no number first. The one order of every list (messages, the bot, the status table)."""
    if not code:
        return ()
    return tuple(_part_key(p) for p in code.split("."))


# A plan has a few hundred codes; sorts ask for them often.
code_key = functools.lru_cache(maxsize=8192)(sort_key)

_PART = re.compile(r"(\d*)(.*)", re.S)


def _part_key(part: str) -> tuple[int, int, str]:
    digits, rest = _PART.match(part).groups()
    return (0, int(digits), rest) if digits else (1, 0, rest)
