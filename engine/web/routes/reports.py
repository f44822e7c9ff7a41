"""The period report as a workbook, at the address the Steering Committee's digest links to
(`engine.reports.latest.report_path`): `/bao-cao/{plan id}/{period}.xlsx`, for any officer
(viewers too: leaders open it from the digest on their phones)."""

from __future__ import annotations

import io
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import Session

from core.errors import NotFoundError
from engine.reports import xlsx
from engine.reports.latest import REPORT_PATH, period_slug
from engine.reports.period import build_report
from engine.storage.models import Plan, ReportPeriod, WebUser
from engine.web.deps import db, officer

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(REPORT_PATH + "/{plan_id}/{slug}.xlsx")
def period_workbook(request: Request, plan_id: int, slug: str,
                    user: WebUser = Depends(officer), s: Session = Depends(db)) -> Response:
    plan = s.get(Plan, plan_id)
    names = [] if plan is None else list(s.scalars(
        select(ReportPeriod.name).where(ReportPeriod.plan_id == plan_id)))
    period = next((n for n in names if period_slug(n) == slug), None)
    if plan is None or period is None:
        raise HTTPException(404, "Không có báo cáo kỳ này: kế hoạch hoặc kỳ báo cáo không tồn "
                                 "tại.")
    rt = request.app.state.rt
    clock = request.app.state.clock()
    try:
        report = build_report(s, period=period, plan=f"{plan.number}:{plan.year}",
                              directory=rt.directory, calendar=rt.calendar, today=clock.date(),
                              soon=rt.policy.soon_working_days)
    except NotFoundError as e:
        raise HTTPException(404, str(e)) from None
    buf = io.BytesIO()
    xlsx.write(report, buf, created=clock)
    name = f"bao-cao-{slug}-{plan.year}.xlsx"
    return Response(buf.getvalue(), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
