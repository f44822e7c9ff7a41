"""The project's one Jinja2 Environment, and the Vietnamese filters every template uses.

Templates live in the top-level ``templates`` package (``templates/email/*``,
``templates/telegram/*``) and are always loaded by name, never built from strings.

Escaping is on by default: everything is autoescaped for HTML (email HTML parts and Telegram's
HTML parse mode) except templates whose name says plain text (``*.txt.j2``, ``*.txt``), where an
entity like ``&amp;`` would show up literally. ``StrictUndefined`` turns a misspelt variable into
an error instead of an empty string in a letter to an agency.

Output is NFC: plan text comes from PDFs and Word files where a Vietnamese letter may be spelt as
a base letter plus combining marks; mail clients and Telegram search treat the two spellings
differently, so every rendered text is normalised once here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
UNKNOWN_DATE = "chưa xác định"

# Engine status codes (issue 4, "Status") and how officials name them.
STATUS_NAMES = {
    "not_due": "chưa đến hạn",
    "due_soon": "sắp đến hạn",
    "due_today": "đến hạn hôm nay",
    "overdue": "quá hạn",
    "late": "quá hạn",
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành quá hạn",
    "waiting_event": "chờ sự kiện",
    "needs_due": "cần xác định thời hạn",
}
# The order statuses are shown in (tables, charts): from the worst to the best.
STATUS_ORDER = (
    "overdue", "due_today", "due_soon", "not_due", "waiting_event", "needs_due",
    "done_late", "done_on_time",
)
ROLE_NAMES = {"lead": "chủ trì", "support": "phối hợp"}


def templates_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("templates")))


def vn_date(day: dt.date | None) -> str:
    """17/01/2025 (dd/mm/yyyy, as Vietnamese official documents write dates)."""
    if day is None:
        return UNKNOWN_DATE
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def vn_weekday(day: dt.date | None) -> str:
    return WEEKDAYS[day.weekday()] if day is not None else ""


def vn_long_date(day: dt.date | None) -> str:
    """Thứ Sáu, 17/01/2025."""
    return f"{vn_weekday(day)}, {vn_date(day)}" if day is not None else UNKNOWN_DATE


def vn_datetime(moment: dt.datetime | None) -> str:
    """08:00 ngày 17/01/2025."""
    if moment is None:
        return UNKNOWN_DATE
    return f"{moment.hour:02d}:{moment.minute:02d} ngày {vn_date(moment)}"


def vn_int(n: int) -> str:
    """1.000 (Vietnamese writing groups thousands with a dot)."""
    return f"{n:,}".replace(",", ".")


def status_name(status: str | None) -> str:
    return STATUS_NAMES.get(status or "", status or "")


def role_name(role: str | None) -> str:
    return ROLE_NAMES.get(role or "", role or "")


def is_web_address(url: str | None) -> bool:
    """Only http(s) addresses become links (a ``javascript:`` one from a config file must not)."""
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        # Escape unless the name says plain text; unknown extensions (.j2) escape too.
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        # Templates ship with the code: no stat() per render to look for edits.
        auto_reload=False,
        cache_size=-1,
    )
    env.filters.update(
        vn_date=vn_date,
        vn_weekday=vn_weekday,
        vn_long_date=vn_long_date,
        vn_datetime=vn_datetime,
        vn_int=vn_int,
        status_name=status_name,
        role_name=role_name,
    )
    env.tests["web_address"] = is_web_address
    env.globals.update(STATUS_ORDER=STATUS_ORDER)
    return env


def nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def render(template_name: str, **ctx: Any) -> str:
    """Render one template of the ``templates`` package; the result is NFC."""
    return nfc(environment().get_template(template_name).render(**ctx))
