"""Kế hoạch: the plans side by side; upload a plan file -> the parsed result (`read_plan`) with
what needs a person's eye highlighted, editable in place (timing with its resolved dates, agency
pickers from the directory, a date set by hand, the plan's number and date) -> import through
`engine.tracking.plan_store.import_plan`, the CLI's own path; close a past plan."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import func, select
from sqlmodel import Session

from core.errors import InputError
from core.vocabulary import TaskKind, names
from engine.intake.model import DeadlineOut, ParsedPlan
from engine.intake.reader import read_plan
from engine.intake.review_edits import _AGENCY_WARNING, _TIMING_WARNING, recompute_timing
from engine.intake.sniff import MB
from engine.storage.models import Deadline, Plan, PlanDraft, ReportPeriod, Task, WebUser
from engine.tracking.closing import close_plan, reopen_plan
from engine.tracking.plan_store import import_plan
from engine.tracking.reimport import differences
from engine.tracking.status import table
from engine.web.deps import admin, db, officer, page, today
from engine.web.forms import parse_day
from engine.web.routes.overview import four_counts
from engine.web.security import check_csrf
from rules import Context, ReportCycle, evaluate

router = APIRouter()
MAX_PLAN_MB = 20
KIND_VI = names(TaskKind)


def _go(url: str, notice: str) -> RedirectResponse:
    sep = "&" if "?" in url.split("#")[0] else "?"
    base, _, anchor = url.partition("#")
    return RedirectResponse(f"{base}{sep}tb={quote(notice)}" + (f"#{anchor}" if anchor else ""),
                            status_code=303)


# --- the plans -----------------------------------------------------------------------------
@router.get("/ke-hoach")
def plans(request: Request, user: WebUser = Depends(officer), s: Session = Depends(db),
          day: dt.date = Depends(today)):  # noqa: ANN201
    cards = request.app.state.cache.get(("plans", day), lambda: _cards(s, request, day))
    drafts = list(s.scalars(select(PlanDraft).order_by(PlanDraft.created_at.desc())))
    return page(request, "plans.html", user=user, cards=cards, drafts=drafts,
                max_mb=MAX_PLAN_MB)


def _cards(s: Session, request: Request, day: dt.date) -> list[dict]:
    rt = request.app.state.rt
    cards = []
    for p in s.scalars(select(Plan).order_by(Plan.year.desc(), Plan.id.desc())):
        totals = dict.fromkeys(("overdue", "done_late", "in_time", "done_on_time", "undated"),
                               0)
        for a in table(s, day, rt.calendar, rt.directory, soon=rt.policy.soon_working_days,
                       plan_id=p.id):
            for k, n in four_counts(a.counts).items():
                totals[k] += n
        cards.append({
            "plan": p, "totals": totals,
            "tasks": s.scalar(select(func.count()).select_from(Task).where(
                Task.plan_id == p.id, Task.leaf, Task.removed.is_(False))),
            "deadlines": s.scalar(select(func.count()).select_from(Deadline).join(
                Task, Task.id == Deadline.task_id).where(Task.plan_id == p.id,
                                                         Deadline.active)),
            "periods": list(s.scalars(select(ReportPeriod).where(ReportPeriod.plan_id == p.id)
                                      .order_by(ReportPeriod.position)))})
    return cards


@router.get("/ke-hoach/{plan_id}")
def plan_tasks(request: Request, plan_id: int, user: WebUser = Depends(officer),
               s: Session = Depends(db)):  # noqa: ANN201
    plan = s.get(Plan, plan_id)
    if plan is None:
        raise HTTPException(404, "Không có kế hoạch này.")
    tasks = list(s.scalars(select(Task).where(Task.plan_id == plan_id, Task.removed.is_(False))
                           .order_by(Task.position)))
    dues: dict[int, list[dt.date]] = {}
    for tid, due in s.execute(select(Deadline.task_id, Deadline.due).join(
            Task, Task.id == Deadline.task_id).where(Task.plan_id == plan_id, Deadline.active)
            .order_by(Deadline.due)):
        dues.setdefault(tid, []).append(due)
    return page(request, "plan_tasks.html", user=user, plan=plan, tasks=tasks, dues=dues,
                kind_vi=KIND_VI)


@router.post("/ke-hoach/{plan_id}/dong", dependencies=[Depends(check_csrf)])
def close(request: Request, plan_id: int, user: WebUser = Depends(admin),
          s: Session = Depends(db)):  # noqa: ANN201
    n = close_plan(s, plan_id)
    s.commit()
    return _go("/ke-hoach", f"Đã đóng kế hoạch; {n} thông báo đang chờ đã được hủy.")


@router.post("/ke-hoach/{plan_id}/mo-lai", dependencies=[Depends(check_csrf)])
def reopen(request: Request, plan_id: int, user: WebUser = Depends(admin),
           s: Session = Depends(db), day: dt.date = Depends(today)):  # noqa: ANN201
    n = reopen_plan(s, plan_id, request.app.state.rt.planner, day)
    s.commit()
    return _go("/ke-hoach", f"Đã mở lại kế hoạch; {n} thông báo đang chờ gửi.")


# --- upload and review -------------------------------------------------------------------------
@router.post("/ke-hoach/tai-len", dependencies=[Depends(check_csrf)])
def upload(request: Request, file: UploadFile, year: str = Form(""),
           user: WebUser = Depends(admin), s: Session = Depends(db)):  # noqa: ANN201
    rt = request.app.state.rt
    name = Path(file.filename or "").name
    if not name:
        raise InputError("chưa chọn tệp kế hoạch")
    data = file.file.read(MAX_PLAN_MB * MB + 1)
    wanted_year = int(year) if year.strip().isdigit() else None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name  # the reader dispatches by content, then by extension
        path.write_bytes(data)
        parsed = read_plan(path, directory=rt.directory, calendar=rt.calendar,
                           year=wanted_year, max_bytes=MAX_PLAN_MB * MB)
    draft = PlanDraft(id=secrets.token_hex(16), file_name=name[:255], created_by=user.login,
                      body=parsed.to_json_dict())
    s.add(draft)
    s.commit()
    return RedirectResponse(f"/ke-hoach/duyet/{draft.id}", status_code=303)


def _draft(s: Session, draft_id: str) -> tuple[PlanDraft, ParsedPlan]:
    draft = s.get(PlanDraft, draft_id)
    if draft is None:
        raise HTTPException(404, "Không có bản duyệt này (đã nhập hoặc đã hủy).")
    return draft, ParsedPlan.model_validate(draft.body)


def _save(s: Session, draft: PlanDraft, parsed: ParsedPlan) -> None:
    draft.body = parsed.to_json_dict()
    s.add(draft)
    s.commit()


def needs_eye(task) -> list[str]:  # noqa: ANN001 - TaskOut
    """Why a task is highlighted for a person: its warnings, a leaf without lead agency,
    timing nothing understood (or that cites another document)."""
    out = list(task.warnings)
    if task.leaf and not task.lead_agencies and not any("chủ trì" in w for w in out):
        out.append("Chưa có cơ quan chủ trì trong danh bạ.")
    if task.leaf and task.kind in ("unknown", "reference") and not any(
            "Thời hạn" in w or "thời gian" in w for w in out):
        out.append(f"Thời hạn chưa xác định («{task.timing or ''}»).")
    return out


@router.get("/ke-hoach/duyet/{draft_id}")
def review(request: Request, draft_id: str, canxem: int = 0, sua: int | None = None,
           user: WebUser = Depends(officer), s: Session = Depends(db)):  # noqa: ANN201
    return _review_page(request, draft_id, user, s, canxem=canxem, sua=sua)


def _review_page(request: Request, draft_id: str, user: WebUser, s: Session, *,
                 canxem: int = 0, sua: int | None = None,
                 diffs: list[str] | None = None):  # noqa: ANN202
    rt = request.app.state.rt
    draft, parsed = _draft(s, draft_id)
    flags = [needs_eye(t) for t in parsed.tasks]
    meta = [w for w, missing in (("Kế hoạch không ghi số.", not parsed.plan.number),
                                 ("Kế hoạch không ghi ngày ban hành.", not parsed.plan.date),
                                 ("Kế hoạch không ghi cơ quan ban hành.", not parsed.plan.issuer))
            if missing]
    agencies = [a for a in rt.directory if a.kind != "unspecific"]
    return page(request, "plan_review.html", user=user, draft=draft, parsed=parsed,
                flags=flags, meta=meta, only_flagged=bool(canxem), editing=sua,
                agencies=agencies, names=request.app.state.names,
                kind_vi=KIND_VI, flagged=sum(1 for f in flags if f), diffs=diffs)


@router.post("/ke-hoach/duyet/{draft_id}/nhiem-vu/{index}", dependencies=[Depends(check_csrf)])
async def edit_task(request: Request, draft_id: str, index: int,
                    user: WebUser = Depends(admin), s: Session = Depends(db)):  # noqa: ANN201
    rt = request.app.state.rt
    form = await request.form()
    draft, parsed = _draft(s, draft_id)
    if not 0 <= index < len(parsed.tasks):
        raise HTTPException(404, "Không có nhiệm vụ này trong bản duyệt.")
    task = parsed.tasks[index]
    timing = str(form.get("timing", task.timing or "")).strip()
    manual = parse_day(str(form.get("due", "")), "ngày hoàn thành")
    if manual is not None:
        day = rt.calendar.next_working_day(manual)
        task.kind, task.due, task.deadlines = "fixed", [day], [DeadlineOut(due=day)]
        task.warnings = [w for w in task.warnings if not _TIMING_WARNING.match(w)]
        task.timing = timing or task.timing
    elif timing != (task.timing or ""):
        task.timing = timing
        recompute_timing(task, _ctx(parsed, rt.calendar))
    for role in ("lead", "support"):
        if f"{role}_set" not in form:  # the form did not show this picker
            continue
        ids = [str(v) for v in form.getlist(role) if str(v)]
        for agency_id in ids:
            if agency_id not in rt.directory:
                raise InputError(f"cơ quan «{agency_id}» không có trong danh bạ")
        members: list[str] = []
        for agency_id in ids:
            members.extend(rt.directory.members(agency_id))
        setattr(task, role, [rt.directory.get(a).name for a in ids])
        setattr(task, f"{role}_agencies", list(dict.fromkeys(members)))
        task.warnings = [w for w in task.warnings if not (
            _AGENCY_WARNING.match(w) and ("chủ trì" if role == "lead" else "phối hợp") in w)]
    if task.leaf and task.lead_agencies:
        task.warnings = [w for w in task.warnings if not w.startswith("Chưa có cơ quan chủ trì")
                         and not w.startswith("Kế hoạch không ghi cơ quan chủ trì")]
    _save(s, draft, parsed)
    return _go(f"/ke-hoach/duyet/{draft_id}#t-{index}",
               f"Đã sửa nhiệm vụ {task.group} {task.code}.")


@router.post("/ke-hoach/duyet/{draft_id}/thong-tin", dependencies=[Depends(check_csrf)])
def edit_meta(request: Request, draft_id: str, number: str = Form(""), date: str = Form(""),
              issuer: str = Form(""), title: str = Form(""), user: WebUser = Depends(admin),
              s: Session = Depends(db)):  # noqa: ANN201
    draft, parsed = _draft(s, draft_id)
    parsed.plan.number = number.strip() or None
    parsed.plan.date = parse_day(date, "ngày ban hành")
    parsed.plan.issuer = issuer.strip() or None
    parsed.plan.title = title.strip() or None
    _save(s, draft, parsed)
    return _go(f"/ke-hoach/duyet/{draft_id}", "Đã sửa thông tin kế hoạch.")


@router.post("/ke-hoach/duyet/{draft_id}/nhap", dependencies=[Depends(check_csrf)])
def import_draft(request: Request, draft_id: str, thay: str = Form(""),
                 user: WebUser = Depends(admin), s: Session = Depends(db),
                 day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    draft, parsed = _draft(s, draft_id)
    if not thay:
        # A re-import that would undo stored edits or completions is shown first, as `plan
        # import` does without --replace (`engine.tracking.reimport`); nothing is changed.
        try:
            lines = differences(s, parsed, rt.planner, day) or []
        finally:
            s.rollback()
        if any(not x.startswith("thêm nhiệm vụ") for x in lines):
            return _review_page(request, draft_id, user, s, diffs=lines)
        draft, parsed = _draft(s, draft_id)
    summary = import_plan(s, parsed, rt.planner, day)
    s.delete(draft)
    s.commit()
    what = "Đã nhập kế hoạch mới" if summary.created else "Đã cập nhật kế hoạch"
    return _go("/ke-hoach", f"{what} {summary.number} (năm {summary.year}): {summary.leaves} "
                            f"nhiệm vụ, {summary.deadlines} thời hạn, {summary.planned} thông "
                            "báo đang chờ gửi.")


@router.post("/ke-hoach/duyet/{draft_id}/huy", dependencies=[Depends(check_csrf)])
def drop_draft(request: Request, draft_id: str, user: WebUser = Depends(admin),
               s: Session = Depends(db)):  # noqa: ANN201
    draft, _ = _draft(s, draft_id)
    s.delete(draft)
    s.commit()
    return _go("/ke-hoach", "Đã hủy bản duyệt.")


def _ctx(parsed: ParsedPlan, calendar) -> Context:  # noqa: ANN001
    return Context(year=parsed.plan.year, calendar=calendar,
                   cycle=ReportCycle(day=parsed.report_cycle.day))


@router.get("/api/thoi-han")
def timing(request: Request, cum: str = "", nam: int = 2025, ngay: int = 18,
           user: WebUser = Depends(officer)) -> JSONResponse:
    """The timing field's live preview: what the rules make of a phrase (contract section 3)."""
    rt = request.app.state.rt
    if not 2000 <= nam <= 2100 or not 1 <= ngay <= 28:
        raise InputError("năm hoặc ngày báo cáo không hợp lệ")
    result = evaluate(cum[:500], Context(year=nam, calendar=rt.calendar,
                                         cycle=ReportCycle(day=ngay)))
    return JSONResponse(result.to_json())
