"""Weeks of a month: "Tuần đầu tiên của tháng 3/2026", "tuần thứ hai của tháng 5", "tuần cuối
tháng 12".

The n-th week of a month is days 7(n-1)+1 to 7n of it (the first week: days 1-7; the last week:
its last seven days), not a Monday-to-Sunday week, which may hold only a day of the month. Due:
the last working day of those seven days (of the last working day before them when all seven
are days off). Marked approximate: the plan names a week, the policy reads its end.
"""

from __future__ import annotations

import datetime as dt
import re

from core.formatting import vn_date
from rules.base import Example, ImpossibleDate, Rule, fixed
from rules.calendar import month_end
from rules.periods import PREFIX
from rules.types import Context, Due, Timing

_ORDINAL = {"đầu tiên": 1, "đầu": 1, "thứ nhất": 1, "1": 1, "thứ 1": 1, "thứ hai": 2, "thứ 2": 2,
            "2": 2, "thứ ba": 3, "thứ 3": 3, "3": 3, "thứ tư": 4, "thứ 4": 4, "4": 4,
            "cuối": 0, "cuối cùng": 0}


class WeekOfMonthRule(Rule):
    name = "week_of_month"
    requires = ("tuần",)
    pattern = re.compile(
        rf"{PREFIX}(?:trong )?tuần (?P<which>{'|'.join(sorted(_ORDINAL, key=len, reverse=True))})"
        r" (?:của )?tháng (?P<m>\d{1,2})(?:/(?P<y>\d{4}))?"
    )
    examples = (
        Example("Tuần đầu tiên của tháng 3/2026", "fixed", ("2026-03-06",), 2026,
                source="issue #19 (a real plan's timing cell); 01/03/2026 is a Sunday, 07/03 a "
                       "Saturday"),
        Example("tuần cuối tháng 12", "fixed", ("2025-12-31",),
                source="the same family, the last week"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        n = _ORDINAL[m.group("which")]
        month, year = int(m.group("m")), int(m.group("y")) if m.group("y") else ctx.year
        if not 1 <= month <= 12:
            raise ImpossibleDate(f"tháng {month} không tồn tại")
        last = month_end(year, month)
        if n == 0:
            first, end, which = last - dt.timedelta(days=6), last, "tuần cuối"
        else:
            first, end = dt.date(year, month, 7 * n - 6), dt.date(year, month, 7 * n)
            which = f"tuần thứ {n}"
        due = ctx.calendar.last_working_day_on_or_before(end)
        span = f"ngày {first.day:02d}–{end.day:02d}/{month:02d}/{year}"
        quoted = phrase.strip()
        note = "" if due >= first else " (cả tuần là ngày nghỉ: ngày làm việc trước đó)"
        warning = (f"Thời hạn «{quoted}» chỉ là ước lượng: hiểu là {which} của tháng = {span}, "
                   f"hạn {vn_date(due)}; cần người xác nhận.")
        return fixed(phrase, self.name, [Due(due, None)], lambda: (
            f"Ước lượng: {which} của tháng {month:02d}/{year} là {span}; ngày làm việc cuối "
            f"cùng của tuần đó {vn_date(due)}{note}"), (warning,), approximate=True)
