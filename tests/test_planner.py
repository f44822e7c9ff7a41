"""The planner: which items, for whom, on which working day. Every expected date below was
counted by hand on the 2025 civil-service calendar (Tết 27-31/01, Giỗ Tổ 07/04, 30/04-02/05 off
with Saturday 26/04 worked, 01-02/09 off)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from engine.planning.planner import plan_plan
from engine.planning.policy import Policy
from engine.storage.models import PlannedItem
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task, undo_completion
from tests.plan_factory import D, january_plan, plan, runtime, task


def _import(rt, parsed, today="2025-01-01"):
    with rt.session() as s:
        summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D(today))
        s.commit()
    return summary


def _items(rt, **where):
    with rt.session() as s:
        q = select(PlannedItem)
        for k, v in where.items():
            q = q.where(getattr(PlannedItem, k) == v)
        return list(s.scalars(q.order_by(PlannedItem.send_on, PlannedItem.key)))


def _days(items, reason, recipient, state="pending"):
    return sorted(i.send_on for i in items if i.reason == reason and i.recipient_id == recipient
                  and i.state == state and i.kind == "agency_digest")


def test_worked_example_january(db_url):
    rt = runtime(db_url)
    _import(rt, january_plan())
    items = _items(rt)
    vp = [i for i in items if i.duty_id is not None]
    # Lead: 5 and 1 working days before, and on the day.
    assert _days(vp, "reminder", "vp-ubnd") == [D("2025-01-17"), D("2025-01-23"),
                                                 D("2025-01-24")]
    # Late notice the next working day: 27-31/01 are Tết, 01-02/02 a weekend.
    assert _days(vp, "late", "vp-ubnd") == [D("2025-02-03")]
    # Sở Nội vụ: 3 working days after the deadline (03, 04, 05/02): the list of the plan's
    # deadlines due 24/01, one marker for the day, not one item per duty; likewise the Quý I
    # report deadline, Tuesday 18/03: 19, 20, 21/03.
    monitor = [i for i in items if i.kind == "monitor_list" and i.reason == "late"]
    assert sorted((i.recipient_id, i.send_on, i.key.rsplit("/", 1)[1], i.duty_id)
                  for i in monitor) == [("so-noi-vu", D("2025-02-05"), "2025-01-24", None),
                                        ("so-noi-vu", D("2025-03-21"), "2025-03-18", None)]
    # Explanation: late by more than 10 working days = the 11th working day after (17/02).
    explain = [i for i in vp if i.kind == "explanation_request"]
    assert [(i.recipient_id, i.send_on) for i in explain] == [("vp-ubnd", D("2025-02-17"))]
    # Support agency: only the 5-working-day message, with its role.
    support = [i for i in vp if i.recipient_id == "so-tu-phap"]
    assert [(i.send_on, i.role, i.reason) for i in support] == [(D("2025-01-17"), "support",
                                                                 "reminder")]


def test_report_deadline_reminders(db_url):
    rt = runtime(db_url)
    _import(rt, january_plan())
    items = [i for i in _items(rt) if i.obligation_id is not None]
    # Every reporting agency, 5 and 1 working days before and on 18/03/2025.
    assert _days(items, "report_reminder", "so-tu-phap") == [D("2025-03-11"), D("2025-03-17"),
                                                             D("2025-03-18")]
    assert _days(items, "report_reminder", "ubnd-h-ke-sach") == [D("2025-03-11"),
                                                                 D("2025-03-17"),
                                                                 D("2025-03-18")]
    # The provincial people's committee and the steering committee do not report.
    assert not [i for i in items if i.recipient_id in ("ubnd-tinh", "ban-chi-dao-cchc")]
    # Merged on 01/03/2025: the planning department's report is the finance department's.
    assert not [i for i in items if i.recipient_id == "so-ke-hoach-dau-tu"]
    # Created on 01/03/2025, so it owes the first quarter's report.
    assert _days(items, "report_reminder", "so-nnmt") == [D("2025-03-11"), D("2025-03-17"),
                                                          D("2025-03-18")]


def test_steering_markers_on_mondays_or_next_working_day(sqlite_url):
    rt = runtime(sqlite_url)
    _import(rt, january_plan())
    days = {i.send_on for i in _items(rt, reason="steering")}
    assert D("2025-02-03") in days and D("2025-02-10") in days
    assert D("2025-04-07") not in days and D("2025-04-08") in days  # Giỗ Tổ Hùng Vương
    assert D("2025-09-01") not in days and D("2025-09-03") in days  # 01-02/09 off
    assert D("2025-01-27") not in days  # Tết: the next working day is Monday 03/02 anyway
    in_2025 = sorted(d for d in days if d.year == 2025)
    # 2025's Mondays from 06/01 (the plan is imported 01/01), 3 of them moved: 52 weeks - Tết.
    assert in_2025[0] == D("2025-01-06") and in_2025[-1] == D("2025-12-29")
    assert len(in_2025) == 51
    assert all(d.weekday() == 0 for d in in_2025 if d not in (D("2025-04-08"), D("2025-09-03")))


def test_completion_cancels_and_undo_revives(db_url):
    rt = runtime(db_url)
    _import(rt, january_plan())
    with rt.session() as s:
        t = find_task(s, "TTHC/1.1")
        r = complete_task(s, t, "vp-ubnd", rt.planner, on=D("2025-01-22"), today=D("2025-01-22"),
                          document_no="12/KH-UBND")
        s.commit()
    assert r.on_time and r.due == D("2025-01-24")
    items = [i for i in _items(rt) if i.duty_id is not None]
    pending = [(i.reason, i.send_on) for i in items if i.state == "pending"]
    # Every reminder and escalation of that deadline stopped, the support one too.
    assert pending == []
    with rt.session() as s:
        undo_completion(s, rt.planner, agency_id="vp-ubnd", task=find_task(s, "TTHC/1.1"),
                        today=D("2025-01-22"))
        s.commit()
    items = [i for i in _items(rt) if i.duty_id is not None and i.state == "pending"]
    # Undone on 22/01: the reminders still ahead come back; the 17/01 one has passed.
    assert _days(items, "reminder", "vp-ubnd") == [D("2025-01-23"), D("2025-01-24")]
    assert _days(items, "late", "vp-ubnd") == [D("2025-02-03")]


def test_late_import_plans_escalations_for_the_first_day(sqlite_url):
    rt = runtime(sqlite_url)
    _import(rt, january_plan(), today="2025-02-08")  # a Saturday
    items = [i for i in _items(rt) if i.duty_id is not None]
    # The reminders' days have passed: not planned. The late notice (due 03/02) and the
    # monitor list (05/02) are planned for the first working day from the import, Monday 10/02;
    # the explanation request keeps its own day (17/02).
    assert _days(items, "reminder", "vp-ubnd") == []
    assert _days(items, "late", "vp-ubnd") == [D("2025-02-10")]
    assert [i.send_on for i in _items(rt) if i.kind == "monitor_list"
            and i.key.endswith("/2025-01-24")] == [D("2025-02-10")]
    assert [i.send_on for i in items if i.kind == "explanation_request"] == [D("2025-02-17")]


def test_saturday_worked_26_04_is_a_send_day(sqlite_url):
    rt = runtime(sqlite_url)
    _import(rt, plan([task("Cải cách công vụ", "9", lead=["so-noi-vu"],
                           dues=["2025-04-28"])]))
    items = [i for i in _items(rt) if i.duty_id is not None]
    # 5 before 28/04: 26/04 (Sat, worked), 25, 24, 23, 22 -> 22/04; 1 before: Saturday 26/04.
    assert _days(items, "reminder", "so-noi-vu") == [D("2025-04-22"), D("2025-04-26"),
                                                      D("2025-04-28")]
    # Late: 29/04 (30/04-02/05 off). Monitor: 29/04, 05/05, 06/05. Explanation: 11th working
    # day after: 29/04, 05-09/05 (6), 12-16/05 (11) -> 16/05.
    assert _days(items, "late", "so-noi-vu") == [D("2025-04-29")]
    assert [i.send_on for i in _items(rt) if i.kind == "monitor_list"
            and i.reason == "late"] == [D("2025-05-06")]
    assert [i.send_on for i in items if i.kind == "explanation_request"] == [D("2025-05-16")]


def test_merged_agency_is_reminded_as_its_successor(sqlite_url):
    rt = runtime(sqlite_url)
    # Sở TT&TT merged into Sở KH&CN on 01/03/2025.
    _import(rt, plan([task("Chính quyền số", "1", lead=["so-tttt"],
                           dues=["2025-02-28", "2025-03-18"])]))
    items = [i for i in _items(rt) if i.reason == "reminder"]
    assert _days(items, "reminder", "so-tttt") == [D("2025-02-21"), D("2025-02-27"),
                                                    D("2025-02-28")]
    assert _days(items, "reminder", "so-khcn") == [D("2025-03-11"), D("2025-03-17"),
                                                    D("2025-03-18")]


def test_needs_due_and_needs_lead_go_to_the_monitor_monthly(sqlite_url):
    rt = runtime(sqlite_url)
    _import(rt, plan([
        task("Cải cách TTHC", "7", lead=["so-tu-phap"], kind="reference",
             timing="Theo Công văn số 3553/UBND-NC"),
        task("Cải cách thủ tục", "4.1", dues=["2025-03-31"]),  # no lead agency
    ]))
    needs_due = _items(rt, reason="needs_due")
    assert {i.recipient_id for i in needs_due} == {"so-noi-vu"}
    # First working day of each month: 02/01 (01/01 off), 03/02 (after Tết), ... 01/12.
    days = [i.send_on for i in needs_due]
    assert days[:3] == [D("2025-01-02"), D("2025-02-03"), D("2025-03-03")]
    assert D("2025-09-03") in days  # 01 and 02/09 off
    assert len(days) == 12
    assert len(_items(rt, reason="needs_lead")) == 12


def test_policy_is_configurable(sqlite_url):
    policy = dataclasses.replace(Policy.bundled(), lead_reminders=(3,), late_monitor_after=2)
    rt = runtime(sqlite_url, policy)
    _import(rt, january_plan())
    items = [i for i in _items(rt) if i.duty_id is not None]
    # 3 working days before 24/01: 23, 22, 21 -> 21/01; monitor 2 after: 03, 04/02.
    assert _days(items, "reminder", "vp-ubnd") == [D("2025-01-21")]
    assert [i.send_on for i in _items(rt) if i.kind == "monitor_list"
            and i.key.endswith("/2025-01-24")] == [D("2025-02-04")]


def test_replanning_is_idempotent(sqlite_url):
    rt = runtime(sqlite_url)
    summary = _import(rt, january_plan())
    before = {(i.key, i.send_on, i.state) for i in _items(rt)}
    with rt.session() as s:
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    assert {(i.key, i.send_on, i.state) for i in _items(rt)} == before
    assert len({i.key for i in _items(rt)}) == len(before)


@pytest.mark.parametrize("bad", ["x.toml"])
def test_policy_file_errors(tmp_path, bad):
    from core.errors import ConfigError

    path = tmp_path / bad
    path.write_text("[tasks]\nlead_reminders = [5, -1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lead_reminders"):
        Policy.load(path)
    path.write_text("[late]\nsteering_weekday = 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="steering_weekday"):
        Policy.load(path)
    path.write_text("[nope]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="khóa không biết"):
        Policy.load(path)
    assert Policy.bundled().lead_reminders == (5, 1, 0)


def test_one_time_zone_the_policys_unless_the_environment_sets_one(tmp_path, monkeypatch):
    """The send instant, the service's clock and the bot's "today" read one zone: the policy
    file's [send] timezone, replaced by NHACVIEC_TIMEZONE when that is set."""
    import os
    import subprocess
    import sys
    from zoneinfo import ZoneInfo

    from engine.settings import Settings, bundled

    path = tmp_path / "policy.toml"
    path.write_text(bundled("policy.toml").read_text(encoding="utf-8").replace(
        'timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Tokyo"'), encoding="utf-8")
    monkeypatch.delenv("NHACVIEC_TIMEZONE", raising=False)
    s = Settings(policy=path)
    assert s.tz == ZoneInfo("Asia/Tokyo") == s.load_policy().tz
    assert s.load_policy().slot_instant(D("2025-01-02")).isoformat() == \
        "2025-01-02T08:00:00+09:00"
    monkeypatch.setenv("NHACVIEC_TIMEZONE", "Asia/Ho_Chi_Minh")
    s = Settings(policy=path)
    assert s.tz == ZoneInfo("Asia/Ho_Chi_Minh") == s.load_policy().tz
    assert s.load_policy().slot_instant(D("2025-01-02")).isoformat() == \
        "2025-01-02T08:00:00+07:00"
    assert Settings().load_policy().lead_reminders == (5, 1, 0)  # the rest of the file kept
    # A zone that does not exist: one Vietnamese line naming the variable, exit status 3.
    env = {**os.environ, "NHACVIEC_TIMEZONE": "Sao Hoa/Olympus",
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "status"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "NHACVIEC_TIMEZONE" in proc.stderr and "múi giờ không tồn tại" in proc.stderr
    assert "Traceback" not in proc.stderr
