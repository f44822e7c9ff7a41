"""Turning planned items into message items (`core.messages.Item`), in bulk, for one send day.

Pure reading: a handful of queries per wake-up, whatever the number of items, so that a
national-scale day stays fast. Also the (de)serialization of a composed message, stored with its
notification so that a retried send repeats exactly what was claimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from core.messages import Item, Recipient, new_item
from core.numbering import code_key
from core.vocabulary import MessageKind, Reason, Status
from engine.directory.agencies import Directory
from engine.planning.policy import Policy
from engine.planning.reminder_rules import marker_due
from engine.storage.bulk import in_ids, plain_rows
from engine.storage.models import (
    Agency,
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
from engine.tracking.status import dated_queries, table
from rules import WorkingCalendar


class Composer:
    def __init__(self, s: Session, calendar: WorkingCalendar, directory: Directory,
                 policy: Policy, slot: dt.date, *, names: dict[str, str] | None = None,
                 plan_numbers: dict[int, str] | None = None) -> None:
        """`names` / `plan_numbers`: the agencies' names and the plans' numbers when the caller
        already read them (one dispatcher wake-up composes twice)."""
        self.s, self.slot = s, slot
        self.calendar, self.directory, self.policy = calendar, directory, policy
        self.names: dict[str, str] = names if names is not None else dict(
            s.execute(select(Agency.id, Agency.name)).all())
        self.plan_numbers: dict[int, str] = plan_numbers if plan_numbers is not None else dict(
            s.execute(select(Plan.id, Plan.number)).all())
        self._extra: dict[tuple, dict[str, Any]] = {}
        self._late: dict[dt.date, int] = {}

    def _rows(self, stmt):  # noqa: ANN001, ANN202
        # Core rows on the session's connection: the ORM's result machinery costs more than
        # the query itself on a busy day (tens of thousands of rows). Fetched at once (row by
        # row, psycopg's fetchone costs 3 us a row: 0.35 s on the busiest day), as named
        # tuples (an attribute of a Row costs eight times as much).
        return plain_rows(self.s.connection().execute(stmt))

    # --- counts -----------------------------------------------------------------------------
    def days_left(self, due: dt.date) -> int:
        return self.calendar.count_working_days(self.slot + dt.timedelta(days=1), due)

    def days_late(self, due: dt.date) -> int:
        got = self._late.get(due)  # the steering digest asks for every late deadline
        if got is None:
            got = self._late[due] = self.calendar.count_working_days(due + dt.timedelta(days=1),
                                                                self.slot)
        return got

    def _timing(self, reason: str, due: dt.date) -> dict[str, Any]:
        if due < self.slot:
            return {"days_late": self.days_late(due), "status": "overdue"}
        return {"days_left": self.days_left(due),
                "status": "due_soon" if reason != Reason.LATE else "overdue"}

    # --- planned items -> Items ------------------------------------------------------------
    def items(self, planned: list[PlannedItem]) -> dict[int, Item]:
        out: dict[int, Item] = {}
        by_duty = [p for p in planned if p.duty_id is not None]
        by_obligation = [p for p in planned if p.obligation_id is not None]
        by_task = [p for p in planned if p.duty_id is None and p.obligation_id is None
                   and p.task_id is not None]
        out.update(self._duty_items(by_duty))
        out.update(self._obligation_items(by_obligation))
        out.update(self._task_items(by_task))
        for p in planned:
            if p.id not in out and p.detail:
                out[p.id] = self._detail_item(p)
        return out

    def _duty_items(self, planned: list[PlannedItem]) -> dict[int, Item]:
        if not planned:
            return {}
        info: dict[int, Any] = {r.id: r for r in self._rows(
            select(Duty.id, Duty.agency_id, Duty.role, Deadline.id.label("did"),
                   Deadline.due, Deadline.label, Task.group_name, Task.code, Task.title,
                   Task.product)
            .join(Deadline, Deadline.id == Duty.deadline_id)
            .join(Task, Task.id == Deadline.task_id)
            .where(in_ids(Duty.id, {p.duty_id for p in planned})))}
        out = {}
        for p in planned:
            r = info.get(p.duty_id)
            if r is None:
                continue
            out[p.id] = self._duty_item(p, r.agency_id, r.due, r.did, r.label, r.group_name,
                                        r.code, r.title, r.product)
        return out

    def _duty_item(self, p: PlannedItem, agency_id: str, due: dt.date, deadline_id: int,
                   label: str | None, group: str | None, code: str | None, title: str | None,
                   product: str | None) -> Item:
        """The line of a duty's deadline in the message `p` rides in."""
        return new_item(reason=p.reason, group=group, code=code, title=title, due=due,
                        role=p.role if p.reason != Reason.LATE else None, label=label,
                        product=product,
                        deadline_id=deadline_id, **self._extras(p, due, agency_id))

    def _obligation_item(self, p: PlannedItem, agency_id: str, due: dt.date,
                         obligation_id: int, period: str, cutoff_from: dt.date | None,
                         cutoff_to: dt.date | None, data_entry_url: str | None) -> Item:
        """The line of a report obligation in the message `p` rides in."""
        return new_item(reason=p.reason, period=period, due=due, cutoff_from=cutoff_from,
                        cutoff_to=cutoff_to, data_entry_url=data_entry_url,
                        title=f"Báo cáo {period}", obligation_id=obligation_id,
                        **self._extras(p, due, agency_id))

    def _extras(self, p: PlannedItem, due: dt.date, agency_id: str) -> dict[str, Any]:
        """What every item of a duty or report obligation carries besides its own fields: the
        working-day counts, the reply date of an explanation request, and, in lists to others
        than the agency itself, whose item it is."""
        key = (p.reason, due, p.kind)
        extra = self._extra.get(key)
        if extra is None:  # shared by every item of the day with that reason, day and kind
            extra = self._extra[key] = self._timing(p.reason, due)
            if p.kind == MessageKind.EXPLANATION_REQUEST:
                extra["reply_by"] = self.calendar.add_working_days(self.slot,
                                                              self.policy.explanation_reply_days)
        if p.kind != MessageKind.AGENCY_DIGEST:
            return {**extra, "agency_id": agency_id, "agency_name": self.names.get(agency_id)}
        return extra

    def _obligation_items(self, planned: list[PlannedItem]) -> dict[int, Item]:
        if not planned:
            return {}
        info: dict[int, Any] = {r.id: r for r in self._rows(
            select(ReportObligation.id, ReportObligation.agency_id, ReportPeriod.name,
                   ReportPeriod.deadline, ReportPeriod.cutoff_from,
                   ReportPeriod.cutoff_to, Plan.data_entry_url)
            .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
            .join(Plan, Plan.id == ReportPeriod.plan_id)
            .where(in_ids(ReportObligation.id, {p.obligation_id for p in planned})))}
        out = {}
        for p in planned:
            r = info.get(p.obligation_id)
            if r is None:
                continue
            out[p.id] = self._obligation_item(p, r.agency_id, r.deadline, r.id, r.name,
                                              r.cutoff_from, r.cutoff_to, r.data_entry_url)
        return out

    def _task_items(self, planned: list[PlannedItem]) -> dict[int, Item]:
        if not planned:
            return {}
        ids = {p.task_id for p in planned}
        tasks = {t.id: t for t in self.s.scalars(select(Task).where(in_ids(Task.id, ids)))}
        dues: dict[int, dt.date] = {}
        for tid, due in self._rows(select(Deadline.task_id, Deadline.due).where(
                in_ids(Deadline.task_id, ids), Deadline.active).order_by(Deadline.due)):
            dues.setdefault(tid, due)
        out = {}
        for p in planned:
            t = tasks.get(p.task_id)
            if t is None:
                continue
            out[p.id] = Item(reason=p.reason, group=t.group_name, code=t.code, title=t.title,
                             due=dues.get(t.id), product=t.product,
                             agency_name=", ".join(t.lead) or None, status=Status.NEEDS_DUE,
                             label=t.timing)
        return out

    def _detail_item(self, p: PlannedItem) -> Item:
        d = p.detail or {}
        due = d.get("due")
        return Item(reason=p.reason, group=d.get("group"), code=d.get("code"),
                    title=d.get("title"), period=d.get("period"),
                    due=dt.date.fromisoformat(due) if due else None,
                    agency_id=d.get("agency"), agency_name=self.names.get(d.get("agency", "")),
                    label=d.get("detail"))

    # --- what a report must cover ----------------------------------------------------------
    def ongoing(self, agency_ids: Iterable[str], plan_ids: Iterable[int]
                ) -> dict[str, tuple[Item, ...]]:
        wanted = set(agency_ids)
        out: dict[str, list[Item]] = {}
        rows = self._rows(
            select(Task.id, Task.group_name, Task.code, Task.title, Assignment.agency_id)
            .join(Assignment, Assignment.task_id == Task.id)
            .where(Task.plan_id.in_(list(set(plan_ids))), Task.kind == "ongoing", Task.leaf,
                   Task.removed.is_(False), Assignment.role == "lead")
            .order_by(Task.plan_id, Task.position))
        seen: set[tuple[str, int]] = set()
        holders: dict[str, str | None] = {}  # agency -> who holds its tasks today (or None)
        for tid, group, code, title, agency in rows:
            holder = holders.get(agency, "")
            if holder == "":
                holder = holders[agency] = (self.directory.current(agency, self.slot).id
                                            if agency in self.directory else None)
            if holder in wanted and (holder, tid) not in seen:
                seen.add((holder, tid))
                out.setdefault(holder, []).append(
                    new_item(reason="ongoing", group=group, code=code, title=title))
        return {k: tuple(v) for k, v in out.items()}

    # --- the Sở Nội vụ's list ----------------------------------------------------------------
    def monitor_late(self, markers: list[PlannedItem]) -> dict[int, list[Item]]:
        """Per marker of the Sở Nội vụ's list (`Planner.monitor_marker`: a plan and a due day):
        what is late today among the plan's deadlines due that day, read by the status
        table's selects: lead duties with no live completion recorded by today, and (when the
        policy escalates reports) report obligations not reported for."""

        by_day: dict[tuple[int, dt.date], PlannedItem] = {
            (m.plan_id, marker_due(m.key)): m for m in markers}
        out: dict[int, list[Item]] = {m.id: [] for m in markers}
        if not by_day:
            return out
        plans, dues = {p for p, _ in by_day}, {d for _, d in by_day}
        duties, reports = dated_queries(
            None, None, (Task.plan_id, Deadline.id, Deadline.label, Task.group_name, Task.code,
                         Task.title, Task.product),
            (ReportPeriod.plan_id, ReportObligation.id, ReportPeriod.name,
             ReportPeriod.cutoff_from, ReportPeriod.cutoff_to, Plan.data_entry_url))
        for agency_id, due, _, plan_id, *line in self._rows(
                _late(duties, Deadline.due, self.slot)
                .where(Deadline.due.in_(dues), Task.plan_id.in_(plans))):
            m = by_day.get((plan_id, due))
            if m is not None:  # a marker's reason is Reason.LATE
                out[m.id].append(self._duty_item(m, agency_id, due, *line))
        if self.policy.escalate_reports:
            for agency_id, due, _, plan_id, *line in self._rows(
                    _late(reports.join(Plan, Plan.id == ReportPeriod.plan_id),
                          ReportPeriod.deadline, self.slot)
                    .where(ReportPeriod.deadline.in_(dues), ReportPeriod.plan_id.in_(plans))):
                m = by_day.get((plan_id, due))
                if m is not None:
                    out[m.id].append(self._obligation_item(m, agency_id, due, *line))
        return out

    # --- the Steering Committee's digest ---------------------------------------------------
    def steering(self) -> tuple[list[Item], dict[str, dict[str, int]]]:
        """Everything late on this day, by agency (the agency with the oldest first), oldest
        first; and per agency the counts of each status, for the table and the chart."""

        # The rows the status table counts as overdue on this day (the same selects): due
        # before it, with no live completion recorded by it.
        duties, reports = dated_queries(
            None, None, (Deadline.id, Deadline.label, Task.group_name, Task.code, Task.title),
            (ReportPeriod.name,), open_only=True)  # a closed plan escalates nothing
        late: list[Item] = []
        for agency_id, due, _, did, label, group, code, title in self._rows(
                _late(duties, Deadline.due, self.slot)):
            late.append(new_item(reason=Reason.LATE, group=group, code=code, title=title, due=due,
                                 label=label, agency_id=agency_id,
                                 agency_name=self.names.get(agency_id), status="overdue",
                                 days_late=self.days_late(due), deadline_id=did))
        if self.policy.escalate_reports:
            for agency_id, due, _, name in self._rows(
                    _late(reports, ReportPeriod.deadline, self.slot)):
                late.append(new_item(reason=Reason.LATE, period=name, title=f"Báo cáo {name}",
                                     due=due, agency_id=agency_id,
                                     agency_name=self.names.get(agency_id), status="overdue",
                                     days_late=self.days_late(due)))
        oldest: dict[str, dt.date] = {}
        for i in late:
            oldest[i.agency_id] = min(oldest.get(i.agency_id, i.due), i.due)
        late.sort(key=lambda i: (oldest[i.agency_id], i.agency_name or "", i.due,
                                 i.group or "", code_key(i.code), i.period or ""))
        stats = {}
        if late:
            for a in table(self.s, self.slot, self.calendar, self.directory,
                           soon=self.policy.soon_working_days, open_only=True):
                stats[a.name] = {k: v for k, v in a.counts.items() if v}
        return late, stats

    def recipient(self, agency_id: str, chats: Iterable[int] = (),
                  host_chats: Iterable[int] = (), *, zalo: Iterable[str] = (),
                  host_zalo: Iterable[str] = ()) -> Recipient:
        """Its addresses; a body without contacts of its own (Đoàn kiểm tra công vụ) is reached
        through the agency hosting it. `chats`: linked Telegram chats, `zalo`: Zalo chats."""
        a = self.directory.get(agency_id) if agency_id in self.directory else None
        emails = tuple(a.emails) if a else ()
        ids = tuple(dict.fromkeys([*(a.telegram_chat_ids if a else ()), *chats]))
        zids = tuple(dict.fromkeys([*(a.zalo_chat_ids if a else ()), *zalo]))
        if a is not None and not emails and not ids and not zids and a.parent in self.directory:
            host = self.directory.get(a.parent)
            emails = tuple(host.emails)
            ids = tuple(dict.fromkeys([*host.telegram_chat_ids, *host_chats]))
            zids = tuple(dict.fromkeys([*host.zalo_chat_ids, *host_zalo]))
        return Recipient(agency_id, self.names.get(agency_id, agency_id), emails, ids, zids)

    def open_plan_ids(self) -> list[int]:
        """The plans not closed: those the Steering Committee's digest is about."""
        return list(self.s.scalars(select(Plan.id).where(Plan.closed_at.is_(None))))

    def plan_number(self, plan_ids: Iterable[int | None]) -> str | None:
        numbers = sorted({self.plan_numbers[p] for p in plan_ids if p in self.plan_numbers})
        return ", ".join(numbers) or None


def _late(query, due, day: dt.date):  # noqa: ANN001, ANN202 - Select, column
    """Of a status select (`engine.tracking.status.dated_queries`): what is late on `day`."""
    return query.where(due < day, or_(Completion.completed_on.is_(None),
                                      Completion.completed_on > day))
