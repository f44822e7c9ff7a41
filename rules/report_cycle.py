"""The reporting regime: which periods are reported, by which day, with which data cut-off.

Nghị định 09/2019/NĐ-CP Art. 12 and the Ministry of Home Affairs' CCHC guidance: data is cut off
from the 15th of the month before the period to the 14th of the period's last month; each province
sets its sending day (the seed plan: "chậm nhất vào ngày 18 của tháng cuối kỳ báo cáo"). The day
is an input, never a constant of the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.calendar import WorkingCalendar, month_end

ROMAN = ("", "I", "II", "III", "IV")

# How often a periodic task or report recurs, as the last months of its periods ("cycle", the
# plan's own report periods, comes from the cycle itself).
FREQUENCY_MONTHS: dict[str, tuple[int, ...]] = {
    "month": tuple(range(1, 13)),
    "quarter": (3, 6, 9, 12),
    "half": (6, 12),
    "nine_months": (9,),
    "year": (12,),
}


@dataclass(frozen=True)
class PeriodSpec:
    """A reported period of the year: its name and its first and last month."""

    name: str
    first_month: int
    last_month: int


# "Báo cáo định kỳ quý, 6 tháng và năm": Quý I, 6 tháng, Quý III, Năm.
DEFAULT_PERIODS = (
    PeriodSpec("Quý I", 1, 3),
    PeriodSpec("6 tháng", 1, 6),
    PeriodSpec("Quý III", 7, 9),
    PeriodSpec("Năm", 1, 12),
)


@dataclass(frozen=True)
class ReportPeriod:
    name: str
    year: int
    cutoff_from: dt.date
    cutoff_to: dt.date
    deadline: dt.date  # the report day as the plan states it
    due: dt.date  # the deadline moved to the next working day when it is not one


@dataclass(frozen=True)
class ReportCycle:
    """The day periodic tasks fall on: ``day`` of the last month of each period (contract
    section 1: the plan's report day, the 18th unless the plan states another); with ``before``
    ("trước ngày 20 của tháng cuối quý"), the last working day strictly before that day."""

    day: int = 18
    periods: tuple[PeriodSpec, ...] = DEFAULT_PERIODS
    cutoff_from_day: int = 15
    cutoff_to_day: int = 14
    before: bool = False
    # Reports the plan dates within the year ("trước ngày 30 tháng 11 hằng năm"): (frequency,
    # month, day, before, next_year). A periodic task of that frequency ("Hằng năm") falls on
    # the plan's own report deadline, not on ``day`` of the period's last month.
    dated: tuple[tuple[str, int, int, bool, bool], ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError(f"ngày báo cáo {self.day} không hợp lệ (1-31)")

    def report_periods(self, year: int, calendar: WorkingCalendar) -> list[ReportPeriod]:
        out = []
        for spec in self.periods:
            if spec.first_month == 1:
                start = dt.date(year - 1, 12, self.cutoff_from_day)
            else:
                start = dt.date(year, spec.first_month - 1, self.cutoff_from_day)
            end = dt.date(year, spec.last_month, self.cutoff_to_day)
            deadline = _clamp_day(year, spec.last_month, self.day)
            due = (calendar.previous_working_day(deadline) if self.before
                   else calendar.next_working_day(deadline))
            out.append(ReportPeriod(spec.name, year, start, end, deadline, due))
        return out

    def frequency_dates(
        self, frequency: str, year: int, calendar: WorkingCalendar, *, day: int | None = None,
        before: bool = False,
    ) -> list[tuple[dt.date, str]]:
        """Due dates of a recurring obligation within ``year``: ``day`` (the cycle's report day
        unless given, 1-31; a day past a month's end is its last day) of the last month of each
        period ("cycle": the plan's own report periods), moved to the next working day; with
        ``before``, the last working day strictly before that day ("trước ngày 15 hàng tháng");
        without ``day``, the cycle's own day and ``before``."""
        if day is None:
            for freq, month, d, b, next_year in self.dated:
                if freq == frequency:
                    move = calendar.previous_working_day if b else calendar.next_working_day
                    y = year + (1 if next_year else 0)
                    return [(move(_clamp_day(y, month, d)), period_label(frequency, 12, year))]
            day, before = self.day, self.before
        move = calendar.previous_working_day if before else calendar.next_working_day
        if frequency == "cycle":  # the plan's own report periods, by their names
            months = [(s.last_month, f"{s.name}/{year}") for s in self.periods]
        else:
            months = [(m, period_label(frequency, m, year)) for m in FREQUENCY_MONTHS[frequency]]
        return [(move(_clamp_day(year, month, day)), label) for month, label in months]


def _clamp_day(year: int, month: int, day: int) -> dt.date:
    if day <= 28:
        return dt.date(year, month, day)
    return min(dt.date(year, month, 1) + dt.timedelta(days=day - 1), month_end(year, month))


def period_label(frequency: str, last_month: int, year: int) -> str:
    if frequency == "month":
        return f"Tháng {last_month:02d}/{year}"
    if frequency == "quarter":
        return f"Quý {ROMAN[last_month // 3]}/{year}"
    if frequency == "half":
        return f"6 tháng {'đầu' if last_month == 6 else 'cuối'} năm {year}"
    if frequency == "nine_months":
        return f"9 tháng năm {year}"
    return f"Năm {year}"
