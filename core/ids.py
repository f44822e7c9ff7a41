"""Ids people type and chats send, checked before any database sees them.

Row ids are PostgreSQL `integer` columns, chat ids `bigint`. A number past their range is not
"not found" to the database but an error: a forged 20-digit id in a Telegram button payload
logged an integer-overflow traceback (PostgreSQL: NumericValueOutOfRange; SQLite: "Python int
too large to convert"). `str.isdigit` also accepts digits that `int()` refuses ("²").
"""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # PostgreSQL integer
MIN_CHAT_ID, MAX_CHAT_ID = -(2**63), 2**63 - 1  # PostgreSQL bigint


def row_id(text: str) -> int | None:
    """The row id `text` writes (ASCII digits, 1 to MAX_ROW_ID), else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None


def small_number(text: str, limit: int) -> int | None:
    """A count a person typed ("/upcoming 30"): ASCII digits, 0 to `limit`, else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limit)):
        return None
    value = int(text)
    return value if value <= limit else None
