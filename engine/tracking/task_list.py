"""A plan's tasks as the officer lists them: leaf tasks with their lead agencies, the dates of
their active deadlines and each deadline's status for its lead agency (`nhacviec tasks`, and any
front door that lists tasks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from core.vocabulary import Status
from engine.directory.agencies import Directory
from engine.storage.models import Assignment, Completion, Deadline, Duty, Task
from engine.tracking.status import status_of
from rules import WorkingCalendar

ONGOING = "ongoing"  # a task with no date of its own (kind "ongoing"): reported on, not due
NO_LEAD = "no_lead"  # a task the plan names no lead agency for: nobody to remind yet


@dataclass
class TaskLine:
    task: Task
    leads: list[str]  # lead agency ids as assigned (before successors)
    due: list[dt.date]  # the dates of its active lead deadlines, ascending, once each
    statuses: dict[str, int] = field(default_factory=dict)  # status -> lead duties in it


def task_lines(s: Session, plan_id: int, directory: Directory, calendar: WorkingCalendar,
               as_of: dt.date, *, soon_working_days: int, agency_id: str | None = None,
               kind: str | None = None, due_before: dt.date | None = None) -> list[TaskLine]:
    """The plan's leaf tasks in plan order, each with its lead duties' statuses on `as_of`.
    `agency_id`: only the tasks that agency leads (directly or as a successor); `due_before`:
    only tasks with a lead deadline before that day."""
    in_plan = Task.plan_id == plan_id
    q = select(Task).where(in_plan, Task.leaf, Task.removed.is_(False))
    if kind:
        q = q.where(Task.kind == kind)
    tasks = list(s.scalars(q.order_by(Task.position)))
    leads: dict[int, list[str]] = {}
    for tid, a in s.execute(select(Assignment.task_id, Assignment.agency_id)
                            .join(Task, Task.id == Assignment.task_id)
                            .where(in_plan, Assignment.role == "lead")):
        leads.setdefault(tid, []).append(a)
    duties: dict[int, list[tuple[int, str, dt.date]]] = {}
    for did, a, due, tid in s.execute(
            select(Deadline.id, Duty.agency_id, Deadline.due, Deadline.task_id)
            .join(Duty, Duty.deadline_id == Deadline.id)
            .join(Task, Task.id == Deadline.task_id)
            .where(in_plan, Deadline.active, Duty.role == "lead").order_by(Deadline.due)):
        duties.setdefault(tid, []).append((did, a, due))
    done = {(d, a): c for d, a, c in s.execute(
        select(Completion.deadline_id, Completion.agency_id, Completion.completed_on)
        .join(Deadline, Deadline.id == Completion.deadline_id)
        .join(Task, Task.id == Deadline.task_id)
        .where(in_plan, Completion.undone_at.is_(None)))}
    out = []
    for t in tasks:
        ds = [d for d in duties.get(t.id, []) if agency_id is None or d[1] == agency_id]
        if agency_id and not ds and not any(
                directory.current(x, as_of).id == agency_id for x in leads.get(t.id, [])
                if x in directory):
            continue
        if due_before and not any(d[2] < due_before for d in ds):
            continue
        statuses = [status_of(due, done.get((did, a)), as_of, calendar, soon_working_days)
                    for did, a, due in ds]
        if not ds and not leads.get(t.id):
            statuses = [NO_LEAD]  # never "thường xuyên": a dated task without a lead is not
        elif not ds:
            statuses = [Status.WAITING_EVENT if t.kind == "event" else Status.NEEDS_DUE
                        if t.kind in ("reference", "unknown") else ONGOING]
        counts: dict[str, int] = {}
        for st in statuses:
            counts[st] = counts.get(st, 0) + 1
        out.append(TaskLine(t, leads.get(t.id, []), sorted({d[2] for d in ds}), counts))
    return out
