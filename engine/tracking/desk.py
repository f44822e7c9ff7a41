"""What the web desk's pages read: an agency's deadlines, reports, completions and explanation
requests; a task with everything said and recorded about it; the oldest late items. Reading
only; the pages' changes go through `engine.tracking.records` and `engine.tracking.deliveries`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlmodel import Session

from engine.storage.bulk import in_ids
from engine.storage.models import (
    Agency,
    Assignment,
    Completion,
    Deadline,
    DeliveryAttempt,
    Duty,
    Evidence,
    ExplanationAnswer,
    ExplanationRequest,
    Notification,
    NotificationItem,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.status import dated_queries, status_of
from rules import WorkingCalendar

# The four colours officials know (issue 14): red late, orange done late, blue in time, green
# done on time; the statuses without a date are grey.
COLOUR = {"overdue": "red", "done_late": "orange", "due_soon": "blue", "not_due": "blue",
          "done_on_time": "green", "waiting_event": "grey", "needs_due": "grey"}
FOUR_WAY = {"overdue": "quá hạn", "done_late": "hoàn thành quá hạn", "in_time": "trong hạn",
            "done_on_time": "đúng hạn"}


def four_way(status: str) -> str | None:
    """The four-way status of a seven-way one (None: no date yet)."""
    if status in ("due_soon", "not_due"):
        return "in_time"
    return status if status in FOUR_WAY else None


@dataclass
class DeadlineRow:
    deadline_id: int
    task_id: int
    role: str
    due: dt.date
    label: str | None
    group: str
    code: str
    title: str
    product: str | None
    plan_number: str
    status: str = "not_due"
    completion: Any = None  # Completion of this agency (lead), or a lead's (support)
    evidence: list[Any] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return COLOUR.get(self.status, "grey")

    @property
    def open(self) -> bool:
        return self.completion is None


@dataclass
class ReportRow:
    obligation_id: int
    period: str
    cutoff_from: dt.date
    cutoff_to: dt.date
    due: dt.date
    data_entry_url: str | None
    plan_number: str
    status: str
    completion: Any = None

    @property
    def colour(self) -> str:
        return COLOUR.get(self.status, "grey")


@dataclass
class RequestRow:
    request: ExplanationRequest
    subject: str  # "Cải cách TTHC 1.1 — title" or "Báo cáo Quý I"
    due: dt.date | None
    late: bool  # still late today: it can be answered
    answers: list[ExplanationAnswer] = field(default_factory=list)


@dataclass
class AgencyPage:
    agency: Agency
    deadlines: list[DeadlineRow]
    reports: list[ReportRow]
    requests: list[RequestRow]

    @property
    def open_deadlines(self) -> list[DeadlineRow]:
        return [d for d in self.deadlines if d.open]

    @property
    def done_deadlines(self) -> list[DeadlineRow]:
        return sorted((d for d in self.deadlines if not d.open),
                      key=lambda d: (d.completion.completed_on, d.due), reverse=True)


# The agency page's statements, built once (building a select costs more than running it here).
_DUTIES = (select(Duty.role, Deadline.id, Deadline.due, Deadline.label, Task.id, Task.group_name,
                  Task.code, Task.title, Task.product, Plan.number)
           .join(Deadline, Deadline.id == Duty.deadline_id)
           .join(Task, Task.id == Deadline.task_id)
           .join(Plan, Plan.id == Task.plan_id)
           .where(Duty.agency_id == bindparam("agency"), Deadline.active,
                  Task.removed.is_(False), Plan.closed_at.is_(None)))
_COMPLETIONS = (Completion.id, Completion.deadline_id, Completion.obligation_id,
                Completion.agency_id, Completion.completed_on, Completion.document_no)
_REPORTS = (select(ReportObligation.id, ReportPeriod.name, ReportPeriod.cutoff_from,
                   ReportPeriod.cutoff_to, ReportPeriod.deadline, Plan.data_entry_url,
                   Plan.number)
            .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
            .join(Plan, Plan.id == ReportPeriod.plan_id)
            .where(ReportObligation.agency_id == bindparam("agency"), Plan.closed_at.is_(None))
            .order_by(ReportPeriod.deadline))
_REPORTED = select(*_COMPLETIONS).where(
    Completion.agency_id == bindparam("agency"), Completion.obligation_id.is_not(None),
    Completion.undone_at.is_(None))


def agency_page(s: Session, agency_id: str, today: dt.date, calendar: WorkingCalendar,
                soon: int = 5) -> AgencyPage:
    agency = s.get(Agency, agency_id)
    core = s.connection()  # plain rows: completions are shown, never changed, here
    rows = core.execute(_DUTIES, {"agency": agency_id}).all()
    ids = sorted({r[1] for r in rows})
    mine: dict[int, Any] = {}
    leads_done: dict[int, Any] = {}
    if ids:
        lead_of = {(d, a) for d, a in core.execute(
            select(Duty.deadline_id, Duty.agency_id).where(in_ids(Duty.deadline_id, ids),
                                                           Duty.role == "lead"))}
        for c in core.execute(select(*_COMPLETIONS).where(in_ids(Completion.deadline_id, ids),
                                                          Completion.undone_at.is_(None))):
            if c.agency_id == agency_id:
                mine[c.deadline_id] = c
            if (c.deadline_id, c.agency_id) in lead_of:
                leads_done[c.deadline_id] = c
    evidence = _evidence(s, [c.id for c in mine.values()])
    out = []
    for role, did, due, label, tid, group, code, title, product, number in rows:
        c = mine.get(did) if role == "lead" else leads_done.get(did)
        st = status_of(due, c.completed_on if c else None, today, calendar, soon)
        out.append(DeadlineRow(did, tid, role, due, label, group, code, title, product,
                               number, st, c, evidence.get(c.id, []) if c else []))
    out.sort(key=lambda d: (d.due, d.role != "lead", d.group, d.code))
    reports = []
    reported = {c.obligation_id: c for c in core.execute(_REPORTED, {"agency": agency_id})}
    for oid, name, cf, ct, due, url, number in core.execute(_REPORTS, {"agency": agency_id}):
        c = reported.get(oid)
        reports.append(ReportRow(oid, name, cf, ct, due, url, number,
                                 status_of(due, c.completed_on if c else None, today,
                                           calendar, soon), c))
    return AgencyPage(agency, out, reports, requests(s, agency_id, today))


def requests(s: Session, agency_id: str, today: dt.date) -> list[RequestRow]:
    """The explanation requests sent to the agency, newest first, each with its subject, its
    answers and whether it is still late: a few queries for all of them (a late agency has
    dozens)."""
    reqs = list(s.scalars(select(ExplanationRequest).where(
        ExplanationRequest.agency_id == agency_id)
        .order_by(ExplanationRequest.requested_on.desc(), ExplanationRequest.id.desc())))
    if not reqs:
        return []
    dids = [r.deadline_id for r in reqs if r.deadline_id is not None]
    oids = [r.obligation_id for r in reqs if r.obligation_id is not None]
    tasks = {row.id: row for row in s.execute(
        select(Deadline.id, Deadline.due, Task.group_name, Task.code, Task.title)
        .join(Task, Task.id == Deadline.task_id).where(in_ids(Deadline.id, dids)))} \
        if dids else {}
    periods = {row.id: row for row in s.execute(
        select(ReportObligation.id, ReportPeriod.deadline, ReportPeriod.name)
        .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
        .where(in_ids(ReportObligation.id, oids)))} if oids else {}
    done: dict[tuple[str, int], dt.date] = {}
    for did, oid, on in s.execute(select(Completion.deadline_id, Completion.obligation_id,
                                         Completion.completed_on)
                                  .where(Completion.agency_id == agency_id,
                                         Completion.undone_at.is_(None))):
        done[("d", did) if did is not None else ("o", oid)] = on
    answers: dict[int, list[ExplanationAnswer]] = {}
    for a in s.scalars(select(ExplanationAnswer).where(
            in_ids(ExplanationAnswer.request_id, [r.id for r in reqs]))
            .order_by(ExplanationAnswer.recorded_at, ExplanationAnswer.id)):
        answers.setdefault(a.request_id, []).append(a)
    out = []
    for r in reqs:
        if r.deadline_id is not None:
            row = tasks.get(r.deadline_id)
            due = row.due if row else None
            subject = f"{row.group_name} {row.code} — {row.title}" if row else "(đã xóa)"
            completed = done.get(("d", r.deadline_id))
        else:
            row = periods.get(r.obligation_id)
            due = row.deadline if row else None
            subject = f"Báo cáo {row.name}" if row else "(đã xóa)"
            completed = done.get(("o", r.obligation_id))
        late = due is not None and due < today and (completed is None or completed > today)
        out.append(RequestRow(r, subject, due, late, answers.get(r.id, [])))
    return out


def _request_row(s: Session, r: ExplanationRequest, today: dt.date) -> RequestRow:
    if r.deadline_id is not None:
        row = s.execute(select(Deadline.due, Task.group_name, Task.code, Task.title)
                        .join(Task, Task.id == Deadline.task_id)
                        .where(Deadline.id == r.deadline_id)).first()
        due = row.due if row else None
        subject = f"{row.group_name} {row.code} — {row.title}" if row else "(đã xóa)"
        live = Completion.deadline_id == r.deadline_id
    else:
        row = s.execute(select(ReportPeriod.deadline, ReportPeriod.name)
                        .join(ReportObligation, ReportObligation.period_id == ReportPeriod.id)
                        .where(ReportObligation.id == r.obligation_id)).first()
        due = row.deadline if row else None
        subject = f"Báo cáo {row.name}" if row else "(đã xóa)"
        live = Completion.obligation_id == r.obligation_id
    done = s.scalar(select(Completion.completed_on).where(
        live, Completion.agency_id == r.agency_id, Completion.undone_at.is_(None)))
    late = due is not None and due < today and (done is None or done > today)
    answers = list(s.scalars(select(ExplanationAnswer).where(
        ExplanationAnswer.request_id == r.id).order_by(ExplanationAnswer.recorded_at)))
    return RequestRow(r, subject, due, late, answers)


def _evidence(s: Session, completion_ids: list[int]) -> dict[int, list[Evidence]]:
    out: dict[int, list[Evidence]] = {}
    if completion_ids:
        for e in s.scalars(select(Evidence).where(in_ids(Evidence.completion_id,
                                                         completion_ids))
                           .order_by(Evidence.id)):
            out.setdefault(e.completion_id, []).append(e)
    return out


# --- a task's page --------------------------------------------------------------------------
@dataclass
class TaskPage:
    task: Task
    plan: Plan
    assignments: list[tuple[str, str]]  # (role, agency id)
    deadlines: list[dict]
    requests: list[RequestRow]
    messages: list[dict]


def task_page(s: Session, task_id: int, today: dt.date, calendar: WorkingCalendar,
              soon: int = 5, message_limit: int = 200) -> TaskPage | None:
    task = s.get(Task, task_id)
    if task is None:
        return None
    plan = s.get(Plan, task.plan_id)
    assignments = [(role, a) for role, a in s.execute(
        select(Assignment.role, Assignment.agency_id).where(Assignment.task_id == task_id)
        .order_by(Assignment.role, Assignment.agency_id))]
    deadlines = []
    all_completions = []
    for d in s.scalars(select(Deadline).where(Deadline.task_id == task_id)
                       .order_by(Deadline.due)):
        duties = list(s.execute(select(Duty.role, Duty.agency_id)
                                .where(Duty.deadline_id == d.id)
                                .order_by(Duty.role, Duty.agency_id)))
        completions = list(s.scalars(select(Completion).where(Completion.deadline_id == d.id)
                                     .order_by(Completion.recorded_at)))
        all_completions.extend(completions)
        live = {c.agency_id: c for c in completions if c.undone_at is None}
        deadlines.append({
            "deadline": d, "completions": completions,
            "duties": [{"role": role, "agency_id": a, "completion": live.get(a),
                        "status": status_of(d.due, live[a].completed_on if a in live else None,
                                            today, calendar, soon) if role == "lead" else None}
                       for role, a in duties]})
    evidence = _evidence(s, [c.id for c in all_completions])
    for d in deadlines:
        d["evidence"] = {c.id: evidence.get(c.id, []) for c in d["completions"]}
    reqs = [_request_row(s, r, today) for r in s.scalars(
        select(ExplanationRequest).join(Deadline, Deadline.id == ExplanationRequest.deadline_id)
        .where(Deadline.task_id == task_id).order_by(ExplanationRequest.requested_on))]
    messages = []
    for n in s.scalars(select(Notification).where(Notification.id.in_(
            select(NotificationItem.notification_id)
            .join(PlannedItem, PlannedItem.id == NotificationItem.item_id)
            .where(PlannedItem.task_id == task_id)))
            .order_by(Notification.at.desc(), Notification.id.desc()).limit(message_limit)):
        messages.append({"n": n, "attempts": last_attempt(s, n.id)})
    return TaskPage(task, plan, assignments, deadlines, reqs, messages)


def last_attempt(s: Session, notification_id: int) -> DeliveryAttempt | None:
    return s.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.notification_id == notification_id)
        .order_by(DeliveryAttempt.id.desc())).first()


# --- the overview's oldest late items ---------------------------------------------------------
def oldest_late(s: Session, as_of: dt.date, *, plan_id: int | None = None,
                limit: int = 20) -> list[Any]:
    """The lead duties late on `as_of` (status table's select), oldest first."""
    duties, _ = dated_queries(plan_id, None, (Task.id.label("task_id"), Task.group_name,
                                              Task.code, Task.title, Deadline.id), ())
    q = (duties.where(Deadline.due < as_of, or_(Completion.completed_on.is_(None),
                                                Completion.completed_on > as_of))
         .order_by(Deadline.due, Task.group_name, Task.code).limit(limit))
    return list(s.connection().execute(q).all())
