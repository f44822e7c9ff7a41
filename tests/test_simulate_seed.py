"""The seed plan (Kế hoạch 196/KH-UBND, 2025) walked through 2025 on the virtual clock by the real
parser, planner and dispatcher; every date checked against values counted BY HAND on the 2025
civil-service calendar (never copied from the program's output):

    days off: 01/01; Tết 27-31/01; Giỗ Tổ 07/04; 30/04, 01/05, 02/05 (Saturday 26/04 worked);
    01-02/09. 2026: 01/01 and 02/01 (swapped with Saturday 10/01/2026).

For each due date D: reminders D-5, D-1, D (working days), late notice D+1, Sở Nội vụ list D+3,
explanation request D+11 ("more than 10").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from engine.intake.reader import read_plan
from engine.planning.policy import Policy
from engine.service.simulate import simulate
from engine.settings import bundled
from tests.plan_factory import D, calendar, directory, plan, task

# due -> (reminders, late, monitor, explanation), by hand. None: falls in 2026.
HAND = {
    "2025-01-24": (["2025-01-17", "2025-01-23", "2025-01-24"], "2025-02-03", "2025-02-05",
                   "2025-02-17"),
    "2025-02-28": (["2025-02-21", "2025-02-27", "2025-02-28"], "2025-03-03", "2025-03-05",
                   "2025-03-17"),
    "2025-03-18": (["2025-03-11", "2025-03-17", "2025-03-18"], "2025-03-19", "2025-03-21",
                   "2025-04-02"),
    "2025-03-31": (["2025-03-24", "2025-03-28", "2025-03-31"], "2025-04-01", "2025-04-03",
                   "2025-04-16"),
    "2025-06-18": (["2025-06-11", "2025-06-17", "2025-06-18"], "2025-06-19", "2025-06-23",
                   "2025-07-03"),
    "2025-09-18": (["2025-09-11", "2025-09-17", "2025-09-18"], "2025-09-19", "2025-09-23",
                   "2025-10-03"),
    "2025-09-30": (["2025-09-23", "2025-09-29", "2025-09-30"], "2025-10-01", "2025-10-03",
                   "2025-10-15"),
    "2025-10-31": (["2025-10-24", "2025-10-30", "2025-10-31"], "2025-11-03", "2025-11-05",
                   "2025-11-17"),
    "2025-12-18": (["2025-12-11", "2025-12-17", "2025-12-18"], "2025-12-19", "2025-12-23",
                   None),
    "2025-12-31": (["2025-12-24", "2025-12-30", "2025-12-31"], None, None, None),
}
REPORTS = {"Quý I": "2025-03-18", "6 tháng": "2025-06-18", "Quý III": "2025-09-18",
           "Năm": "2025-12-18"}


def _run(parsed, **kw):
    return asyncio.run(simulate(parsed, start=D("2025-01-01"), end=D("2025-12-31"),
                                directory=directory(), calendar=calendar(),
                                policy=Policy.bundled(), **kw))


@pytest.fixture(scope="module")
def seed():
    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=directory(),
                       calendar=calendar())
    return parsed, _run(parsed).messages


def _day(m) -> str:
    return m.at.date().isoformat()


def test_messages_only_on_working_days_at_eight(seed):
    _, msgs = seed
    cal = calendar()
    assert msgs == sorted(msgs, key=lambda m: m.at)
    for m in msgs:
        assert m.at.isoformat().endswith("T08:00:00+07:00")
        assert cal.is_working_day(m.at.date())
    per_day = defaultdict(int)
    for m in msgs:
        if m.kind == "agency_digest":
            per_day[(m.recipient.id, m.channel, _day(m))] += 1
    assert max(per_day.values()) == 1  # one digest per agency, channel and day


def test_every_task_deadline_on_its_hand_counted_days(seed):
    parsed, msgs = seed
    seen: dict[tuple, set[str]] = defaultdict(set)
    for m in msgs:
        for i in m.items:
            if i.code is None or i.due is None:
                continue
            what = {"agency_digest": i.reason + (f":{i.role}" if i.role else ""),
                    "monitor_list": "monitor" if i.reason == "late" else i.reason,
                    "explanation_request": "explanation", "steering_digest": "steering"}[m.kind]
            seen[(i.group, i.code, i.due.isoformat(), what)].add(_day(m))
    checked = 0
    for t in parsed.leaves():
        if t.kind not in ("fixed", "periodic") or not t.lead_agencies:
            continue
        for d in t.deadlines:
            due = d.due.isoformat()
            reminders, late, monitor, explanation = HAND[due]
            key = (t.group, t.code, due)
            if not seen[(*key, "reminder:lead")]:
                continue  # every lead is a collective (UBND cấp xã): nobody to remind
            assert sorted(seen[(*key, "reminder:lead")]) == reminders, key
            assert seen[(*key, "late")] == ({late} if late else set()), key
            assert seen[(*key, "monitor")] == ({monitor} if monitor else set()), key
            assert seen[(*key, "explanation")] == ({explanation} if explanation else set()), key
            if seen[(*key, "reminder:support")]:
                assert seen[(*key, "reminder:support")] == {reminders[0]}, key
            checked += 1
    assert checked >= 45  # 43 fixed and 3 periodic leaves, some with several dates


def test_worked_example_january_for_vp_ubnd(seed):
    _, msgs = seed
    days = defaultdict(set)
    for m in msgs:
        for i in m.items:
            if (i.group, i.code) == ("Cải cách TTHC", "1.1"):
                days[(m.kind, m.recipient.id, i.reason)].add(_day(m))
    assert days[("agency_digest", "vp-ubnd", "reminder")] == {"2025-01-17", "2025-01-23",
                                                              "2025-01-24"}
    assert days[("agency_digest", "vp-ubnd", "late")] == {"2025-02-03"}
    assert days[("monitor_list", "so-noi-vu", "late")] == {"2025-02-05"}
    assert days[("explanation_request", "vp-ubnd", "explanation")] == {"2025-02-17"}
    assert "2025-02-03" in days[("steering_digest", "ban-chi-dao-cchc", "late")]


def test_report_reminders_of_the_plans_cycle(seed):
    _, msgs = seed
    days = defaultdict(set)
    for m in msgs:
        for i in m.items:
            if i.reason == "report_reminder":
                days[(m.recipient.id, i.period)].add(_day(m))
                assert i.due == D(REPORTS[i.period])
                assert i.data_entry_url == "https://ktxh.socstrang.gov.vn"
    assert days[("so-tu-phap", "Quý I")] == {"2025-03-11", "2025-03-17", "2025-03-18"}
    assert days[("ubnd-h-cu-lao-dung", "6 tháng")] == {"2025-06-11", "2025-06-17",
                                                       "2025-06-18"}
    assert days[("cong-an-tinh", "Quý III")] == {"2025-09-11", "2025-09-17", "2025-09-18"}
    assert days[("so-nnmt", "Năm")] == {"2025-12-11", "2025-12-17", "2025-12-18"}
    assert not [k for k in days if k[0] in ("so-ke-hoach-dau-tu", "ubnd-tinh")]
    first = next(m for m in msgs if m.recipient.id == "so-tu-phap" and _day(m) == "2025-03-11")
    q1 = next(i for i in first.items if i.reason == "report_reminder")
    assert (q1.cutoff_from, q1.cutoff_to) == (D("2024-12-15"), D("2025-03-14"))
    # The report must cover the agency's ongoing tasks (Sở Tư pháp leads tasks 2 and 3 of the
    # first group through "Các sở, ban, ngành" / "Các cơ quan, đơn vị, địa phương").
    ongoing = {(o.group, o.code) for o in first.ongoing}
    assert {("Cải cách thủ tục", "2"), ("Cải cách thủ tục", "3")} <= ongoing


def test_merged_department_is_reminded_under_its_successor(seed):
    _, msgs = seed
    # "Hàng quý" task 1 of the digital-government group: lead Sở TT&TT, merged into Sở KH&CN
    # on 01/03/2025, so the 18/03 deadline is reminded to Sở KH&CN.
    got = {(m.recipient.id, _day(m)) for m in msgs if m.kind == "agency_digest"
           for i in m.items
           if (i.code, i.due, i.reason, i.role) == ("1", D("2025-03-18"), "reminder", "lead")
           and i.group == "Xây dựng và phát triển chính quyền số"}
    assert got == {("so-khcn", "2025-03-11"), ("so-khcn", "2025-03-17"),
                   ("so-khcn", "2025-03-18")}


def test_steering_digest_every_monday_by_agency_oldest_first(seed):
    _, msgs = seed
    steering = [m for m in msgs if m.kind == "steering_digest"]
    days = [_day(m) for m in steering]
    # From the first Monday after the first late deadline (24/01): 03/02, then every Monday;
    # Giỗ Tổ (Monday 07/04) -> Tuesday 08/04; 01-02/09 off -> Wednesday 03/09.
    assert days[0] == "2025-02-03" and days[-1] == "2025-12-29"
    assert "2025-04-08" in days and "2025-04-07" not in days
    assert "2025-09-03" in days and "2025-09-01" not in days
    assert len(days) == 48
    last = steering[-1]
    agencies = [i.agency_id for i in last.items]
    # Grouped by agency (each agency's items together), each agency's oldest first.
    assert len(agencies) == len(set(agencies)) + sum(
        agencies.count(a) - 1 for a in set(agencies))
    for a in set(agencies):
        rows = [i for i in last.items if i.agency_id == a]
        idx = [last.items.index(r) for r in rows]
        assert idx == list(range(idx[0], idx[0] + len(idx)))
        assert [r.due for r in rows] == sorted(r.due for r in rows)
    firsts = [next(i.due for i in last.items if i.agency_id == a)
              for a in dict.fromkeys(agencies)]
    assert firsts == sorted(firsts)


def test_monitor_gets_needs_due_monthly(seed):
    _, msgs = seed
    days = sorted({_day(m) for m in msgs if m.kind == "monitor_list"
                   for i in m.items if i.reason == "needs_due"})
    # First working day of each month: 02/01 (01/01 off), 03/02 (after Tết), 03/03, 01/04,
    # 02/05 is off and 03-04/05 a weekend -> 05/05, ..., 03/09 (01-02/09 off), 01/12.
    assert days == ["2025-01-02", "2025-02-03", "2025-03-03", "2025-04-01", "2025-05-05",
                    "2025-06-02", "2025-07-01", "2025-08-01", "2025-09-03", "2025-10-01",
                    "2025-11-03", "2025-12-01"]
    codes = {(i.group, i.code) for m in msgs if m.kind == "monitor_list" for i in m.items
             if i.reason == "needs_due"}
    assert {("Cải cách TTHC", "3.1"), ("Cải cách TTHC", "7"), ("Cải cách TTHC", "8"),
            ("Công tác chỉ đạo điều hành", "5")} == codes


def test_completing_on_time_leaves_nothing_late():
    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=directory(),
                       calendar=calendar())
    msgs = _run(parsed, complete_on_time=True).messages
    assert not [m for m in msgs if m.kind in ("explanation_request", "steering_digest")]
    assert not [i for m in msgs for i in m.items if i.reason == "late"]
    assert [m for m in msgs if m.kind == "agency_digest"]


def test_a_message_goes_out_on_saturday_26_04():
    parsed = plan([task("Cải cách công vụ", "9", lead=["so-noi-vu"], dues=["2025-04-28"])])
    msgs = _run(parsed).messages
    days = [_day(m) for m in msgs if m.recipient.id == "so-noi-vu"
            and m.kind == "agency_digest"]
    # 1 working day before Monday 28/04 is Saturday 26/04, a worked day.
    assert days == ["2025-04-22", "2025-04-26", "2025-04-28", "2025-04-29"]
    assert dt.date(2025, 4, 26).weekday() == 5


def test_cli_simulate_json_contract(tmp_path):
    out = subprocess.run([sys.executable, "-m", "engine.cli", "simulate", "--from", "2025-01-01",
                          "--to", "2025-01-24", "--json"], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    first_vp = next(x for x in lines if x["recipient"] == "vp-ubnd")
    assert first_vp == {
        "at": "2025-01-17T08:00:00+07:00", "channel": "email", "recipient": "vp-ubnd",
        "recipient_name": "Văn phòng UBND tỉnh", "kind": "agency_digest",
        "items": [
            {"reason": "reminder", "group": "Cải cách TTHC", "code": "1.1", "due": "2025-01-24",
             "role": "lead", "label": "Tháng 01/2025"},
            {"reason": "reminder", "group": "Cải cách TTHC", "code": "2.1", "due": "2025-01-24",
             "role": "lead", "label": "Tháng 01/2025"}]}
    assert [x["at"] for x in lines] == sorted(x["at"] for x in lines)
    assert {x["kind"] for x in lines} <= {"agency_digest", "monitor_list", "steering_digest",
                                          "explanation_request"}
    bad = subprocess.run([sys.executable, "-m", "engine.cli", "simulate", "--from", "2025-02-01",
                          "--to", "2025-01-01"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_cli_demo_twice(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path),
           "COLUMNS": "200", "NHACVIEC_SMTP_HOST": "smtp.example.org"}
    env.pop("NHACVIEC_DATABASE_URL", None)
    env.pop("NHACVIEC_OUTBOX_DIR", None)
    counts, passwords = [], []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "engine.cli", "demo"], capture_output=True,
                             text=True, timeout=600, env=env)
        assert out.returncode == 0, out.stderr
        text = " ".join(out.stdout.split())
        assert "tin nhắn" in text and "Hộp thư đi" in text and "Tình hình thực hiện" in text
        outbox = tmp_path / "data" / "nhacviec" / "outbox" / "demo"
        counts.append(len(list(outbox.glob("*.eml"))))
        # The web desk's address and a first admin login, its password printed once.
        import re

        m = re.search(r"Trang điều hành \(web\): http://127\.0\.0\.1:8080/ — đăng nhập admin, "
                      r"mật khẩu (\S+) ", text)
        assert m, text[-600:]
        passwords.append(m.group(1))
    # The same year again, not twice the messages. (Fewer than before issue #19: from 01/7/2025
    # the districts' work passes to the communes, which the bundled directory does not list.)
    assert counts[0] == counts[1] > 800
    assert passwords[0] != passwords[1]
    from engine.storage.db import make_engine, session
    from engine.web.users import authenticate

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'nhacviec' / 'demo.sqlite'}")
    with session(engine) as s:
        assert authenticate(s, "admin", passwords[1]) is not None
        assert authenticate(s, "admin", passwords[0]) is None
    engine.dispose()
    # Every email to an agency carries its personal link on the desk.
    import email
    from email import policy

    mail = next(p for p in sorted(outbox.glob("agency_digest*.eml")))
    body = email.message_from_bytes(mail.read_bytes(), policy=policy.default).get_body(
        ("plain",)).get_content()
    assert "http://127.0.0.1:8080/co-quan/" in body
