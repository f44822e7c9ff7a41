"""The working-day calendar, pinned day by day against the official notices (2024-2026).

Expected days are typed from the notices (shared/data/vn-civil-service-days-off.md), not from
the library: TB 5015/TB-LĐTBXH and CV 2450/VPCP-KGVX (2024), CV 8726/VPCP-KGVX (2025),
CV 12729/VPCP-KGVX and TB 9441/TB-BNV (2026).
"""

from __future__ import annotations

import datetime as dt

import pytest

from rules.calendar import CalendarRangeError, Overrides, WorkingCalendar

D = dt.date

OFF = {
    2024: ["01/01", "08/02", "09/02", "12/02", "13/02", "14/02", "18/04", "29/04", "30/04",
           "01/05", "02/09", "03/09"],
    2025: ["01/01", "27/01", "28/01", "29/01", "30/01", "31/01", "07/04", "30/04", "01/05",
           "02/05", "01/09", "02/09"],
    2026: ["01/01", "02/01", "16/02", "17/02", "18/02", "19/02", "20/02", "27/04", "30/04",
           "01/05", "31/08", "01/09", "02/09", "24/11"],
}
WORKED_SATURDAYS = {2024: ["04/05"], 2025: ["26/04"], 2026: ["10/01", "22/08"]}


def _days(year: int, items: list[str]) -> set[dt.date]:
    return {D(year, int(m), int(d)) for d, m in (s.split("/") for s in items)}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.default()


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_of_the_year_matches_the_notices(cal: WorkingCalendar, year: int) -> None:
    off, worked = _days(year, OFF[year]), _days(year, WORKED_SATURDAYS[year])
    day, wrong = D(year, 1, 1), []
    while day.year == year:
        expected = (day.weekday() < 5 and day not in off) or day in worked
        if cal.is_working_day(day) != expected:
            wrong.append((day.isoformat(), expected))
        day += dt.timedelta(days=1)
    assert wrong == []


def test_days_off_list_is_the_notice(cal: WorkingCalendar) -> None:
    for year in (2024, 2025, 2026):
        assert {d.date for d in cal.days_off(year)} == _days(year, OFF[year])
        assert {d.date for d in cal.worked_weekend_days(year)} == _days(
            year, WORKED_SATURDAYS[year])


def test_override_cites_its_notice(cal: WorkingCalendar) -> None:
    off = {d.date: d for d in cal.days_off(2026)}
    assert "12729/VPCP-KGVX" in off[D(2026, 1, 2)].source
    worked = {d.date: d for d in cal.worked_weekend_days(2026)}
    assert "12729/VPCP-KGVX" in worked[D(2026, 1, 10)].source
    assert worked[D(2026, 8, 22)].name == "Làm bù cho ngày nghỉ 31/08/2026"


def test_culture_day_can_be_switched_off() -> None:
    on, off = WorkingCalendar.default(), WorkingCalendar.default(culture_day=False)
    assert not on.is_working_day(D(2026, 11, 24))
    assert off.is_working_day(D(2026, 11, 24))
    assert off.next_working_day(D(2026, 11, 24)) == D(2026, 11, 24)
    assert on.next_working_day(D(2026, 11, 24)) == D(2026, 11, 25)


def test_override_file_entries_need_a_source(tmp_path) -> None:
    bad = tmp_path / "o.yaml"
    bad.write_text("days_off:\n  - date: 2027-01-04\n    name: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cites no notice"):
        Overrides.load(bad)


def test_override_file_adds_and_removes_days(tmp_path) -> None:
    f = tmp_path / "o.yaml"
    f.write_text(
        "days_off:\n  - {date: 2027-01-04, name: Nghỉ thử, source: CV 1/VPCP}\n"
        "working_days:\n  - {date: 2027-01-09, name: Làm bù, source: CV 1/VPCP}\n"
        "not_days_off:\n  - {date: 2027-09-03, name: '', source: CV 2/VPCP}\n",
        encoding="utf-8",
    )
    cal = WorkingCalendar(overrides=Overrides.load(f))
    assert not cal.is_working_day(D(2027, 1, 4))  # a Monday made a day off
    assert cal.is_working_day(D(2027, 1, 9))  # a Saturday made a working day
    assert cal.is_working_day(D(2027, 9, 3))  # a library holiday removed


def test_add_and_subtract_working_days(cal: WorkingCalendar) -> None:
    # Tết 2025: Friday 24/01 + 1 working day is Monday 03/02.
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert cal.add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)
    # Reminders of a 24/01/2025 deadline: 5 and 1 working days before.
    assert cal.add_working_days(D(2025, 1, 24), -5) == D(2025, 1, 17)
    assert cal.add_working_days(D(2025, 1, 24), -1) == D(2025, 1, 23)
    # The worked Saturday counts: Friday 25/04/2025 + 1 = Saturday 26/04/2025.
    assert cal.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    # 30/04, 01/05, 02/05 off, then the weekend: Tuesday 29/04 + 1 = Monday 05/05.
    assert cal.add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)
    # From a day off: the first working day after it, and the last one before it.
    assert cal.add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 3)
    assert cal.add_working_days(D(2025, 1, 27), 2) == D(2025, 2, 4)
    assert cal.add_working_days(D(2025, 1, 27), -1) == D(2025, 1, 24)
    assert cal.add_working_days(D(2025, 1, 25), 0) == D(2025, 2, 3)
    # Across a year boundary: 01/01 and 02/01/2026 are off, so 31/12/2025 + 1 = 05/01/2026.
    assert cal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    assert cal.subtract_working_days(D(2026, 1, 5), 1) == D(2025, 12, 31)


def test_next_and_previous_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(D(2025, 1, 27)) == D(2025, 2, 3)
    assert cal.next_working_day(D(2025, 2, 3)) == D(2025, 2, 3)
    assert cal.previous_working_day(D(2025, 2, 3)) == D(2025, 1, 24)
    assert cal.previous_working_day(D(2025, 4, 28)) == D(2025, 4, 26)  # worked Saturday
    assert cal.previous_working_day(D(2026, 1, 5)) == D(2025, 12, 31)


def test_last_working_day_of_periods(cal: WorkingCalendar) -> None:
    assert cal.last_working_day_of_month(2025, 1) == D(2025, 1, 24)
    assert cal.last_working_day_of_month(2025, 5) == D(2025, 5, 30)
    assert cal.last_working_day_of_month(2025, 8) == D(2025, 8, 29)
    assert cal.last_working_day_of_quarter(2025, 1) == D(2025, 3, 31)
    assert cal.last_working_day_of_quarter(2026, 1) == D(2026, 3, 31)
    assert cal.last_working_day_of_half(2025, 1) == D(2025, 6, 30)
    assert cal.last_working_day_of_year(2027) == D(2027, 12, 31)
    assert cal.last_working_day_of_month(2024, 8) == D(2024, 8, 30)
    with pytest.raises(ValueError):
        cal.last_working_day_of_quarter(2025, 5)


def test_count_working_days(cal: WorkingCalendar) -> None:
    # January 2025: 23 weekdays minus 01/01 and 27-31/01 = 17.
    assert cal.count_working_days(D(2025, 1, 1), D(2025, 1, 31)) == 17
    # The week of 26/04/2025: Mon 21 - Sat 26 are all working days.
    assert cal.count_working_days(D(2025, 4, 21), D(2025, 4, 27)) == 6
    assert cal.count_working_days(D(2025, 2, 1), D(2025, 1, 1)) == 0
    # 2025: 261 weekdays - 12 days off + 1 worked Saturday = 250.
    assert cal.count_working_days(D(2025, 1, 1), D(2025, 12, 31)) == 250


def test_far_dates_are_refused_clearly(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(1900, 1, 1))
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(D(2100, 12, 30), 10)
