"""Store a parsed plan and plan its reminders: the one import path of the CLI (`plan import`)
and the web desk (Kế hoạch). The caller commits (or rolls back: nothing is then stored)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from engine.agencies import Directory
from engine.persist import ImportSummary, store_plan
from engine.plan.model import ParsedPlan
from engine.planner import Planner, plan_plan
from rules import WorkingCalendar


def import_plan(s: Session, parsed: ParsedPlan, *, directory: Directory,
                calendar: WorkingCalendar, planner: Planner, today: dt.date) -> ImportSummary:
    """Store `parsed` (a re-import of the same number and year updates it in place) and plan
    every notification of it from `today` on."""
    summary = store_plan(s, parsed, directory, calendar=calendar)
    summary.planned = plan_plan(s, summary.plan_id, planner, today, fresh=summary.created)
    return summary
