"""A dash between two periods: "Quý IV/2025 - Quý II/2026", "Tháng 10 - 12/2026".

A range, not a list: one deadline, the last working day of the second period (as the contract's
"Từ tháng 3 đến tháng 6/2026"). A list is written with a dash before every item, the first one
included ("- Tháng 02/2025 - Tháng 12/2025", paired with "- Kế hoạch - Báo cáo kết quả"): that
shape never reaches this rule (the pattern has no leading dash) and stays a list of periods.
Three or more dashed periods without a leading dash are read as a list too (a range has two
ends).

Years: the second period without a year takes the plan's year; the first period without a year
takes the second's (the year before when it would otherwise start after the end: "Tháng 10 -
02/2026" is October 2025 to February 2026; only the end decides the due date). A range whose
first period, year written, starts after its end is not understood.
"""

from __future__ import annotations

import datetime as dt
import re

from rules.base import Example, ImpossibleDate, Rule, fixed, moved_note, unknown
from rules.calendar import month_end
from rules.periods import PREFIX
from rules.report_cycle import ROMAN
from rules.types import Context, Due, Timing

_A = r"(?P<at>tháng|quý) (?P<an>\d{1,2})(?:/(?P<ay>\d{4}))?"
_B = r"(?:(?P<bt>tháng|quý) )?(?P<bn>\d{1,2})(?:/(?P<by>\d{4}))?"


def _span(kind: str, n: int, year: int) -> tuple[dt.date, dt.date, str]:
    if kind == "tháng":
        if not 1 <= n <= 12:
            raise ImpossibleDate(f"tháng {n} không tồn tại")
        return dt.date(year, n, 1), month_end(year, n), f"tháng {n:02d}/{year}"
    if not 1 <= n <= 4:
        raise ImpossibleDate(f"quý {n} không tồn tại")
    return dt.date(year, 3 * n - 2, 1), month_end(year, 3 * n), f"quý {ROMAN[n]}/{year}"


class DashRangeRule(Rule):
    name = "dash_range"
    requires = ("-",)
    pattern = re.compile(rf"{PREFIX}(?:từ )?{_A} ?- ?{_B}")
    examples = (
        Example("Quý IV/2025 - Quý II/2026", "fixed", ("2026-06-30",), 2025,
                source="issue #19 (a province's technology roadmap to 2035)"),
        Example("Tháng 10 - 12/2026", "fixed", ("2026-12-31",), 2026,
                source="issue #19 (a city's infrastructure plan to 2030)"),
        Example("Quý I - Quý II/2026", "fixed", ("2026-06-30",), 2026,
                source="the same family, quarters without the first year"),
        Example("Tháng 10 - 02/2026", "fixed", ("2026-02-27",), 2026,
                source="the same family across a new year (October 2025 to February 2026)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        a_kind, b_kind = m.group("at"), m.group("bt") or m.group("at")
        end_year = int(m.group("by")) if m.group("by") else ctx.year
        _, end, end_label = _span(b_kind, int(m.group("bn")), end_year)
        if m.group("ay"):
            start, _, _ = _span(a_kind, int(m.group("an")), int(m.group("ay")))
            if start > end:
                return unknown(phrase, "khoảng thời gian kết thúc trước khi bắt đầu", self.name)
        else:
            start, _, _ = _span(a_kind, int(m.group("an")), end_year)
            if start > end:  # "Tháng 10 - 02/2026": from October of the year before
                start, _, _ = _span(a_kind, int(m.group("an")), end_year - 1)
        due = ctx.calendar.last_working_day_on_or_before(end)
        return fixed(phrase, self.name, [Due(due, None)], lambda: (
            f"Khoảng thời gian (dấu gạch nối giữa hai kỳ là một khoảng, không phải danh sách): "
            f"ngày làm việc cuối cùng của {end_label}{moved_note(ctx.calendar, end, due)}"))
