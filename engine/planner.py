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

Per lead duty with due day D (policy defaults): reminders D-5, D-1, D (working days); late notice
D+1 to the agency; the Sở Nội vụ list D+3; an explanation request D+11 ("more than 10"). Support
duties: D-5. Report obligations: D-5, D-1, D, then the same escalation as tasks. Weekly: one
steering-digest marker per week (Monday, or the next working day); monthly: tasks needing a date
or a lead agency, to the Sở Nội vụ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import and_, bindparam, select, update
from sqlmodel import Session

from engine.agencies import Directory
from engine.bulk import bulk_insert_values
from engine.models import (
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
from engine.persist import reporting_agencies
from engine.policy import Policy
from notifiers.base import (
    AGENCY_DIGEST,
    EXPLANATION_REQUEST,
    LATE,
    MONITOR_LIST,
    NEEDS_DUE,
    REMINDER,
    REPORT_REMINDER,
    STEERING_DIGEST,
)
from rules import WorkingCalendar

CHUNK = 2_000
NEEDS_LEAD = "needs_lead"  # a dated task without any lead agency that can be reminded
EXPLANATION = "explanation"  # the item of an explanation request (giải trình)
STEERING = "steering"  # the weekly marker: the digest itself is composed when it is sent
ESCALATIONS = frozenset({LATE, "monitor", "explanation"})
UNDATED_KINDS = ("reference", "unknown")


class Want(NamedTuple):
    key: str
    kind: str
    reason: str
    recipient_id: str
    send_on: dt.date
    plan_id: int | None = None
    task_id: int | None = None
    duty_id: int | None = None
    obligation_id: int | None = None
    role: str | None = None
    escalation: bool = False


class _Days(NamedTuple):
    lead: tuple[tuple[int, dt.date], ...]
    support: tuple[tuple[int, dt.date], ...]
    report: tuple[tuple[int, dt.date], ...]
    late: dt.date
    monitor: dt.date
    explanation: dt.date


class Planner:
    def __init__(self, directory: Directory, calendar: WorkingCalendar, policy: Policy) -> None:
        self.d, self.cal, self.p = directory, calendar, policy
        self._route: dict[tuple[str, dt.date], str | None] = {}
        self._days: dict[dt.date, _Days] = {}
        # Agencies no reorganisation touches receive their own messages whatever the day.
        self.stable = frozenset(a.id for a in directory
                                if a.successor is None and a.valid_from is None)

    def holder(self, agency_id: str, day: dt.date) -> str:
        """The agency holding `agency_id`'s tasks on `day`."""
        if agency_id in self.stable:
            return agency_id
        return self.d.current(agency_id, day).id

    # --- routing ---------------------------------------------------------------------------
    def recipients(self, origins: list[str], day: dt.date) -> list[str]:
        """Who receives, on `day`, what `origins` owe: each origin, or its successor once a
        reorganisation took effect; an agency not yet created that day receives nothing."""
        if len(origins) == 1 and origins[0] in self.stable:
            return list(origins)
        out: list[str] = []
        for o in origins:
            if o in self.stable:
                if o not in out:
                    out.append(o)
                continue
            key = (o, day)
            if key not in self._route:
                a = self.d.current(o, day)
                self._route[key] = (None if a.valid_from is not None and a.valid_from > day
                                    else a.id)
            r = self._route[key]
            if r is not None and r not in out:
                out.append(r)
        return out

    def _day(self, due: dt.date, n: int) -> dt.date:
        return self.cal.next_working_day(due) if n == 0 else self.cal.add_working_days(due, n)

    def days(self, due: dt.date) -> _Days:
        """Every send day a deadline on `due` asks for (cached: deadlines share due days)."""
        got = self._days.get(due)
        if got is None:
            p, add = self.p, self.cal.add_working_days
            got = self._days[due] = _Days(
                tuple((n, self._day(due, -n)) for n in p.lead_reminders),
                tuple((n, self._day(due, -n)) for n in p.support_reminders),
                tuple((n, self._day(due, -n)) for n in p.report_reminders),
                add(due, p.late_agency_after), add(due, p.late_monitor_after),
                add(due, p.explanation_after + 1))
        return got

    # --- what a duty / an obligation asks for ------------------------------------------------
    def duty_wants(self, duty_id: int, role: str, due: dt.date, origins: list[str],
                   plan_id: int, task_id: int) -> Iterator[Want]:
        days = self.days(due)
        if role == "support":
            for n, day in days.support:
                for r in self.recipients(origins, day):
                    yield Want(f"support{n}/{duty_id}/{r}", AGENCY_DIGEST, REMINDER, r, day,
                               plan_id, task_id, duty_id, None, role, False)
            return
        for n, day in days.lead:
            for r in self.recipients(origins, day):
                yield Want(f"reminder{n}/{duty_id}/{r}", AGENCY_DIGEST, REMINDER, r, day,
                           plan_id, task_id, duty_id, None, role, False)
        yield from self._escalations(str(duty_id), days, origins, plan_id, task_id, duty_id,
                                     None)

    def obligation_wants(self, obligation_id: int, due: dt.date, origins: list[str],
                         plan_id: int) -> Iterator[Want]:
        days = self.days(due)
        for n, day in days.report:
            for r in self.recipients(origins, day):
                yield Want(f"report{n}/{obligation_id}/{r}", AGENCY_DIGEST, REPORT_REMINDER, r,
                           day, plan_id, None, None, obligation_id, None, False)
        if self.p.escalate_reports:
            yield from self._escalations(f"r{obligation_id}", days, origins, plan_id, None,
                                         None, obligation_id)

    def _escalations(self, ref: str, days: _Days, origins: list[str], plan_id: int,
                     task_id: int | None, duty_id: int | None, obligation_id: int | None
                     ) -> Iterator[Want]:
        for r in self.recipients(origins, days.late):
            yield Want(f"late/{ref}/{r}", AGENCY_DIGEST, LATE, r, days.late, plan_id, task_id,
                       duty_id, obligation_id, None, True)
        yield Want(f"monitor/{ref}", MONITOR_LIST, LATE, self.d.monitor_id, days.monitor,
                   plan_id, task_id, duty_id, obligation_id, None, True)
        for r in self.recipients(origins, days.explanation):
            yield Want(f"explain/{ref}/{r}", EXPLANATION_REQUEST, EXPLANATION, r,
                       days.explanation, plan_id, task_id, duty_id, obligation_id, None, True)

    # --- calendars of the periodic notices ---------------------------------------------------
    def steering_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The steering digest's day of every week in [start, end]: the policy's weekday, or the
        next working day when that day is off."""
        first = start - dt.timedelta(days=start.weekday())
        days: list[dt.date] = []
        week = first
        while week <= end:
            day = self.cal.next_working_day(week + dt.timedelta(days=self.p.steering_weekday))
            if start <= day <= end and (not days or days[-1] != day):
                days.append(day)
            week += dt.timedelta(days=7)
        return days

    def needs_due_days(self, today: dt.date, year: int) -> list[dt.date]:
        if self.p.needs_due_cadence == "never":
            return []
        first = self.cal.next_working_day(max(today, dt.date(year, 1, 1)))
        end = dt.date(year, 12, 31)
        if self.p.needs_due_cadence == "weekly":
            later = self.steering_days(first + dt.timedelta(days=1), end)
        else:
            later = [self.cal.next_working_day(dt.date(year, m, 1)) for m in range(1, 13)]
            later = [d for d in later if first < d <= end]
        return [first, *later]


# --- the planning passes ------------------------------------------------------------------------
def plan_plan(s: Session, plan_id: int, planner: Planner, today: dt.date, *,
              fresh: bool = False) -> int:
    """(Re)plan every item of one plan. Returns the number of pending items of the plan.
    `fresh`: the plan was just created, so it has no items yet (nothing to compare with).

    Whole-plan passes read each table once, by plan (no long lists of ids to send back), and
    write in chunks, so that a national-scale plan stays within seconds and bounded memory."""
    plan = s.get(Plan, plan_id)
    in_plan = Task.plan_id == plan_id
    rows = s.execute(_DUTY_ROWS.where(in_plan).order_by(Duty.id)).all()
    done = set(s.execute(
        select(Completion.deadline_id, Completion.agency_id)
        .join(Deadline, Deadline.id == Completion.deadline_id)
        .join(Task, Task.id == Deadline.task_id)
        .where(in_plan, Completion.undone_at.is_(None))).all())
    assigned = _assigned(s, select(Assignment.task_id, Assignment.agency_id, Assignment.role)
                         .join(Task, Task.id == Assignment.task_id).where(in_plan))
    lead_duties = [(r.deadline_id, r.agency_id) for r in rows if r.role == "lead"]
    open_leads = _open_leads(lead_duties, done)
    for i in range(0, len(rows), CHUNK * 5):
        chunk = rows[i:i + CHUNK * 5]
        wants = _duty_wants(chunk, done, open_leads, assigned, planner)
        # By duty id range (its index); the plan is checked here, not in SQL, where it would
        # send SQLite through the plan's index, i.e. every item of the plan, for each chunk.
        existing = {} if fresh else _existing(s, and_(
            PlannedItem.duty_id >= chunk[0].id, PlannedItem.duty_id <= chunk[-1].id),
            plan_id=plan_id)
        apply(s, wants, existing, planner, today)
    # Items of duties that no longer exist were deleted with them; items of retired deadlines
    # and removed tasks are cancelled by the duty pass (they are not wanted any more).
    if not fresh:
        _cancel_orphans(s, plan_id)
    obligation_ids = list(s.scalars(
        select(ReportObligation.id).join(ReportPeriod, ReportPeriod.id ==
                                         ReportObligation.period_id)
        .where(ReportPeriod.plan_id == plan_id)))
    plan_obligations(s, obligation_ids, planner, today)
    plan_task_notices(s, plan_id, planner, today, plan.year)
    plan_steering(s, planner, today, dt.date(plan.year + planner.p.steering_years_after, 12, 31))
    return s.scalar(select(_count()).where(PlannedItem.plan_id == plan_id,
                                           PlannedItem.state == "pending")) or 0


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
    apply(s, wants, _existing(s, PlannedItem.duty_id.in_(duty_ids)), planner, today)


def _duty_wants(rows, done: set, open_leads: dict[int, int], assigned: dict,  # noqa: ANN001
                planner: Planner) -> list[Want]:
    wants: list[Want] = []
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
        origins = by_holder.get(r.agency_id) or [r.agency_id]
        wants.extend(planner.duty_wants(r.id, r.role, r.due, origins, r.plan_id, r.task_id))
    return wants


def _all_leads_done(deadline_id: int, open_leads: dict[int, int], done_deadlines: set) -> bool:
    return deadline_id in done_deadlines and open_leads.get(deadline_id, 0) == 0


def plan_obligations(s: Session, obligation_ids: list[int], planner: Planner,
                     today: dt.date) -> None:
    for i in range(0, len(obligation_ids), CHUNK):
        chunk = obligation_ids[i:i + CHUNK]
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
                origins_on[r.deadline] = reporting_agencies(planner.d, r.deadline)
            origins = origins_on[r.deadline].get(r.agency_id) or [r.agency_id]
            wants.extend(planner.obligation_wants(r.id, r.deadline, origins, r.plan_id))
        apply(s, wants, _existing(s, PlannedItem.obligation_id.in_(chunk)), planner, today)


def plan_task_notices(s: Session, plan_id: int, planner: Planner, today: dt.date,
                      year: int) -> None:
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
    monitor = planner.d.monitor_id
    wants = []
    for tid, kind in tasks:
        if kind in UNDATED_KINDS and tid not in dated:
            reason = NEEDS_DUE
        elif tid in dated and tid not in with_lead:
            reason = NEEDS_LEAD
        else:
            continue
        wants.extend(Want(f"{reason}/{tid}/{day.isoformat()}", MONITOR_LIST, reason, monitor,
                          day, plan_id=plan_id, task_id=tid) for day in days)
    existing = _existing(s, and_(PlannedItem.plan_id == plan_id,
                                 PlannedItem.reason.in_((NEEDS_DUE, NEEDS_LEAD))))
    apply(s, wants, existing, planner, today)


def plan_steering(s: Session, planner: Planner, today: dt.date, until: dt.date) -> None:
    steering = planner.d.steering_id
    wants = [Want(f"steering/{day.isoformat()}", STEERING_DIGEST, STEERING, steering, day)
             for day in planner.steering_days(today, until)]
    keys = [w.key for w in wants]
    have = set()
    for i in range(0, len(keys), CHUNK):
        have.update(s.scalars(select(PlannedItem.key).where(
            PlannedItem.key.in_(keys[i:i + CHUNK]))))
    _insert(s, [w for w in wants if w.key not in have])


# --- applying a plan to the table ---------------------------------------------------------------
class _Have(NamedTuple):
    id: int
    state: str
    send_on: dt.date


def _existing(s: Session, where, plan_id: int | None = None  # noqa: ANN001
              ) -> dict[str, _Have]:
    return {k: _Have(i, st, d) for k, i, st, d, p in s.execute(
        select(PlannedItem.key, PlannedItem.id, PlannedItem.state, PlannedItem.send_on,
               PlannedItem.plan_id).where(where)) if plan_id is None or p == plan_id}


def apply(s: Session, wants: list[Want], existing: dict[str, _Have], planner: Planner,
          today: dt.date) -> None:
    first = planner.cal.next_working_day(today)
    new: list[Want] = []
    moves: list[dict] = []
    revive: list[dict] = []
    wanted: set[str] = set()
    for w in wants:
        if w.send_on < today:
            if not w.escalation:
                wanted.add(w.key)  # keep a past pending reminder for the dispatcher's grace
                continue
            w = w._replace(send_on=first)
        wanted.add(w.key)
        have = existing.get(w.key)
        if have is None:
            new.append(w)
        elif have.state == "pending":
            if have.send_on != w.send_on and have.send_on >= today:
                moves.append({"iid": have.id, "day": w.send_on, "st": "pending"})
        elif have.state == "cancelled":
            revive.append({"iid": have.id, "day": w.send_on, "st": "pending"})
    # "snooze/..." items are asked for in the Telegram bot ("Nhắc lại ngày mai"), not planned
    # here: re-planning keeps them (a completion still cancels them through cancel_for_duty).
    cancel = [{"iid": h.id, "st": "cancelled"} for k, h in existing.items()
              if h.state == "pending" and k not in wanted and not k.startswith("snooze/")]
    _insert(s, new)
    table = PlannedItem.__table__
    conn = s.connection()
    if moves or revive:
        stmt = (update(table).where(table.c.id == bindparam("iid"))
                .values(send_on=bindparam("day"), state=bindparam("st")))
        conn.execute(stmt, moves + revive)
    if cancel:
        stmt = update(table).where(table.c.id == bindparam("iid")).values(state=bindparam("st"))
        conn.execute(stmt, cancel)


_ITEM_COLUMNS = ("key", "kind", "reason", "recipient_id", "send_on", "plan_id", "task_id",
                 "duty_id", "obligation_id", "role", "state")


def _insert(s: Session, wants: list[Want]) -> None:
    # A Want's first ten fields are the columns, in order; the state is "pending". Sorted by
    # key, the unique index is filled in order (a third faster on PostgreSQL).
    bulk_insert_values(s, PlannedItem.__table__, _ITEM_COLUMNS,
                       sorted((*w[:10], "pending") for w in wants))


def _cancel_orphans(s: Session, plan_id: int) -> None:
    """Pending items of a plan whose deadline was retired or whose task was removed."""
    stale = select(Duty.id).join(Deadline, Deadline.id == Duty.deadline_id).join(
        Task, Task.id == Deadline.task_id).where(
        Task.plan_id == plan_id, (Deadline.active.is_(False)) | (Task.removed.is_(True)))
    s.execute(update(PlannedItem).where(PlannedItem.duty_id.in_(stale),
                                        PlannedItem.state == "pending")
              .values(state="cancelled"))


def cancel_for_duty(s: Session, duty_id: int) -> int:
    """A completion stops every pending reminder and escalation of that duty, at once."""
    result = s.execute(update(PlannedItem).where(PlannedItem.duty_id == duty_id,
                                                 PlannedItem.state == "pending")
                       .values(state="cancelled"))
    return result.rowcount or 0


def cancel_for_obligation(s: Session, obligation_id: int) -> int:
    result = s.execute(update(PlannedItem).where(PlannedItem.obligation_id == obligation_id,
                                                 PlannedItem.state == "pending")
                       .values(state="cancelled"))
    return result.rowcount or 0
