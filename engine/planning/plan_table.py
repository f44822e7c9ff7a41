"""Applying planned items to the table: insert what is new, move or revive what changed, cancel
what is no longer wanted; never touch what was sent or recorded as missed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Select, bindparam, delete, select, update
from sqlmodel import Session

from engine.planning.reminder_rules import Planner, Want
from engine.storage.bulk import bulk_insert_values, in_ids, streaming_insert
from engine.storage.models import Deadline, Duty, NotificationItem, PlannedItem, Task


# --- applying a plan to the table ---------------------------------------------------------------
class _Have(NamedTuple):
    id: int
    state: str
    send_on: dt.date


def existing_items(s: Session, where, plan_id: int | None = None  # noqa: ANN001
              ) -> dict[str, _Have]:
    return {k: _Have(i, st, d) for k, i, st, d, p in s.execute(
        select(PlannedItem.key, PlannedItem.id, PlannedItem.state, PlannedItem.send_on,
               PlannedItem.plan_id).where(where)) if plan_id is None or p == plan_id}


def apply(s: Session, wants: list[Want], existing: dict[str, _Have], planner: Planner,
          today: dt.date) -> None:
    new: list[Want] = []
    moves: list[dict] = []
    revive: list[dict] = []
    wanted: set[str] = set()
    for w in wants:
        wanted.add(w.key)  # a past pending reminder is kept, for the dispatcher's grace
        day = planner.when(w.send_on, w.escalation, today, w.kind)
        if day is None:
            continue
        if day != w.send_on:
            w = w._replace(send_on=day)
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
    insert_items(s, new)
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


# New rows go in by send day (then key): a day's items then lie together in the table, and the
# wake-up that reads and settles them touches a few pages per chunk written, not one page per
# item (measured on PostgreSQL, national median day: about 1,000 pages, 14 MB of write-ahead
# log). Inserting in key order instead was not faster (2 million rows: SQLite 13.3 against
# 14.3 s, PostgreSQL's COPY 14.4-14.7 against 13.8-14.5 s).
send_day_order = itemgetter(4, 0)


def _rows(wants: Iterable[Want]) -> list[tuple]:
    # A Want's first ten fields are the columns, in order; the state is "pending".
    return sorted(((*w[:10], "pending") for w in wants), key=send_day_order)


def insert_items(s: Session, wants: list[Want]) -> None:
    bulk_insert_values(s, PlannedItem.__table__, _ITEM_COLUMNS, _rows(wants))


@contextmanager
def inserting(s: Session) -> Iterator[Callable[[list[tuple]], None]]:
    """`write(rows)` of planned-item rows (`Planner.duty_rows`), streamed (see
    `engine.storage.bulk.streaming_insert`)."""
    with streaming_insert(s, PlannedItem.__table__, _ITEM_COLUMNS) as write:
        yield write


def cancel_orphans(s: Session, plan_id: int) -> None:
    """Pending items of a plan whose deadline was retired or whose task was removed."""
    stale = select(Duty.id).join(Deadline, Deadline.id == Duty.deadline_id).join(
        Task, Task.id == Deadline.task_id).where(
        Task.plan_id == plan_id, (Deadline.active.is_(False)) | (Task.removed.is_(True)))
    s.execute(update(PlannedItem).where(PlannedItem.duty_id.in_(stale),
                                        PlannedItem.state == "pending")
              .values(state="cancelled"))


def delete_items_of(s: Session, *, duties=None, obligations=None) -> None:  # noqa: ANN001
    """Delete the planned items of duties / report obligations about to be deleted (ids, or a
    subquery of ids), and their links to the messages they rode in: no foreign keys cascade
    it (revisions 0005, 0008). The messages themselves stay, as they were sent."""
    for column, ids in ((PlannedItem.duty_id, duties), (PlannedItem.obligation_id, obligations)):
        if ids is None:
            continue
        where = column.in_(ids) if isinstance(ids, Select) else in_ids(column, ids)
        s.connection().execute(delete(NotificationItem).where(
            NotificationItem.item_id.in_(select(PlannedItem.id).where(where))))
        s.connection().execute(delete(PlannedItem).where(where))


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

