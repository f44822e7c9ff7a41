"""Plain text for Zalo: cut under the 2,000-character limit at line boundaries, parts numbered.

Zalo's `sendMessage` takes 1 to 2,000 characters of plain text (no markup). A text longer than
that is cut between lines; a single line longer than a part (a huge title) between words, and a
"word" longer than a part anywhere. When a message takes several parts, each opens with its
number, "(1/3)", so a reader whose phone shows them apart knows one is missing; the number is
counted in the limit.
"""

from __future__ import annotations

import re

MAX_MESSAGE = 2000
_NUMBER_ROOM = len("(99/99) ")
_WORDS = re.compile(r"\S+\s*|\s+")


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The parts of `text`, each at most `limit` characters, numbered when more than one."""
    text = text.strip("\n")
    if not text.strip():
        return []
    if len(text) <= limit:
        return [text]
    parts = _cut(text, limit - _NUMBER_ROOM)
    n = len(parts)
    return [f"({i}/{n}) {p}" for i, p in enumerate(parts, 1)]


def _cut(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _split_line(line, limit) if len(line) > limit else [line]:
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size, extra = [], 0, len(piece)
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current))
    return [p.strip("\n") for p in parts if p.strip()]  # no part of blank lines only


def _split_line(line: str, limit: int) -> list[str]:
    out: list[str] = []
    buf = ""
    for word in _WORDS.findall(line):
        pieces = [word[i:i + limit] for i in range(0, len(word), limit)] \
            if len(word) > limit else [word]
        for piece in pieces:
            if buf and len(buf) + len(piece) > limit:
                out.append(buf.rstrip())
                buf = ""
            buf += piece
    if buf.strip():
        out.append(buf.rstrip())
    return out
