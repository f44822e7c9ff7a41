"""Telegram message text: HTML escaping, splitting under the 4096 limit, buttons' data.

Telegram's HTML parse mode knows a few tags and the entities &lt; &gt; &amp; &quot; (and numeric
ones); anything else in a text (a task title with "<" or "&") must be escaped or the whole
message is refused. Templates do the escaping (autoescape); this module cuts what they render.

Splitting: a message is at most 4096 characters (UTF-16 code units) after its markup is parsed;
the markup is counted here too, so every part is safely under. Parts end at line boundaries;
templates keep each tag within one line, so a cut there never breaks markup. A single line longer
than the limit (a huge title) is cut between words, its open tags closed at the end of one part
and opened again at the start of the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from markupsafe import Markup, escape

from core.ids import row_id
from notifiers.render import render as _render

MAX_MESSAGE = 4096

_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]")
_OPEN_TAG = re.compile(r"<([a-z-]+)[^<>]*>")
_CLOSE_TAG = re.compile(r"</([a-z-]+)\s*>")


def u16len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def html(text: object) -> str:
    """Escape for Telegram HTML (for text built outside templates)."""
    return str(escape(str(text)))


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut `text` into parts of at most `limit` units, at line boundaries."""
    text = text.strip("\n")
    if u16len(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _split_line(line, limit) if u16len(line) > limit else [line]:
            extra = u16len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                extra = u16len(piece)
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current))
    # A part of blank lines only (between two cuts) says nothing: drop it.
    return [p.strip("\n") for p in parts if p.strip()]


def _split_line(line: str, limit: int) -> list[str]:
    out: list[str] = []
    tokens = _TOKEN.findall(line)
    stack: list[tuple[str, str]] = []  # (name, opening tag) of tags open at this point
    buf: list[str] = []
    size = 0

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    def flush() -> None:
        nonlocal buf, size
        out.append("".join(buf) + closing())
        buf = [tag for _, tag in stack]
        size = sum(u16len(t) for t in buf)

    for tok in tokens:
        pieces = [tok]
        if u16len(tok) > limit // 2:  # a "word" longer than a part: cut it anywhere
            step = limit // 4
            pieces = [tok[i:i + step] for i in range(0, len(tok), step)]
        for piece in pieces:
            reserve = u16len(closing()) + 16  # room to close what is open
            if buf and size + u16len(piece) + reserve > limit and "".join(buf).strip():
                flush()
            if m := _CLOSE_TAG.fullmatch(piece):
                if stack and stack[-1][0] == m.group(1):
                    stack.pop()
            elif m := _OPEN_TAG.fullmatch(piece):
                stack.append((m.group(1), piece))
            buf.append(piece)
            size += u16len(piece)
    if buf and "".join(buf).strip():
        out.append("".join(buf) + closing())
    return out


# --- inline buttons' callback data (at most 64 bytes) ---------------------------------------
DONE_ASK = "dn"  # reminder button "Đã hoàn thành": ask to confirm
SNOOZE = "sz"  # reminder button "Nhắc lại ngày mai"
CONFIRM = "ok"  # confirm a completion (carries the document number, if any)
CANCEL = "no"  # cancel it
MAX_CALLBACK_DATA = 64


@dataclass(frozen=True)
class ButtonData:
    action: str
    deadline_id: int
    document_no: str | None = None

    def encode(self) -> str:
        out = f"{self.action}:{self.deadline_id}"
        if self.document_no:
            out += f":{self.document_no}"
        return out

    @classmethod
    def decode(cls, data: str | None) -> ButtonData | None:
        action, _, rest = (data or "").partition(":")
        number, _, doc = rest.partition(":")
        deadline = row_id(number)  # a forged payload may say anything
        if action not in (DONE_ASK, SNOOZE, CONFIRM, CANCEL) or deadline is None:
            return None
        return cls(action, deadline, doc or None)


def fits_callback(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_CALLBACK_DATA


# --- templates ---------------------------------------------------------------------------------
def render(template: str, **ctx: Any) -> str:
    """Render through the project's one Jinja2 Environment. Text values are escaped here as
    well (as Markup, so autoescape does not escape them twice): a task title with "<" or "&"
    can never break Telegram's HTML, whatever the Environment's autoescape rule for `.j2`."""
    return _render(template, **{k: _escaped(v) for k, v in ctx.items()})


def _escaped(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _escaped(getattr(value, f.name)) for f in fields(value)}
    return value
