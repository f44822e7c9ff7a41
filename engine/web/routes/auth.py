"""Đăng nhập / đăng xuất of the officers (contract section 7): `GET /dang-nhap` shows the form,
`POST /dang-nhap` takes `login` and `password` (and the CSRF field); five failures in 15 minutes
from one address or for one login name block further tries for a while (429)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from engine.web.deps import db, officer, page
from engine.web.security import check_csrf
from engine.web.users import authenticate

router = APIRouter()


@router.get("/dang-nhap")
def login_form(request: Request):  # noqa: ANN201
    return page(request, "login.html", error=None, login="")


@router.post("/dang-nhap", dependencies=[Depends(check_csrf)])
def login(request: Request, login: str = Form(""), password: str = Form(""),
          s: Session = Depends(db)):  # noqa: ANN201
    limiter = request.app.state.limiter
    keys = (f"ip:{request.client.host if request.client else '?'}", f"login:{login.strip()}")
    if limiter.blocked(*keys):
        return page(request, "login.html", 429, login=login,
                    error="Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.")
    user = authenticate(s, login, password)
    if user is None:
        limiter.fail(*keys)
        return page(request, "login.html", 401, login=login,
                    error="Tên đăng nhập hoặc mật khẩu không đúng.")
    limiter.clear(keys[1])
    after = request.session.get("after_login")
    request.session.clear()  # a new session: nothing of the visitor's earlier one is kept
    request.session["uid"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)
    where = after if isinstance(after, str) and after.startswith("/") and not after.startswith(
        "//") else "/"
    return RedirectResponse(where, status_code=303)


@router.post("/dang-xuat", dependencies=[Depends(check_csrf), Depends(officer)])
def logout(request: Request):  # noqa: ANN201
    request.session.clear()
    return RedirectResponse("/dang-nhap", status_code=303)
