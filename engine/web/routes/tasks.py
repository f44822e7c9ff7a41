"""Nhiệm vụ: a task's page — its deadlines and agencies, every message sent about it,
completions with their evidence (the officer can undo one), explanations asked and given."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from core.vocabulary import MessageKind, names
from engine.storage.models import Completion, Deadline, Evidence, Task, WebUser
from engine.tracking.deliveries import STATE_VI
from engine.tracking.desk import COLOUR, task_page
from engine.tracking.records import undo_completion
from engine.web.deps import admin, db, officer, page, today
from engine.web.routes.agency import send_evidence
from engine.web.security import check_csrf

router = APIRouter()


@router.get("/nhiem-vu/{task_id}")
def task(request: Request, task_id: int, user: WebUser = Depends(officer),
         s: Session = Depends(db), day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    view = task_page(s, task_id, day, rt.calendar, rt.policy.soon_working_days)
    if view is None:
        raise HTTPException(404, "Không có nhiệm vụ này.")
    return page(request, "task.html", user=user, view=view, today=day, colour=COLOUR,
                names=request.app.state.names, state_vi=STATE_VI, kind_vi=names(MessageKind))


@router.post("/nhiem-vu/{task_id}/huy-hoan-thanh", dependencies=[Depends(check_csrf)])
def undo(request: Request, task_id: int, completion_id: int = Form(...),
         user: WebUser = Depends(admin), s: Session = Depends(db),
         day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    t = s.get(Task, task_id)
    c = s.get(Completion, completion_id)
    if t is None or c is None or c.deadline_id is None or \
            s.get(Deadline, c.deadline_id).task_id != task_id:
        raise HTTPException(404, "Không có ghi nhận hoàn thành này.")
    undo_completion(s, rt.planner, agency_id=c.agency_id, task=t, today=day,
                    completion_id=completion_id)
    s.commit()
    notice = quote(f"Đã hủy ghi nhận hoàn thành của {c.agency_id}; nhắc việc được lập lại.")
    return RedirectResponse(f"/nhiem-vu/{task_id}?tb={notice}", status_code=303)


@router.get("/minh-chung/{evidence_id}")
def evidence_file(request: Request, evidence_id: int, user: WebUser = Depends(officer),
                  s: Session = Depends(db)):  # noqa: ANN201
    e = s.get(Evidence, evidence_id)
    if e is None:
        raise HTTPException(404, "Không có tệp minh chứng này.")
    return send_evidence(request, e)
