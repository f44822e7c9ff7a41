"""Statuses per deadline and agency, the ranked table, and `nhacviec status`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter

from engine.dispatch.compose import Composer
from engine.planning.planner import plan_plan
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import (
    complete_task,
    record_event,
    set_due,
    submit_report,
    undo_completion,
)
from engine.tracking.status import last_due_soon, rows, status_of, table
from rules import WorkingCalendar
from tests.plan_factory import QUARTER_1, D, calendar, plan, runtime, task

CAL = calendar()


def test_status_of_by_hand():
    due = D("2025-01-24")
    assert status_of(due, None, D("2025-01-10"), CAL) == "not_due"
    # 17/01 is 5 working days before 24/01 (17, 20, 21, 22, 23 ... 24): due soon.
    assert status_of(due, None, D("2025-01-17"), CAL) == "due_soon"
    assert status_of(due, None, D("2025-01-16"), CAL) == "not_due"
    assert status_of(due, None, D("2025-01-24"), CAL) == "due_soon"
    assert status_of(due, None, D("2025-01-25"), CAL) == "overdue"
    assert status_of(due, D("2025-01-24"), D("2025-02-10"), CAL) == "done_on_time"
    assert status_of(due, D("2025-02-03"), D("2025-02-10"), CAL) == "done_late"
    # A completion counts from its day: before it, the deadline was still open.
    assert status_of(due, D("2025-02-03"), D("2025-01-30"), CAL) == "overdue"
    assert status_of(None, None, D("2025-01-30"), CAL) == "needs_due"


def _setup(url):
    rt = runtime(url)
    parsed = plan([
        task("Cải cách TTHC", "1.1", lead=["vp-ubnd"], dues=["2025-01-24"]),
        task("Cải cách TTHC", "2.1", lead=["vp-ubnd", "so-tu-phap"], dues=["2025-01-24"]),
        task("Cải cách TTHC", "2.2", lead=["so-tu-phap"], dues=["2025-09-30"]),
        task("Cải cách TTHC", "7", lead=["so-tu-phap"], kind="reference", timing="Theo CV"),
        task("Chính quyền số", "2.1.2", lead=["so-tu-phap"], kind="event", event_offset=5,
             timing="Tối đa 05 ngày làm việc kể từ khi ..."),
    ], periods=[QUARTER_1])
    with rt.session() as s:
        summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", rt.planner, on=D("2025-01-23"),
                      today=D("2025-01-23"), document_no="01/KH-VP")
        complete_task(s, find_task(s, "TTHC/2.1"), "so-tu-phap", rt.planner,
                      on=D("2025-02-04"), today=D("2025-02-04"))
        submit_report(s, summary.plan_id, "so-tu-phap", "quý 1", on=D("2025-03-14"),
                      document_no="30/BC-STP")
        s.commit()
    return rt


def _counts(result, agency):
    return {k: v for k, v in next(a for a in result if a.agency_id == agency).counts.items()
            if v}


def test_table_counts_rates_and_rank(db_url):
    rt = _setup(db_url)
    with rt.session() as s:
        result = table(s, D("2025-04-01"), rt.calendar, rt.directory)
    assert _counts(result, "vp-ubnd") == {"done_on_time": 1, "overdue": 2}  # 2.1 + Quý I report
    assert _counts(result, "so-tu-phap") == {"done_late": 1, "done_on_time": 1, "not_due": 1,
                                             "needs_due": 1, "waiting_event": 1}
    stp = next(a for a in result if a.agency_id == "so-tu-phap")
    assert (stp.completion_rate, stp.on_time_rate) == (1.0, 0.5)
    vp = next(a for a in result if a.agency_id == "vp-ubnd")
    assert (round(vp.completion_rate, 4), round(vp.on_time_rate, 4)) == (0.3333, 0.3333)
    ranked = [a.agency_id for a in result]
    assert ranked.index("so-tu-phap") < ranked.index("vp-ubnd")
    # Agencies that only owed the report and sent nothing rank below those that did.
    assert ranked.index("vp-ubnd") < ranked.index("cong-an-tinh")


def test_the_table_counts_what_the_rows_hold(db_url):
    """The table counts in the database (grouped by agency, due day and completion day); the
    rows are read one by one. Both must agree, on every day and with every filter: before and
    after completions, with an undone completion and a completion recorded late."""
    rt = _setup(db_url)
    with rt.session() as s:
        undo_completion(s, rt.planner, agency_id="vp-ubnd", task=find_task(s, "TTHC/1.1"),
                        today=D("2025-01-27"))
        complete_task(s, find_task(s, "TTHC/2.1"), "vp-ubnd", rt.planner, on=D("2025-01-24"),
                      today=D("2025-01-24"))
        s.commit()
        for day in ("2025-01-10", "2025-01-17", "2025-01-24", "2025-02-03", "2025-04-01",
                    "2025-12-31"):
            for agency in (None, "vp-ubnd", "so-tu-phap"):
                counted = {(a.agency_id, k): v for a in table(
                    s, D(day), rt.calendar, rt.directory, agency_id=agency)
                    for k, v in a.counts.items() if v}
                listed = Counter((r.agency_id, r.status) for r in rows(
                    s, D(day), rt.calendar, rt.directory, agency_id=agency))
                assert counted == dict(listed), (day, agency)
        # Every day through Tết and the 30/04 holidays: each deadline crosses the boundary
        # between "not due" and "due soon" on one of them, counted in SQL by one date.
        day = D("2025-01-01")
        while day <= D("2025-05-10"):
            counted = {(a.agency_id, k): v for a in table(s, day, rt.calendar, rt.directory)
                       for k, v in a.counts.items() if v}
            assert counted == dict(Counter((r.agency_id, r.status) for r in rows(
                s, day, rt.calendar, rt.directory))), day
            day += dt.timedelta(days=1)
        # Not vacuous: the days differ, and the undone completion counts as not done.
        april = _counts(table(s, D("2025-04-01"), rt.calendar, rt.directory), "vp-ubnd")
    assert april == {"done_on_time": 1, "overdue": 2}  # 2.1 on time; 1.1 undone; Quý I


def test_the_last_due_soon_day_is_where_status_of_stops_calling_a_deadline_due_soon():
    """The table decides statuses in SQL with one date per day (`last_due_soon`) where rows
    count working days: the two must agree on every day, over Tết and swapped Saturdays."""
    cal = WorkingCalendar.default()
    # By hand: Friday 24/01/2025 is the last working day before Tết (off 25/01 - 02/02); its
    # five working days ahead are 03/02 to 07/02, so a deadline on Sunday 09/02 is due soon and
    # Monday 10/02 is not.
    assert last_due_soon(D("2025-01-24"), cal, 5) == D("2025-02-09")
    # Thursday 24/04/2025: 25/04, Saturday 26/04 (worked in exchange), 28/04, 29/04, then the
    # 30/04-01/05 holidays and the 02/05 day off, 05/05 the fifth, 06/05 the sixth.
    assert last_due_soon(D("2025-04-24"), cal, 5) == D("2025-05-05")
    day = D("2024-12-20")
    while day <= D("2026-03-01"):
        for soon in (1, 5):
            until = last_due_soon(day, cal, soon)
            for k in range(25):
                due = day + dt.timedelta(days=k)
                said = status_of(due, None, day, cal, soon)
                assert (said == "due_soon") == (due <= until), (day, soon, due, said)
        day += dt.timedelta(days=1)


def test_the_steering_digest_lists_what_the_table_counts_late(db_url):
    """The Steering Committee's list of late items and its table of statuses read the same
    rows: a completion counts from its day, a late completion leaves the list that day."""
    rt = _setup(db_url)
    with rt.session() as s:
        def late_on(day: str) -> list:
            items, _ = Composer(s, rt.calendar, rt.directory, rt.policy, D(day)).steering()
            return items

        # By hand: 2.1 is late for both of its leads on 03/02; the Sở Tư pháp completes it on
        # 04/02 (late), the Văn phòng never does; 1.1 was completed on time.
        assert sorted((i.agency_id, i.code) for i in late_on("2025-02-03")) == [
            ("so-tu-phap", "2.1"), ("vp-ubnd", "2.1")]
        assert [(i.agency_id, i.code, i.days_late) for i in late_on("2025-02-05")] == [
            ("vp-ubnd", "2.1", 3)]  # 03, 04, 05/02 after Tết
        for day in ("2025-01-24", "2025-01-27", "2025-02-04", "2025-03-19", "2025-04-01",
                    "2025-12-31"):
            listed = Counter(i.agency_id for i in late_on(day))
            counted = {a.agency_id: a.counts["overdue"] for a in table(
                s, D(day), rt.calendar, rt.directory) if a.counts["overdue"]}
            assert dict(listed) == counted, day
        # Not vacuous: after the Quý I deadline the reports are late too.
        assert {i.period for i in late_on("2025-03-19") if i.period} == {"Quý I"}


def test_event_and_set_due_leave_their_waiting_statuses(sqlite_url):
    rt = _setup(sqlite_url)
    with rt.session() as s:
        d = record_event(s, find_task(s, "2.1.2"), rt.planner, on=D("2025-04-24"),
                         today=D("2025-04-24"))
        # 5 working days after Thursday 24/04: 25, 26 (Sat, worked), 28, 29, then 05/05.
        assert d.due == D("2025-05-05")
        d2 = set_due(s, find_task(s, "TTHC/7"), rt.planner, on=D("2025-06-01"),
                     today=D("2025-04-24"))
        assert d2.due == D("2025-06-02")  # Sunday -> Monday
        s.commit()
    with rt.session() as s:
        counts = _counts(table(s, D("2025-04-25"), rt.calendar, rt.directory), "so-tu-phap")
    assert "waiting_event" not in counts and "needs_due" not in counts
    assert counts["due_soon"] == 1 and counts["not_due"] == 2


def test_cli_status_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _setup(url).engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": "200"}
    out = subprocess.run([sys.executable, "-m", "engine.cli", "status", "--as-of", "2025-04-01",
                          "--agency", "Sở Tư pháp", "--json"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["as_of"] == "2025-04-01"
    [row] = data["agencies"]
    assert (row["agency"], row["rank"], row["completed"], row["due"]) == ("so-tu-phap", 1, 2, 2)
    assert row["counts"]["done_late"] == 1 and row["on_time_rate"] == 0.5
    table_out = subprocess.run([sys.executable, "-m", "engine.cli", "status", "--as-of",
                                "01/04/2025"], capture_output=True, text=True, env=env,
                               timeout=120)
    assert table_out.returncode == 0 and "Sở Tư pháp" in table_out.stdout
    # Piped without COLUMNS (a log, a cron mail): still wide enough that names stay whole.
    piped = subprocess.run([sys.executable, "-m", "engine.cli", "status", "--as-of",
                            "01/04/2025"], capture_output=True, text=True, timeout=120,
                           env={k: v for k, v in env.items() if k != "COLUMNS"})
    assert piped.returncode == 0
    assert any("Văn phòng UBND tỉnh" in line for line in piped.stdout.splitlines())
    assert max(len(line) for line in piped.stdout.splitlines()) <= 160
    bad = subprocess.run([sys.executable, "-m", "engine.cli", "status", "--as-of", "32/01/2025"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "không tồn tại" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_recording_commands(tmp_path):
    from sqlalchemy import select

    from engine.storage.models import Completion, Deadline, Event

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, plan([
            task("Cải cách TTHC", "1.1", lead=["vp-ubnd"], dues=["2025-01-24"]),
            task("Cải cách thủ tục", "1.1", lead=["so-tu-phap"], dues=["2025-03-31"]),
            task("Cải cách TTHC", "7", lead=["so-tu-phap"], kind="reference", timing="Theo CV"),
            task("Chính quyền số", "2.1.2", lead=["so-tu-phap"], kind="event", event_offset=5,
                 timing="Tối đa 05 ngày làm việc kể từ khi ..."),
        ], periods=[QUARTER_1]), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    rt.engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": "200"}

    def nv(*args):
        return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    ambiguous = nv("done", "1.1", "--agency", "vp-ubnd")
    assert ambiguous.returncode == 2 and "TTHC/1.1" in ambiguous.stderr  # lists candidates
    ok = nv("done", "tthc/1.1", "--agency", "Văn phòng UBND tỉnh", "--doc", "12/KH-UBND",
            "--date", "2025-01-27")
    assert ok.returncode == 0 and "quá hạn" in ok.stdout and "12/KH-UBND" in ok.stdout
    again = nv("done", "TTHC/1.1", "--agency", "vp-ubnd", "--date", "2025-01-27")
    assert again.returncode == 1 and "đã được ghi nhận" in again.stderr
    assert nv("done", "TTHC/1.1", "--agency", "vp-ubnd", "--undo").returncode == 0
    assert nv("done", "--group", "cai cach tthc", "1.1", "--agency", "vp-ubnd", "--date",
              "24/01/2025").returncode == 0
    assert nv("event", "2.1.2", "--date", "2025-04-24").stdout.strip().endswith(
        "thời hạn 05/05/2025. [kế hoạch 196/KH-UBND năm 2025, nhập gần nhất; chọn kế hoạch "
        "khác bằng --plan]")
    assert "02/06/2025" in nv("task", "set-due", "TTHC/7", "--date", "2025-06-01").stdout
    assert nv("task", "set-due", "TTHC/1.1", "--date", "2025-06-01").returncode == 2
    assert nv("report", "submit", "--agency", "so-tu-phap", "--period", "Quý I", "--doc",
              "30/BC-STP", "--date", "2025-03-18").returncode == 0
    assert nv("report", "submit", "--agency", "so-tu-phap", "--period", "Quý IX"
              ).returncode == 2
    listed = nv("tasks", "--agency", "so-tu-phap", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["group"], r["code"]) for r in rows] == [
        ("Cải cách thủ tục", "1.1"), ("Cải cách TTHC", "7"), ("Chính quyền số", "2.1.2")]
    assert nv("tasks", "--kind", "nope").returncode == 2
    assert "Nhiệm vụ" in nv("tasks", "--due-before", "2025-02-01").stdout
    rt = runtime(url)
    with rt.session() as s:
        live = s.scalars(select(Completion).where(Completion.undone_at.is_(None))).all()
        assert sorted((c.agency_id, str(c.completed_on)) for c in live) == [
            ("so-tu-phap", "2025-03-18"), ("vp-ubnd", "2025-01-24")]
        assert s.scalars(select(Event)).one().occurred_on == D("2025-04-24")
        assert {d.source for d in s.scalars(select(Deadline))} == {"plan", "event", "manual"}
