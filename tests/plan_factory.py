"""Hand-built parsed plans for the engine's tests (no parser involved), and a runtime on a test
database. Dates here are written by hand from the 2025 civil-service calendar."""

from __future__ import annotations

import datetime as dt

from engine.directory.agencies import Directory
from engine.intake.model import (
    DeadlineOut,
    ParsedPlan,
    PlanInfo,
    ReportCycleOut,
    ReportPeriodOut,
    TaskOut,
)
from engine.planning.policy import Policy
from engine.service.runtime import Runtime
from engine.settings import Settings
from engine.storage.db import get_engine
from rules import WorkingCalendar

D = dt.date.fromisoformat
_CAL: WorkingCalendar | None = None
_DIR: Directory | None = None


def calendar() -> WorkingCalendar:
    global _CAL
    if _CAL is None:
        _CAL = WorkingCalendar.default()
    return _CAL


def directory() -> Directory:
    global _DIR
    if _DIR is None:
        _DIR = Directory.bundled()
    return _DIR


def task(group: str, code: str, *, lead=(), support=(), kind="fixed", dues=(),
         title: str | None = None, parent: str | None = None, leaf: bool = True,
         timing: str | None = None, event_offset: int | None = None) -> TaskOut:
    deadlines = [DeadlineOut(due=D(d) if isinstance(d, str) else d[0],
                             label=None if isinstance(d, str) else d[1]) for d in dues]
    return TaskOut(group=group, code=code, parent=parent, leaf=leaf,
                   title=title or f"Nhiệm vụ {code}", lead=list(lead), support=list(support),
                   lead_agencies=list(lead), support_agencies=list(support), timing=timing,
                   kind=kind, due=[x.due for x in deadlines], deadlines=deadlines,
                   event_offset=event_offset, event_unit="working" if event_offset else None)


QUARTER_1 = ReportPeriodOut.model_validate(
    {"name": "Quý I", "from": "2024-12-15", "to": "2025-03-14", "deadline": "2025-03-18"})


def plan(tasks: list[TaskOut], *, number: str = "196/KH-UBND", year: int = 2025,
         periods: list[ReportPeriodOut] | None = None) -> ParsedPlan:
    return ParsedPlan(
        plan=PlanInfo(number=number, year=year, issuer="UBND tỉnh Sóc Trăng",
                      date=dt.date(2024, 12, 23), title="Kế hoạch thử"),
        report_cycle=ReportCycleOut(day=18, periods=periods if periods is not None else [],
                                    data_entry_url="https://ktxh.socstrang.gov.vn", stated=True),
        tasks=tasks)


def january_plan(**kw) -> ParsedPlan:
    """The issue's worked example: a "Tháng 01/2025" task (due 24/01/2025, Tết after it)."""
    return plan([
        task("Cải cách TTHC", "1", lead=["vp-ubnd"], leaf=False, kind="fixed",
             dues=["2025-01-24"]),
        task("Cải cách TTHC", "1.1", parent="1", lead=["vp-ubnd"], support=["so-tu-phap"],
             dues=[("2025-01-24", "Tháng 01/2025")], timing="Tháng 01/2025",
             title="Ban hành Kế hoạch kiểm soát TTHC"),
        task("Cải cách TTHC", "4.2.1", lead=["vp-ubnd"], kind="ongoing",
             title="Cập nhật, công khai TTHC", timing="Thường xuyên"),
    ], periods=[QUARTER_1], **kw)


def runtime(url: str, policy: Policy | None = None) -> Runtime:
    return Runtime(Settings(database_url=url), get_engine(url), directory(), calendar(),
                   policy or Policy.bundled())


def store_seed(s, rt: Runtime):  # noqa: ANN001, ANN201 - Session -> ImportSummary
    """The bundled demo plan (Sóc Trăng 2025) stored and planned from 1 January, in `s`, not
    committed."""
    from engine.intake.reader import read_plan
    from engine.planning.planner import plan_plan
    from engine.settings import bundled
    from engine.tracking.plan_store import store_plan

    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=rt.directory,
                       calendar=rt.calendar)
    summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
    plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
    return summary
