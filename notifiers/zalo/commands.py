"""What a chat wrote, as a command: the slash commands of the Telegram bot, and Vietnamese words
for people who type rather than remember commands ("việc của tôi", "quá hạn", "xong 1.1" ...),
with or without accents. Zalo has no buttons: a completion is confirmed by answering "CÓ".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

COMMANDS = ("mytasks", "overdue", "upcoming", "task", "done", "report", "help", "link",
            "start")
# Vietnamese words for each command; matched on the text without accents, in lower case.
WORDS = {
    "mytasks": ("viec cua toi", "nhiem vu cua toi", "viec dang mo", "danh sach viec"),
    "overdue": ("qua han", "viec qua han", "nhiem vu qua han"),
    "upcoming": ("sap toi", "sap den han", "viec sap toi", "sap han"),
    "task": ("nhiem vu", "chi tiet", "xem nhiem vu"),
    "done": ("xong", "hoan thanh", "da xong", "bao xong", "da hoan thanh"),
    "report": ("bao cao", "ky bao cao"),
    "help": ("tro giup", "huong dan", "giup do", "giup", "menu"),
    "link": ("lien ket", "ma lien ket"),
}
YES = ("co", "dong y", "xac nhan", "yes", "ok", "ừ", "u")
NO = ("khong", "huy", "thoi", "no")
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """Lower case, no accents (đ as d), one space between words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip().lower()


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS, or "yes" / "no" (an answer to a pending confirmation)
    args: tuple[str, ...] = ()


_BY_WORDS = sorted(((w, name) for name, ws in WORDS.items() for w in ws),
                   key=lambda p: -len(p[0]))


def parse(text: str) -> Command | None:
    """The command `text` is, or None (ordinary chat: the bot points to the commands)."""
    text = unicodedata.normalize("NFC", (text or "").strip())
    if not text:
        return None
    if text.startswith("/"):
        head, *rest = text[1:].split() or [""]
        name = head.split("@")[0].lower()
        return Command(name, tuple(rest)) if name else None
    words = text.split()
    flat = plain(text)
    first = plain(words[0]) if words else ""
    if flat in YES or (first in ("co", "yes", "ok") and len(words) == 2 and words[1].isdigit()):
        return Command("yes", tuple(words[1:]))
    if flat in NO:
        return Command("no")
    for phrase, name in _BY_WORDS:
        if flat == phrase or flat.startswith(phrase + " "):
            n = len(phrase.split())
            return Command(name, tuple(words[n:]))
    return None
