"""The one pass over a plan's deadlines, duties, completions and report obligations that a period
report counts, at an as-of date.

Which deadlines belong to the period (README, "Period reports"): the lead duties of the plan's
active deadlines due from 1 January of the plan's year up to and including the as-of day; and a
deadline due later in the plan's year that was completed on or before the as-of day (completed
early: it counts as done on time, as the status table counts it). A deadline due after the as-of
day and not completed by it is not the period's business yet.

Each row's status is `engine.tracking.status.status_of` at the as-of day (a completion counts from
its `completed_on` day), folded into the four statuses the Vietnamese systems report:

    done_on_time  hoàn thành đúng hạn          <- done_on_time
    done_late     hoàn thành quá hạn            <- done_late
    late_open     quá hạn chưa hoàn thành       <- overdue
    open_in_time  đang thực hiện trong hạn      <- due_soon, not_due (here: due on the as-of day)

Report obligations (this period's and the earlier periods' of the plan) are judged on the day the
report is built, not at the data cut-off: the period's own report is due after its cut-off by
design (the 18th, against data cut on the 14th).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import String, or_, select, type_coerce
from sqlmodel import Session

from engine.directory.agencies import SINGLE_KINDS, Directory
from engine.storage.models import (
    Agency,
    Assignment,
    Completion,
    Deadline,
    Duty,
    Plan,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.status import dated_queries, status_of
from rules import WorkingCalendar

FOUR = ("done_on_time", "done_late", "late_open", "open_in_time")
FOUR_VI = {
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành quá hạn",
    "late_open": "quá hạn chưa hoàn thành",
    "open_in_time": "đang thực hiện trong hạn",
}
# A report obligation in the same four statuses, said as a report's.
REPORT_VI = {
    "done_on_time": "đã gửi đúng hạn",
    "done_late": "đã gửi quá hạn",
    "late_open": "quá hạn, chưa gửi",
    "open_in_time": "chưa đến hạn gửi",
}
# engine.tracking.status's seven statuses onto the four (the undated two have no row here).
FROM_STATUS = {"done_on_time": "done_on_time", "done_late": "done_late",
               "overdue": "late_open", "due_soon": "open_in_time", "not_due": "open_in_time"}
_BATCH = 20_000  # rows fetched at a time: the driver's rows are not all held at once
UNDATED_VI = {"waiting_event": "chờ sự kiện", "needs_due": "cần xác định thời hạn"}


class TaskLine(NamedTuple):
    """One lead agency's share of one deadline in the period."""

    agency: str  # the agency holding it at the as-of day (successors followed)
    origin: str  # the agency the duty was on (a predecessor, or the same)
    group: str
    code: str
    title: str
    label: str | None  # the product the deadline is for
    due: dt.date
    status: str  # one of FOUR
    done: dt.date | None
    doc_number: str | None
    position: int  # the task's order in the plan


class ReportLine(NamedTuple):
    agency: str
    origin: str
    period: str
    due: dt.date
    status: str  # one of FOUR, judged on the build day
    submitted: dt.date | None
    doc_number: str | None


class ListedTask(NamedTuple):
    """A task without a deadline of its own in the period: ongoing, or waiting for a person."""

    agency: str
    group: str
    code: str
    title: str
    reason: str  # "ongoing" | "waiting_event" | "needs_due"
    position: int


@dataclass(frozen=True)
class Heading:
    """What the report says about its plan and period (plain values: no session needed)."""

    plan_id: int
    plan_number: str
    plan_year: int
    plan_issued_on: dt.date | None
    plan_title: str | None
    issuer: str | None
    period: str
    cutoff_from: dt.date | None  # null: the plan gives no data cut-off window (revision 0011)
    cutoff_to: dt.date | None
    report_deadline: dt.date

    @classmethod
    def of(cls, plan: Plan, period: ReportPeriod) -> Heading:
        return cls(plan.id, plan.number, plan.year, plan.issued_on, plan.title, plan.issuer,
                   period.name, period.cutoff_from, period.cutoff_to, period.deadline)


@dataclass(frozen=True)
class Counted:
    heading: Heading
    as_of: dt.date
    judged_on: dt.date  # the day report obligations are judged on
    tasks: list[TaskLine]
    reports: list[ReportLine]  # every obligation due by the period's deadline
    ongoing: list[ListedTask]
    undated: list[ListedTask]
    names: dict[str, str]  # agency id -> name (current names)
    predecessors: dict[str, list[str]]  # holder -> agencies folded into it


def period_window(plan: Plan, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The due days a period report at `as_of` looks at: the plan's year up to the as-of day."""
    return dt.date(plan.year, 1, 1), min(as_of, dt.date(plan.year, 12, 31))


def holder_of(directory: Directory, on: dt.date) -> Callable[[str], str]:
    """agency id -> the agency holding its work on `on` (remembered: rows share a few)."""
    memo: dict[str, str] = {}

    def holder(agency_id: str) -> str:
        got = memo.get(agency_id)
        if got is None:
            got = memo[agency_id] = (directory.current(agency_id, on).id
                                     if agency_id in directory else agency_id)
        return got

    return holder


def _four(as_of: dt.date, calendar: WorkingCalendar, soon: int) -> Callable:
    memo: dict[tuple[dt.date, dt.date | None], str] = {}

    def four(due: dt.date, completed_on: dt.date | None) -> str:
        got = memo.get((due, completed_on))
        if got is None:
            got = memo[due, completed_on] = FROM_STATUS[
                status_of(due, completed_on, as_of, calendar, soon)]
        return got

    return four


def _dates() -> Callable:
    """A date column read as the driver gives it (SQLite: ISO text, PostgreSQL: a date), each
    distinct value parsed once: SQLAlchemy's own conversion for SQLite parses every row's."""
    memo: dict = {None: None}

    def day(v):  # noqa: ANN001, ANN202
        got = memo.get(v, memo)
        if got is memo:
            got = memo[v] = v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
        return got

    return day


def count(s: Session, plan: Plan, period: ReportPeriod, as_of: dt.date, *,
          directory: Directory, calendar: WorkingCalendar, today: dt.date,
          soon: int = 5) -> Counted:
    """Everything a period report shows, read in one pass (one select per kind of row)."""
    first, last = period_window(plan, as_of)
    holder = holder_of(directory, as_of)
    four = _four(as_of, calendar, soon)
    day = _dates()
    duties, reports = dated_queries(plan.id, None, (), ())
    raw_due, raw_done = type_coerce(Deadline.due, String), type_coerce(
        Completion.completed_on, String)
    duties = duties.where(
        Deadline.due >= first, Deadline.due <= dt.date(plan.year, 12, 31),
        or_(Deadline.due <= last, Completion.completed_on <= as_of),
    ).with_only_columns(Duty.agency_id, raw_due, raw_done, Completion.document_no,
                        Task.group_name, Task.code, Task.title, Deadline.label, Task.position)
    core = s.connection()
    tasks = []
    add = tasks.append
    # Each distinct text kept once: the driver makes a new string per row, and a task's group,
    # title and product repeat on every deadline and agency (half the report's memory).
    texts: dict[str, str] = {}
    one = texts.setdefault
    for part in core.execute(duties).partitions(_BATCH):
        for agency, due, done, doc, group, code, title, label, position in part:
            due, done = day(due), day(done)
            if done is not None and done > as_of:
                done, doc = None, None  # completed after the as-of day: still open then
            add(TaskLine(holder(agency), one(agency, agency), one(group, group),
                         one(code, code), one(title, title), label and one(label, label), due,
                         four(due, done), done, doc, position))
    judged_on = max(as_of, today)
    judge = _four(judged_on, calendar, soon)
    report_lines = []
    reports = reports.where(ReportPeriod.deadline <= period.deadline).with_only_columns(
        ReportObligation.agency_id, type_coerce(ReportPeriod.deadline, String), raw_done,
        Completion.document_no, ReportPeriod.name)
    for agency, due, done, doc, name in core.execute(reports).all():
        due, done = day(due), day(done)
        if done is not None and done > judged_on:
            done, doc = None, None
        report_lines.append(ReportLine(holder(agency), agency, name, due, judge(due, done),
                                       done, doc))
    ongoing, undated = _listed(s, plan.id, holder, directory)
    names = dict(s.execute(select(Agency.id, Agency.name)).all())
    for a in directory:
        names[a.id] = a.name
    predecessors: dict[str, set[str]] = {}
    for line in (*tasks, *report_lines):
        if line.origin != line.agency:
            predecessors.setdefault(line.agency, set()).add(line.origin)
    return Counted(Heading.of(plan, period), as_of, judged_on, tasks, report_lines, ongoing,
                   undated, names, {k: sorted(v) for k, v in predecessors.items()})


def _listed(s: Session, plan_id: int, holder: Callable[[str], str],
            directory: Directory) -> tuple[list[ListedTask], list[ListedTask]]:
    """Ongoing tasks (reported on in every periodic report) and the tasks a person must give a
    date (event not recorded, timing by another document, timing nobody understood), one line
    per lead agency holding them."""
    dated = select(Deadline.id).where(Deadline.task_id == Task.id, Deadline.active).exists()
    q = (select(Task.group_name, Task.code, Task.title, Task.kind, Task.position,
                Assignment.agency_id)
         .join(Assignment, Assignment.task_id == Task.id)
         .where(Task.plan_id == plan_id, Task.leaf, Task.removed.is_(False),
                Assignment.role == "lead",
                or_(Task.kind == "ongoing",
                    Task.kind.in_(("event", "reference", "unknown")) & ~dated)))
    ongoing: list[ListedTask] = []
    undated: list[ListedTask] = []
    seen: set[tuple] = set()
    for group, code, title, kind, position, agency in s.connection().execute(q).all():
        entry = directory.get(agency) if agency in directory else None
        if entry is not None and entry.kind not in SINGLE_KINDS:
            continue
        who = holder(agency)
        if (group, code, who) in seen:
            continue
        seen.add((group, code, who))
        reason = ("ongoing" if kind == "ongoing" else
                  "waiting_event" if kind == "event" else "needs_due")
        (ongoing if reason == "ongoing" else undated).append(
            ListedTask(who, group, code, title, reason, position))
    return ongoing, undated
