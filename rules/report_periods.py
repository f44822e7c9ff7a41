"""The report periods of a stated cycle (`rules.report_reader`), year by year: which periods,
their deadlines moved to working days, and their data cut-off windows (the plan's own, or those
of Nghị định 09/2019/NĐ-CP when the plan cites it, or none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.calendar import WorkingCalendar, month_end
from rules.normalize import normalize
from rules.report_cycle import ROMAN
from rules.report_reader import Deadline, StatedCycle, StatedWindow


@dataclass(frozen=True)
class Period:
    name: str  # "Quý I", "6 tháng", "Năm", "Tháng 01"
    frequency: str
    first_month: int
    last_month: int


@dataclass(frozen=True)
class StatedPeriod:
    name: str
    year: int
    cutoff_from: dt.date | None
    cutoff_to: dt.date | None
    deadline: dt.date  # as the plan states it
    due: dt.date  # moved to a working day


_ALL: dict[str, list[Period]] = {
    "month": [Period(f"Tháng {m:02d}", "month", m, m) for m in range(1, 13)],
    "quarter": [Period(f"Quý {ROMAN[q]}", "quarter", 3 * q - 2, 3 * q) for q in range(1, 5)],
    "half": [Period("6 tháng", "half", 1, 6)],
    "nine_months": [Period("9 tháng", "nine_months", 1, 9)],
    "year": [Period("Năm", "year", 1, 12)],
}


def periods_of(frequencies: list[str]) -> list[Period]:
    """The periods of a year for these frequencies, in order of their last month; a shorter
    period ending with a longer one gives way to it (quý II -> 6 tháng, quý IV -> năm)."""
    by_end: dict[int, Period] = {}
    for f in frequencies:
        for p in _ALL.get(f, []):
            old = by_end.get(p.last_month)
            if old is None or p.last_month - p.first_month > old.last_month - old.first_month:
                by_end[p.last_month] = p
    return [by_end[k] for k in sorted(by_end)]


def _fold(name: str) -> str:
    name = normalize(name).removeprefix("báo cáo ").strip()
    return {"6 tháng đầu năm": "6 tháng", "sáu tháng": "6 tháng", "năm": "năm"}.get(name, name)


def decree_window(first_month: int, last_month: int, year: int) -> tuple[dt.date, dt.date]:
    """NĐ 09/2019/NĐ-CP Điều 12: from the 15th of the month before the period to the 14th of
    its last month."""
    start = dt.date(year - 1, 12, 15) if first_month == 1 else dt.date(year, first_month - 1, 15)
    return start, dt.date(year, last_month, 14)


def stated_periods(cycle: StatedCycle, years: list[int], calendar: WorkingCalendar, *,
                   not_before: dt.date | None = None) -> tuple[list[StatedPeriod], list[str]]:
    """The report periods the plan states, for each of ``years`` (named with the year when
    there are several), and warnings: frequencies without a deadline, reports due before the
    plan's date (dropped)."""
    warnings: list[str] = []
    periods = periods_of(cycle.frequencies)
    if not periods and cycle.stated_windows:  # the windows alone name the periods
        periods = [_from_window(w) for w in cycle.stated_windows]
    stated = {_fold(w.name): w for w in cycle.stated_windows}
    explicit = {d.year for d in cycle.deadlines.values() if d.year}
    if explicit:
        years = sorted(explicit)
    out: list[StatedPeriod] = []
    missing: list[str] = []
    dropped: list[str] = []
    for year in years:
        for p in periods:
            dl = cycle.deadlines.get(p.frequency) or cycle.deadlines.get("*")
            if dl is None:
                missing.append(p.name)
                continue
            if dl.year is not None and dl.year != year:
                continue
            deadline = _deadline(dl, p, year)
            due = calendar.previous_working_day(deadline) if dl.before else \
                calendar.next_working_day(deadline)
            name = p.name if len(years) == 1 else f"{p.name}/{year}"
            start = end = None
            w = stated.get(_fold(p.name))
            if w is not None:
                shift = year - w.end.year
                start, end = _shift(w.start, shift), _shift(w.end, shift)
            elif cycle.windows is not None and not cycle.stated_windows:
                start, end = decree_window(p.first_month, p.last_month, year)
            if not_before is not None and due < not_before:
                dropped.append(name)
                continue
            out.append(StatedPeriod(name, year, start, end, deadline, due))
    if not periods and cycle.deadlines:
        warnings.append("Kế hoạch nêu hạn gửi báo cáo («"
                        + "», «".join(d.text for d in cycle.deadlines.values())
                        + "») nhưng không nêu kỳ báo cáo nào: chưa lập kỳ báo cáo; cần người "
                        "bổ sung.")
    if missing:
        names = ", ".join(dict.fromkeys(missing))
        warnings.append(f"Kế hoạch yêu cầu báo cáo định kỳ ({names}) nhưng không nêu hạn gửi: "
                        "chưa lập các kỳ báo cáo này; cần người đặt hạn (report_cycle trong tệp "
                        "rà soát).")
    if dropped:
        warnings.append(f"Bỏ {len(dropped)} kỳ báo cáo có hạn trước ngày ban hành kế hoạch "
                        f"({not_before:%d/%m/%Y}): {', '.join(dropped)}.")
    return out, warnings


def _from_window(w: StatedWindow) -> Period:
    months = (w.end.year - w.start.year) * 12 + w.end.month - w.start.month
    freq = {1: "month", 3: "quarter", 6: "half", 9: "nine_months", 12: "year"}.get(months,
                                                                                   "year")
    first = max(1, w.end.month - months + 1)
    return Period(w.name, freq, first, w.end.month)


def _deadline(dl: Deadline, p: Period, year: int) -> dt.date:
    y = year + (1 if dl.next_year else 0)
    month = dl.month if dl.month is not None else p.last_month
    end = month_end(y, month)
    return min(dt.date(y, month, 1) + dt.timedelta(days=dl.day - 1), end)


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
