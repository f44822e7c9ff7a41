"""Explanation requests (giải trình) for late periodic reports: the real dispatcher records the
request it sends against the report obligation, once; `nhacviec explain --period` records the
agency's answer; bad input changes nothing.

Dates counted by hand on the 2025 civil-service calendar: the Quý I report is due Tuesday
18/03/2025. Working days after it: 19, 20, 21, 24, 25, 26, 27, 28, 31/03 (9), 01/04 (10),
02/04 (11) — no day off in between — so "late by more than 10 working days" is Wednesday
02/04/2025. The explanation is asked for within 5 working days: 03/04, 04/04, (07/04 Giỗ Tổ
Hùng Vương is off) 08/04, 09/04, 10/04 -> 10/04/2025.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.payload import from_payload
from engine.dispatch.dispatcher import Dispatcher
from engine.planning.planner import plan_plan
from engine.storage.models import (
    Deadline,
    Duty,
    ExplanationAnswer,
    ExplanationRequest,
    Notification,
    ReportObligation,
)
from engine.tracking.plan_store import store_plan
from engine.tracking.records import submit_report
from notifiers.recording import RecordingNotifier
from tests.plan_factory import QUARTER_1, D, plan, runtime, task

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LATE_AGENCY = "so-tu-phap"


def _setup(url):
    """Quý I reports of every reporting agency but the Sở Tư pháp submitted on 14/03/2025; the
    Sở Tư pháp also leads a task due the same day, never completed."""
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, plan([
            task("Cải cách TTHC", "1.1", lead=[LATE_AGENCY], dues=["2025-03-18"],
                 title="Rà soát TTHC"),
        ], periods=[QUARTER_1]), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-03-01"))
        others = s.scalars(select(ReportObligation.agency_id).where(
            ReportObligation.agency_id != LATE_AGENCY)).all()
        assert len(others) > 10  # every reporting agency of the directory owes one
        for agency in others:
            submit_report(s, summary.plan_id, agency, "Quý I", on=D("2025-03-14"))
        obligation = s.scalars(select(ReportObligation.id).where(
            ReportObligation.agency_id == LATE_AGENCY)).one()
        deadline = s.scalars(select(Deadline.id)).one()
        s.commit()
    rec = RecordingNotifier(channel="email")
    return rt, Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec]), rec, \
        obligation, deadline


def _requests(rt):
    with rt.session() as s:
        return sorted((r.deadline_id or 0, r.obligation_id or 0, r.agency_id, r.requested_on)
                      for r in s.scalars(select(ExplanationRequest)))


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


async def test_late_report_walked_to_d_plus_11_records_one_request(db_url):
    rt, d, rec, obligation, deadline = _setup(db_url)
    day = D("2025-03-10")
    while day <= D("2025-04-01"):  # every day, days off included, up to D+10
        await d.wake(_at(day))
        day += dt.timedelta(days=1)
    assert not [m for m in rec.sent if m.kind == "explanation_request"]
    assert _requests(rt) == []
    # The report reminders did go to the Sở Tư pháp (and its late notice on 19/03).
    assert [m.at.date() for m in rec.sent if m.recipient.id == LATE_AGENCY
            and any(i.period == "Quý I" for i in m.items)] == [
        D("2025-03-11"), D("2025-03-17"), D("2025-03-18"), D("2025-03-19")]

    await d.wake(_at(D("2025-04-02")))  # D+11
    # One message to the agency that day, listing both late things (the report and the task).
    [asked] = [m for m in rec.sent if m.kind == "explanation_request"]
    assert asked.key == f"explanation_request/{LATE_AGENCY}/email/2025-04-02"
    report = [asked]
    [item] = [i for i in asked.items if i.obligation_id == obligation]
    assert (item.period, item.due, item.days_late, item.reply_by, item.obligation_id) == (
        "Quý I", D("2025-03-18"), 11, D("2025-04-10"), obligation)
    assert item.deadline_id is None
    # Both kinds recorded on the day they were sent: the report's and the task deadline's.
    assert len(asked.items) == 2
    assert _requests(rt) == [(0, obligation, LATE_AGENCY, D("2025-04-02")),
                             (deadline, 0, LATE_AGENCY, D("2025-04-02"))]
    # What a retry would send carries the obligation too (stored payload, read back).
    with rt.session() as s:
        payload = s.scalars(select(Notification.payload).where(
            Notification.key == report[0].key)).one()
    assert from_payload(payload).items == report[0].items

    # Waking again, the same day or later, sends and records nothing new.
    sent = len(rec.sent)
    await d.wake(_at(D("2025-04-02"), 15))
    await d.wake(_at(D("2025-04-03")))
    assert not [m for m in rec.sent[sent:] if m.kind == "explanation_request"]
    assert _requests(rt) == [(0, obligation, LATE_AGENCY, D("2025-04-02")),
                             (deadline, 0, LATE_AGENCY, D("2025-04-02"))]


async def test_a_request_recorded_twice_is_kept_once_without_error(db_url):
    """Two processes racing on one day may each send the same request on a different channel
    (each wins its own channel's claim) and each then records it: the second recording neither
    fails after its send nor doubles the row. (The insert itself ignores a conflict, which also
    covers both reading before either writes; that interleaving is not reproduced here.)"""
    from engine.dispatch.claims import Claim

    rt, d, rec, obligation, deadline = _setup(db_url)
    await d.wake(_at(D("2025-04-02")))
    sent = [m for m in rec.sent if m.kind == "explanation_request"]
    assert len(sent) == 1 and len(sent[0].items) == 2
    other = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy,
                       [RecordingNotifier(channel="telegram")], worker="other")
    twins = [Claim(dataclasses.replace(m, channel="telegram"), (), D("2025-04-02"))
             for m in sent]
    with rt.session() as s:
        other._note_explanations(s, twins, D("2025-04-03"))
        s.commit()
    assert _requests(rt) == [(0, obligation, LATE_AGENCY, D("2025-04-02")),
                             (deadline, 0, LATE_AGENCY, D("2025-04-02"))]


async def test_cli_explain_period_records_the_answer(db_url):
    rt, d, rec, obligation, deadline = _setup(db_url)
    await d.wake(_at(D("2025-04-02")))
    assert len(_requests(rt)) == 2
    rt.engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": db_url, "COLUMNS": "200"}

    def nv(*args):
        return subprocess.run([sys.executable, "-m", "engine.cli", "explain", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    def answers():
        with rt.session() as s:
            return [(r.obligation_id, r.deadline_id, a.answered_on, a.text, a.document_no)
                    for a, r in s.execute(select(ExplanationAnswer, ExplanationRequest).join(
                        ExplanationRequest, ExplanationRequest.id == ExplanationAnswer.request_id)
                        .order_by(ExplanationAnswer.id))]

    # Errors: one Vietnamese line each, exit 2, nothing recorded.
    for args, words in [
        (["--period", "Quý IX", "--agency", LATE_AGENCY],
         "kế hoạch không có kỳ báo cáo «Quý IX» (các kỳ: Quý I)"),
        # The Văn phòng UBND tỉnh submitted its report: no request was sent to it.
        (["--period", "Quý I", "--agency", "vp-ubnd"],
         "chưa có yêu cầu giải trình nào gửi «vp-ubnd» về báo cáo Quý I"),
        (["TTHC/1.1", "--period", "Quý I", "--agency", LATE_AGENCY], "không nêu cả hai"),
        (["--agency", LATE_AGENCY], "chưa nêu nhiệm vụ"),
    ]:
        bad = nv(*args, "--text", "Chậm do thiếu số liệu")
        assert bad.returncode == 2, (args, bad.stderr)
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Lỗi: ") and words in lines[0], lines
        assert bad.stdout == ""
    assert answers() == []

    ok = nv("--period", "quý 1", "--agency", "Sở Tư pháp", "--text", "Chậm do chờ số liệu "
            "của các phòng", "--doc", "52/BC-STP", "--date", "08/04/2025")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == ("Đã ghi nhận giải trình của Sở Tư pháp cho báo cáo Quý I "
                                 "ngày 08/04/2025.")
    assert answers() == [(obligation, None, D("2025-04-08"), "Chậm do chờ số liệu của các phòng",
                          "52/BC-STP")]
    # The task's request is answered by naming the task, as before.
    task_ok = nv("TTHC/1.1", "--agency", LATE_AGENCY, "--text", "Đang trình ký",
                 "--date", "2025-04-09")
    assert task_ok.returncode == 0, task_ok.stderr
    assert "cho Cải cách TTHC/1.1 ngày 09/04/2025." in task_ok.stdout
    assert [a[:3] for a in answers()] == [(obligation, None, D("2025-04-08")),
                                          (None, deadline, D("2025-04-09"))]


async def test_one_message_per_late_deadline_when_the_policy_says_so(sqlite_url):
    """`[late] explanation_per_deadline = true` keeps contract section 5's first reading: the
    report and the task late the same day go as two messages, each keyed by what it asks about;
    both are recorded as requests all the same."""
    rt, _, _, obligation, deadline = _setup(sqlite_url)
    rec = RecordingNotifier(channel="email")
    policy = dataclasses.replace(rt.policy, explanation_per_deadline=True)
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, policy, [rec])
    await d.wake(_at(D("2025-04-02")))
    asked = sorted((m for m in rec.sent if m.kind == "explanation_request"), key=lambda m: m.key)
    with rt.session() as s:
        duty = s.scalars(select(Duty.id).where(Duty.deadline_id == deadline)).one()
    assert [m.key for m in asked] == sorted([
        f"explanation_request/{LATE_AGENCY}/email/d{duty}",
        f"explanation_request/{LATE_AGENCY}/email/r{obligation}"])
    assert [len(m.items) for m in asked] == [1, 1]
    assert _requests(rt) == [(0, obligation, LATE_AGENCY, D("2025-04-02")),
                             (deadline, 0, LATE_AGENCY, D("2025-04-02"))]


def test_the_policy_file_reads_explanation_per_deadline(tmp_path):
    from engine.planning.policy import Policy

    assert Policy.bundled().explanation_per_deadline is False
    f = tmp_path / "policy.toml"
    f.write_text("[late]\nexplanation_per_deadline = true\n", encoding="utf-8")
    assert Policy.load(f).explanation_per_deadline is True
