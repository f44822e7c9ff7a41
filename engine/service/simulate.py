"""The virtual clock: run the real planner and dispatcher over a range of days.

`simulate` does it in a throw-away SQLite database with recording channels and returns every
message that would go, in time order (`nhacviec simulate`, contract section 5). `run_days` is
the loop itself, shared with `nhacviec demo`, which runs it on the real database and channels.
No completion is recorded unless asked (`complete_on_time`: every deadline completed on its due
day, after that day's messages).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.errors import InputError
from core.messages import OutgoingMessage
from core.notifier import Notifier
from engine.directory.agencies import Directory
from engine.dispatch.dispatcher import Dispatcher, WakeResult
from engine.intake.model import ParsedPlan
from engine.planning.plan_table import cancel_for_duty, cancel_for_obligation
from engine.planning.planner import plan_plan
from engine.planning.policy import Policy
from engine.planning.reminder_rules import Planner
from engine.service.channels import build_notifiers
from engine.settings import Settings
from engine.storage.db import create_all, make_engine, session
from engine.storage.models import (
    Completion,
    Deadline,
    Duty,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.plan_store import ImportSummary, store_plan
from rules import WorkingCalendar


@dataclass
class SimulationResult:
    summary: ImportSummary
    messages: list[OutgoingMessage] = field(default_factory=list)
    days: list[WakeResult] = field(default_factory=list)


def import_and_plan(engine: Engine, parsed: ParsedPlan, directory: Directory,
                    calendar: WorkingCalendar, policy: Policy, today: dt.date) -> ImportSummary:
    with session(engine) as s:
        summary = store_plan(s, parsed, directory, calendar=calendar)
        summary.planned = plan_plan(s, summary.plan_id, Planner(directory, calendar, policy),
                                    today, fresh=summary.created)
        s.commit()
    return summary


async def run_days(dispatcher: Dispatcher, start: dt.date, end: dt.date, *,
                   complete_on_time: bool = False,
                   on_day: Callable[[WakeResult], None] | None = None) -> list[WakeResult]:
    """Wake the dispatcher at the send time of every working day in [start, end]."""
    out = []
    day = dispatcher.calendar.next_working_day(start)
    while day <= end:
        result = await dispatcher.wake(dispatcher.policy.slot_instant(day))
        dispatcher.tidy()
        out.append(result)
        if on_day is not None:
            on_day(result)
        if complete_on_time:
            complete_due_on(dispatcher.engine, day)
        day = dispatcher.calendar.add_working_days(day, 1)
    return out


def complete_due_on(engine: Engine, day: dt.date) -> int:
    """Record every open lead duty and report obligation due on `day` as completed that day."""
    n = 0
    with session(engine) as s:
        done = set(s.execute(select(Completion.deadline_id, Completion.agency_id).where(
            Completion.undone_at.is_(None), Completion.deadline_id.is_not(None))).all())
        for duty_id, deadline_id, agency in s.execute(
                select(Duty.id, Duty.deadline_id, Duty.agency_id)
                .join(Deadline, Deadline.id == Duty.deadline_id)
                .join(Task, Task.id == Deadline.task_id)
                .where(Deadline.due == day, Deadline.active, Duty.role == "lead",
                       Task.removed.is_(False))).all():
            if (deadline_id, agency) in done:
                continue
            s.add(Completion(deadline_id=deadline_id, agency_id=agency, completed_on=day,
                             recorded_by="simulation"))
            cancel_for_duty(s, duty_id)
            n += 1
        submitted = set(s.scalars(select(Completion.obligation_id).where(
            Completion.undone_at.is_(None), Completion.obligation_id.is_not(None))))
        for (oid,) in s.execute(select(ReportObligation.id).join(
                ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
                .where(ReportPeriod.deadline == day)).all():
            if oid in submitted:
                continue
            s.add(Completion(obligation_id=oid, agency_id=s.get(ReportObligation, oid).agency_id,
                             completed_on=day, recorded_by="simulation"))
            cancel_for_obligation(s, oid)
            n += 1
        s.commit()
    return n


async def simulate(parsed: ParsedPlan, *, start: dt.date, end: dt.date, directory: Directory,
                   calendar: WorkingCalendar, policy: Policy,
                   notifiers: list[Notifier] | None = None, complete_on_time: bool = False,
                   workdir: Path | None = None) -> SimulationResult:
    if end < start:

        raise InputError(f"ngày kết thúc {end} trước ngày bắt đầu {start}")
    with tempfile.TemporaryDirectory(prefix="nhacviec-sim-", dir=workdir) as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'simulation.sqlite'}")
        try:
            create_all(engine)
            summary = import_and_plan(engine, parsed, directory, calendar, policy, start)
            notifiers = notifiers if notifiers is not None else build_notifiers(
                _no_telegram(), record=True)
            dispatcher = Dispatcher(engine, directory, calendar, policy, notifiers,
                                    worker="simulation")
            days = await run_days(dispatcher, start, end, complete_on_time=complete_on_time)
        finally:
            engine.dispose()
    result = SimulationResult(summary, days=days)
    for d in days:
        result.messages.extend(d.messages)
    return result


def _no_telegram():  # noqa: ANN202 - engine.settings.Settings

    return Settings(telegram_token=None, zalo_token=None)
