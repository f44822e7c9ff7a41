"""Closing a past plan: its items stop escalating.

`close_plan` stamps the plan's ``closed_at`` and cancels every pending item of it (reminders,
late notices, explanation requests, the Sở Nội vụ's lists, the monthly notices). Nothing of a
closed plan goes out afterwards, even if something re-plans its items (a completion undone): the
dispatcher drops them (`engine.dispatch.items.drop_completed`), and the Steering Committee's
digest leaves its late deadlines out (`engine.tracking.status.dated_queries(open_only=True)`). Its
records stay, and the status table still shows it when asked for that plan. `reopen_plan`
undoes it and plans the plan again from `today`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session

from core.errors import ConflictError, NotFoundError
from engine.planning.planner import plan_plan
from engine.planning.reminder_rules import Planner
from engine.storage.models import Plan, PlannedItem


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _plan(s: Session, plan_id: int) -> Plan:
    plan = s.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"không có kế hoạch mã số {plan_id}")
    return plan


def closed_plan_ids(s: Session) -> set[int]:
    return set(s.scalars(select(Plan.id).where(Plan.closed_at.is_not(None))))


def close_plan(s: Session, plan_id: int, *, at: dt.datetime | None = None) -> int:
    """Close the plan; returns how many pending items were cancelled."""
    plan = _plan(s, plan_id)
    if plan.closed_at is not None:
        raise ConflictError(f"kế hoạch {plan.number} ({plan.year}) đã được đóng")
    wall = at or _now()
    plan.closed_at = wall
    s.add(plan)
    result = s.execute(update(PlannedItem)
                       .where(PlannedItem.plan_id == plan_id, PlannedItem.state == "pending")
                       .values(state="cancelled", settled_at=wall))
    s.flush()
    return result.rowcount or 0


def reopen_plan(s: Session, plan_id: int, planner: Planner, today: dt.date) -> int:
    """Open a closed plan again and plan it from `today`; returns its pending items."""
    plan = _plan(s, plan_id)
    if plan.closed_at is None:
        raise ConflictError(f"kế hoạch {plan.number} ({plan.year}) đang mở")
    plan.closed_at = None
    s.add(plan)
    s.flush()
    return plan_plan(s, plan_id, planner, today)
