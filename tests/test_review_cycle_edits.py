"""Editing a plan's report cycle in the review file (issue #19): a plan with no cut-off windows, a
report dated within the year ("trước ngày 30 tháng 11 hằng năm"), `before`, a plan stating no
cycle, a plan of several years. Dates written by hand from the 2026-2027 civil-service calendar."""

from __future__ import annotations

import datetime as dt

from engine.intake.build import build_plan
from engine.intake.review import from_yaml, to_yaml
from engine.intake.rows import RawDocument, RawRow
from tests.plan_factory import calendar, directory

D = dt.date.fromisoformat
HEAD = ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\nSố: 12/KH-UBND\nVị Thanh, ngày 05 tháng 01 năm 2026\n"
        "KẾ HOẠCH\nCải cách hành chính năm 2026\n")
YEARLY = "Định kỳ trước ngày 30 tháng 11 hằng năm, các cơ quan báo cáo kết quả về Sở Nội vụ.\n"
QUARTERLY = ("Định kỳ hằng quý, các cơ quan gửi báo cáo về Sở Nội vụ trước ngày 20 của tháng "
             "cuối quý.\n")


def parse(body: str, timing: str = "Hằng năm"):
    rows = [RawRow(cells={"title": "1. Rà soát", "group": "A", "lead": "Sở Tư pháp",
                          "timing": timing})]
    return build_plan(RawDocument(body=body, rows=rows, source="kh.txt"),
                      directory=directory(), calendar=calendar())


def load(text: str):
    return from_yaml(text, calendar=calendar(), directory=directory())


def day(text: str, old: int, new: int) -> str:
    return text.replace(f"report_cycle:\n  day: {old}\n", f"report_cycle:\n  day: {new}\n")


def test_a_yearly_report_dated_in_november_has_no_window_and_survives_a_day_edit():
    plan = parse(HEAD + YEARLY)
    [p] = plan.report_cycle.periods
    # "trước ngày 30/11": the last working day before it; no window of any kind.
    assert (p.name, p.from_, p.to, p.deadline) == ("Năm", None, None, D("2026-11-27"))
    # The yearly periodic task falls on the plan's own yearly report, not on 18/12.
    assert plan.tasks[0].due == [D("2026-11-27")]
    text = to_yaml(plan)
    assert load(text) == plan  # the round trip holds
    # The day is the periods' last-month day (18 by contract): editing it does not move a
    # report the plan dates itself, and nothing crashes on the missing window.
    edited = load(day(text, 18, 20))
    assert [(p.from_, p.to, p.deadline) for p in edited.report_cycle.periods] == [
        (None, None, D("2026-11-27"))]


def test_quarterly_reports_without_windows_move_with_the_day_and_before():
    plan = parse(HEAD + QUARTERLY, timing="Hằng quý")
    rc = plan.report_cycle
    assert (rc.day, rc.before, rc.windows) == (20, True, None)
    # before 20/3 (Friday): 19/3; 20/6 is a Saturday: 19/6; 20/9 a Sunday: 18/9; 20/12 a
    # Sunday: 18/12/2026.
    quarters = [D("2026-03-19"), D("2026-06-19"), D("2026-09-18"), D("2026-12-18")]
    assert [p.deadline for p in rc.periods] == quarters
    assert all(p.from_ is None and p.to is None for p in rc.periods)
    text = to_yaml(plan)
    edited = load(day(text, 20, 25))
    # before 25/3 (Wednesday): 24/3; 25/6 (Thursday): 24/6; 25/9 (Friday): 24/9; 25/12 (a
    # Friday): 24/12.
    moved = [D("2026-03-24"), D("2026-06-24"), D("2026-09-24"), D("2026-12-24")]
    assert [p.deadline for p in edited.report_cycle.periods] == moved
    assert edited.tasks[0].due == moved  # the periodic task moves with its day
    # "chậm nhất" instead of "trước": that day, or the next working day.
    edited = load(day(text, 20, 25).replace("  before: true\n", "  before: false\n", 1))
    assert [p.deadline for p in edited.report_cycle.periods] == [
        D("2026-03-25"), D("2026-06-25"), D("2026-09-25"), D("2026-12-25")]


def test_a_plan_stating_no_cycle_keeps_none_when_the_day_is_edited():
    plan = parse(HEAD, timing="Quý I/2026")
    assert plan.report_cycle.periods == []
    edited = load(day(to_yaml(plan), 18, 25))
    assert edited.report_cycle.periods == [] and edited.report_cycle.day == 25


def test_a_plan_of_several_years_keeps_every_year():
    plan = parse(HEAD.replace("năm 2026", "giai đoạn 2026 - 2027") + QUARTERLY,
                 timing="Hằng quý")
    assert plan.plan.horizon_to == 2027
    assert len(plan.report_cycle.periods) == 8
    edited = load(day(to_yaml(plan), 20, 10))
    # before 10/3/2026 (a Tuesday): 9/3/2026 ... before 10/12/2027 (a Friday): 9/12/2027.
    dates = [p.deadline for p in edited.report_cycle.periods]
    assert dates[0] == D("2026-03-09") and dates[-1] == D("2027-12-09") and len(dates) == 8
