"""The Sở Nội vụ's list, 3 working days after a deadline: one marker per plan and due day, the
list composed when it goes (revision 0007), on both databases. What it lists is what is late
then; a day with nothing late sends nothing; a deadline set later (an event, a date set by
hand) or opened again (a completion undone) gets its day's list."""

from __future__ import annotations

from sqlalchemy import select

from engine.planning.planner import plan_plan
from engine.storage.models import PlannedItem
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task, record_event, undo_completion
from tests.plan_factory import plan, task
from tests.test_dispatcher import D, setup, wake

# Two deadlines on Friday 07/03/2025, one lead each; the list goes Wednesday 12/03 (10, 11, 12).
TWO = plan([task("Cải cách TTHC", "1", lead=["vp-ubnd"], dues=["2025-03-07"]),
            task("Cải cách TTHC", "2", lead=["so-tu-phap"], dues=["2025-03-07"]),
            task("Chính quyền số", "3", lead=["so-tu-phap"], kind="event", event_offset=5,
                 timing="Tối đa 05 ngày làm việc kể từ khi ...")])


def _markers(rt) -> list[tuple]:
    with rt.session() as s:
        return sorted(s.execute(select(PlannedItem.key, PlannedItem.send_on, PlannedItem.state)
                                .where(PlannedItem.kind == "monitor_list",
                                       PlannedItem.reason == "late")).all())


def _lists(messages) -> list[tuple]:
    """The late lines of each Sở Nội vụ's list (its other notices aside)."""
    return [(m.at.date(), lines) for m in messages if m.kind == "monitor_list"
            if (lines := sorted((i.agency_id, i.code, i.days_late) for i in m.items
                                if i.reason == "late"))]


async def test_the_list_says_what_is_late_when_it_goes(db_url):
    rt, d = setup(db_url, TWO)
    [(key, day, state)] = [m for m in _markers(rt) if m[0].endswith("/2025-03-07")]
    assert (day, state) == (D("2025-03-12"), "pending")
    with rt.session() as s:  # the Sở Tư pháp completes on Monday 10/03, late
        complete_task(s, find_task(s, "TTHC/2"), "so-tu-phap", rt.planner, on=D("2025-03-10"),
                      today=D("2025-03-10"))
        s.commit()
    sent = await wake(d, "2025-03-12")
    # Only the Văn phòng's deadline is still late, by 3 working days (10, 11, 12/03).
    assert _lists(sent) == [(D("2025-03-12"), [("vp-ubnd", "1", 3)])]
    assert _markers(rt)[0][1:] == (D("2025-03-12"), "done")


def _complete_both(rt, day: str) -> None:
    with rt.session() as s:
        for code, agency in (("TTHC/1", "vp-ubnd"), ("TTHC/2", "so-tu-phap")):
            complete_task(s, find_task(s, code), agency, rt.planner, on=D(day), today=D(day))
        s.commit()


async def test_a_day_with_nothing_late_sends_no_list(db_url):
    rt, d = setup(db_url, TWO)
    _complete_both(rt, "2025-03-07")
    sent = await wake(d, "2025-03-12")
    assert _lists(sent) == []
    # Settled on its day, not composed again on the next ones.
    assert [m[1:] for m in _markers(rt) if m[0].endswith("/2025-03-07")] == [
        (D("2025-03-12"), "cancelled")]
    assert _lists(await wake(d, "2025-03-13")) == []


async def test_a_deadline_from_an_event_gets_its_days_list(db_url):
    rt, d = setup(db_url, TWO)
    with rt.session() as s:
        # Event on Monday 03/03: 5 working days -> Monday 10/03; the list 3 after: 13/03.
        deadline = record_event(s, find_task(s, "Chính quyền số/3"), rt.planner,
                                on=D("2025-03-03"), today=D("2025-03-03"))
        s.commit()
    assert deadline.due == D("2025-03-10")
    assert [m[1:] for m in _markers(rt) if m[0].endswith("/2025-03-10")] == [
        (D("2025-03-13"), "pending")]
    await wake(d, "2025-03-12")
    assert _lists(await wake(d, "2025-03-13")) == [(D("2025-03-13"), [("so-tu-phap", "3", 3)])]


async def test_a_completion_undone_after_re_planning_brings_the_list_back(db_url):
    rt, d = setup(db_url, TWO)
    _complete_both(rt, "2025-03-06")
    with rt.session() as s:  # the plan imported again: nothing open on 07/03, no list wanted
        summary = store_plan(s, TWO, rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-03-07"))
        s.commit()
    assert [m[2] for m in _markers(rt) if m[0].endswith("/2025-03-07")] == ["cancelled"]
    with rt.session() as s:
        undo_completion(s, rt.planner, agency_id="vp-ubnd", task=find_task(s, "TTHC/1"),
                        today=D("2025-03-10"))
        s.commit()
    assert [m[1:] for m in _markers(rt) if m[0].endswith("/2025-03-07")] == [
        (D("2025-03-12"), "pending")]
    assert _lists(await wake(d, "2025-03-12")) == [(D("2025-03-12"), [("vp-ubnd", "1", 3)])]


async def test_items_planned_per_duty_before_0007_are_listed_once(db_url):
    """A database planned before revision 0007 holds one pending item per duty; until the plan
    is planned again, they ride in the list beside the marker of their day, each line once."""
    rt, d = setup(db_url, TWO)
    with rt.session() as s:
        duty_id = s.scalar(select(PlannedItem.duty_id).where(
            PlannedItem.key.like("late/%/vp-ubnd")))
        plan_id = s.scalar(select(PlannedItem.plan_id).where(PlannedItem.duty_id == duty_id))
        s.add(PlannedItem(key=f"monitor/{duty_id}", kind="monitor_list", reason="late",
                          recipient_id="so-noi-vu", send_on=D("2025-03-12"), plan_id=plan_id,
                          duty_id=duty_id))
        s.commit()
    sent = await wake(d, "2025-03-12")
    assert _lists(sent) == [(D("2025-03-12"), [("so-tu-phap", "2", 3), ("vp-ubnd", "1", 3)])]
    with rt.session() as s:
        assert s.scalar(select(PlannedItem.state).where(
            PlannedItem.key == f"monitor/{duty_id}")) == "done"
