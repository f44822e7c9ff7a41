"""Turning planned items into message items (`notifiers.base.Item`), in bulk, for one send day.

Pure reading: a handful of queries per wake-up, whatever the number of items, so that a
national-scale day stays fast. Also the (de)serialization of a composed message, stored with its
notification so that a retried send repeats exactly what was claimed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from engine.agencies import Directory
from engine.bulk import in_ids, plain_rows
from engine.models import (
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
from engine.plan.numbering import code_key
from engine.policy import Policy
from engine.reminder_rules import marker_due
from notifiers.base import LATE, Item, OutgoingMessage, Recipient
from rules import WorkingCalendar

_DATES = ("due", "cutoff_from", "cutoff_to", "reply_by")


class Composer:
    def __init__(self, s: Session, calendar: WorkingCalendar, directory: Directory,
                 policy: Policy, slot: dt.date, *, names: dict[str, str] | None = None,
                 plan_numbers: dict[int, str] | None = None) -> None:
        """`names` / `plan_numbers`: the agencies' names and the plans' numbers when the caller
        already read them (one dispatcher wake-up composes twice)."""
        self.s, self.cal, self.d, self.p, self.slot = s, calendar, directory, policy, slot
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
        return self.cal.count_working_days(self.slot + dt.timedelta(days=1), due)

    def days_late(self, due: dt.date) -> int:
        got = self._late.get(due)  # the steering digest asks for every late deadline
        if got is None:
            got = self._late[due] = self.cal.count_working_days(due + dt.timedelta(days=1),
                                                                self.slot)
        return got

    def _timing(self, reason: str, due: dt.date) -> dict[str, Any]:
        if due < self.slot:
            return {"days_late": self.days_late(due), "status": "overdue"}
        return {"days_left": self.days_left(due),
                "status": "due_soon" if reason != LATE else "overdue"}

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
                        role=p.role if p.reason != LATE else None, label=label, product=product,
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
            if p.kind == "explanation_request":
                extra["reply_by"] = self.cal.add_working_days(self.slot,
                                                              self.p.explanation_reply_days)
        if p.kind != "agency_digest":
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
                             agency_name=", ".join(t.lead) or None, status="needs_due",
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
                holder = holders[agency] = (self.d.current(agency, self.slot).id
                                            if agency in self.d else None)
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
        from engine.status import dated_queries

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
            if m is not None:  # a marker's reason is LATE
                out[m.id].append(self._duty_item(m, agency_id, due, *line))
        if self.p.escalate_reports:
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
        from engine.status import dated_queries, table

        # The rows the status table counts as overdue on this day (the same selects): due
        # before it, with no live completion recorded by it.
        duties, reports = dated_queries(
            None, None, (Deadline.id, Deadline.label, Task.group_name, Task.code, Task.title),
            (ReportPeriod.name,), open_only=True)  # a closed plan escalates nothing
        late: list[Item] = []
        for agency_id, due, _, did, label, group, code, title in self._rows(
                _late(duties, Deadline.due, self.slot)):
            late.append(new_item(reason=LATE, group=group, code=code, title=title, due=due,
                                 label=label, agency_id=agency_id,
                                 agency_name=self.names.get(agency_id), status="overdue",
                                 days_late=self.days_late(due), deadline_id=did))
        if self.p.escalate_reports:
            for agency_id, due, _, name in self._rows(
                    _late(reports, ReportPeriod.deadline, self.slot)):
                late.append(new_item(reason=LATE, period=name, title=f"Báo cáo {name}",
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
            for a in table(self.s, self.slot, self.cal, self.d,
                           soon=self.p.soon_working_days, open_only=True):
                stats[a.name] = {k: v for k, v in a.counts.items() if v}
        return late, stats

    def recipient(self, agency_id: str, chats: Iterable[int] = (),
                  host_chats: Iterable[int] = ()) -> Recipient:
        """Its addresses; a body without contacts of its own (Đoàn kiểm tra công vụ) is reached
        through the agency hosting it."""
        a = self.d.get(agency_id) if agency_id in self.d else None
        emails = tuple(a.emails) if a else ()
        ids = tuple(dict.fromkeys([*(a.telegram_chat_ids if a else ()), *chats]))
        if a is not None and not emails and not ids and a.parent in self.d:
            host = self.d.get(a.parent)
            emails = tuple(host.emails)
            ids = tuple(dict.fromkeys([*host.telegram_chat_ids, *host_chats]))
        return Recipient(agency_id, self.names.get(agency_id, agency_id), emails, ids)

    def plan_number(self, plan_ids: Iterable[int | None]) -> str | None:
        numbers = sorted({self.plan_numbers[p] for p in plan_ids if p in self.plan_numbers})
        return ", ".join(numbers) or None


def _late(query, due, day: dt.date):  # noqa: ANN001, ANN202 - Select, column
    """Of a status select (`engine.status.dated_queries`): what is late on `day`."""
    return query.where(due < day, or_(Completion.completed_on.is_(None),
                                      Completion.completed_on > day))


# --- building items in bulk ----------------------------------------------------------------------

_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(Item))
_ITEM_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Item)}
_new = object.__new__


def new_item(**values: Any) -> Item:
    """`Item(**values)`, for composing in bulk. Item is a frozen dataclass, whose generated
    `__init__` sets each of its 21 fields through `object.__setattr__`: 3.3 us an item, and a
    national steering digest composes 160,000 (0.5 s). Filling the instance's dict directly
    gives the same object (same fields, same defaults, still frozen) in 0.6 us. An unknown
    name is refused, as `Item()` refuses it."""
    if not values.keys() <= _ITEM_DEFAULTS.keys():
        unknown = sorted(values.keys() - _ITEM_DEFAULTS.keys())
        raise TypeError(f"Item has no field {', '.join(unknown)}")
    item = _new(Item)
    fields = item.__dict__
    fields.update(_ITEM_DEFAULTS)
    fields.update(values)
    return item


# --- stored form of a message -------------------------------------------------------------------
# A message's items are stored by column, one per field any item uses: {"reason": ..., "due":
# ..., ...}; a short list, as a dict per item. A column whose values repeat (agency names,
# groups, "late", due days) is stored as its distinct values and, per item, the position of its
# value: {"values": [...], "at": [...]}.
# A steering digest holds up to hundreds of thousands of items: a dict per item repeated every
# field name and every value (43 MB for 164,000 items) and cost a Python dict per item to
# build; columns are built by C loops (zip, map, dict.fromkeys). Dates are ISO strings.
_get_fields = operator.attrgetter(*_ITEM_FIELDS)
_SHARED_FROM = 8  # shorter columns are stored as they are


def _iso_text(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _stored_column(name: str, column: tuple[Any, ...]) -> list[Any] | dict[str, list[Any]]:
    values = list(dict.fromkeys(column))
    text = list(map(_iso_text, values)) if name in _DATES else values
    if len(column) >= _SHARED_FROM and 2 * len(values) <= len(column):
        at = dict(zip(values, range(len(values)), strict=True))
        return {"values": text, "at": list(map(at.__getitem__, column))}
    if text is values:
        return list(column)
    return list(map(dict(zip(values, text, strict=True)).__getitem__, column))


def _item_columns(items: Sequence[Item]) -> dict[str, Any]:
    if not items:
        return {}
    columns = zip(*map(_get_fields, items), strict=True)  # per field, every item's value
    return {name: _stored_column(name, column)
            for name, column in zip(_ITEM_FIELDS, columns, strict=True)
            if column.count(None) != len(column)}  # a field no item uses is left out


def _read_column(name: str, stored: list[Any] | dict[str, list[Any]]) -> Iterable[Any]:
    dates = name in _DATES
    if isinstance(stored, dict):
        values = stored["values"]
        if dates:
            values = [dt.date.fromisoformat(v) if v else None for v in values]
        return map(values.__getitem__, stored["at"])
    if dates:
        return map({v: dt.date.fromisoformat(v) for v in set(stored) if v}.get, stored)
    return stored


def _items_from_columns(columns: dict[str, Any]) -> tuple[Item, ...]:
    # A field this version does not know (written by a later one) is left out.
    names = [n for n in columns if n in _ITEM_DEFAULTS]
    lists = [_read_column(n, columns[n]) for n in names]
    return tuple(new_item(**dict(zip(names, row, strict=True)))
                 for row in zip(*lists, strict=True))


def _item_dict(i: Item) -> dict[str, Any]:
    # A flat copy of the fields set (dataclasses.asdict deep-copies, 10x slower).
    out = {k: v for k, v in i.__dict__.items() if v is not None}
    for k in _DATES:
        if k in out:
            out[k] = out[k].isoformat()
    return out


def _item_from(d: dict[str, Any]) -> Item:
    """An item stored as a dict (a short list, or any list before items were stored by
    column)."""
    d = dict(d)
    for k in _DATES:
        if d.get(k):
            d[k] = dt.date.fromisoformat(d[k])
    return new_item(**{k: v for k, v in d.items() if k in _ITEM_DEFAULTS})


def _stored_items(p: dict[str, Any], name: str) -> tuple[Item, ...]:
    columns = p.get(f"{name}_columns")
    if columns is not None:
        return _items_from_columns(columns)
    return tuple(_item_from(i) for i in p.get(name, ()))


def _stored(name: str, items: Sequence[Item]) -> dict[str, Any]:
    # A short list (most agency digests hold one to three items) as a dict per item: columns
    # cost a few microseconds per field used, a dict per item less below _SHARED_FROM items.
    if len(items) < _SHARED_FROM:
        return {name: [_item_dict(i) for i in items]}
    return {f"{name}_columns": _item_columns(items)}


def to_payload(m: OutgoingMessage) -> dict[str, Any]:
    return {
        "key": m.key, "kind": m.kind, "channel": m.channel, "at": m.at.isoformat(),
        "recipient": {"id": m.recipient.id, "name": m.recipient.name,  # asdict deep-copies
                      "emails": list(m.recipient.emails), "chat_ids": list(m.recipient.chat_ids)},
        **_stored("items", m.items), **_stored("ongoing", m.ongoing),
        "plan_number": m.plan_number, "plan_title": m.plan_title, "stats": m.stats,
        **({"link": m.link} if m.link else {}),
    }


def from_payload(p: dict[str, Any]) -> OutgoingMessage:
    r = p["recipient"]
    return OutgoingMessage(
        key=p["key"], kind=p["kind"], channel=p["channel"],
        at=dt.datetime.fromisoformat(p["at"]),
        recipient=Recipient(r["id"], r["name"], tuple(r.get("emails") or ()),
                            tuple(r.get("chat_ids") or ())),
        items=_stored_items(p, "items"),
        ongoing=_stored_items(p, "ongoing"),
        plan_number=p.get("plan_number"), plan_title=p.get("plan_title"),
        stats=p.get("stats") or {},
        link=p.get("link"),
    )
