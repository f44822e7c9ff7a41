"""Planning: which planned items (what to tell whom, on which working day) the policy asks for.

The database is the truth: the planner writes `PlannedItem` rows, each with a stable key, and the
dispatcher sends what is pending on its day. Planning is idempotent and incremental: it computes
the items a scope (a plan, some duties, some report obligations) should have, inserts the missing
ones, moves or revives those whose day changed, and cancels the pending ones no longer wanted (a
completion, a removed task, a changed due date). What was already sent or recorded as missed is
never touched.

`today` is the planning cut-off (the clock is read at the CLI / scheduler boundary, never here):
a reminder whose day has passed is not planned; an escalation whose day has passed (a plan
imported after its deadlines) is planned for the first working day from `today`.

Which days and recipients a deadline asks for is `engine.planning.reminder_rules`; how the wanted
items are applied to the table is `engine.planning.plan_table`. Per plan and due day: one marker
for the Sở Nội vụ's list of what is late (`plan_monitor`); weekly: one steering-digest marker per
week (Monday, or the next working day); monthly: tasks needing a date or a lead agency, to the Sở
Nội vụ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from core.vocabulary import MessageKind, Reason
from engine.planning.plan_table import (
    apply,
    cancel_orphans,
    existing_items,
    insert_items,
    inserting,
    send_day_order,
)
from engine.planning.reminder_rules import MONITOR_PREFIX, UNDATED_KINDS, Planner, Want
from engine.storage.bulk import chunked
from engine.storage.dialect import refresh_statistics
from engine.storage.gc_pause import gc_paused
from engine.storage.models import (
    Assignment,
    Completion,
    Deadline,
    Duty,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)

CHUNK = 2_000


# --- the planning passes ------------------------------------------------------------------------
@gc_paused()
def plan_plan(s: Session, plan_id: int, planner: Planner, today: dt.date, *,
              fresh: bool = False) -> int:
    """(Re)plan every item of one plan. Returns the number of pending items of the plan.
    `fresh`: the plan was just created, so it has no items yet (nothing to compare with).

    Whole-plan passes read each table once, by plan (no long lists of ids to send back), and
    write in chunks, so that a national-scale plan stays within seconds and bounded memory."""
    plan = s.get(Plan, plan_id)
    in_plan = Task.plan_id == plan_id
    core = s.connection()  # plain rows: the ORM's result machinery doubles the reading time
    rows = core.execute(_DUTY_ROWS.where(in_plan).order_by(Duty.id)).all()
    done = set(core.execute(
        select(Completion.deadline_id, Completion.agency_id)
        .join(Deadline, Deadline.id == Completion.deadline_id)
        .join(Task, Task.id == Deadline.task_id)
        .where(in_plan, Completion.undone_at.is_(None))).all())
    assigned = _assigned(core, select(Assignment.task_id, Assignment.agency_id,
                                      Assignment.role)
                         .join(Task, Task.id == Assignment.task_id).where(in_plan))
    lead_duties = [(r.deadline_id, r.agency_id) for r in rows if r.role == "lead"]
    open_leads = _open_leads(lead_duties, done)
    chunks = [rows[i:i + CHUNK * 5] for i in range(0, len(rows), CHUNK * 5)]
    if fresh:  # nothing to compare with: rows streamed while the next chunk is computed
        with inserting(s) as write:
            for chunk in chunks:
                write(_fresh_duty_rows(chunk, done, open_leads, assigned, planner, today))
    else:
        for chunk in chunks:
            wants = _duty_wants(chunk, done, open_leads, assigned, planner)
            # By duty id range (its index); the plan is checked here, not in SQL, where it
            # would send SQLite through the plan's index (every item of the plan) each chunk.
            existing = existing_items(s, and_(
                PlannedItem.duty_id >= chunk[0].id, PlannedItem.duty_id <= chunk[-1].id),
                plan_id=plan_id)
            apply(s, wants, existing, planner, today)
    # Items of duties that no longer exist were deleted with them; items of retired deadlines
    # and removed tasks are cancelled by the duty pass (they are not wanted any more).
    if not fresh:
        cancel_orphans(s, plan_id)
    # The Sở Nội vụ's list: a marker per due day on which some lead duty is still open.
    dues = {r.due for r in rows if r.role == "lead" and r.active and not r.removed
            and (r.deadline_id, r.agency_id) not in done}
    plan_monitor(s, plan_id, planner, today, dues | _open_report_days(s, plan_id, planner),
                 fresh=fresh)
    obligation_ids = list(s.scalars(
        select(ReportObligation.id).join(ReportPeriod, ReportPeriod.id ==
                                         ReportObligation.period_id)
        .where(ReportPeriod.plan_id == plan_id)))
    plan_obligations(s, obligation_ids, planner, today, fresh=fresh)
    plan_task_notices(s, plan_id, planner, today, plan.year, fresh=fresh)
    last_year = plan.year + planner.policy.steering_years_after
    plan_steering(s, planner, today, dt.date(last_year, 12, 31))
    if len(rows) >= BIG_PLAN:
        refresh_statistics(s)
    return s.scalar(select(_count()).where(PlannedItem.plan_id == plan_id,
                                           PlannedItem.state == "pending")) or 0


BIG_PLAN = 50_000  # duties: past this, the tables' statistics are refreshed after planning


_DUTY_ROWS = (select(Duty.id, Duty.deadline_id, Duty.agency_id, Duty.role, Deadline.due,
                     Deadline.active, Deadline.task_id, Task.plan_id, Task.removed)
              .join(Deadline, Deadline.id == Duty.deadline_id)
              .join(Task, Task.id == Deadline.task_id))


def _count():  # noqa: ANN202
    from sqlalchemy import func

    return func.count(PlannedItem.id)


def _assigned(s: Session, query) -> dict[tuple[int, str], list[str]]:  # noqa: ANN001
    out: dict[tuple[int, str], list[str]] = {}
    for tid, agency, role in s.execute(query):
        out.setdefault((tid, role), []).append(agency)
    return out


def _open_leads(lead_duties, done: set) -> dict[int, int]:  # noqa: ANN001
    out: dict[int, int] = {}
    for did, agency in lead_duties:
        if (did, agency) not in done:
            out[did] = out.get(did, 0) + 1
    return out


def plan_duties(s: Session, duty_ids: list[int], planner: Planner, today: dt.date) -> None:
    """Re-plan some duties (after a completion, an undo, an event, a date set by hand)."""
    if not duty_ids:
        return
    rows = s.execute(_DUTY_ROWS.where(Duty.id.in_(duty_ids))).all()
    deadline_ids = list({r.deadline_id for r in rows})
    task_ids = list({r.task_id for r in rows})
    done = set(s.execute(select(Completion.deadline_id, Completion.agency_id).where(
        Completion.deadline_id.in_(deadline_ids), Completion.undone_at.is_(None))).all())
    open_leads = _open_leads(
        s.execute(select(Duty.deadline_id, Duty.agency_id).where(
            Duty.deadline_id.in_(deadline_ids), Duty.role == "lead")).all(), done)
    assigned = _assigned(s, select(Assignment.task_id, Assignment.agency_id, Assignment.role)
                         .where(Assignment.task_id.in_(task_ids)))
    wants = _duty_wants(rows, done, open_leads, assigned, planner)
    apply(s, wants, existing_items(s, PlannedItem.duty_id.in_(duty_ids)), planner, today)


def _duty_wants(rows, done: set, open_leads: dict[int, int], assigned: dict,  # noqa: ANN001
                planner: Planner) -> list[Want]:
    return [w for r, origins in _to_plan(rows, done, open_leads, assigned, planner)
            for w in planner.duty_wants(r.id, r.role, r.due, origins, r.plan_id, r.task_id)]


def _fresh_duty_rows(rows, done: set, open_leads: dict[int, int],  # noqa: ANN001
                     assigned: dict, planner: Planner, today: dt.date) -> list[tuple]:
    """What `apply` would insert for these duties into a table holding none of their items,
    in the same order (`send_day_order`)."""
    out = [row for r, origins in _to_plan(rows, done, open_leads, assigned, planner)
           for row in planner.duty_rows(r.id, r.role, r.due, origins, r.plan_id, r.task_id,
                                        today)]
    out.sort(key=send_day_order)
    return out


def _to_plan(rows, done: set, open_leads: dict[int, int], assigned: dict,  # noqa: ANN001
             planner: Planner) -> Iterator[tuple[Any, list[str]]]:
    """The duties to plan (active, not completed), each with the assigned agencies it stands
    for."""
    done_deadlines = {d for d, _ in done}
    holders: dict[tuple[int, str, dt.date], dict[str, list[str]]] = {}
    for r in rows:
        if not r.active or r.removed:
            continue
        if r.role == "lead" and (r.deadline_id, r.agency_id) in done:
            continue
        if r.role == "support" and _all_leads_done(r.deadline_id, open_leads, done_deadlines):
            continue
        # Who, among the task's assigned agencies, this duty stands for (several when a
        # reorganisation merged them before the due day).
        key = (r.task_id, r.role, r.due)
        by_holder = holders.get(key)
        if by_holder is None:
            by_holder = holders[key] = {}
            for o in assigned.get((r.task_id, r.role), ()):
                by_holder.setdefault(planner.holder(o, r.due), []).append(o)
        yield r, by_holder.get(r.agency_id) or [r.agency_id]


def _all_leads_done(deadline_id: int, open_leads: dict[int, int], done_deadlines: set) -> bool:
    return deadline_id in done_deadlines and open_leads.get(deadline_id, 0) == 0


def plan_obligations(s: Session, obligation_ids: list[int], planner: Planner,
                     today: dt.date, *, fresh: bool = False) -> None:
    for chunk in chunked(obligation_ids, CHUNK):
        rows = s.execute(
            select(ReportObligation.id, ReportObligation.agency_id, ReportPeriod.deadline,
                   ReportPeriod.plan_id)
            .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
            .where(ReportObligation.id.in_(chunk))).all()
        done = set(s.scalars(select(Completion.obligation_id).where(
            Completion.obligation_id.in_(chunk), Completion.undone_at.is_(None))))
        wants: list[Want] = []
        origins_on: dict[dt.date, dict[str, list[str]]] = {}
        for r in rows:
            if r.id in done:
                continue
            if r.deadline not in origins_on:
                origins_on[r.deadline] = planner.directory.report_senders(r.deadline)
            origins = origins_on[r.deadline].get(r.agency_id) or [r.agency_id]
            wants.extend(planner.obligation_wants(r.id, r.deadline, origins, r.plan_id))
        existing = {} if fresh else existing_items(s, PlannedItem.obligation_id.in_(chunk))
        apply(s, wants, existing, planner, today)


def plan_task_notices(s: Session, plan_id: int, planner: Planner, today: dt.date,
                      year: int, *, fresh: bool = False) -> None:
    """Monthly notices to the Sở Nội vụ: leaf tasks that need a date (reference / unknown, no
    date set) or a lead agency (dated, but nobody to remind)."""
    tasks = s.execute(select(Task.id, Task.kind).where(
        Task.plan_id == plan_id, Task.leaf, Task.removed.is_(False))).all()
    dated = set(s.scalars(select(Deadline.task_id).join(Task, Task.id == Deadline.task_id)
                          .where(Task.plan_id == plan_id, Deadline.active)))
    with_lead = set(s.scalars(
        select(Deadline.task_id).join(Duty, Duty.deadline_id == Deadline.id)
        .join(Task, Task.id == Deadline.task_id)
        .where(Task.plan_id == plan_id, Duty.role == "lead", Deadline.active)))
    days = planner.needs_due_days(today, year)
    monitor = planner.directory.monitor_id
    wants = []
    for tid, kind in tasks:
        if kind in UNDATED_KINDS and tid not in dated:
            reason = Reason.NEEDS_DUE
        elif tid in dated and tid not in with_lead:
            reason = Reason.NEEDS_LEAD
        else:
            continue
        wants.extend(Want(f"{reason}/{tid}/{day.isoformat()}", MessageKind.MONITOR_LIST, reason,
                          monitor, day, plan_id=plan_id, task_id=tid) for day in days)
    existing = {} if fresh else existing_items(s, and_(
        PlannedItem.plan_id == plan_id, PlannedItem.duty_id.is_(None),  # the plan index
        PlannedItem.reason.in_((Reason.NEEDS_DUE, Reason.NEEDS_LEAD))))
    apply(s, wants, existing, planner, today)


def _open_report_days(s: Session, plan_id: int, planner: Planner) -> set[dt.date]:
    """Report deadlines of the plan some agency has not reported for (when the policy
    escalates reports)."""
    if not planner.policy.escalate_reports:
        return set()
    live = (Completion.obligation_id == ReportObligation.id) & Completion.undone_at.is_(None)
    return set(s.scalars(
        select(ReportPeriod.deadline).distinct()
        .join(ReportObligation, ReportObligation.period_id == ReportPeriod.id)
        .outerjoin(Completion, live)
        .where(ReportPeriod.plan_id == plan_id, Completion.id.is_(None))))


def _markers_of(plan_id: int):  # noqa: ANN202 - a SQL condition
    # duty_id IS NULL: the plan index; the key tells a marker from the plan's other notices.
    return and_(PlannedItem.plan_id == plan_id, PlannedItem.duty_id.is_(None),
                PlannedItem.key.like(f"{MONITOR_PREFIX}{plan_id}/%"))


def plan_monitor(s: Session, plan_id: int, planner: Planner, today: dt.date,
                 dues: set[dt.date], *, fresh: bool = False) -> None:
    """The Sở Nội vụ's lists of a plan: one marker per due day (`Planner.monitor_marker`);
    markers of days no longer wanted are cancelled."""
    wants = [planner.monitor_marker(plan_id, due) for due in sorted(dues)]
    apply(s, wants, {} if fresh else existing_items(s, _markers_of(plan_id)), planner, today)


def plan_monitor_day(s: Session, plan_id: int, planner: Planner, today: dt.date,
                     due: dt.date) -> None:
    """A marker for one due day, planned or revived (a deadline set by an event or by hand, a
    completion undone); the plan's other markers are left as they are."""
    want = planner.monitor_marker(plan_id, due)
    apply(s, [want], existing_items(s, PlannedItem.key == want.key), planner, today)


def plan_steering(s: Session, planner: Planner, today: dt.date, until: dt.date) -> None:
    steering = planner.directory.steering_id
    wants = [Want(f"steering/{day.isoformat()}", MessageKind.STEERING_DIGEST, Reason.STEERING,
                  steering, day) for day in planner.steering_days(today, until)]
    keys = [w.key for w in wants]
    have = set()
    for chunk in chunked(keys, CHUNK):
        have.update(s.scalars(select(PlannedItem.key).where(PlannedItem.key.in_(chunk))))
    insert_items(s, [w for w in wants if w.key not in have])


