"""What people record: completions (and their undo), events, dates set by hand, report
submissions, explanations (giải trình). Each change re-plans what it touches in the same
transaction, so a completion stops every pending reminder and escalation of that deadline for
that agency at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

from core.control_chars import clean as clean_controls
from core.errors import ConflictError, InputError, NotFoundError
from core.vocabulary import MessageKind
from engine.planning.plan_table import cancel_for_duty, cancel_for_obligation
from engine.planning.planner import (
    plan_duties,
    plan_monitor_day,
    plan_obligations,
    plan_task_notices,
)
from engine.planning.reminder_rules import Planner
from engine.storage.models import (
    Completion,
    Deadline,
    Duty,
    Event,
    ExplanationAnswer,
    ExplanationRequest,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.lookup import find_period, task_ref
from engine.tracking.plan_store import sync_duties
from rules.events import event_due


@dataclass(frozen=True)
class Recorded:
    completion_id: int
    due: dt.date
    completed_on: dt.date
    on_time: bool
    cancelled: int  # pending items stopped
    label: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: str | None) -> str | None:
    """What a person typed (a document number, a note, a chat user's name), without control or
    right-to-left characters: it is quoted in lists and digests others read."""
    return clean_controls(value) if value is not None else None


def complete_task(s: Session, task: Task, agency_id: str, planner: Planner, *, on: dt.date,
                  today: dt.date, due: dt.date | None = None, document_no: str | None = None,
                  note: str | None = None, by: str = "cli") -> Recorded:
    """Record that `agency_id` completed the task's deadline `due` (default: its earliest open
    deadline)."""
    rows = s.execute(
        select(Duty, Deadline).join(Deadline, Deadline.id == Duty.deadline_id)
        .where(Deadline.task_id == task.id, Deadline.active, Duty.agency_id == agency_id,
               Duty.role == "lead").order_by(Deadline.due)).all()
    if not rows:
        raise NotFoundError(f"cơ quan «{agency_id}» không chủ trì thời hạn nào của nhiệm vụ "
                            f"{task_ref(task)}")
    done = set(s.scalars(select(Completion.deadline_id).where(
        Completion.agency_id == agency_id, Completion.undone_at.is_(None),
        Completion.deadline_id.in_([d.id for _, d in rows]))))
    if due is not None:
        pick = [(u, d) for u, d in rows if d.due == due]
        if not pick:
            dues = ", ".join(d.due.isoformat() for _, d in rows)
            raise NotFoundError(f"nhiệm vụ {task_ref(task)} không có thời hạn {due} "
                                f"(các thời hạn: {dues})")
        if pick[0][1].id in done:
            raise ConflictError(f"đã ghi nhận hoàn thành thời hạn {due} của nhiệm vụ "
                                f"{task_ref(task)} cho «{agency_id}»")
    else:
        pick = [(u, d) for u, d in rows if d.id not in done]
        if not pick:
            raise ConflictError(f"mọi thời hạn của nhiệm vụ {task_ref(task)} đã được ghi nhận "
                                f"hoàn thành cho «{agency_id}»")
    duty, deadline = pick[0]
    c = Completion(deadline_id=deadline.id, agency_id=agency_id, completed_on=on,
                   document_no=_text(document_no), note=_text(note), recorded_by=_text(by))
    s.add(c)
    s.flush()
    cancelled = cancel_for_duty(s, duty.id)
    # Support agencies are told nothing more once every lead has completed.
    support = list(s.scalars(select(Duty.id).where(Duty.deadline_id == deadline.id,
                                                   Duty.role == "support")))
    plan_duties(s, support, planner, today)
    return Recorded(c.id, deadline.due, on, on <= deadline.due, cancelled, deadline.label)


def undo_completion(s: Session, planner: Planner, *, agency_id: str, task: Task | None = None,
                    period: ReportPeriod | None = None, today: dt.date,
                    completion_id: int | None = None) -> Completion:
    """Undo the latest live completion of the agency for the task (or report period), or the
    one named by `completion_id` (the web desk's button on a completion)."""
    query = select(Completion).where(Completion.agency_id == agency_id,
                                     Completion.undone_at.is_(None))
    if completion_id is not None:
        query = query.where(Completion.id == completion_id)
    if task is not None:
        query = query.join(Deadline, Deadline.id == Completion.deadline_id).where(
            Deadline.task_id == task.id)
    elif period is not None:
        query = query.join(ReportObligation, ReportObligation.id == Completion.obligation_id
                           ).where(ReportObligation.period_id == period.id)
    c = s.scalars(query.order_by(Completion.recorded_at.desc(), Completion.id.desc())).first()
    if c is None:
        raise NotFoundError("không có ghi nhận hoàn thành nào để hủy")
    c.undone_at = _now()
    s.add(c)
    s.flush()
    if c.deadline_id is not None:
        duty_ids = list(s.scalars(select(Duty.id).where(Duty.deadline_id == c.deadline_id)))
        plan_duties(s, duty_ids, planner, today)
        plan_id, due = s.execute(select(Task.plan_id, Deadline.due).join(
            Deadline, Deadline.task_id == Task.id).where(Deadline.id == c.deadline_id)).one()
    else:
        plan_obligations(s, [c.obligation_id], planner, today)
        plan_id, due = s.execute(select(ReportPeriod.plan_id, ReportPeriod.deadline).join(
            ReportObligation, ReportObligation.period_id == ReportPeriod.id).where(
            ReportObligation.id == c.obligation_id)).one()
    # Open again: the Sở Nội vụ's list of that day is wanted again (re-planning may have
    # cancelled it while nothing of that day was open).
    plan_monitor_day(s, plan_id, planner, today, due)
    return c


def submit_report(s: Session, plan_id: int, agency_id: str, period_name: str, *, on: dt.date,
                  document_no: str | None = None, note: str | None = None,
                  by: str = "cli") -> tuple[Recorded, ReportPeriod]:
    period = find_period(s, plan_id, period_name)
    obligation = s.scalars(select(ReportObligation).where(
        ReportObligation.period_id == period.id,
        ReportObligation.agency_id == agency_id)).first()
    if obligation is None:
        raise NotFoundError(f"«{agency_id}» không phải gửi báo cáo {period.name}")
    live = s.scalars(select(Completion.id).where(Completion.obligation_id == obligation.id,
                                                 Completion.undone_at.is_(None))).first()
    if live is not None:
        raise ConflictError(f"đã ghi nhận báo cáo {period.name} của «{agency_id}»")
    c = Completion(obligation_id=obligation.id, agency_id=agency_id, completed_on=on,
                   document_no=_text(document_no), note=_text(note), recorded_by=_text(by))
    s.add(c)
    s.flush()
    cancelled = cancel_for_obligation(s, obligation.id)
    # One report answers the province's reporting regime of the year: the same period of the
    # other plans of that year (same name, same deadline) is reported too.
    for twin in _twin_obligations(s, plan_id, period, agency_id):
        s.add(Completion(obligation_id=twin, agency_id=agency_id, completed_on=on,
                         document_no=_text(document_no), note=_text(note),
                         recorded_by=_text(by)))
        s.flush()
        cancelled += cancel_for_obligation(s, twin)
    return Recorded(c.id, period.deadline, on, on <= period.deadline, cancelled), period


def _twin_obligations(s: Session, plan_id: int, period: ReportPeriod,
                      agency_id: str) -> list[int]:
    """The agency's obligations, not yet reported, of the same report period (name and
    deadline) in the other plans of the plan's year."""
    year = s.scalar(select(Plan.year).where(Plan.id == plan_id))
    live = (Completion.obligation_id == ReportObligation.id) & Completion.undone_at.is_(None)
    return list(s.scalars(
        select(ReportObligation.id)
        .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
        .join(Plan, Plan.id == ReportPeriod.plan_id)
        .outerjoin(Completion, live)
        .where(Plan.year == year, Plan.id != plan_id, ReportPeriod.name == period.name,
               ReportPeriod.deadline == period.deadline, ReportObligation.agency_id == agency_id,
               Completion.id.is_(None))))


def record_event(s: Session, task: Task, planner: Planner, *, on: dt.date, today: dt.date,
                 note: str | None = None) -> Deadline:
    """Record the date of the event an event-relative task counts from; its deadline follows."""
    if task.kind != "event" or task.event_offset is None:
        raise InputError(f"nhiệm vụ {task_ref(task)} không tính thời hạn từ một sự kiện "
                         f"(thời gian: «{task.timing or ''}»)")
    due = event_due(on, task.event_offset, task.event_unit, planner.calendar)
    event = s.scalars(select(Event).where(Event.task_id == task.id)).first() or Event(
        task_id=task.id, occurred_on=on)
    event.occurred_on, event.note, event.recorded_at = on, _text(note), _now()
    s.add(event)
    return _replace_deadline(s, task, planner, due, "event", today)


def set_due(s: Session, task: Task, planner: Planner, *, on: dt.date, today: dt.date,
            label: str | None = None) -> Deadline:
    """A person sets the date of a task the plan gave none (reference / unknown timing). A day
    off moves to the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5)."""
    if not task.leaf:
        raise InputError(f"nhiệm vụ {task_ref(task)} có nhiệm vụ con: hãy đặt hạn cho từng "
                         "nhiệm vụ con")
    if task.kind in ("fixed", "periodic", "ongoing", "event"):
        raise InputError(f"nhiệm vụ {task_ref(task)} đã có thời hạn theo kế hoạch (loại "
                         f"{task.kind}); chỉ đặt hạn cho nhiệm vụ chưa xác định thời hạn")
    return _replace_deadline(s, task, planner, planner.calendar.next_working_day(on), "manual",
                             today, label)


def _replace_deadline(s: Session, task: Task, planner: Planner, due: dt.date, source: str,
                      today: dt.date, label: str | None = None) -> Deadline:
    olds = list(s.scalars(select(Deadline).where(Deadline.task_id == task.id,
                                                 Deadline.source == source, Deadline.active)))
    keep = None
    for d in olds:
        if d.due == due:
            keep = d
            continue
        d.active = False  # kept with any completion it has; its pending items are cancelled
        s.add(d)
    deadline = keep or s.scalars(select(Deadline).where(Deadline.task_id == task.id,
                                                        Deadline.due == due)).first()
    if deadline is None:
        deadline = Deadline(task_id=task.id, due=due, label=_text(label), source=source)
    deadline.active = True
    s.add(deadline)
    s.flush()
    stale = [d.id for d in olds if d.id != deadline.id]
    if stale:
        for duty_id in s.scalars(select(Duty.id).where(Duty.deadline_id.in_(stale))):
            cancel_for_duty(s, duty_id)
    sync_duties(s, planner.directory, deadline_ids=[deadline.id])
    duty_ids = list(s.scalars(select(Duty.id).where(Duty.deadline_id == deadline.id)))
    plan_duties(s, duty_ids, planner, today)
    plan_monitor_day(s, task.plan_id, planner, today, due)
    plan_task_notices(s, task.plan_id, planner, today, s.get(Plan, task.plan_id).year)
    return deadline


def answer_explanation(s: Session, task: Task | None, agency_id: str, *, text: str, on: dt.date,
                       document_no: str | None = None, by: str = "cli",
                       period: ReportPeriod | None = None,
                       proposed_due: dt.date | None = None) -> ExplanationAnswer:
    """Record the agency's explanation (giải trình) for its latest request on the task, or, with
    `period` instead of a task, on its periodic report of that period."""
    if not text.strip():
        raise InputError("nội dung giải trình trống")
    query = select(ExplanationRequest).where(ExplanationRequest.agency_id == agency_id)
    if period is not None:
        query = query.join(ReportObligation,
                           ReportObligation.id == ExplanationRequest.obligation_id).where(
            ReportObligation.period_id == period.id)
        about = f"báo cáo {period.name}"
    elif task is not None:
        query = query.join(Deadline, Deadline.id == ExplanationRequest.deadline_id).where(
            Deadline.task_id == task.id)
        about = f"nhiệm vụ {task_ref(task)}"
    else:
        raise InputError("chưa nêu nhiệm vụ hoặc kỳ báo cáo cần ghi nhận giải trình")
    request = s.scalars(query.order_by(ExplanationRequest.requested_on.desc(),
                                       ExplanationRequest.id.desc())).first()
    if request is None:  # the agency explains on its own, unasked
        request = _unasked(s, task, agency_id, period, on, about)
    return _answer(s, request, on, text, document_no, by, proposed_due)


def _answer(s: Session, request: ExplanationRequest, on: dt.date, text: str,
            document_no: str | None, by: str, proposed_due: dt.date | None
            ) -> ExplanationAnswer:
    """The answer row, as both ways of answering record it."""
    answer = ExplanationAnswer(request_id=request.id, answered_on=on,
                               text=_text(text.strip()), document_no=_text(document_no),
                               answered_by=_text(by), proposed_due=proposed_due)
    s.add(answer)
    s.flush()
    return answer


def _unasked(s: Session, task: Task | None, agency_id: str, period: ReportPeriod | None,
             on: dt.date, about: str) -> ExplanationRequest:
    """The request row an explanation sent without a request hangs on (`unsolicited`): the
    agency's open deadline of the task it leads (the earliest), or its report of the period.
    No request is sent for it afterwards (its pending explanation request is cancelled)."""
    live = Completion.undone_at.is_(None)
    if period is not None:
        row = s.execute(select(ReportObligation.id, Completion.id)
                        .outerjoin(Completion, (Completion.obligation_id == ReportObligation.id)
                                   & live)
                        .where(ReportObligation.period_id == period.id,
                               ReportObligation.agency_id == agency_id)).first()
        subject = {"obligation_id": row[0]} if row is not None and row[1] is None else None
        items = PlannedItem.obligation_id == (row[0] if row is not None else None)
    else:
        row = s.execute(select(Deadline.id, Duty.id)
                        .join(Duty, Duty.deadline_id == Deadline.id)
                        .outerjoin(Completion, (Completion.deadline_id == Deadline.id)
                                   & (Completion.agency_id == agency_id) & live)
                        .where(Deadline.task_id == task.id, Deadline.active,
                               Duty.agency_id == agency_id, Duty.role == "lead",
                               Completion.id.is_(None))
                        .order_by(Deadline.due)).first()
        subject = {"deadline_id": row[0]} if row is not None else None
        items = PlannedItem.duty_id == (row[1] if row is not None else None)
    if subject is None:
        raise NotFoundError(f"chưa có yêu cầu giải trình nào gửi «{agency_id}» về {about}, và "
                            f"«{agency_id}» không có {about} nào đang chờ hoàn thành để tự "
                            "giải trình")
    request = ExplanationRequest(agency_id=agency_id, requested_on=on, unsolicited=True,
                                 **subject)
    s.add(request)
    s.execute(update(PlannedItem).where(items, PlannedItem.state == "pending",
                                        PlannedItem.kind == MessageKind.EXPLANATION_REQUEST)
              .values(state="cancelled"))
    s.flush()
    return request


def answer_request(s: Session, request_id: int, agency_id: str, *, text: str, on: dt.date,
                   proposed_due: dt.date | None = None, document_no: str | None = None,
                   by: str = "web") -> ExplanationAnswer:
    """Answer one explanation request (giải trình) of the agency, named by id (the web desk's
    form). Refused when the request is another agency's, or when its subject is not late on
    `on`: completed (by `on`) or not yet due."""
    if not text.strip():
        raise InputError("nội dung giải trình trống")
    request = s.get(ExplanationRequest, request_id)
    if request is None or request.agency_id != agency_id:
        raise NotFoundError("không có yêu cầu giải trình này cho cơ quan")
    if request.deadline_id is not None:
        due = s.scalar(select(Deadline.due).where(Deadline.id == request.deadline_id))
        live = (Completion.deadline_id == request.deadline_id)
    else:
        due = s.scalar(select(ReportPeriod.deadline).join(
            ReportObligation, ReportObligation.period_id == ReportPeriod.id).where(
            ReportObligation.id == request.obligation_id))
        live = (Completion.obligation_id == request.obligation_id)
    done = s.scalar(select(Completion.completed_on).where(
        live, Completion.agency_id == agency_id, Completion.undone_at.is_(None)))
    if due is None or due >= on or (done is not None and done <= on):
        raise InputError("thời hạn này không quá hạn (chưa đến hạn hoặc đã ghi nhận hoàn "
                         "thành): không cần giải trình")
    if proposed_due is not None and proposed_due <= on:
        raise InputError("ngày dự kiến hoàn thành phải sau hôm nay")
    return _answer(s, request, on, text, document_no, by, proposed_due)
