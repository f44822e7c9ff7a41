"""Danh bạ: the agencies, their addresses and linked chats, successors, and (for an admin) each
agency's personal link with a button that replaces it (the old one stops working at once)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlmodel import Session

from engine.directory.agencies import KIND_VI
from engine.storage.models import Agency, ChatLink, WebUser
from engine.tracking import agency_links as links
from engine.web.deps import admin, db, officer, page
from engine.web.security import check_csrf

router = APIRouter()


@router.get("/danh-ba")
def directory(request: Request, user: WebUser = Depends(officer),
              s: Session = Depends(db)):  # noqa: ANN201
    rt = request.app.state.rt
    chats: dict[str, list[ChatLink]] = {}
    for c in s.scalars(select(ChatLink).order_by(ChatLink.linked_at)):
        chats.setdefault(c.agency_id, []).append(c)
    stored = set(s.scalars(select(Agency.id)))
    urls: dict[str, str] = {}
    if user.role == "admin":  # a link opens the agency's page: shown to admins only
        urls = request.app.state.links(s, sorted(stored))
        s.commit()
    return page(request, "directory.html", user=user, agencies=list(rt.directory),
                chats=chats, urls=urls, stored=stored, kind_vi=KIND_VI,
                names=request.app.state.names)


@router.post("/danh-ba/{agency_id}/doi-lien-ket", dependencies=[Depends(check_csrf)])
def rotate(request: Request, agency_id: str, user: WebUser = Depends(admin),
           s: Session = Depends(db)):  # noqa: ANN201
    if s.get(Agency, agency_id) is None:
        raise HTTPException(404, "Không có cơ quan này trong cơ sở dữ liệu.")
    links.rotate(s, agency_id)
    s.commit()
    notice = quote(f"Đã tạo đường liên kết mới cho {agency_id}; đường liên kết cũ không còn "
                   "dùng được.")
    return RedirectResponse(f"/danh-ba?tb={notice}#a-{agency_id}", status_code=303)


@router.get("/co-quan-xem/{agency_id}")
def agency_as_officer(request: Request, agency_id: str, user: WebUser = Depends(officer),
                      s: Session = Depends(db)):  # noqa: ANN201
    """An agency's page as the agency sees it, read only, for the officers."""
    from engine.tracking.desk import agency_page
    from engine.web import evidence as files

    rt = request.app.state.rt
    if s.get(Agency, agency_id) is None:
        raise HTTPException(404, "Không có cơ quan này trong cơ sở dữ liệu.")
    day = request.app.state.clock().date()
    view = agency_page(s, agency_id, day, rt.calendar, rt.policy.soon_working_days)
    return page(request, "agency.html", user=user, view=view, token="", today=day,
                accept=files.ACCEPT, max_mb=request.app.state.max_upload // 1048576)
