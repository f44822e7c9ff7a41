"""Helpers shared by the engine's commands: dates, the clock (read here, at the boundary), the
runtime, Vietnamese names of kinds and statuses."""

from __future__ import annotations

import datetime as dt
import os

from core.errors import InputError
from core.formatting import parse_date  # noqa: F401 - the commands' date parser
from core.vocabulary import MessageKind, TaskKind, names
from engine.service.runtime import Runtime
from engine.settings import Settings

KIND_VI = names(MessageKind)
TASK_KIND_VI = names(TaskKind)


def parse_instant(text: str, tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """An ISO date-time; without a zone it is local time (Asia/Ho_Chi_Minh)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"thời điểm «{text}» không hợp lệ (dạng 2025-03-11T08:00:00+07:00)"
                         ) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def now(tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """The one place the engine's commands read the clock. NHACVIEC_CLOCK (an ISO date-time,
    local time without a zone) sets it for a trial run: what tomorrow morning would bring."""
    fixed = os.environ.get("NHACVIEC_CLOCK", "").strip()
    if fixed:
        return parse_instant(fixed, tz).astimezone(tz)
    return dt.datetime.now(tz)


def today(rt: Runtime) -> dt.date:
    return now(rt.policy.tz).date()


def runtime() -> Runtime:
    return Runtime.from_settings(Settings())


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


