"""Properties of the calendar arithmetic and the rule engine (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import Context, Kind, ReportCycle, WorkingCalendar, evaluate

CAL = WorkingCalendar.default()
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@given(days, counts)
def test_add_then_subtract_returns_a_working_day(day: dt.date, n: int) -> None:
    there = CAL.add_working_days(day, n)
    back = CAL.subtract_working_days(there, n)
    assert CAL.is_working_day(there)
    assert CAL.is_working_day(back)
    # Round trip: the day itself when it is a working day, else the last working day before it
    # (n working days after a day off are counted from the day off itself).
    if n == 0:
        assert there == back == CAL.next_working_day(day)
    elif CAL.is_working_day(day):
        assert back == day
    else:
        assert back == CAL.previous_working_day(day)


@given(days, st.integers(min_value=1, max_value=400))
def test_adding_n_moves_over_exactly_n_working_days(day: dt.date, n: int) -> None:
    there = CAL.add_working_days(day, n)
    assert there > day
    assert CAL.count_working_days(day + dt.timedelta(days=1), there) == n


@given(days)
def test_next_and_previous_are_working_days(day: dt.date) -> None:
    nxt, prev = CAL.next_working_day(day), CAL.previous_working_day(day)
    assert CAL.is_working_day(nxt) and nxt >= day
    assert CAL.is_working_day(prev) and prev < day
    # No working day strictly between prev and day, nor between day and nxt.
    assert CAL.count_working_days(prev + dt.timedelta(days=1), day - dt.timedelta(days=1)) == 0
    assert CAL.count_working_days(day, nxt - dt.timedelta(days=1)) == 0


@settings(max_examples=300)
@given(st.text(max_size=200), st.integers(min_value=1996, max_value=2099),
       st.integers(min_value=1, max_value=28))
def test_the_engine_never_raises_on_arbitrary_text(text: str, year: int, day: int) -> None:
    t = evaluate(text, Context(year, CAL, ReportCycle(day=day)))
    assert t.kind in set(Kind)
    if t.kind is Kind.UNKNOWN:
        assert t.warnings


phrase_parts = st.sampled_from([
    "quý", "tháng", "năm", "trước", "ngày", "chậm nhất", "hàng", "hằng", "định kỳ", "và", ",",
    "-", "/", "từ", "đến", "I", "IV", "V", "13", "31/02", "15/3", "2025", "2026", "6 tháng",
    "đầu năm", "cuối", "kể từ", "làm việc", "theo", "hoặc", "(", ")", "0", "99", "2/2026",
    "hàng tháng", "của tháng cuối quý", "của tháng cuối kỳ báo cáo", "31",
    # the families beyond the contract (issue #19)
    "2025-2026", "giai đoạn", "và các năm tiếp theo", "tuần đầu tiên của", "trước tết",
    "nguyên đán", "bính ngọ", "giữa", "đầu", "- quý ii/2026", "10 - 12/2026",
])


@settings(max_examples=500)
@given(st.lists(phrase_parts, min_size=1, max_size=8), st.integers(min_value=2000,
                                                                   max_value=2090))
def test_no_due_date_ever_lands_on_a_day_off(parts: list[str], year: int) -> None:
    t = evaluate(" ".join(parts), Context(year, CAL))
    for d in t.due:
        assert CAL.is_working_day(d)
    if t.kind in (Kind.FIXED, Kind.PERIODIC):
        assert t.due
    else:
        assert not t.due


@settings(max_examples=500)
@given(st.lists(phrase_parts, min_size=1, max_size=8), st.integers(min_value=2000,
                                                                   max_value=2085),
       st.integers(min_value=0, max_value=5), st.dates(min_value=dt.date(1999, 6, 1),
                                                       max_value=dt.date(2090, 12, 31)))
def test_a_plan_of_several_years_never_breaks_the_rules(parts: list[str], year: int, span: int,
                                                        issued: dt.date) -> None:
    ctx = Context(year, CAL, horizon_to=year + span, not_before=issued)
    t = evaluate(" ".join(parts), ctx)
    for d in t.due:
        assert CAL.is_working_day(d)
    if t.kind in (Kind.FIXED, Kind.PERIODIC):
        assert t.due
    else:
        assert not t.due
    if t.kind is Kind.PERIODIC:  # no recurrence before the plan's date
        assert all(d >= issued for d in t.due)
    if t.approximate:  # an approximate date always asks a person to confirm it
        assert t.kind is Kind.FIXED and t.warnings
