"""`BotBackend` on the engine's database (SQLModel; SQLite or PostgreSQL).

Each call opens its own session, so handlers may call from worker threads. Link codes are stored
as SHA-256 only and spent with one conditional UPDATE, so two chats racing for a code cannot both
win. A lead agency's deadline is open until that agency's completion is recorded; a supporting
agency's, until any completion of the deadline is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engine.errors import ConflictError, NotFoundError
from engine.models import (
    Agency,
    ChatLink,
    Completion,
    Deadline,
    Duty,
    LinkCode,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from notifiers.telegram_backend import (
    LINK_CODE_TTL,
    AgencyCount,
    ChatLinkView,
    LinkCodeError,
    ReportLine,
    TaskLine,
    new_link_code,
    normalize_code,
)

DUE_SOON_WORKING_DAYS = 5  # contract section 4: the first reminder goes 5 working days before


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


_LINE_COLUMNS = (Duty.id, Duty.deadline_id, Duty.agency_id, Duty.role, Deadline.due,
                 Deadline.label, Task.group_name, Task.code, Task.title, Task.position,
                 Plan.number, Agency.name)


class SqlBotBackend:
    def __init__(self, engine: Engine, directory: Any, calendar: Any) -> None:
        self.engine = engine
        self.directory = directory
        self.calendar = calendar

    @classmethod
    def from_settings(cls, settings: Any) -> SqlBotBackend:
        from engine.agencies import Directory
        from engine.db import get_engine
        from engine.settings import working_calendar

        return cls(get_engine(settings.resolved_database_url()),
                   Directory.load(settings.agencies_path()), working_calendar(settings))

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- who ---------------------------------------------------------------------------------
    def agency_of_chat(self, chat_id: int) -> str | None:
        with self._session() as s:
            link = s.get(ChatLink, chat_id)
            return link.agency_id if link else None

    def agency_name(self, agency_id: str) -> str:
        with self._session() as s:
            row = s.get(Agency, agency_id)
        if row is not None:
            return row.name
        return self.directory.get(agency_id).name if agency_id in self.directory else agency_id

    def find_agency(self, text: str) -> str | None:
        mentions = [m for m in self.directory.split_and_resolve(text) if m.kind != "unresolved"]
        if len(mentions) == 1 and mentions[0].kind == "agency" and len(mentions[0].ids) == 1:
            return str(mentions[0].ids[0])
        return None

    def _ensure_agency(self, s: Session, agency_id: str) -> None:
        """The directory entry as a row (plan import copies them; linking may come first)."""
        if s.get(Agency, agency_id) is not None:
            return
        entry = self.directory.get(agency_id)  # NotFoundError for an unknown id
        if not entry.is_single:
            raise NotFoundError(f"«{agency_id}» là một nhóm cơ quan, không phải một cơ quan")
        s.add(Agency(id=entry.id, name=entry.name, kind=entry.kind, reports=entry.reports,
                     role=entry.role, emails=list(entry.emails),
                     telegram_chat_ids=list(entry.telegram_chat_ids)))
        s.flush()

    # --- linking -----------------------------------------------------------------------------
    def create_link_code(self, agency_id: str, now: dt.datetime) -> tuple[str, dt.datetime]:
        code = new_link_code()
        now = _utc(now)
        expires = now + LINK_CODE_TTL
        with self._session() as s:
            self._ensure_agency(s, agency_id)
            s.add(LinkCode(code_hash=code_hash(code), agency_id=agency_id, created_at=now,
                           expires_at=expires))
            s.commit()
        return code, expires

    def redeem_link_code(self, code: str, chat_id: int, title: str | None,
                         now: dt.datetime) -> str:
        digest = code_hash(code)
        now = _utc(now)
        with self._session() as s:
            row = s.get(LinkCode, digest)
            if row is None:
                raise LinkCodeError("unknown")
            if row.used_at is not None:
                raise LinkCodeError("used")
            if _utc(row.expires_at) <= now:
                raise LinkCodeError("expired")
            spent = s.execute(update(LinkCode).where(
                and_(LinkCode.code_hash == digest, LinkCode.used_at.is_(None))  # type: ignore[union-attr]
            ).values(used_at=now, used_by_chat=chat_id))
            if spent.rowcount != 1:  # another chat spent it a moment ago
                s.rollback()
                raise LinkCodeError("used")
            self._upsert_link(s, row.agency_id, chat_id, now, title, "code")
            s.commit()
            return row.agency_id

    def _upsert_link(self, s: Session, agency_id: str, chat_id: int, now: dt.datetime,
                     title: str | None, how: str) -> None:
        link = s.get(ChatLink, chat_id)
        if link is None:
            link = ChatLink(chat_id=chat_id, agency_id=agency_id, linked_at=_utc(now))
        link.agency_id, link.title, link.linked_by = agency_id, title, how
        link.linked_at = _utc(now)
        s.add(link)

    def link_chat(self, agency_id: str, chat_id: int, now: dt.datetime,
                  title: str | None = None) -> None:
        with self._session() as s:
            self._ensure_agency(s, agency_id)
            self._upsert_link(s, agency_id, chat_id, now, title, "admin")
            s.commit()

    def unlink_chat(self, chat_id: int) -> bool:
        with self._session() as s:
            gone = s.execute(delete(ChatLink).where(ChatLink.chat_id == chat_id)).rowcount
            s.commit()
            return bool(gone)

    def links(self) -> list[ChatLinkView]:
        with self._session() as s:
            rows = s.execute(select(ChatLink, Agency.name).join(
                Agency, Agency.id == ChatLink.agency_id).order_by(Agency.name, ChatLink.chat_id))
            return [ChatLinkView(link.chat_id, link.agency_id, name, _utc(link.linked_at),
                                 link.title) for link, name in rows]

    def chats_of(self, agency_id: str) -> list[int]:
        with self._session() as s:
            return list(s.scalars(select(ChatLink.chat_id).where(ChatLink.agency_id == agency_id)
                                  .order_by(ChatLink.chat_id)))

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
        out.sort(key=lambda t: (t.due or dt.date.max, t.agency_name, t.group, _code_key(t.code)))
        return out

    def _completions(self, s: Session,
                     deadline_ids: set[int]) -> dict[tuple[int, str], Completion]:
        out: dict[tuple[int, str], Completion] = {}
        ids = sorted(deadline_ids)
        for i in range(0, len(ids), 500):  # bound the IN list
            for c in s.scalars(select(Completion).where(
                    Completion.deadline_id.in_(ids[i:i + 500]),  # type: ignore[union-attr]
                    Completion.undone_at.is_(None))):  # type: ignore[union-attr]
                out[(c.deadline_id, c.agency_id)] = c  # type: ignore[index]
        return out

    def _days(self, due: dt.date, today: dt.date) -> int:
        if due >= today:
            return self.calendar.count_working_days(today + dt.timedelta(days=1), due)
        return -self.calendar.count_working_days(due + dt.timedelta(days=1), today)

    def _status(self, due: dt.date, today: dt.date, done: Completion | None) -> str:
        if done is not None:
            return "done_on_time" if done.completed_on <= due else "done_late"
        if due < today:
            return "overdue"
        if due == today:
            return "due_today"
        if self._days(due, today) <= DUE_SOON_WORKING_DAYS:
            return "due_soon"
        return "not_due"

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

    def record_completion(self, deadline_id: int, agency_id: str, document_no: str | None,
                          now: dt.datetime, by: str) -> TaskLine:
        today = now.date()
        with self._session() as s:
            duty = s.scalars(select(Duty).where(Duty.deadline_id == deadline_id,
                                                Duty.agency_id == agency_id,
                                                Duty.role == "lead")).first()
            if duty is None:
                raise NotFoundError("cơ quan không chủ trì thời hạn này")
            s.add(Completion(deadline_id=deadline_id, agency_id=agency_id, completed_on=today,
                             document_no=document_no, recorded_by=by, recorded_at=_utc(now)))
            try:
                s.flush()
            except IntegrityError as exc:  # a live completion exists (unique index)
                s.rollback()
                raise ConflictError("thời hạn này đã được ghi nhận hoàn thành") from exc
            # Nothing more to remind about this duty (contract section 4: a completion cancels
            # every pending reminder and escalation of the deadline).
            s.execute(update(PlannedItem).where(PlannedItem.duty_id == duty.id,
                                                PlannedItem.state == "pending")
                      .values(state="cancelled", settled_at=_utc(now)))
            s.commit()
        line = self.deadline(deadline_id, agency_id, today)
        if line is None:  # pragma: no cover - the duty was just found
            raise NotFoundError("không còn thời hạn này")
        return line

    def snooze(self, deadline_id: int, agency_id: str, now: dt.datetime) -> dt.date:
        day = self.calendar.add_working_days(now.date(), 1)
        with self._session() as s:
            row = s.execute(select(Duty, Deadline.task_id, Task.plan_id)
                            .join(Deadline, Deadline.id == Duty.deadline_id)
                            .join(Task, Task.id == Deadline.task_id)
                            .where(Duty.deadline_id == deadline_id,
                                   Duty.agency_id == agency_id)).first()
            if row is None:
                raise NotFoundError("cơ quan không có phần trong thời hạn này")
            duty, task_id, plan_id = row
            key = f"snooze/{duty.id}/{agency_id}/{day.isoformat()}"
            if s.scalars(select(PlannedItem.id).where(PlannedItem.key == key)).first() is None:
                # An ordinary reminder item for that day: the dispatcher puts it in the
                # agency's digest like any other.
                s.add(PlannedItem(key=key, kind="agency_digest", reason="reminder",
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


def _utc(value: dt.datetime) -> dt.datetime:
    """Stored datetimes are UTC (engine.models); SQLite hands them back naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _code_key(code: str) -> tuple[Any, ...]:
    """"1.10" after "1.9": numeric parts compared as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))
