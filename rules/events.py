"""After an event: "Tối đa 05 ngày làm việc (kể từ khi ...)", "Trong vòng 10 ngày kể từ ngày ...".

No due date until the event's date is recorded; then that many working days after it (calendar
days where the phrase does not say "làm việc"). The day of the event is not counted (Bộ luật Dân
sự 2015, Điều 147).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from rules.base import Example, Rule
from rules.calendar import WorkingCalendar
from rules.types import Context, Kind, Timing

_LINK = (r"(?:kể từ khi|kể từ ngày|kể từ|tính từ ngày|tính từ khi|từ khi|từ ngày|sau khi"
         r"|sau ngày|sau)")
_EVENT_TAIL = re.compile(rf"\(?\s*\b{_LINK}\b\s*(?P<event>.*?)\)?\s*$", re.IGNORECASE)


class EventRule(Rule):
    name = "event"
    requires = (' ngày',)
    pattern = re.compile(
        r"(?:(?:hoàn thành|thực hiện|báo cáo|gửi) )?"
        r"(?:tối đa|trong vòng|trong thời hạn|trong|chậm nhất|muộn nhất|không quá|sau)? ?"
        rf"(?P<n>\d{{1,3}}) ngày(?P<working> làm việc)?,? \(?{_LINK} (?P<event>.+?)\)?"
    )
    examples = (
        Example("Tối đa 05 ngày làm việc (kể từ khi UBND tỉnh công bố Quyết định ban hành danh "
                "mục thành phần hồ sơ số hóa)", "event", source="seed 196/KH-UBND"),
        Example("Trong vòng 10 ngày làm việc kể từ ngày nhận được văn bản", "event",
                source="contract"),
        Example("Chậm nhất 05 ngày làm việc sau khi được Hội đồng nhân dân cấp tỉnh phê chuẩn",
                "event", source="thuvienphapluat.vn"),
        Example("Trong vòng 30 ngày kể từ ngày Quyết định có hiệu lực", "event",
                source="common wording of UBND decisions"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        n = int(m.group("n"))
        unit = "working" if m.group("working") else "calendar"
        event = _event_text(phrase) or m.group("event")
        days = "ngày làm việc" if unit == "working" else "ngày (theo lịch)"
        return Timing(
            phrase, Kind.EVENT, (), f"{n:02d} {days} sau khi {event}: chờ ghi nhận ngày xảy ra "
            "sự kiện", self.name, event_offset=n, event_unit=unit, event_description=event,
        )


def _event_text(phrase: str) -> str | None:
    """The event as written (case kept), from the original phrase."""
    text = " ".join(unicodedata.normalize("NFC", phrase).split())
    m = _EVENT_TAIL.search(text)
    return m.group("event").strip(" .;)") if m and m.group("event").strip() else None


def event_due(event_day: dt.date, offset: int, unit: str | None,
              calendar: WorkingCalendar) -> dt.date:
    """The due date `offset` days after an event on `event_day`: working days, or calendar days
    when the plan says so (`unit == "calendar"`), a day off then moving to the next working day
    (Bộ luật Dân sự 2015, Điều 148 khoản 5)."""
    if unit == "calendar":
        return calendar.next_working_day(event_day + dt.timedelta(days=offset))
    return calendar.add_working_days(event_day, offset)


def due_after_event(timing: Timing, event_day: dt.date, ctx: Context) -> dt.date:
    """The due date of an event-relative task once its event happened on ``event_day``."""
    if timing.kind is not Kind.EVENT or timing.event_offset is None:
        raise ValueError("not an event-relative timing")
    return event_due(event_day, timing.event_offset, timing.event_unit, ctx.calendar)
