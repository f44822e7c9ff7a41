"""Rough parts of a period: "Đầu năm 2026", "Giữa năm", "Cuối quý I/2026", "cuối tháng 6/2012".

The plan names a part of a period, not a day; the policy reads the part as follows, due on the
last working day of it, and marks the result approximate (``Timing.approximate``, ``"approximate":
true`` in the timing JSON) with a warning for a person to confirm:

| phrase        | part of the period                  | due: the last working day of ...   |
|---------------|-------------------------------------|------------------------------------|
| đầu năm Y     | its first quarter                   | quý I/Y (31/3)                     |
| giữa năm Y    | up to the middle of the year        | tháng 6/Y (30/6)                   |
| cuối năm Y    | its last quarter                    | năm Y (31/12)                      |
| đầu quý Q     | the quarter's first month           | that month                         |
| giữa quý Q    | the quarter's second month          | that month                         |
| cuối quý Q    | the quarter's last month            | quý Q                              |
| đầu tháng M   | days 1-10 (thượng tuần)             | on or before the 10th              |
| giữa tháng M  | days 11-20 (trung tuần)             | on or before the 20th              |
| cuối tháng M  | days 21 to the end (hạ tuần)        | tháng M                            |

Without a year, the plan's year. "Hết năm 2025" is not approximate (by the end of the year: a
period, `rules.periods`).
"""

from __future__ import annotations

import datetime as dt
import re

from core.formatting import vn_date
from rules.base import Example, ImpossibleDate, Rule, fixed, moved_note
from rules.calendar import month_end
from rules.periods import PREFIX
from rules.report_cycle import ROMAN
from rules.types import Context, Due, Timing

_PART = {"đầu": "đầu", "giữa": "giữa", "cuối": "cuối", "những tháng đầu": "đầu",
         "những tháng cuối": "cuối", "tháng cuối": "cuối"}


def _part(year: int, unit: str, n: int, part: str) -> tuple[dt.date, str]:
    """The last calendar day of the part, and how the policy reads it (Vietnamese)."""
    if unit == "năm":
        if part == "đầu":
            return dt.date(year, 3, 31), f"quý I/{year}"
        if part == "giữa":
            return dt.date(year, 6, 30), f"6 tháng đầu năm {year}"
        return dt.date(year, 12, 31), f"năm {year}"
    if unit == "quý":
        if not 1 <= n <= 4:
            raise ImpossibleDate(f"quý {n} không tồn tại")
        month = 3 * n - {"đầu": 2, "giữa": 1, "cuối": 0}[part]
        which = {"đầu": "tháng đầu", "giữa": "tháng giữa", "cuối": "tháng cuối"}[part]
        return month_end(year, month), f"{which} của quý {ROMAN[n]}/{year} (tháng {month:02d})"
    if not 1 <= n <= 12:
        raise ImpossibleDate(f"tháng {n} không tồn tại")
    if part == "đầu":
        return dt.date(year, n, 10), f"thượng tuần tháng {n:02d}/{year} (ngày 01–10)"
    if part == "giữa":
        return dt.date(year, n, 20), f"trung tuần tháng {n:02d}/{year} (ngày 11–20)"
    return month_end(year, n), f"tháng {n:02d}/{year} (hạ tuần: ngày 21 đến cuối tháng)"


class ApproximateRule(Rule):
    name = "approximate"
    requires = ("đầu", "giữa", "cuối")
    pattern = re.compile(
        rf"{PREFIX}(?P<part>những tháng đầu|những tháng cuối|tháng cuối|đầu|giữa|cuối) "
        r"(?:(?P<unit_y>năm)(?: (?P<y>\d{4}))?"
        r"|(?P<unit_q>quý) (?P<q>\d{1,2})(?:/(?P<qy>\d{4}))?"
        r"|(?P<unit_m>tháng) (?P<m>\d{1,2})(?:/(?P<my>\d{4}))?)"
    )
    examples = (
        Example("Cuối quý I/2026", "fixed", ("2026-03-31",), 2026,
                source="issue #19 (a real plan's timing cell)"),
        Example("Đầu năm 2026", "fixed", ("2026-03-31",), 2026,
                source="giadinh.suckhoedoisong.vn («hướng tới mục tiêu khánh thành đầu năm "
                       "2026»); cafef.vn «Những công trình trọng điểm cán đích đầu năm 2026»"),
        Example("Giữa năm", "fixed", ("2026-06-30",), 2026,
                source="issue #19 (a real plan's timing cell, no year: the plan's)"),
        Example("Cuối năm", "fixed", ("2025-12-31",), 2025,
                source="issue #19 (a real plan's timing cell, no year: the plan's)"),
        Example("Cuối năm 2025", "fixed", ("2025-12-31",), source="congan.com.vn"),
        Example("những tháng cuối năm 2025", "fixed", ("2025-12-31",),
                source="baolamdong.vn"),
        Example("dự kiến hoàn thành vào cuối tháng 6/2012", "fixed", ("2012-06-29",), 2012,
                source="baomoi.com/Thang-11-bat-dau-sua-chua-cau-Binh-Hai-Phong (30/06/2012 is "
                       "a Saturday)"),
        Example("Đầu tháng 3/2026", "fixed", ("2026-03-10",), 2026,
                source="the same family for a month (thượng tuần)"),
        Example("tổ chức vào giữa tháng 6/2020", "fixed", ("2020-06-19",), 2020,
                source="quangtri.gov.vn, KH 2519/KH-UBND («Dự kiến hội nghị được tổ chức vào "
                       "giữa tháng 6/2020»); 20/06/2020 is a Saturday"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        part = _PART[m.group("part")]
        if m.group("unit_y"):
            unit, n, year = "năm", 0, m.group("y")
        elif m.group("unit_q"):
            unit, n, year = "quý", int(m.group("q")), m.group("qy")
        else:
            unit, n, year = "tháng", int(m.group("m")), m.group("my")
        end, reading = _part(int(year) if year else ctx.year, unit, n, part)
        due = ctx.calendar.last_working_day_on_or_before(end)
        quoted = phrase.strip()
        warning = (f"Thời hạn «{quoted}» chỉ là ước lượng: hiểu là ngày làm việc cuối cùng của "
                   f"{reading}, tức {vn_date(due)}; cần người xác nhận.")
        return fixed(phrase, self.name, [Due(due, None)], lambda: (
            f"Ước lượng: «{quoted}» hiểu là đến hết {reading}; ngày làm việc cuối cùng "
            f"{vn_date(due)}{moved_note(ctx.calendar, end, due)}"),
            (warning,), approximate=True)
