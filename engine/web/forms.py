"""Reading what forms and query strings say: dates, ids; a clear Vietnamese error otherwise."""

from __future__ import annotations

import datetime as dt

from core.formatting import parse_date


def parse_day(text: str | None, what: str = "ngày") -> dt.date | None:
    """2025-03-11 (the date input's form) or 11/03/2025; blank: None."""
    if text is None or not text.strip():
        return None
    return parse_date(text, what)
