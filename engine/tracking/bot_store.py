"""`BotBackend` on the engine's database (SQLModel; SQLite or PostgreSQL).

Each call opens its own session, so handlers may call from worker threads. Chat links and link
codes are in `engine.tracking.bot_links`. A lead agency's deadline is open until that agency's
completion is recorded (through `engine.tracking.records`, which also stops its pending reminders);
a supporting agency's, until any completion of the deadline is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import ConflictError, NotFoundError
from core.numbering import code_key
from core.vocabulary import MessageKind, Reason
from engine.directory.agencies import Directory
from engine.planning.reminder_rules import Planner
from engine.settings import Settings, working_calendar
from engine.storage.bulk import in_ids
from engine.storage.db import get_engine
from engine.storage.models import (
    Agency,
    Completion,
    Deadline,
    Duty,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.bot_links import LinkStore, code_hash
from engine.tracking.records import complete_task
from engine.tracking.status import status_of
from notifiers.bot_backend import AgencyCount, ReportLine, TaskLine

__all__ = ["SqlBotBackend", "code_hash"]
# Planned items the bot adds ("Nhắc lại ngày mai"); the planner's re-planning keeps them.
SNOOZE_KEY_PREFIX = "snooze/"


_LINE_COLUMNS = (Duty.id, Duty.deadline_id, Duty.agency_id, Duty.role, Deadline.due,
                 Deadline.label, Task.group_name, Task.code, Task.title, Task.position,
                 Plan.number, Agency.name)


class SqlBotBackend(LinkStore):
    def __init__(self, engine: Engine, directory: Any, calendar: Any,
                 planner: Any = None, *, channel: str = "telegram") -> None:
        self.engine = engine
        self.directory = directory
        self.calendar = calendar
        self.channel = channel  # whose chat links and link codes (tasks are every channel's)
        if planner is not None:  # the service's own (engine.service.runtime.Runtime.planner)
            self.planner = planner

    @classmethod
    def from_settings(cls, settings: Any, *, channel: str = "telegram") -> SqlBotBackend:
        return cls(get_engine(settings.resolved_database_url()),
                   Directory.load(settings.agencies_path()), working_calendar(settings),
                   channel=channel)

    # --- tasks -------------------------------------------------------------------------------
    def _lines(self, s: Session, where: Iterable[Any], today: dt.date,
               open_only: bool) -> list[TaskLine]:
        query = (select(*_LINE_COLUMNS)
                 .join(Deadline, Deadline.id == Duty.deadline_id)
                 .join(Task, Task.id == Deadline.task_id)
                 .join(Plan, Plan.id == Task.plan_id)
                 .join(Agency, Agency.id == Duty.agency_id)
                 .where(Deadline.active, Task.removed.is_(False), *where))  # type: ignore[attr-defined]
        rows = s.execute(query).all()
        done = self._completions(s, {r.deadline_id for r in rows})
        out = []
        for r in rows:
            own = done.get((r.deadline_id, r.agency_id))
            if r.role != "lead" and own is None:
                own = next((c for (d, _), c in done.items() if d == r.deadline_id), None)
            if open_only and own is not None:
                continue
            out.append(TaskLine(
                deadline_id=r.deadline_id, agency_id=r.agency_id, agency_name=r.name,
                group=r.group_name, code=r.code, title=r.title, due=r.due,
                status=self._status(r.due, today, own), role=r.role, label=r.label,
                plan_number=r.number, completed_on=own.completed_on if own else None,
                document_no=own.document_no if own else None,
                days=self._days(r.due, today) if own is None else None))
        out.sort(key=lambda t: (t.due or dt.date.max, t.agency_name, t.group, code_key(t.code)))
        return out

    def _completions(self, s: Session,
                     deadline_ids: set[int]) -> dict[tuple[int, str], Completion]:
        out: dict[tuple[int, str], Completion] = {}
        for c in s.scalars(select(Completion).where(
                in_ids(Completion.deadline_id, deadline_ids),
                Completion.undone_at.is_(None))):  # type: ignore[union-attr]
            out[(c.deadline_id, c.agency_id)] = c  # type: ignore[index]
        return out

    def _days(self, due: dt.date, today: dt.date) -> int:
        if due >= today:
            return self.calendar.count_working_days(today + dt.timedelta(days=1), due)
        return -self.calendar.count_working_days(due + dt.timedelta(days=1), today)

    def _status(self, due: dt.date, today: dt.date, done: Completion | None) -> str:

        return status_of(due, done.completed_on if done else None, today, self.calendar,
                         self.planner.policy.soon_working_days)

    def open_deadlines(self, agency_id: str | None, today: dt.date, *,
                       due_from: dt.date | None = None,
                       due_to: dt.date | None = None) -> list[TaskLine]:
        where: list[Any] = []
        if agency_id is not None:
            where.append(Duty.agency_id == agency_id)
        if due_from is not None:
            where.append(Deadline.due >= due_from)
        if due_to is not None:
            where.append(Deadline.due <= due_to)
        with self._session() as s:
            return self._lines(s, where, today, open_only=True)

    def agency_counts(self, today: dt.date) -> list[AgencyCount]:
        live = select(Completion.id).where(
            Completion.deadline_id == Duty.deadline_id, Completion.agency_id == Duty.agency_id,
            Completion.undone_at.is_(None)).exists()  # type: ignore[union-attr]
        overdue = func.sum(case((Deadline.due < today, 1), else_=0))
        query = (select(Duty.agency_id, Agency.name, func.count(), overdue)
                 .join(Deadline, Deadline.id == Duty.deadline_id)
                 .join(Task, Task.id == Deadline.task_id)
                 .join(Agency, Agency.id == Duty.agency_id)
                 .where(Duty.role == "lead", Deadline.active, Task.removed.is_(False), ~live)  # type: ignore[attr-defined]
                 .group_by(Duty.agency_id, Agency.name))
        with self._session() as s:
            rows = [AgencyCount(a, n, int(c), int(o or 0)) for a, n, c, o in s.execute(query)]
        rows.sort(key=lambda r: (-r.overdue, -r.open, r.agency_name))
        return rows

    def task_deadlines(self, code: str, agency_id: str | None,
                       today: dt.date) -> list[TaskLine]:
        where: list[Any] = [Task.code == code]
        if agency_id is not None:
            where.append(Duty.agency_id == agency_id)
        with self._session() as s:
            return self._lines(s, where, today, open_only=False)

    def deadline(self, deadline_id: int, agency_id: str, today: dt.date) -> TaskLine | None:
        with self._session() as s:
            lines = self._lines(s, [Duty.deadline_id == deadline_id,
                                    Duty.agency_id == agency_id], today, open_only=False)
        lines.sort(key=lambda t: t.role != "lead")  # an agency both leads and supports: lead
        return lines[0] if lines else None

    @cached_property
    def planner(self) -> Any:
        """The engine's planner: a completion re-plans what it touches (engine.tracking.records).
        Built from the settings' policy file unless the service handed its own."""

        return Planner(self.directory, self.calendar, Settings().load_policy())

    def record_completion(self, deadline_id: int, agency_id: str, document_no: str | None,
                          now: dt.datetime, by: str) -> TaskLine:

        today = now.date()
        with self._session() as s:
            row = s.execute(select(Task, Deadline.due).join(Deadline, Deadline.task_id == Task.id)
                            .where(Deadline.id == deadline_id)).first()
            if row is None:
                raise NotFoundError("không còn thời hạn này")
            task, due = row
            # The engine's own recording: the completion, and every pending reminder and
            # escalation of the deadline stopped in the same transaction.
            try:
                complete_task(s, task, agency_id, self.planner, on=today, today=today, due=due,
                              document_no=document_no, by=by)
                s.commit()
            except IntegrityError as exc:  # another chat recorded it a moment ago
                s.rollback()
                raise ConflictError("thời hạn này đã được ghi nhận hoàn thành") from exc
        line = self.deadline(deadline_id, agency_id, today)
        if line is None:
            raise NotFoundError("không còn thời hạn này")
        return line

    def snooze(self, deadline_id: int, agency_id: str, now: dt.datetime) -> dt.date:
        day = self.calendar.add_working_days(now.date(), 1)
        with self._session() as s:
            row = s.execute(select(Duty, Deadline.task_id, Task.plan_id, Deadline.due)
                            .join(Deadline, Deadline.id == Duty.deadline_id)
                            .join(Task, Task.id == Deadline.task_id)
                            .where(Duty.deadline_id == deadline_id,
                                   Duty.agency_id == agency_id)).first()
            if row is None:
                raise NotFoundError("cơ quan không có phần trong thời hạn này")
            duty, task_id, plan_id, due = row
            key = f"{SNOOZE_KEY_PREFIX}{duty.id}/{agency_id}/{day.isoformat()}"
            if s.scalars(select(PlannedItem.id).where(PlannedItem.key == key)).first() is None:
                # An ordinary reminder (or late notice) for that day: the dispatcher puts it in
                # the agency's digest like any other; a completion cancels it like any other.
                s.add(PlannedItem(key=key, kind=MessageKind.AGENCY_DIGEST,
                                  reason=Reason.LATE if due < day else Reason.REMINDER,
                                  recipient_id=agency_id, send_on=day, plan_id=plan_id,
                                  task_id=task_id, duty_id=duty.id, role=duty.role))
                s.commit()
        return day

    def next_reports(self, agency_id: str | None, today: dt.date) -> list[ReportLine]:
        query = (select(ReportPeriod, Plan.number, Plan.data_entry_url)
                 .join(Plan, Plan.id == ReportPeriod.plan_id)
                 .where(ReportPeriod.deadline >= today)
                 .order_by(ReportPeriod.deadline, Plan.number))
        if agency_id is not None:
            query = query.add_columns(ReportObligation.id).join(
                ReportObligation, ReportObligation.period_id == ReportPeriod.id
            ).where(ReportObligation.agency_id == agency_id)
        out: dict[str, ReportLine] = {}
        with self._session() as s:
            for row in s.execute(query):
                period, number, url = row[0], row[1], row[2]
                if number in out:
                    continue  # the next one per plan only
                submitted = None
                if agency_id is not None:
                    submitted = s.scalars(select(Completion.completed_on).where(
                        Completion.obligation_id == row[3],
                        Completion.undone_at.is_(None))).first()  # type: ignore[union-attr]
                out[number] = ReportLine(period.name, period.deadline, period.cutoff_from,
                                         period.cutoff_to, url, number, submitted)
        return list(out.values())


