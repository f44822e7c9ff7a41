"""The web desk under test: the app on a test database (SQLite file or a PostgreSQL schema),
a clock fixed by the test, officers signed in through the real login form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from engine.intake.reader import read_plan
from engine.service.runtime import Runtime
from engine.settings import Settings, bundled
from engine.storage.db import get_engine
from engine.tracking.agency_links import LinkMaker
from engine.tracking.explain_requests import ask_explanations
from engine.tracking.plan_store import import_plan
from engine.web.app import create_app
from engine.web.users import add_user
from tests.plan_factory import calendar, directory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "secret-for-the-web-desk-tests-only"
ADMIN, VIEWER, PASSWORD = "sonoivu", "bancd", "mat-khau-du-dai-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves: 20/03/2025 10:00 (Thursday) unless told otherwise."""

    def __init__(self, at: dt.datetime | None = None) -> None:
        self.at = at or dt.datetime(2025, 3, 20, 10, 0, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, day: str, hour: int = 10) -> None:
        self.at = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


def desk_runtime(url: str, tmp_path, **settings) -> Runtime:
    from engine.planning.policy import Policy

    s = Settings(database_url=url, web_secret=SECRET, web_files_dir=tmp_path / "files",
                 **settings)
    return Runtime(s, get_engine(url), directory(), calendar(), Policy.bundled())


@dataclass
class Desk:
    rt: Runtime
    clock: Clock
    client: TestClient

    def csrf(self, html: str) -> str:
        m = _CSRF.search(html)
        assert m, "the page has no CSRF field"
        return m.group(1)

    def login(self, login: str = ADMIN, password: str = PASSWORD):  # noqa: ANN201
        form = self.client.get("/dang-nhap")
        return self.client.post("/dang-nhap", data={
            "login": login, "password": password, "csrf_token": self.csrf(form.text)})

    def post(self, url: str, page: str = "/", data: dict | None = None, **kw):  # noqa: ANN201
        """POST with the CSRF token of `page` (the form the request comes from)."""
        token = self.csrf(self.client.get(page).text)
        return self.client.post(url, data={"csrf_token": token, **(data or {})}, **kw)

    def link(self, agency_id: str) -> str:
        """The agency's personal path, as the messages carry it."""
        maker = LinkMaker(SECRET.encode(), "http://desk.example")
        with self.rt.session() as s:
            url = maker(s, [agency_id])[agency_id]
            s.commit()
        return url.removeprefix("http://desk.example")


def make_desk(url: str, tmp_path, clock: Clock | None = None, **settings) -> Desk:
    rt = desk_runtime(url, tmp_path, **settings)
    with rt.session() as s:
        add_user(s, ADMIN, PASSWORD, "admin")
        add_user(s, VIEWER, PASSWORD, "viewer")
        s.commit()
    clock = clock or Clock()
    return Desk(rt, clock, TestClient(create_app(rt, clock=clock), follow_redirects=True))


def seed_plan(desk: Desk, *, ask: bool = False) -> int:
    """The bundled seed plan, imported as `plan import` would on the clock's day; `ask`: then
    the officer asks for the explanation requests held since the late import (`nhacviec
    explain request --plan 196/KH-UBND`)."""
    rt = desk.rt
    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=rt.directory,
                       calendar=rt.calendar)
    with rt.session() as s:
        summary = import_plan(s, parsed, rt.planner, desk.clock().date())
        if ask:
            ask_explanations(s, summary.plan_id, rt.planner, desk.clock().date())
        s.commit()
    return summary.plan_id
