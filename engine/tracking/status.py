"""Statuses per deadline and agency, and the per-agency table the Steering Committee reads.

Status codes (the names Vietnamese task-tracking systems use):

    not_due        chưa đến hạn
    due_soon       sắp đến hạn            due within the policy's 5 working days (today included)
    overdue        quá hạn                not completed by the end of the due day
    done_on_time   hoàn thành đúng hạn
    done_late      hoàn thành quá hạn
    waiting_event  chờ sự kiện            event-relative task, event not recorded
    needs_due      cần xác định thời hạn  reference / unknown timing, no date set

Rows are the lead duties of active deadlines, the report obligations, and — for tasks without a
date — one row per lead agency. A completion counts from its `completed_on` day: `--as-of` an
earlier day shows the deadline still open. Rates: of what was due by the as-of day (or completed
early), the share completed, and the share completed on time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlmodel import Session

from core.vocabulary import TABLE_STATUSES, Status
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
from rules import WorkingCalendar

STATUSES = TABLE_STATUSES


def status_of(due: dt.date | None, completed_on: dt.date | None, as_of: dt.date,
              calendar: WorkingCalendar, soon_working_days: int = 5) -> str:
    if due is None:
        return Status.NEEDS_DUE
    if completed_on is not None and completed_on <= as_of:
        return Status.DONE_ON_TIME if completed_on <= due else Status.DONE_LATE
    if due < as_of:
        return Status.OVERDUE
    # "5 working days before" the due day is the first day it is due soon (the first reminder).
    if calendar.count_working_days(as_of + dt.timedelta(days=1), due) <= soon_working_days:
        return Status.DUE_SOON
    return Status.NOT_DUE


@dataclass(frozen=True)
class Row:
    agency_id: str
    status: str
    due: dt.date | None
    completed_on: dt.date | None = None
    task_id: int | None = None
    deadline_id: int | None = None
    obligation_id: int | None = None
    label: str | None = None  # product, or the report period's name


@dataclass
class AgencyStatus:
    agency_id: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completed(self) -> int:
        return self.counts["done_on_time"] + self.counts["done_late"]

    @property
    def due(self) -> int:
        return self.completed + self.counts["overdue"]

    @property
    def completion_rate(self) -> float | None:
        return round(self.completed / self.due, 4) if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.counts["done_on_time"] / self.due, 4) if self.due else None

    def to_json(self, rank: int) -> dict:
        return {"rank": rank, "agency": self.agency_id, "name": self.name,
                "counts": dict(self.counts), "total": self.total, "due": self.due,
                "completed": self.completed, "completion_rate": self.completion_rate,
                "on_time_rate": self.on_time_rate}


def rows(s: Session, as_of: dt.date, calendar: WorkingCalendar, directory: Directory, *,
         soon: int = 5, plan_id: int | None = None, agency_id: str | None = None) -> list[Row]:
    out = [Row(*t) for t in _dated(s, as_of, calendar, soon, plan_id, agency_id)]
    out.extend(_undated(s, as_of, directory, plan_id, agency_id))
    return out


def dated_queries(plan_id: int | None, agency_id: str | None, duty_columns: tuple,
                   report_columns: tuple, *, open_only: bool = False) -> tuple:
    """The two selects of the dated rows — lead duties of active deadlines, report obligations
    — each with its live completion (at most one, a unique index says): agency, due day,
    completion day, then the caller's columns. `open_only`: without closed plans."""
    live = Completion.undone_at.is_(None)
    duties = (select(Duty.agency_id, Deadline.due, Completion.completed_on, *duty_columns)
              .join(Deadline, Deadline.id == Duty.deadline_id)
              .join(Task, Task.id == Deadline.task_id)
              .outerjoin(Completion, (Completion.deadline_id == Duty.deadline_id)
                         & (Completion.agency_id == Duty.agency_id) & live)
              .where(Duty.role == "lead", Deadline.active, Task.removed.is_(False)))
    reports = (select(ReportObligation.agency_id, ReportPeriod.deadline, Completion.completed_on,
                      *report_columns)
               .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
               .outerjoin(Completion, (Completion.obligation_id == ReportObligation.id) & live))
    if plan_id is not None:
        duties = duties.where(Task.plan_id == plan_id)
        reports = reports.where(ReportPeriod.plan_id == plan_id)
    if agency_id is not None:
        duties = duties.where(Duty.agency_id == agency_id)
        reports = reports.where(ReportObligation.agency_id == agency_id)
    if open_only:
        closed = select(Plan.id).where(Plan.closed_at.is_not(None))
        duties = duties.where(Task.plan_id.not_in(closed))
        reports = reports.where(ReportPeriod.plan_id.not_in(closed))
    return duties, reports


def _statuses(as_of: dt.date, calendar: WorkingCalendar, soon: int):  # noqa: ANN202
    """status_of for this day, remembered per (due day, completion day): rows share a few."""
    memo: dict[tuple[dt.date, dt.date | None], str] = {}

    def status(due: dt.date, completed_on: dt.date | None) -> str:
        got = memo.get((due, completed_on))
        if got is None:
            got = memo[due, completed_on] = status_of(due, completed_on, as_of, calendar, soon)
        return got

    return status


def _dated(s: Session, as_of: dt.date, calendar: WorkingCalendar, soon: int,
           plan_id: int | None, agency_id: str | None) -> Iterator[tuple]:
    """The dated rows as tuples in `Row`'s field order: a national database has hundreds of
    thousands, read with Core rows, fetched at once (row by row, psycopg's fetchone costs
    3 us a row)."""
    status = _statuses(as_of, calendar, soon)
    duties, reports = dated_queries(plan_id, agency_id,
                                     (Deadline.task_id, Duty.deadline_id, Deadline.label),
                                     (ReportObligation.id, ReportPeriod.name))
    core = s.connection()
    for agency, due, c, tid, did, label in core.execute(duties).all():
        yield agency, status(due, c), due, c, tid, did, None, label
    for agency, due, c, oid, name in core.execute(reports).all():
        yield agency, status(due, c), due, c, None, None, oid, f"Báo cáo {name}"


def last_due_soon(as_of: dt.date, calendar: WorkingCalendar, soon: int) -> dt.date:
    """The last due day `status_of` calls due soon on `as_of` (not completed, not yet late):
    the day before the (soon + 1)-th working day after `as_of`."""
    return calendar.add_working_days(as_of, soon + 1) - dt.timedelta(days=1)


def _status_case(due, completed_on, as_of: dt.date, soon_until: dt.date):  # noqa: ANN001, ANN202
    """`status_of` as a SQL expression over a row's due day and live completion day."""
    return case(
        (due.is_(None), Status.NEEDS_DUE.value),
        (completed_on <= as_of, case((completed_on <= due, "done_on_time"),
                                     else_="done_late")),
        (due < as_of, "overdue"),
        (due <= soon_until, "due_soon"),
        else_="not_due")


def _dated_counts(s: Session, as_of: dt.date, calendar: WorkingCalendar, soon: int,
                  plan_id: int | None, agency_id: str | None, open_only: bool = False
                  ) -> Iterator[tuple[str, str, int]]:
    """(agency, status, count) of the dated rows, the status decided and counted by the
    database: a national table is a few rows per agency instead of hundreds of thousands of
    rows (1.7 s), or of groups by due and completion day (0.4 s). The same selects as `_dated`;
    a test holds the two to the same counts."""
    soon_until = last_due_soon(as_of, calendar, soon)
    core = s.connection()
    for q in dated_queries(plan_id, agency_id, (), (), open_only=open_only):
        agency, due, completed_on = q.selected_columns[:3]
        inner = q.with_only_columns(
            agency.label("agency"),
            _status_case(due, completed_on, as_of, soon_until).label("status")).subquery()
        yield from core.execute(select(inner.c.agency, inner.c.status, func.count())
                                .group_by(inner.c.agency, inner.c.status)).all()


def _undated(s: Session, as_of: dt.date, directory: Directory, plan_id: int | None,
             agency_id: str | None, open_only: bool = False) -> list[Row]:
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join; NOT IN over a large
    # subquery is evaluated row by row (minutes at national scale).
    dated = select(Deadline.id).where(Deadline.task_id == Task.id, Deadline.active).exists()
    q = (select(Task.id, Task.kind, Assignment.agency_id)
         .join(Assignment, Assignment.task_id == Task.id)
         .where(Task.leaf, Task.removed.is_(False), Assignment.role == "lead",
                Task.kind.in_(("event", "reference", "unknown")), ~dated))
    if plan_id is not None:
        q = q.where(Task.plan_id == plan_id)
    if open_only:
        q = q.where(Task.plan_id.not_in(select(Plan.id).where(Plan.closed_at.is_not(None))))
    out: list[Row] = []
    seen: set[tuple[int, str]] = set()
    for tid, kind, agency in s.execute(q):
        entry = directory.get(agency) if agency in directory else None
        if entry is None or entry.kind not in SINGLE_KINDS:
            continue
        holder = directory.current(agency, as_of).id
        if (agency_id is not None and holder != agency_id) or (tid, holder) in seen:
            continue
        seen.add((tid, holder))
        out.append(Row(holder, Status.WAITING_EVENT if kind == "event" else Status.NEEDS_DUE, None,
                       task_id=tid))
    return out


def table(s: Session, as_of: dt.date, calendar: WorkingCalendar, directory: Directory, *,
          soon: int = 5, plan_id: int | None = None,
          agency_id: str | None = None, open_only: bool = False) -> list[AgencyStatus]:
    """Per-agency counts, ranked: best completion rate first, then on-time rate, then fewest
    overdue; agencies with nothing due yet come last. `open_only`: without closed plans."""
    names = dict(s.execute(select(Agency.id, Agency.name)).all())
    counts: dict[tuple[str, str], int] = {}
    for agency, status, n in _dated_counts(s, as_of, calendar, soon, plan_id, agency_id,
                                           open_only):
        counts[agency, status] = counts.get((agency, status), 0) + n
    for r in _undated(s, as_of, directory, plan_id, agency_id, open_only):
        counts[r.agency_id, r.status] = counts.get((r.agency_id, r.status), 0) + 1
    by: dict[str, AgencyStatus] = {}
    for (agency, status), n in counts.items():
        entry = by.get(agency)
        if entry is None:
            entry = by[agency] = AgencyStatus(agency, names.get(agency, agency))
        entry.counts[status] += n
    return sorted(by.values(), key=lambda a: (
        a.due == 0, -(a.completion_rate or 0), -(a.on_time_rate or 0), a.counts["overdue"],
        a.name))

