"""The service: a real APScheduler AsyncIOScheduler whose one job wakes the dispatcher; jobs carry
ids, not objects; starting again after a stop sends what is within the grace once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import STATE_STOPPED

from engine.planning.planner import plan_plan
from engine.service.scheduler import (
    JOB_FUNC,
    JOB_ID,
    KEPT_WAKES,
    MISFIRE_GRACE_SECONDS,
    Service,
    WakeSummary,
    wake,
)
from engine.tracking.plan_store import store_plan
from notifiers.recording import RecordingNotifier
from tests.plan_factory import D, january_plan, runtime
from tests.service_support import run_until_running_then_stop

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(hour, minute), tzinfo=TZ)


def _rt(url):
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, january_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    return rt


async def _started(rt, when: dt.datetime, rec=None) -> Service:
    service = Service(rt, [rec or RecordingNotifier(channel="email")], clock=lambda: when)
    await service.start()
    return service


async def test_one_job_by_reference_with_grace_and_coalescing(sqlite_url):
    rt = _rt(sqlite_url)
    service = await _started(rt, at("2025-01-19", 10))  # a Sunday: nothing to send at start
    try:
        job = service.scheduler.get_job(JOB_ID)
        assert job.func_ref == JOB_FUNC == "engine.service.scheduler:wake"
        assert job.args == (service.id,)  # an id, never an object
        assert job.coalesce is True and job.misfire_grace_time == MISFIRE_GRACE_SECONDS
        assert len(service.scheduler.get_jobs()) == 1  # not one job per reminder
        nxt = job.trigger.get_next_fire_time(None, at("2025-01-17", 9))
        assert nxt == at("2025-01-18")  # 08:00 every day Monday-Saturday ...
        assert job.trigger.get_next_fire_time(None, at("2025-01-18", 9)) == at("2025-01-20")
        assert not service.wakes  # ... and the job does nothing on a day off
    finally:
        await service.stop()
    assert service.scheduler.state == STATE_STOPPED


async def test_the_job_finds_the_service_by_id_and_reads_the_database(sqlite_url):
    rt = _rt(sqlite_url)
    now = [at("2025-01-16", 12)]
    rec = RecordingNotifier(channel="email")
    service = Service(rt, [rec], clock=lambda: now[0])
    await service.start()
    try:
        now[0] = at("2025-01-17")
        result = await wake(service.id)
        assert [m.recipient.id for m in result.messages if m.kind == "agency_digest"] == [
            "so-tu-phap", "vp-ubnd"]
        assert await wake(service.id) is not None and len(rec.sent) == 2  # nothing twice
        assert await wake("no-such-service") is None
        now[0] = at("2025-01-25", 9)  # Saturday, not worked: no sending
        assert await wake(service.id) is None
    finally:
        await service.stop()


async def test_the_service_remembers_counts_of_its_last_wake_ups_not_their_messages(sqlite_url):
    """A running service used to keep every wake-up's result, every message it sent included:
    a national year of them would have grown the process by gigabytes. It keeps counts now,
    of its last KEPT_WAKES wake-ups."""
    rt = _rt(sqlite_url)
    now = [at("2025-01-16", 12)]
    rec = RecordingNotifier(channel="email")
    service = Service(rt, [rec], clock=lambda: now[0])
    now[0] = at("2025-01-17")
    result = await service.wake_now()
    # Missed: the steering digests of Mondays 06/01 and 13/01, older than the grace (from
    # 14/01) for a service that never ran before.
    assert service.wakes[-1] == WakeSummary(D("2025-01-17"), messages=len(result.messages),
                                            sent=len(result.messages), failed=0, retried=0,
                                            missed=2, unreachable=0)
    assert len(result.messages) == len(rec.sent) >= 2
    for _ in range(KEPT_WAKES + 5):  # nothing more to send that day: counts of zero
        assert (await service.wake_now()).messages == []
    assert len(service.wakes) == KEPT_WAKES
    assert {w.messages for w in service.wakes} == {0}


async def test_restart_after_a_stop_sends_within_grace_once(db_url):
    rt = _rt(db_url)
    rec = RecordingNotifier(channel="email")
    first = await _started(rt, at("2025-01-17", 8, 1), rec)
    await first.stop()
    assert [m.key for m in rec.sent if m.recipient.id == "vp-ubnd"] == [
        "agency_digest/vp-ubnd/email/2025-01-17"]
    # Stopped two working days (21 and 22/01 had nothing; 23/01 had the "1 day left"
    # reminder). Started again on 24/01 at 10:00: the 23/01 reminder is within the grace.
    second = await _started(rt, at("2025-01-24", 10), rec)
    await second.stop()
    third = await _started(rt, at("2025-01-24", 10, 5), rec)  # a second restart that day
    await third.stop()
    vp = [m for m in rec.sent if m.recipient.id == "vp-ubnd"]
    assert [m.key for m in vp] == ["agency_digest/vp-ubnd/email/2025-01-17",
                                   "agency_digest/vp-ubnd/email/2025-01-24"]
    assert [(i.code, i.days_left) for i in vp[1].items] == [("1.1", 0)]


async def test_restart_after_a_long_stop_records_missed_for_the_monitor(sqlite_url):
    rt = _rt(sqlite_url)
    rec = RecordingNotifier(channel="email")
    service = await _started(rt, at("2025-02-11", 8, 30), rec)  # never ran before
    await service.stop()
    # Grace from 11/02: 10, 07, 06/02. Everything older is missed: vp-ubnd's reminders of
    # 17, 23 and 24/01, so-tu-phap's 17/01 message, and the Sở Nội vụ's own list of 05/02;
    # the Sở Nội vụ is told, one line per missed message (its own list is rebuilt, not
    # reported). vp-ubnd's late notice of 03/02 catches up: one digest of what is late now.
    [vp] = [m for m in rec.sent if m.kind == "agency_digest"]
    assert vp.recipient.id == "vp-ubnd" and {i.reason for i in vp.items} == {"late"}
    [monitor] = [m for m in rec.sent if m.kind == "monitor_list"]
    assert {i.reason for i in monitor.items} == {"missed"}
    assert sorted(i.agency_id for i in monitor.items) == ["so-tu-phap"] + ["vp-ubnd"] * 3
    # 5 messages, and the steering digests of 06/01, 13/01, 20/01 and 03/02 (27/01 was Tết);
    # Monday 10/02's is within the grace: it goes now, once.
    assert service.wakes[0].missed == 9
    assert [m.key for m in rec.sent if m.kind == "steering_digest"] == [
        "steering_digest/ban-chi-dao-cchc/email/2025-02-11"]


async def test_worked_saturday_wakes(sqlite_url):
    rt = runtime(sqlite_url)
    service = await _started(rt, at("2025-04-26", 8, 0))
    try:
        assert service.due_now(at("2025-04-26", 8)) and len(service.wakes) == 1
        assert not service.due_now(at("2025-05-02", 9))  # a Friday off
        assert not service.due_now(at("2025-04-28", 7, 59))
    finally:
        await service.stop()


def _start_run(tmp_path, **extra_env):
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'run.sqlite'}"
    _rt(url).engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url,
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"), **extra_env}
    env.pop("NHACVIEC_TELEGRAM_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run_until_running_then_stop(proc) -> tuple[str, str, str]:  # noqa: ANN001
    text, out, err = run_until_running_then_stop(proc)
    assert "đang chạy" in text, text
    return text, out, err


def test_cli_run_starts_and_stops_cleanly_on_sigterm(tmp_path):
    proc = _start_run(tmp_path, NHACVIEC_SMTP_HOST="")
    _, out, err = _run_until_running_then_stop(proc)
    assert proc.returncode == 0, err
    assert "Đã dừng dịch vụ" in out and "Traceback" not in err


def test_cli_run_with_an_unreachable_smtp_server_warns_and_keeps_running(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _start_run(tmp_path, NHACVIEC_SMTP_HOST="127.0.0.1", NHACVIEC_SMTP_PORT=str(port),
                      NHACVIEC_SMTP_TIMEOUT="2")
    text, out, err = _run_until_running_then_stop(proc)
    assert "chưa kết nối được lúc khởi động" in text, text
    assert proc.returncode == 0, err
    assert "Traceback" not in err + text


def test_cli_run_with_a_wrong_smtp_setting_exits_3_with_one_line(tmp_path):
    proc = _start_run(tmp_path, NHACVIEC_SMTP_HOST="127.0.0.1", NHACVIEC_SMTP_TLS="ssl3")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Lỗi:")
