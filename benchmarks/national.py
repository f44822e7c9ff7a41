"""A synthetic national-scale load: 3,500 agencies x 80 tasks, for the engine's benchmark and the
Telegram helper's `/mytasks` latency benchmark.

Shape, modelled on real CCHC plans: one plan; every agency has its own 80 leaf tasks (its own
group), led by itself, a fifth of them with a support agency; timings as plans write them —
45 % month ends ("Tháng 05/2025"), 15 % a dated day ("Chậm nhất ngày ..."), 15 % quarterly
(the report days), 15 % ongoing, 5 % by another document, 5 % after an event. Every agency
sends the four periodic reports. Deterministic for a given seed.

    from benchmarks import national            # or: import national (from benchmarks/)
    directory, parsed = national.build()
    stats = national.generate(url)             # import + plan into the database at `url`
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from engine.directory.agencies import Agency, Directory
from engine.intake.model import (
    DeadlineOut,
    ParsedPlan,
    PlanInfo,
    ReportCycleOut,
    ReportPeriodOut,
    TaskOut,
)
from rules import WorkingCalendar

AGENCIES = 3500
TASKS_PER_AGENCY = 80
YEAR = 2025
MONITOR, STEERING = "so-noi-vu", "ban-chi-dao-cchc"


def agency_id(i: int) -> str:
    return f"cq-{i:04d}"


def build_directory(n_agencies: int = AGENCIES) -> Directory:
    entries = [
        Agency(id=MONITOR, name="Sở Nội vụ", kind="department", role="monitor", reports=True,
               emails=("vanthu@so-noi-vu.example.org",)),
        Agency(id=STEERING, name="Ban Chỉ đạo CCHC", kind="steering", role="steering",
               emails=("bcd@so-noi-vu.example.org",)),
    ]
    entries += [Agency(id=agency_id(i), name=f"Cơ quan số {i}", kind="department",
                       reports=True, emails=(f"vanthu@{agency_id(i)}.example.org",))
                for i in range(1, n_agencies + 1)]
    return Directory(entries, source="national")


def build(n_agencies: int = AGENCIES, tasks_per_agency: int = TASKS_PER_AGENCY, *,
          year: int = YEAR, seed: int = 2025, calendar: WorkingCalendar | None = None
          ) -> tuple[Directory, ParsedPlan]:
    cal = calendar or WorkingCalendar.default()
    rng = random.Random(seed)
    month_ends = [cal.last_working_day_of_month(year, m) for m in range(1, 13)]
    report_days = [cal.next_working_day(dt.date(year, m, 18)) for m in (3, 6, 9, 12)]
    days = [d for d in (dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(365))
            if cal.is_working_day(d)]
    tasks: list[TaskOut] = []
    for i in range(1, n_agencies + 1):
        aid = agency_id(i)
        for k in range(tasks_per_agency):
            roll = rng.random()
            if roll < 0.45:
                m = rng.randrange(12)
                kind, dues, timing = "fixed", [month_ends[m]], f"Tháng {m + 1:02d}/{year}"
            elif roll < 0.60:
                d = rng.choice(days)
                kind, dues, timing = "fixed", [d], f"Chậm nhất ngày {d:%d/%m/%Y}"
            elif roll < 0.75:
                kind, dues, timing = "periodic", report_days, "Hằng quý"
            elif roll < 0.90:
                kind, dues, timing = "ongoing", [], "Thường xuyên"
            elif roll < 0.95:
                kind, dues, timing = "reference", [], "Theo Công văn số 12/UBND-NC"
            else:
                kind, dues, timing = "event", [], "Tối đa 05 ngày làm việc kể từ khi ..."
            support = ([agency_id(rng.randrange(1, n_agencies + 1))]
                       if rng.random() < 0.2 else [])
            support = [s for s in support if s != aid]
            tasks.append(TaskOut(
                group=f"Nhiệm vụ của {aid}", code=f"{k // 10 + 1}.{k % 10 + 1}",
                title=f"Triển khai nhiệm vụ cải cách hành chính số {k + 1}",
                lead=[f"Cơ quan số {i}"], support=support, lead_agencies=[aid],
                support_agencies=support, timing=timing, kind=kind, due=dues,
                deadlines=[DeadlineOut(due=d) for d in dues],
                event_offset=5 if kind == "event" else None,
                event_unit="working" if kind == "event" else None))
    periods = [ReportPeriodOut.model_validate(p) for p in (
        {"name": "Quý I", "from": f"{year - 1}-12-15", "to": f"{year}-03-14",
         "deadline": report_days[0]},
        {"name": "6 tháng", "from": f"{year - 1}-12-15", "to": f"{year}-06-14",
         "deadline": report_days[1]},
        {"name": "Quý III", "from": f"{year}-06-15", "to": f"{year}-09-14",
         "deadline": report_days[2]},
        {"name": "Năm", "from": f"{year - 1}-12-15", "to": f"{year}-12-14",
         "deadline": report_days[3]})]
    parsed = ParsedPlan(
        plan=PlanInfo(number="QG/KH-BENCH", year=year, title="Kế hoạch CCHC toàn quốc (giả lập)",
                      date=dt.date(year - 1, 12, 20), issuer="Bộ Nội vụ (giả lập)"),
        report_cycle=ReportCycleOut(day=18, periods=periods,
                                    data_entry_url="https://cchc.example.org", stated=True),
        tasks=tasks, source="national")
    return build_directory(n_agencies), parsed


def generate(url: str, *, today: dt.date = dt.date(YEAR, 1, 1), n_agencies: int = AGENCIES,
             tasks_per_agency: int = TASKS_PER_AGENCY) -> dict[str, Any]:
    """Import the national plan into the database at `url` and plan its notifications.
    Returns counts and the objects a caller needs (directory, calendar, policy, engine)."""
    from engine.planning.planner import plan_plan
    from engine.planning.policy import Policy
    from engine.planning.reminder_rules import Planner
    from engine.storage.db import get_engine, session
    from engine.tracking.plan_store import store_plan

    cal = WorkingCalendar.default()
    directory, parsed = build(n_agencies, tasks_per_agency, calendar=cal)
    engine = get_engine(url)
    policy = Policy.bundled()
    with session(engine) as s:  # one transaction: all of it, or nothing
        summary = store_plan(s, parsed, directory, calendar=cal)
        summary.planned = plan_plan(s, summary.plan_id, Planner(directory, cal, policy), today,
                                    fresh=summary.created)
        s.commit()
    return {"summary": summary, "directory": directory, "calendar": cal, "policy": policy,
            "engine": engine}
