"""Dependencies of the desk's routes: the runtime, a database session, the clock, the signed-in
officer (admin or viewer), the agency a personal link opens; and the page renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from engine.service.runtime import Runtime
from engine.storage.db import session
from engine.storage.models import WebUser
from engine.tracking import agency_links as links
from engine.web.security import CSRF_FIELD, csrf_token
from notifiers.render import render


class LoginRequired(Exception):
    """No officer session: the page answers a redirect to the login form."""


def rt(request: Request) -> Runtime:
    return request.app.state.rt


def db(request: Request) -> Iterator[Session]:
    with session(request.app.state.rt.engine) as s:
        yield s


def now(request: Request) -> dt.datetime:
    return request.app.state.clock()


def today(request: Request) -> dt.date:
    return request.app.state.clock().date()


def officer(request: Request, s: Session = Depends(db)) -> WebUser:
    uid = request.session.get("uid")
    user = s.get(WebUser, uid) if isinstance(uid, int) else None
    if user is None:  # never signed in, signed out, or the account was removed since
        request.session.pop("uid", None)
        raise LoginRequired()
    return user


def admin(user: WebUser = Depends(officer)) -> WebUser:
    if user.role != "admin":
        raise HTTPException(403, "Tài khoản chỉ xem (Ban Chỉ đạo) không được thay đổi dữ liệu.")
    return user


def agency_of_token(token: str, request: Request, s: Session = Depends(db)) -> str:
    """The agency a personal link opens; 404 for anything else (the page says nothing more)."""
    agency_id = links.verify(s, request.app.state.secret, token)
    if agency_id is None:
        raise HTTPException(404, "Đường liên kết không đúng hoặc đã được thay bằng đường liên "
                                 "kết mới. Hãy dùng đường liên kết trong thư nhắc việc gần nhất "
                                 "hoặc liên hệ Sở Nội vụ.")
    return agency_id


def page(request: Request, template: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
    """Render `templates/web/<template>` (autoescaped, StrictUndefined) as a page."""
    ctx.setdefault("user", None)
    ctx.setdefault("notice", request.query_params.get("tb"))
    html = render(f"web/{template}", request=request, csrf=csrf_token(request),
                  csrf_field=CSRF_FIELD, path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=http_status,
                        headers={"Cache-Control": "no-store"})
