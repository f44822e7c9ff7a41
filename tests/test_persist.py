"""Storing a parsed plan, re-importing it, and `plan import` end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from core.errors import InputError
from engine.planning.planner import plan_plan
from engine.storage.models import (
    Assignment,
    Completion,
    Deadline,
    Duty,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task
from tests.plan_factory import QUARTER_1, D, january_plan, plan, runtime, task


def _store(rt, parsed, today="2025-01-01"):
    with rt.session() as s:
        summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D(today))
        s.commit()
    return summary


def test_plan_tree_deadlines_duties_and_reports(db_url):
    rt = runtime(db_url)
    parsed = plan([
        task("Cải cách TTHC", "2", leaf=False, lead=["vp-ubnd"], dues=["2025-01-24"]),
        task("Cải cách TTHC", "2.1", parent="2", lead=["vp-ubnd"],
             support=["so-tu-phap", "vp-ubnd", "ubnd-cap-xa"],
             dues=[("2025-02-28", "Kế hoạch"), ("2025-12-31", "Báo cáo kết quả")]),
        task("Chính quyền số", "5", lead=["so-tttt"], dues=["2025-12-31"]),
    ], periods=[QUARTER_1])
    summary = _store(rt, parsed)
    assert (summary.tasks, summary.leaves, summary.deadlines, summary.periods) == (3, 2, 3, 1)
    with rt.session() as s:
        child = find_task(s, "TTHC/2.1")
        parent = find_task(s, "TTHC/2")
        assert child.parent_id == parent.id and not parent.leaf
        assert {(d.due, d.label) for d in s.scalars(select(Deadline).where(
            Deadline.task_id == child.id))} == {(D("2025-02-28"), "Kế hoạch"),
                                                 (D("2025-12-31"), "Báo cáo kết quả")}
        # A parent task has no deadline of its own: its children carry them.
        assert s.scalars(select(Deadline).where(Deadline.task_id == parent.id)).all() == []
        roles = {(a.agency_id, a.role) for a in s.scalars(select(Assignment).where(
            Assignment.task_id == child.id))}
        assert ("ubnd-cap-xa", "support") in roles  # kept as written ...
        duties = {(d.agency_id, d.role) for d in s.scalars(
            select(Duty).join(Deadline, Deadline.id == Duty.deadline_id)
            .where(Deadline.task_id == child.id, Deadline.due == D("2025-02-28")))}
        # ... but a collective cannot be reminded; lead and support at once is lead.
        assert duties == {("vp-ubnd", "lead"), ("so-tu-phap", "support")}
        # Sở TT&TT is merged into Sở KH&CN on 01/03/2025: the 31/12 deadline is KH&CN's.
        cqs = find_task(s, "5")
        assert [d.agency_id for d in s.scalars(
            select(Duty).join(Deadline, Deadline.id == Duty.deadline_id)
            .where(Deadline.task_id == cqs.id))] == ["so-khcn"]
        period = s.scalars(select(ReportPeriod)).one()
        assert (period.cutoff_from, period.cutoff_to, period.deadline) == (
            D("2024-12-15"), D("2025-03-14"), D("2025-03-18"))
        owners = set(s.scalars(select(ReportObligation.agency_id)))
        assert {"so-tu-phap", "vp-ubnd", "ubnd-h-ke-sach", "cong-an-tinh", "so-nnmt"} <= owners
        assert not {"so-ke-hoach-dau-tu", "so-tttt", "ubnd-tinh", "ban-chi-dao-cchc"} & owners


def test_reimport_keeps_completions_of_unchanged_deadlines(db_url):
    rt = runtime(db_url)
    first = _store(rt, january_plan())
    with rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", rt.planner, on=D("2025-01-20"),
                      today=D("2025-01-20"), document_no="12/KH-UBND")
        s.commit()
    changed = january_plan()
    changed.tasks[1].title = "Ban hành Kế hoạch kiểm soát TTHC năm 2025 (sửa)"
    changed.tasks.append(task("Cải cách TTHC", "9", lead=["so-tu-phap"], dues=["2025-06-30"]))
    second = _store(rt, changed, today="2025-01-21")
    assert second.plan_id == first.plan_id and not second.created
    assert (second.tasks_new, second.deadlines_new, second.deadlines_retired) == (1, 1, 0)
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Plan)) == 1
        t = find_task(s, "TTHC/1.1")
        assert t.title.endswith("(sửa)")
        live = s.scalars(select(Completion).where(Completion.undone_at.is_(None))).all()
        assert [(c.agency_id, c.document_no) for c in live] == [("vp-ubnd", "12/KH-UBND")]
        # Still complete: nothing pending for it came back.
        pending = s.scalars(select(PlannedItem.key).where(
            PlannedItem.state == "pending", PlannedItem.task_id == t.id)).all()
        assert pending == []


def test_reimport_with_a_moved_date_and_a_removed_task(sqlite_url):
    rt = runtime(sqlite_url)
    _store(rt, january_plan())
    moved = january_plan()
    moved.tasks[1] = task("Cải cách TTHC", "1.1", parent="1", lead=["vp-ubnd"],
                          dues=["2025-02-28"])
    del moved.tasks[2]  # 4.2.1 is no longer in the plan
    summary = _store(rt, moved)
    assert (summary.deadlines_new, summary.deadlines_retired, summary.tasks_removed) == (1, 1, 1)
    with rt.session() as s:
        t = find_task(s, "TTHC/1.1")
        dues = {(d.due, d.active) for d in s.scalars(select(Deadline).where(
            Deadline.task_id == t.id))}
        assert dues == {(D("2025-01-24"), False), (D("2025-02-28"), True)}
        days = sorted(p.send_on for p in s.scalars(select(PlannedItem).where(
            PlannedItem.task_id == t.id, PlannedItem.state == "pending",
            PlannedItem.reason == "reminder", PlannedItem.recipient_id == "vp-ubnd")))
        # 24/01 reminders cancelled; 28/02: 21/02, 27/02, 28/02.
        assert days == [D("2025-02-21"), D("2025-02-27"), D("2025-02-28")]
        assert s.scalars(select(Task).where(Task.code == "4.2.1")).one().removed


def test_bad_plans_store_nothing(sqlite_url):
    rt = runtime(sqlite_url)
    with rt.session() as s, pytest.raises(InputError):
        store_plan(s, plan([]), rt.directory, calendar=rt.calendar)
    twice = plan([task("A", "1", dues=["2025-03-31"]), task("A", "1", dues=["2025-03-31"])])
    with rt.session() as s:
        with pytest.raises(InputError, match="hai lần"):
            store_plan(s, twice, rt.directory, calendar=rt.calendar)
        s.rollback()
        assert s.scalar(select(func.count()).select_from(Plan)) == 0
    unknown = plan([task("A", "1", lead=["so-khong-co"], dues=["2025-03-31"])])
    with rt.session() as s:
        with pytest.raises(InputError, match="so-khong-co"):
            store_plan(s, unknown, rt.directory, calendar=rt.calendar)
        s.rollback()
        assert s.scalar(select(func.count()).select_from(Task)) == 0


def _nv(env, *args):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_cli_plan_import(tmp_path):
    from engine.settings import bundled

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url}
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01\x02 not a plan")
    bad = _nv(env, "plan", "import", str(junk))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    ok = _nv(env, "plan", "import", str(bundled("demo_plan_2025.txt")))
    assert ok.returncode == 0, ok.stderr
    assert "Đã lưu kế hoạch mới 196/KH-UBND" in " ".join(ok.stdout.split())
    again = _nv(env, "plan", "import", str(bundled("demo_plan_2025.txt")))
    assert again.returncode == 0 and "Đã cập nhật kế hoạch" in " ".join(again.stdout.split())
    rt = runtime(url)
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Plan)) == 1
        leaves = s.scalar(select(func.count()).select_from(Task).where(Task.leaf))
        assert leaves == 71
