"""Nhật ký gửi: every message with its state and attempts, failures (permanent first) at the top;
an admin sends one again (`engine.tracking.deliveries.resend`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from core.vocabulary import MessageKind, names
from engine.storage.models import WebUser
from engine.tracking import deliveries
from engine.web.deps import admin, db, officer, page
from engine.web.forms import parse_day
from engine.web.security import check_csrf

router = APIRouter()
PER_PAGE = 100


@router.get("/nhat-ky-gui")
def delivery_log(request: Request, trangthai: str = "", ngay: str = "", trang: int = 1,
                 user: WebUser = Depends(officer), s: Session = Depends(db)):  # noqa: ANN201
    state = trangthai if trangthai in deliveries.STATE_ORDER else None
    page_no = max(trang, 1)
    rows, total = deliveries.log(s, state=state, day=parse_day(ngay), limit=PER_PAGE,
                                 offset=(page_no - 1) * PER_PAGE)
    return page(request, "deliveries.html", user=user, rows=rows, total=total,
                page_no=page_no, per_page=PER_PAGE, state=state or "", ngay=ngay,
                attempts=deliveries.attempts(s, [r.id for r in rows]),
                counts=deliveries.counts(s), kind_vi=names(MessageKind),
                state_vi=deliveries.STATE_VI, names=request.app.state.names)


@router.post("/nhat-ky-gui/{notification_id}/gui-lai", dependencies=[Depends(check_csrf)])
def resend(request: Request, notification_id: int, user: WebUser = Depends(admin),
           s: Session = Depends(db)):  # noqa: ANN201
    n = deliveries.resend(s, notification_id)
    s.commit()
    notice = quote(f"Tin nhắn {n.key} sẽ được gửi lại ở lần gửi kế tiếp.")
    return RedirectResponse(f"/nhat-ky-gui?tb={notice}", status_code=303)
