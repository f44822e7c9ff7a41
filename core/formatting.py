"""How dates, numbers and the vocabulary are written for a Vietnamese reader: one set of
formatters for the CLI, the templates (``notifiers.render`` registers them as filters), the bots
and the rules' explanations."""

from __future__ import annotations

import datetime as dt
import re

from core.errors import InputError
from core.vocabulary import Role, Status

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
UNKNOWN_DATE = "chưa xác định"


def vn_date(day: dt.date | None, missing: str = UNKNOWN_DATE) -> str:
    """17/01/2025 (dd/mm/yyyy, as Vietnamese official documents write dates); `missing` for
    no date. f-strings: 3x faster than strftime, and this runs per line of every message."""
    if day is None:
        return missing
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def vn_day_month(day: dt.date) -> str:
    """17/01 (a day of a year the reader knows)."""
    return f"{day.day:02d}/{day.month:02d}"


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
    """``"overdue"`` -> ``"quá hạn"``; an unknown value is shown as it is."""
    return Status(status).vi if status in _STATUSES else (status or "")


def role_name(role: str | None) -> str:
    """``"lead"`` -> ``"chủ trì"``; an unknown value is shown as it is."""
    return Role(role).vi if role in _ROLES else (role or "")


_STATUSES = frozenset(Status)
_ROLES = frozenset(Role)


_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str | None, what: str = "ngày") -> dt.date | None:
    """A date a person typed: 2025-03-11 or 11/03/2025 (None for None). A date of the right
    form that no calendar has (31/02/2026, month 13) is said not to exist, not to be
    mis-written."""
    if text is None:
        return None
    text = text.strip()
    m = _VN_DATE.match(text)
    iso = None if m else _ISO_DATE.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        if m or iso:
            day, month, year = ((m.group(1), m.group(2), m.group(3)) if m else
                                (iso.group(3), iso.group(2), iso.group(1)))  # type: ignore[union-attr]
            if not 1 <= int(month) <= 12:
                raise InputError(f"{what} «{text}» không tồn tại: không có tháng {int(month)}"
                                 ) from None
            raise InputError(f"{what} «{text}» không tồn tại: tháng {int(month)}/{year} không "
                             f"có ngày {int(day)}") from None
        raise InputError(f"{what} «{text}» không hợp lệ (dạng 2025-03-11 hoặc 11/03/2025)"
                         ) from None


# A deadline's label is either the product the plan pairs with it ("Kế hoạch", "Báo cáo kết
# quả") or the period its phrase named ("Năm 2025", "Tháng 01/2025", "Quý I/2025").
_PERIOD_LABEL = re.compile(
    r"^(?:trong |hết |cuối |đầu |giữa )?(?:tháng|quý|quí|năm|\d+ tháng|\d{4}\b|\d{1,2}/\d{1,2}"
    r"|ngày|trước|chậm nhất|từ|hằng|hàng|định kỳ|giai đoạn|tuần)", re.IGNORECASE)


def label_is_period(label: str | None) -> bool:
    """True for a label naming a period or a date ("Năm 2025"), False for a product."""
    return bool(label) and bool(_PERIOD_LABEL.match(label.strip()))  # type: ignore[union-attr]


def product_of(label: str | None, product: str | None) -> str | None:
    """What a deadline delivers: the product its label names when the plan pairs them, else
    the task's product; never a period label."""
    if label and not label_is_period(label):
        return label
    return product


def shorten(text: str | None, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word with "…" when it is longer."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut else cut
    # A first word longer than the room is cut inside it rather than leaving nothing.
    return (at_word if len(at_word) >= limit // 2 else cut).rstrip(" ,;:.-–") + "…"
