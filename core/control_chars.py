"""Characters that change how text is shown without being text, removed from what people read.

A right-to-left override (U+202E) in a task title makes every email, Telegram message and table
that quotes it read backwards from there on ("gnạh" for "hạn"); isolates and embeddings do the
same more quietly, and C0/C1 control characters move the cursor, ring bells or end up as
garbage. None of them belongs in a plan, a name or a document number. Removed here:

- C0 controls except tab, line feed, carriage return, vertical tab and form feed (line and
  space breaks that the readers turn into newlines and spaces), DEL, and C1 controls except
  NEL (U+0085, a line break);
- the bidirectional formatting characters: LRM/RLM (U+200E/U+200F), ALM (U+061C), embeddings
  and overrides (U+202A-U+202E), isolates (U+2066-U+2069).
"""

from __future__ import annotations

import re

_KEPT = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85}
CONTROLS = frozenset(
    [c for c in range(0x20) if c not in _KEPT] + [0x7F]
    + [c for c in range(0x80, 0xA0) if c not in _KEPT]
    + [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_PATTERN = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(CONTROLS)) + "]")
_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def strip_controls(text: str) -> tuple[str, list[str]]:
    """`text` without them, and the code points removed ("U+202E"), in order, once each."""
    found = _PATTERN.findall(text)
    if not found:
        return text, []
    return _PATTERN.sub("", text), list(dict.fromkeys(f"U+{ord(c):04X}" for c in found))


def clean(text: str) -> str:
    return _PATTERN.sub("", text)


def describe(codes: list[str]) -> str:
    """What was removed, for a person: "ký tự đảo chiều chữ U+202E"."""
    bidi = [c for c in codes if int(c[2:], 16) in _BIDI]
    other = [c for c in codes if c not in bidi]
    parts = []
    if bidi:
        parts.append("ký tự đảo chiều chữ " + ", ".join(bidi))
    if other:
        parts.append("ký tự điều khiển " + ", ".join(other))
    return " và ".join(parts)
