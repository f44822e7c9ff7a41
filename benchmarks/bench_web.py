"""Web desk benchmark: the pages officers and agencies open most, on the national database of
`benchmarks/national.py` (3,500 agencies x 80 tasks, as `bench_engine.py` builds it), against
the bare framework's hello-world route in the same run.

    python benchmarks/bench_web.py                    # SQLite, full scale
    python benchmarks/bench_web.py --db postgresql    # the PostgreSQL of NHACVIEC_TEST_PG_URL
    python benchmarks/bench_web.py --agencies 500 --requests 30

The database: the national plan imported and planned on 01/01/2025, then completions recorded
for about two thirds of the lead duties due before May (some late), and the dispatcher run on a
few days (so the task and log pages have messages). The clock: Friday 20/06/2025 10:00. Timed
through FastAPI's TestClient (in process, the same ASGI path a server runs; the hello-world
route measures what that path costs by itself): the overview (Tổng quan, every agency of the
status table), the page of the busiest agency (most duties, lead and support), Lịch gửi for one
ordinary day (Tuesday 24/06/2025) and for the Monday of the steering digest (23/06), the
delivery log. Printed: p50 and p95 in ms, and each p50 as a multiple of the hello-world p50;
each page twice: as read while the database has not changed (pages computed from the whole
database are kept, `engine/web/cache.py`), and computed afresh, with nothing kept (the first
view, or, for Lịch gửi, the first after any write; after a write the overview is served from its
kept copy, marked as being brought up to date, while it is computed again in the background).
Targets (issue 14): overview p95 < 150 ms, agency page p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
PG_URL = os.environ.get("NHACVIEC_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "benchmark-secret-not-for-production"


def _timed(client, url: str, n: int, before=None) -> tuple[float, float]:  # noqa: ANN001
    client.get(url)  # warm: templates compiled, caches filled
    times = []
    for _ in range(n):
        if before is not None:
            before()
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code, r.text[-500:])
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return statistics.median(times) * 1000, p95 * 1000


def _complete_some(engine, before: dt.date) -> int:
    """Completions for about two thirds of the lead duties due before `before`: on the due day,
    or (one in four of them) five days late."""
    from sqlalchemy import select

    from engine.storage.bulk import bulk_insert
    from engine.storage.db import session
    from engine.storage.models import Completion, Deadline, Duty

    rows = []
    with session(engine) as s:
        for i, (did, agency, due) in enumerate(s.execute(
                select(Deadline.id, Duty.agency_id, Deadline.due)
                .join(Duty, Duty.deadline_id == Deadline.id)
                .where(Duty.role == "lead", Deadline.due < before).order_by(Deadline.id))):
            if i % 3 == 2:
                continue
            on = due + dt.timedelta(days=5 if i % 4 == 0 else 0)
            rows.append({"deadline_id": did, "agency_id": agency, "completed_on": on,
                         "document_no": f"{i}/BC", "recorded_by": "bench",
                         "recorded_at": dt.datetime(2025, 5, 1, tzinfo=dt.UTC)})
        bulk_insert(s, Completion.__table__, rows)
        s.commit()
    return len(rows)


def run(url: str, agencies: int, tasks: int, n: int) -> None:
    import national
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from engine.dispatch.dispatcher import Dispatcher
    from engine.service.runtime import Runtime
    from engine.settings import Settings
    from engine.storage.db import session
    from engine.storage.models import Duty
    from engine.tracking.agency_links import LinkMaker
    from engine.web.app import create_app
    from engine.web.users import add_user
    from notifiers.recording import RecordingNotifier

    t = time.perf_counter()
    g = national.generate(url, n_agencies=agencies, tasks_per_agency=tasks)
    print(f"  national database: {g['summary'].duties:,} duties, {g['summary'].planned:,} "
          f"planned notifications, built in {time.perf_counter() - t:.0f} s")
    engine, directory, cal, policy = g["engine"], g["directory"], g["calendar"], g["policy"]
    print(f"  completions recorded: {_complete_some(engine, dt.date(2025, 5, 1)):,}")
    rt = Runtime(Settings(database_url=url, web_secret=SECRET), engine, directory, cal, policy)
    dispatcher = Dispatcher(engine, directory, cal, policy, [RecordingNotifier("email")],
                            worker="bench")
    t = time.perf_counter()
    for day in (dt.date(2025, 6, 16), dt.date(2025, 6, 17), dt.date(2025, 6, 18),
                dt.date(2025, 6, 19), dt.date(2025, 6, 20)):
        asyncio.run(dispatcher.wake(policy.slot_instant(day)))
    print(f"  dispatcher run on 16-20/06/2025 ({time.perf_counter() - t:.0f} s)")
    if engine.dialect.name == "postgresql":
        # As a server is hours after an import (autovacuum): statistics and visibility map
        # current (bench_engine.py does the same).
        t = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
        print(f"  then VACUUM ANALYZE, as a server hours later ({time.perf_counter() - t:.0f} s)")
    with session(engine) as s:
        add_user(s, "bench", "benchmark-password", "admin")
        busiest = s.execute(select(Duty.agency_id, func.count()).group_by(Duty.agency_id)
                            .order_by(func.count().desc(), Duty.agency_id).limit(1)).one()
        link = LinkMaker(SECRET.encode(), "http://testserver")(s, [busiest[0]])[busiest[0]]
        s.commit()

    app = create_app(rt, clock=lambda: dt.datetime(2025, 6, 20, 10, 0, tzinfo=TZ))
    client = TestClient(app)
    form = client.get("/dang-nhap").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/dang-nhap", data={"login": "bench", "password": "benchmark-password",
                                           "csrf_token": token}).status_code == 200
    hello = FastAPI()

    @hello.get("/hello", response_class=PlainTextResponse)
    def hello_world() -> str:
        return "Hello, world"

    bare = TestClient(hello)
    base = _timed(bare, "/hello", max(n, 200))
    print(f"  {'hello-world route (bare FastAPI)':48} p50 {base[0]:7.1f} ms  p95 "
          f"{base[1]:7.1f} ms")
    pages = [
        ("overview, every agency (target p95 < 150 ms)", "/"),
        (f"agency page, busiest: {busiest[0]}, {busiest[1]} duties "
         "(target p95 < 50 ms)", link.removeprefix("http://testserver")),
        ("Lịch gửi, one ordinary day (24/06)", "/lich-gui?tu=2025-06-24&songay=1"),
        ("Lịch gửi, the steering digest's Monday (23/06)", "/lich-gui?songay=1"),
        ("Nhật ký gửi (delivery log, first page)", "/nhat-ky-gui"),
    ]
    cache = app.state.cache
    for name, page in pages:
        p50, p95 = _timed(client, page, n)
        size = len(client.get(page).content) // 1024
        print(f"  {name:48} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({p50 / base[0]:.0f}x "
              f"hello-world; {size} KB)")
        # The same page right after a write anywhere: computed afresh (`engine.web.cache`).
        c50, c95 = _timed(client, page, max(5, n // 4), before=cache._values.clear)
        print(f"  {'   ... computed afresh (nothing kept)':48} p50 {c50:7.1f} ms  p95 "
              f"{c95:7.1f} ms  ({c50 / base[0]:.0f}x hello-world)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=3500)
    ap.add_argument("--tasks", type=int, default=80)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = ap.parse_args()
    print(f"Web desk on the national load: {args.agencies} agencies x {args.tasks} tasks "
          f"({args.db}), {args.requests} requests per page")
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="nhacviec-bench-data-"))
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="nhacviec-bench-") as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args.agencies, args.tasks,
                args.requests)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    u = make_url(PG_URL)
    conninfo = f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username}"
    with psycopg.connect(conninfo, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    try:
        run(f"{PG_URL}?options=-csearch_path%3D{schema}", args.agencies, args.tasks,
            args.requests)
    finally:
        from engine.storage.db import dispose_all

        dispose_all()
        with psycopg.connect(conninfo, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
