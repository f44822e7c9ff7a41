"""Explanation requests the officer asks for (`nhacviec explain request --plan ...
[--agency ...]`).

A plan imported after some of its deadlines (or a deadline whose request day passed before it was
planned) does not send explanation requests on its own: the planner holds them
(`Planner.when`, unless the policy's `explain_already_late`). Asking plans them for the next
working day, one message per agency (the dispatcher groups a day's requests per agency): every
lead duty and, when the policy escalates reports, every report obligation of the plan late by
more than the policy's `explanation_after` working days, with no completion recorded. What was
already requested (sent, or pending) is not asked again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlmodel import Session

from core.vocabulary import MessageKind
from engine.planning.plan_table import existing_items, insert_items
from engine.planning.reminder_rules import Planner, Want
from engine.storage.bulk import chunked, in_ids
from engine.storage.models import (
    Completion,
    Deadline,
    Duty,
    ExplanationRequest,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)


@dataclass
class Asked:
    """What asking planned (or, `dry`, would plan): requests per agency, and their send day."""

    send_on: dt.date
    by_agency: dict[str, int] = field(default_factory=dict)
    already: int = 0  # late enough, but already asked (sent or waiting to go)

    @property
    def requests(self) -> int:
        return sum(self.by_agency.values())


def _late_enough(planner: Planner, due: dt.date, today: dt.date) -> bool:
    return planner.days(due).explanation <= today


def held_wants(s: Session, plan_id: int, planner: Planner, today: dt.date,
               agency_id: str | None = None, send_on: dt.date | None = None
               ) -> list[tuple[Want, tuple]]:
    """The explanation requests of the plan late enough to be asked, planned for the next
    working day from `today` (not yet compared with what exists), each with its subject as
    `ExplanationRequest` records it: (deadline id, None) or (None, obligation id)."""
    day = send_on or planner.calendar.next_working_day(today)
    wants: list[tuple[Want, tuple]] = []
    done = set(s.execute(
        select(Completion.deadline_id, Completion.agency_id)
        .join(Deadline, Deadline.id == Completion.deadline_id)
        .join(Task, Task.id == Deadline.task_id)
        .where(Task.plan_id == plan_id, Completion.undone_at.is_(None))).all())
    rows = s.execute(
        select(Duty.id, Duty.deadline_id, Duty.agency_id, Deadline.due, Deadline.task_id)
        .join(Deadline, Deadline.id == Duty.deadline_id)
        .join(Task, Task.id == Deadline.task_id)
        .where(Task.plan_id == plan_id, Duty.role == "lead", Deadline.active,
               Task.removed.is_(False), Deadline.due < today)
        .order_by(Deadline.due, Duty.id)).all()
    for r in rows:
        if (r.deadline_id, r.agency_id) in done or not _late_enough(planner, r.due, today):
            continue
        wants += [(w._replace(send_on=day), (r.deadline_id, None)) for w in planner.duty_wants(
            r.id, "lead", r.due, [r.agency_id], plan_id, r.task_id)
            if w.kind == MessageKind.EXPLANATION_REQUEST]
    if planner.policy.escalate_reports:
        reported = set(s.scalars(
            select(Completion.obligation_id).where(Completion.obligation_id.is_not(None),
                                                   Completion.undone_at.is_(None))))
        for oid, agency, due in s.execute(
                select(ReportObligation.id, ReportObligation.agency_id, ReportPeriod.deadline)
                .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
                .where(ReportPeriod.plan_id == plan_id, ReportPeriod.deadline < today)
                .order_by(ReportPeriod.deadline, ReportObligation.id)).all():
            if oid in reported or not _late_enough(planner, due, today):
                continue
            wants += [(w._replace(send_on=day), (None, oid)) for w in planner.obligation_wants(
                oid, due, [agency], plan_id) if w.kind == MessageKind.EXPLANATION_REQUEST]
    if agency_id is not None:
        wants = [(w, subject) for w, subject in wants if w.recipient_id == agency_id]
    return wants


def ask_explanations(s: Session, plan_id: int, planner: Planner, today: dt.date, *,
                     agency_id: str | None = None, dry: bool = False,
                     send_on: dt.date | None = None) -> Asked:
    """Plan (or, `dry`, count) the explanation requests the officer asks for, to go on
    `send_on` (the next wake-up's day; default the next working day from `today`)."""
    send_on = send_on or planner.calendar.next_working_day(today)
    wants = held_wants(s, plan_id, planner, today, agency_id, send_on)
    asked = Asked(send_on)
    existing: dict = {}
    for chunk in chunked([w.key for w, _ in wants], 2_000):
        existing.update(existing_items(s, PlannedItem.key.in_(chunk)))
    # A request recorded as sent (by any earlier item) counts as asked.
    sent = set(s.execute(select(ExplanationRequest.deadline_id, ExplanationRequest.obligation_id,
                                ExplanationRequest.agency_id)
                         .where(ExplanationRequest.agency_id.in_(
                             {w.recipient_id for w, _ in wants}))).all()) if wants else set()
    todo = []
    for w, subject in wants:
        have = existing.get(w.key)
        if (have is not None and have.state in ("pending", "done")) or (
                (*subject, w.recipient_id) in sent):
            asked.already += 1
            continue
        todo.append(w)
        asked.by_agency[w.recipient_id] = asked.by_agency.get(w.recipient_id, 0) + 1
    if not dry and todo:
        # New requests inserted; one held before (cancelled, missed while the service was
        # stopped) planned again for the day.
        again = [existing[w.key].id for w in todo if w.key in existing]
        insert_items(s, [w for w in todo if w.key not in existing])
        if again:
            s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, again))
                                   .values(state="pending", send_on=send_on, settled_at=None))
        s.flush()
    return asked
