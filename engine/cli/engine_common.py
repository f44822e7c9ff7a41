"""Helpers shared by the engine's commands: dates, the clock (read here, at the boundary), the
runtime, Vietnamese names of kinds and statuses."""

from __future__ import annotations

import datetime as dt
import re

from core.errors import InputError
from engine.service.runtime import Runtime
from engine.settings import Settings

KIND_VI = {
    "agency_digest": "tin nhắc việc gửi cơ quan", "monitor_list": "danh sách gửi Sở Nội vụ",
    "steering_digest": "bản tổng hợp gửi Ban Chỉ đạo", "explanation_request": "yêu cầu giải trình",
}
TASK_KIND_VI = {
    "fixed": "có hạn", "periodic": "định kỳ", "ongoing": "thường xuyên",
    "event": "theo sự kiện", "reference": "theo văn bản khác", "unknown": "chưa xác định",
}
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str | None, what: str = "ngày") -> dt.date | None:
    """2025-03-11 or 11/03/2025."""
    if text is None:
        return None
    text = text.strip()
    m = _VN_DATE.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what} «{text}» không hợp lệ (dạng 2025-03-11 hoặc 11/03/2025)"
                         ) from None


def parse_instant(text: str, tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """An ISO date-time; without a zone it is local time (Asia/Ho_Chi_Minh)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"thời điểm «{text}» không hợp lệ (dạng 2025-03-11T08:00:00+07:00)"
                         ) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def now(tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """The one place the engine's commands read the clock."""
    return dt.datetime.now(tz)


def today(rt: Runtime) -> dt.date:
    return now(rt.policy.tz).date()


def runtime() -> Runtime:
    return Runtime.from_settings(Settings())


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


