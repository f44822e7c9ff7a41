"""The agency's own page, opened by its personal link (no password: the link is the key).

`GET /co-quan/{token}`: its open deadlines (lead and support, soonest first, in the four
colours), its report obligations with the data cut-off window and the data-entry address, what
it has done, and the explanations asked of it. Forms (each with its CSRF field): Báo cáo hoàn
thành of one deadline (`engine.tracking.records.complete_task`, as `nhacviec done`: every pending
reminder of the deadline stops), with an optional evidence file; Giải trình of a late deadline
(`engine.tracking.records.answer_request`). A deadline id of another agency is refused (404).
`GET /co-quan/{token}/lich.ics`: its calendar feed (`engine.reports.ical`), to subscribe to."""

from __future__ import annotations

import contextlib
import datetime as dt

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import Session

from core.errors import InputError
from engine.reports import ical
from engine.storage.models import Completion, Deadline, Duty, Evidence, Plan, Task
from engine.tracking.desk import agency_page
from engine.tracking.records import answer_request, complete_task
from engine.web import evidence as files
from engine.web.deps import agency_of_token, db, page, today
from engine.web.forms import parse_day
from engine.web.security import check_csrf

router = APIRouter(prefix="/co-quan")
MAX_TEXT = 2000


@router.get("/{token}")
def agency_home(request: Request, token: str, agency_id: str = Depends(agency_of_token),
                s: Session = Depends(db), day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    view = agency_page(s, agency_id, day, rt.calendar, rt.policy.soon_working_days)
    return page(request, "agency.html", view=view, token=token, today=day,
                accept=files.ACCEPT, max_mb=request.app.state.max_upload // 1048576)


@router.get("/{token}/lich.ics")
def agency_calendar(request: Request, agency_id: str = Depends(agency_of_token),
                    s: Session = Depends(db)) -> Response:
    rt = request.app.state.rt
    page_url = request.app.state.links(s, [agency_id]).get(agency_id)
    feed = ical.agency_feed(s, agency_id, directory=rt.directory, calendar=rt.calendar,
                            policy=rt.policy, now=request.app.state.clock(), page_url=page_url)
    return Response(feed, media_type=ical.CONTENT_TYPE)


@router.get("/{token}/hoan-thanh/{deadline_id}")
def done_form(request: Request, token: str, deadline_id: int,
              agency_id: str = Depends(agency_of_token), s: Session = Depends(db),
              day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    view = agency_page(s, agency_id, day, rt.calendar, rt.policy.soon_working_days)
    d = next((d for d in view.open_deadlines if d.deadline_id == deadline_id
              and d.role == "lead"), None)
    if d is None:
        raise HTTPException(404, "Không có thời hạn này trong danh sách nhiệm vụ do quý cơ quan "
                                 "chủ trì.")
    return page(request, "agency_done.html", view=view, d=d, token=token, today=day,
                accept=files.ACCEPT, max_mb=request.app.state.max_upload // 1048576)


def _back(token: str, notice: str, anchor: str = "") -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/co-quan/{token}?tb={quote(notice)}{anchor}", status_code=303)


@router.post("/{token}/hoan-thanh", dependencies=[Depends(check_csrf)])
def report_done(request: Request, token: str,
                      deadline_id: int = Form(...), document_no: str = Form(""),
                      completed_on: str = Form(""), note: str = Form(""),
                      file: UploadFile | None = None,
                      agency_id: str = Depends(agency_of_token), s: Session = Depends(db),
                      day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    row = s.execute(select(Deadline, Task).join(Task, Task.id == Deadline.task_id)
                    .join(Plan, Plan.id == Task.plan_id)
                    .join(Duty, Duty.deadline_id == Deadline.id)
                    .where(Deadline.id == deadline_id, Deadline.active,
                           Duty.agency_id == agency_id, Duty.role == "lead",
                           Plan.closed_at.is_(None))).first()
    if row is None:  # another agency's deadline, or none at all: nothing to say about it
        raise HTTPException(404, "Không có thời hạn này trong danh sách nhiệm vụ do quý cơ quan "
                                 "chủ trì.")
    deadline, task = row
    on = parse_day(completed_on, "ngày hoàn thành") or day
    if on > day:
        raise InputError(f"ngày hoàn thành {on:%d/%m/%Y} ở tương lai")
    document_no = document_no.strip()[:100]
    if not document_no:
        raise InputError("hãy ghi số, ký hiệu văn bản (ví dụ 123/BC-STP)")
    checked = None
    if file is not None and file.filename:
        limit = request.app.state.max_upload
        data = file.file.read(limit + 1)  # never more than the limit is held
        checked = files.check(file.filename, data, limit)
    recorded = complete_task(s, task, agency_id, rt.planner, on=on, today=day, due=deadline.due,
                             document_no=document_no, note=note.strip()[:MAX_TEXT] or None,
                             by="web")
    stored = None
    try:
        if checked is not None:
            root = request.app.state.files
            name, size, digest = stored = files.store(root, checked, day)
            s.add(Evidence(completion_id=recorded.completion_id, stored_name=name,
                           original_name=checked.name, content_type=checked.content_type,
                           size=size, sha256=digest))
        s.commit()
    except BaseException:
        s.rollback()
        if stored is not None:  # the completion was not kept: neither is its file
            with contextlib.suppress(OSError):
                files.path_of(request.app.state.files, stored[0]).unlink()
        raise
    when = "đúng hạn" if recorded.on_time else "quá hạn"
    return _back(token, f"Đã ghi nhận hoàn thành {task.group_name} {task.code} (hạn "
                        f"{recorded.due:%d/%m/%Y}) ngày {on:%d/%m/%Y}: {when}. Đã dừng "
                        f"{recorded.cancelled} nhắc việc.", "#da-lam")


@router.post("/{token}/giai-trinh", dependencies=[Depends(check_csrf)])
def explain(request: Request, token: str, request_id: int = Form(...), text: str = Form(""),
            proposed_due: str = Form(""), agency_id: str = Depends(agency_of_token),
            s: Session = Depends(db), day: dt.date = Depends(today)):  # noqa: ANN201
    answer_request(s, request_id, agency_id, text=text[:MAX_TEXT], on=day,
                   proposed_due=parse_day(proposed_due, "ngày dự kiến hoàn thành"), by="web")
    s.commit()
    return _back(token, "Đã gửi giải trình tới Sở Nội vụ.", "#giai-trinh")


@router.get("/{token}/minh-chung/{evidence_id}")
def agency_file(request: Request, token: str, evidence_id: int,
                agency_id: str = Depends(agency_of_token),
                s: Session = Depends(db)):  # noqa: ANN201
    e = s.get(Evidence, evidence_id)
    owner = s.scalar(select(Completion.agency_id).where(Completion.id == e.completion_id)) \
        if e else None
    if e is None or owner != agency_id:
        raise HTTPException(404, "Không có tệp minh chứng này.")
    return send_evidence(request, e)


def send_evidence(request: Request, e: Evidence) -> FileResponse:
    path = files.path_of(request.app.state.files, e.stored_name)
    if not path.is_file():
        raise HTTPException(404, "Tệp minh chứng không còn trên máy chủ.")
    return FileResponse(path, media_type=e.content_type, filename=e.original_name,
                        headers={"X-Content-Type-Options": "nosniff"})
