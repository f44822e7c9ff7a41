"""The web desk's application factory (FastAPI, server-rendered, Vietnamese, mobile first).

`create_app(rt)` builds the app on a runtime (database, directory, calendar, policy); the clock
is passed in (tests and the browser test run on a fixed day). Routers per page live in
`engine.web.routes`; templates in `templates/web/`; static assets in `engine/web/static/`
(no CDN). Errors become a Vietnamese page with the right status, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from core.errors import ConflictError, InputError, NhacviecError, NotFoundError
from engine.service.runtime import Runtime
from engine.tracking.agency_links import LinkMaker
from engine.tracking.web_secret import web_secret
from engine.web.cache import PageCache
from engine.web.deps import LoginRequired, page
from engine.web.security import RateLimit
from notifiers.render import environment

log = logging.getLogger("nhacviec.web")
STATIC = Path(__file__).parent / "static"
SESSION_HOURS = 8
PLAN_LIMIT = 20 * 1024 * 1024  # the largest plan file the Kế hoạch page reads


def create_app(rt: Runtime, *, clock: Callable[[], dt.datetime] | None = None,
               channels: tuple[str, ...] | None = None) -> FastAPI:
    from engine.web.routes import (
        agency,
        auth,
        deliveries,
        directory,
        overview,
        plans,
        reports,
        schedule,
        tasks,
        zalo,
    )

    settings = rt.settings
    secret = web_secret(settings)
    app = FastAPI(title="Nhắc việc CCHC", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.rt = rt
    app.state.secret = secret
    app.state.links = LinkMaker(secret, settings.web_base_url)
    app.state.clock = clock or (lambda: dt.datetime.now(rt.policy.tz))
    app.state.limiter = RateLimit()
    app.state.cache = PageCache(rt.engine)
    app.state.names = {a.id: a.name for a in rt.directory}
    app.state.files = settings.resolved_files_dir()
    app.state.max_upload = int(settings.web_max_upload_mb * 1024 * 1024)
    app.state.channels = channels or (("email", "telegram") if settings.telegram_token
                                      else ("email",))
    # A request body larger than any form takes is refused before it is read (added before
    # the session middleware, which then wraps it: the error page has its session).
    limit = max(app.state.max_upload, PLAN_LIMIT) + 1024 * 1024

    @app.middleware("http")
    async def _body_limit(request: Request, call_next):  # noqa: ANN001, ANN202
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return page(request, "error.html", 413, status=413,
                        message=f"Tệp gửi lên quá lớn (tối đa {limit // 1048576} MB).")
        return await call_next(request)

    app.add_middleware(SessionMiddleware, secret_key=secret.decode(),
                       session_cookie="nhacviec_phien", max_age=SESSION_HOURS * 3600,
                       same_site="lax",
                       https_only=settings.web_base_url.lower().startswith("https://"))
    app.mount("/tinh", StaticFiles(directory=STATIC), name="static")
    env = environment()
    env.filters.setdefault("pct", lambda v: "-" if v is None else f"{v * 100:.0f}%")

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    for module in (auth, overview, plans, tasks, schedule, deliveries, directory, agency, zalo,
                   reports):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> RedirectResponse:
        # A page opened from a message (a leader's report link) is shown after the login: kept
        # in the signed session, a path on this desk only, so no link can send anyone elsewhere.
        path = request.url.path
        if request.method == "GET" and path != "/" and not path.startswith("//"):
            request.session["after_login"] = path + (f"?{request.url.query}"
                                                     if request.url.query else "")
        return RedirectResponse("/dang-nhap", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):  # noqa: ANN202
        return page(request, "error.html", exc.status_code, message=str(exc.detail),
                    status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):  # noqa: ANN202
        return page(request, "error.html", 400, status=400,
                    message="Dữ liệu gửi lên không hợp lệ: " + _fields(exc))

    @app.exception_handler(NhacviecError)
    async def _engine(request: Request, exc: NhacviecError):  # noqa: ANN202
        status = (404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, InputError)
                  else 409 if isinstance(exc, ConflictError) else 500)
        return page(request, "error.html", status, status=status, message=str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # noqa: ANN202
        log.exception("web desk: unexpected error on %s", request.url.path)
        return page(request, "error.html", 500, status=500,
                    message="Lỗi không mong đợi; đã ghi vào nhật ký của máy chủ.")

    return app


def _fields(exc: RequestValidationError) -> str:
    names = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
        names.append(".".join(loc) or "?")
    return ", ".join(dict.fromkeys(names))
