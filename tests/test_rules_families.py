"""The timing families beyond contract section 1 (issue #19, point 5), one test each.

Expected dates are worked out by hand from the civil-service calendar
(shared/data/vn-civil-service-days-off.md): 2026 Tết days off 16-20/02 (mùng 1: 17/02),
24/11/2026 Ngày Văn hóa Việt Nam.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rules import Context, Kind, WorkingCalendar, evaluate

CAL = WorkingCalendar.default()
D = dt.date.fromisoformat


def due(phrase: str, year: int = 2026, **kw) -> list[str]:
    return [d.isoformat() for d in evaluate(phrase, Context(year, CAL, **kw)).due]


@pytest.mark.parametrize(("phrase", "expected"), [
    ("2026", ["2026-12-31"]), ("2025", ["2025-12-31"]), ("Hoàn thành 2027", ["2027-12-31"])])
def test_a_bare_year_is_that_year(phrase, expected):
    assert due(phrase) == expected


@pytest.mark.parametrize("phrase", ["Năm 2025 - 2026", "2025-2026", "2025 – 2026",
                                    "Năm 2025-2026", "Trong năm 2025 - 2026"])
def test_a_range_of_years_is_one_deadline_at_its_end(phrase):
    assert due(phrase, 2025) == ["2026-12-31"]


def test_a_span_of_years_and_a_backwards_one():
    assert due("Giai đoạn 2026-2030") == ["2030-12-31"]
    t = evaluate("Giai đoạn 2030 - 2026", Context(2026, CAL))
    assert t.kind is Kind.UNKNOWN and "2030–2026" in t.warnings[0]
    assert evaluate("Năm học 2025-2026", Context(2025, CAL)).kind is Kind.UNKNOWN


def test_a_dash_between_two_periods_is_a_range():
    # Before: read as a two-item list, "Quý IV/2025 - Quý II/2026" gave 31/12/2025 too (a wrong
    # early deadline) and "Tháng 10 - 12/2026" skipped November.
    assert due("Quý IV/2025 - Quý II/2026", 2025) == ["2026-06-30"]
    assert due("Tháng 10 - 12/2026") == ["2026-12-31"]
    assert due("Tháng 10–12/2026") == ["2026-12-31"]
    assert due("Tháng 02/2025 - Tháng 12/2025", 2025) == ["2025-12-31"]


def test_a_leading_dash_makes_a_list_of_full_periods():
    # The contract's dashed list, paired with "- Kế hoạch - Báo cáo kết quả": two deadlines.
    t = evaluate("- Tháng 02/2025 - Tháng 12/2025", Context(2025, CAL))
    assert [(d.date.isoformat(), d.label) for d in t.deadlines] == [
        ("2025-02-28", "Tháng 02/2025"), ("2025-12-31", "Tháng 12/2025")]
    # Three dashed periods are a list too: a range has two ends.
    assert due("Quý I - Quý II - Quý III/2026") == ["2026-03-31", "2026-06-30", "2026-09-30"]


def test_a_range_that_ends_before_it_starts_is_not_understood():
    t = evaluate("Quý III/2026 - Quý I/2026", Context(2026, CAL))
    assert t.kind is Kind.UNKNOWN and not t.due


def test_monthly_before_the_25th_in_both_orders():
    assert due("Hằng tháng, trước ngày 25") == due("trước ngày 25 hằng tháng")
    assert due("Hằng tháng, trước ngày 25")[10] == "2026-11-23"  # 24/11 is a day off
    assert evaluate("trước ngày 25", Context(2026, CAL)).kind is Kind.UNKNOWN


@pytest.mark.parametrize(("phrase", "year", "expected"), [
    ("Cuối quý I/2026", 2026, "2026-03-31"),
    ("Đầu năm 2026", 2026, "2026-03-31"),  # its first quarter
    ("Giữa năm", 2026, "2026-06-30"),  # the first half
    ("Cuối năm", 2026, "2026-12-31"),
    ("Đầu quý II", 2026, "2026-04-29"),  # the quarter's first month; 30/04 a holiday
    ("Giữa quý III/2026", 2026, "2026-08-28"),  # its second month; 31/08/2026 swapped off
    ("Đầu tháng 3/2026", 2026, "2026-03-10"),  # days 1-10
    ("Giữa tháng 2/2026", 2026, "2026-02-13"),  # days 11-20; 16-20/02 Tết, 14-15 weekend
    ("cuối tháng 6/2012", 2012, "2012-06-29"),  # 30/06/2012 a Saturday
])
def test_rough_parts_of_periods_are_approximate(phrase, year, expected):
    t = evaluate(phrase, Context(year, CAL))
    assert (t.kind, [d.isoformat() for d in t.due]) == (Kind.FIXED, [expected])
    assert t.approximate and t.to_json()["approximate"] is True
    assert t.warnings and f"«{phrase}» chỉ là ước lượng" in t.warnings[0]
    assert t.explanation.startswith("Ước lượng")


def test_exact_phrases_are_not_marked_approximate():
    for phrase in ("Quý I/2026", "Hết năm 2026", "Năm 2026", "Trước ngày 15/3/2026"):
        t = evaluate(phrase, Context(2026, CAL))
        assert not t.approximate and "approximate" not in t.to_json()


def test_the_first_week_of_a_month_is_days_1_to_7():
    t = evaluate("Tuần đầu tiên của tháng 3/2026", Context(2026, CAL))
    assert t.due == (D("2026-03-06"),) and t.approximate  # 07/03/2026 is a Saturday
    assert "01–07/03/2026" in t.explanation
    assert due("tuần thứ hai của tháng 3/2026") == ["2026-03-13"]
    # The first week of February 2027 (01-07/02): Tết days off from 04/02, so Wednesday 03/02.
    assert due("Tuần đầu tiên của tháng 2/2027", 2027) == ["2027-02-03"]
    assert due("Tuần cuối tháng 12", 2025) == ["2025-12-31"]


def test_before_tet_is_the_last_working_day_before_its_first_day():
    # Tết Bính Ngọ: mùng 1 is 17/02/2026; 16/02 is a day off: Friday 13/02/2026.
    assert due("Trước Tết Nguyên đán") == ["2026-02-13"]
    assert due("trước Tết Nguyên đán Bính Ngọ", 2026) == ["2026-02-13"]
    # A plan of 2025: Tết Ất Tỵ, mùng 1 on 29/01/2025, days off from 27/01: Friday 24/01.
    assert due("Trước Tết Nguyên đán", 2025) == ["2025-01-24"]
    assert due("Trước Tết Nguyên đán 2027", 2026) == ["2027-02-03"]
    wrong = evaluate("Trước Tết Nguyên đán Giáp Thìn 2026", Context(2026, CAL))
    assert wrong.kind is Kind.UNKNOWN and "Bính Ngọ" in wrong.warnings[0]


def test_a_year_onwards_recurs_over_the_plans_span():
    one = evaluate("Năm 2026 và các năm tiếp theo", Context(2026, CAL))
    assert one.due == (D("2026-12-31"),) and "các năm tiếp theo" in one.explanation
    span = evaluate("Năm 2026 và các năm tiếp theo", Context(2026, CAL, horizon_to=2028))
    assert span.due == (D("2026-12-31"), D("2027-12-31"), D("2028-12-29"))


def test_periodic_phrases_recur_in_every_year_of_the_span():
    assert due("Hằng năm", 2026, horizon_to=2028) == ["2026-12-18", "2027-12-20", "2028-12-18"]
    assert due("trước ngày 20/11 hàng năm", 2026, horizon_to=2027) == ["2026-11-19",
                                                                        "2027-11-19"]
    # A year the phrase names is that year only.
    assert due("Định kỳ hàng quý và năm 2026", 2026, horizon_to=2030) == [
        "2026-03-18", "2026-06-18", "2026-09-18", "2026-12-18"]


def test_recurrences_before_the_plans_date_are_dropped():
    ctx = dict(horizon_to=2026, not_before=D("2025-11-24"))
    assert due("Hằng quý", 2025, **ctx) == ["2025-12-18", "2026-03-18", "2026-06-18",
                                             "2026-09-18", "2026-12-18"]
    late = evaluate("Hằng quý", Context(2025, CAL, not_before=D("2025-12-20")))
    assert late.kind is Kind.UNKNOWN and "trước ngày ban hành" in late.warnings[0]
    # A fixed date stands as written, even before the plan's date.
    assert due("Quý I/2025", 2025, not_before=D("2025-11-24")) == ["2025-03-31"]
