"""A hanging SMTP server (issue 18, point 5): a socket that accepts and never answers.

Before: one wake-up took 253 s against it and SIGTERM 248 s (systemd's TimeoutStopSec=120 then
killed the service mid-batch). Now: opening a connection is given up after
`smtp_connect_timeout` (10 s), two timeouts in a row stop the batch, the next batches of the
wake-up skip the server, and SIGTERM finishes the message in flight (at most 5 s), sends
nothing more and exits; the messages stay for the next run.

The real `nhacviec run` runs in a subprocess on a SQLite file, with today's date made a working
day whose send time has passed (a calendar override and a policy sending at 00:00), so the
start-up wake-up has messages to send whatever day the test runs. Figures are printed, not
asserted, beyond generous functional bounds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.messages import OutgoingMessage
from engine.directory.agencies import Directory
from engine.service.runtime import Runtime
from engine.service.simulate import import_and_plan
from engine.settings import Settings, bundled
from engine.storage.db import make_engine
from engine.storage.models import PlannedItem
from notifiers.email.notifier import EmailNotifier
from tests import email_samples as S
from tests.plan_factory import plan, task
from tests.test_smtp_setup import states as notification_states

HOST = "127.0.0.1"
AGENCIES = ["so-tu-phap", "so-tai-chinh", "so-noi-vu", "vp-ubnd", "so-xay-dung",
            "so-giao-duc-va-dao-tao", "so-y-te", "so-cong-thuong"]


class HangingServer:
    """Accepts TCP connections and never says a word (nor closes them)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[float] = []  # time.monotonic() of each connection
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)
            self.accepted.append(time.monotonic())

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        for c in self._held:
            c.close()


def wait_until(predicate, timeout: float) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --- the notifier alone ---------------------------------------------------------------------
async def test_a_hanging_server_costs_a_batch_seconds_and_the_next_batch_nothing() -> None:
    with HangingServer() as server:
        n = EmailNotifier(Settings(smtp_host=HOST, smtp_port=server.port,
                                   smtp_connect_timeout=1.0, smtp_backoff_base=0.01))
        messages = [S.late_notice(), S.monitor_list(), S.steering_digest()] * 4
        messages = [OutgoingMessage(f"{m.key}/{i}", m.kind, m.channel, m.recipient, m.at,
                                    m.items) for i, m in enumerate(messages)]
        t0 = time.monotonic()
        first = await n.send_batch(messages)
        took = time.monotonic() - t0
        t1 = time.monotonic()
        second = await n.send_batch(messages[:3])
        skipped = time.monotonic() - t1
    print(f"hanging server, connect timeout 1 s: batch of {len(messages)} given up after "
          f"{took:.1f} s ({len(server.accepted)} connections); the next batch took "
          f"{skipped * 1000:.0f} ms")
    assert not any(r.ok or r.permanent for r in first + second)
    # Two timeouts in a row stop the batch: nobody waited for four attempts per message.
    assert sum(r.attempts for r in first) <= 2 * n.options.max_connections
    assert all(r.attempts == 0 and r.detail.startswith("chưa gửi:") for r in second)
    assert "không trả lời" in second[0].detail or "hết thời gian" in second[0].detail
    assert took < 30  # before: 4 attempts x 30 s per message


async def test_request_stop_drops_the_message_in_flight_after_the_grace() -> None:
    with HangingServer() as server:
        n = EmailNotifier(Settings(smtp_host=HOST, smtp_port=server.port,
                                   smtp_connect_timeout=60.0), stop_grace=0.5)
        batch = asyncio.create_task(n.send_batch([S.late_notice(), S.monitor_list()]))
        assert await asyncio.to_thread(wait_until, lambda: len(server.accepted) >= 1, 10)
        t0 = time.monotonic()
        n.request_stop()
        results = await batch
        took = time.monotonic() - t0
    print(f"request_stop with a message in flight: batch ended {took:.2f} s later")
    assert not any(r.ok or r.permanent for r in results)
    assert any("chưa rõ máy chủ đã nhận thư chưa" in r.detail for r in results)
    assert took < 30  # the connect timeout (60 s) was not waited for


# --- the real service -----------------------------------------------------------------------
def _today_working_files(tmp: Path) -> tuple[Path, Path, dt.date]:
    """A policy sending at 00:00 and a calendar on which today is a working day."""
    policy = bundled("policy.toml").read_text(encoding="utf-8").replace(
        'time = "08:00"', 'time = "00:00"', 1)
    assert 'time = "00:00"' in policy
    (tmp / "policy.toml").write_text(policy, encoding="utf-8")
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    days = [today + dt.timedelta(days=k) for k in range(-7, 3)]  # around midnight too
    lines = ["days_off: []", "working_days:"]
    lines += [f"  - date: {d.isoformat()}\n    name: thử\n    source: kiểm thử" for d in days]
    lines += ["not_days_off:"]
    lines += [f"  - date: {d.isoformat()}\n    name: thử\n    source: kiểm thử" for d in days]
    (tmp / "calendar.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp / "policy.toml", tmp / "calendar.yaml", today


def _seed(url: str, policy: Path, overrides: Path, today: dt.date) -> None:
    settings = Settings(database_url=url, policy=policy, calendar_overrides=overrides)
    rt = Runtime.from_settings(settings, directory=Directory.bundled())
    known = [a for a in AGENCIES if a in rt.directory]
    tasks = [task("Cải cách TTHC", f"{i}", lead=[a], dues=[today.isoformat()])
             for i, a in enumerate(known, 1)]
    import_and_plan(rt.engine, plan(tasks, year=today.year), rt.directory, rt.calendar,
                    rt.policy, today - dt.timedelta(days=1))
    with rt.session() as s:
        due = s.scalars(select(PlannedItem.id).where(PlannedItem.send_on <= today)).all()
    assert len(due) >= 5, "nothing due today: the test would not wake up"
    rt.engine.dispose()


def _pending(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(PlannedItem.id).where(
                PlannedItem.state == "pending")).all())
    finally:
        engine.dispose()


def test_sigterm_during_a_wake_up_against_a_hanging_server_exits_within_seconds(tmp_path):
    url = f"sqlite:///{tmp_path / 'run.sqlite'}"
    policy, overrides, today = _today_working_files(tmp_path)
    _seed(url, policy, overrides, today)
    pending_before = _pending(url)
    with HangingServer() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
        env.update(NHACVIEC_DATABASE_URL=url, NHACVIEC_SMTP_HOST=HOST,
                   NHACVIEC_SMTP_PORT=str(server.port), NHACVIEC_POLICY=str(policy),
                   NHACVIEC_CALENDAR_OVERRIDES=str(overrides), HOME=str(tmp_path),
                   XDG_DATA_HOME=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # The start-up check opens one connection (and gives up after 10 s); the
            # wake-up's workers open the next ones: then the wake-up is under way.
            assert wait_until(lambda: len(server.accepted) >= 2, 60), "no wake-up seen"
            time.sleep(1.0)
            mid = time.monotonic()
            assert proc.poll() is None
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
            stopped = time.monotonic() - mid
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    print(f"nhacviec run against a hanging SMTP server: SIGTERM {mid - started:.1f} s after "
          f"start, {len(server.accepted)} connections; exited {stopped:.1f} s after SIGTERM "
          f"(code {proc.returncode})")
    print(err)
    assert proc.returncode == 0, err
    assert "Traceback" not in err + out
    assert "Nhận tín hiệu dừng" in err
    assert "Đã dừng dịch vụ." in out
    assert stopped < 30  # TimeoutStopSec of deploy/nhacviec.service
    states = notification_states(url)
    # Nothing sent, nothing left claimed (a claim would wait for its lease): what the wake-up
    # claimed is "retry" for the next run; what it had not reached is still pending.
    assert "sent" not in states.values() and "claimed" not in states.values()
    assert set(states.values()) <= {"retry"}
    assert states or _pending(url) == pending_before


# --- a chat channel's batch -----------------------------------------------------------------
async def test_a_telegram_batch_stops_with_the_sends_in_flight() -> None:
    """40 messages to one chat take 40 s at one a second; a stop after the third leaves the
    rest "not sent" within the grace, and the delivered ones are reported delivered."""
    from core.messages import Item, Recipient
    from core.vocabulary import Reason
    from notifiers.telegram.limits import TelegramRateLimiter
    from notifiers.telegram.notifier import TelegramNotifier
    from tests.fakes import TOKEN, FakeBotApi

    item = Item(reason=Reason.REMINDER, group="Cải cách TTHC", code="1.1", title="Rà soát",
                due=dt.date(2025, 1, 24), role="lead", deadline_id=1, days_left=5)
    messages = [OutgoingMessage(f"agency_digest/so-tu-phap/telegram/{i}", "agency_digest",
                                "telegram", Recipient("so-tu-phap", "Sở Tư pháp",
                                                      chat_ids=(-2001,)),
                                S.AT, (item,)) for i in range(40)]
    with FakeBotApi() as fake:
        n = TelegramNotifier.from_settings(
            Settings(telegram_token=TOKEN, telegram_base_url=fake.base_url),
            TelegramRateLimiter())  # the real pacing: one a second per chat
        try:
            batch = asyncio.create_task(n.send_batch(messages))
            await fake.wait_for(lambda: len(fake.sent(-2001)) >= 3, timeout=20)
            t0 = time.monotonic()
            n.request_stop()
            results = await batch
            took = time.monotonic() - t0
        finally:
            await n.aclose()
        delivered = len(fake.sent(-2001))
    print(f"Telegram batch of 40 to one chat stopped after {delivered} delivered: "
          f"{took:.2f} s after the stop")
    ok = [r for r in results if r.ok]
    assert len(ok) == delivered  # what went is reported delivered, nothing else
    assert all(not r.permanent and "chưa gửi: dịch vụ đang dừng" in r.detail
               for r in results if not r.ok)
    assert delivered < 40
    assert took < 10
