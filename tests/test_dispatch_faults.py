"""Faults of real deployments (issue #18, points 1-3), through the real `nhacviec dispatch`
on real databases and a real SMTP server (aiosmtpd) that records every Message-ID:

1. a dispatch killed with SIGKILL in the middle of its batch, then run again at once: every
   message of the day delivered, none missing, at most the one in flight at the kill twice
   (same Message-ID), compared with an uninterrupted run of the same day;
2. a mail outage (451) over two wake-ups, then recovery: every message of both days
   delivered, none "failed"; a message still failing when its day is older than the grace is
   recorded missed and told to the Sở Nội vụ;
3. a revoked Telegram token (the Bot API imitation answers 401): email goes as without
   Telegram, the channel is said once in the log and in the Sở Nội vụ's list, its messages go
   when the token works again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from core.messages import DeliveryResult
from core.payload import from_payload
from engine.dispatch.dispatcher import Dispatcher
from engine.settings import bundled
from engine.storage.db import dispose_all
from engine.storage.models import Notification
from tests.fakes import TOKEN, FakeBotApi
from tests.plan_factory import D, runtime, store_seed
from tests.smtpd import HOST, RecordingHandler, smtp_server
from tests.test_dispatcher import FlakyNotifier, at

DAY1 = "2025-03-17T08:00:00+07:00"  # a Monday of the demo plan: 30-odd emails
DAY2 = "2025-03-18T08:00:00+07:00"


def seed(url: str) -> None:
    """The bundled demo plan (Sóc Trăng 2025), planned from 1 January."""
    rt = runtime(url)
    with rt.session() as s:
        store_seed(s, rt)
        s.commit()
    dispose_all()


def env_for(url: str, tmp: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return {**keep, "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data"),
            "NHACVIEC_DATABASE_URL": url, "NHACVIEC_OUTBOX_DIR": str(tmp / "outbox"), **extra}


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {"NHACVIEC_SMTP_HOST": HOST, "NHACVIEC_SMTP_PORT": str(port),
            "NHACVIEC_SMTP_BACKOFF_BASE": "0", "NHACVIEC_SMTP_BACKOFF_MAX": "0", **extra}


def nv(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=env, text=True,
                          capture_output=True, timeout=300)


def ids(handler: RecordingHandler) -> Counter[str]:
    return Counter(r.message["Message-ID"] for r in handler.received)


@dataclass
class HoldingHandler(RecordingHandler):
    """Accepts `hold_after` messages; the next one it takes too (the server has it), then
    never answers until released: the client is killed waiting for the reply."""

    hold_after: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    outage: bool = False  # answer every DATA with 451

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.outage:
            self.data_commands += 1
            return "451 4.3.0 Mail server temporarily unavailable"
        reply = await super().handle_DATA(server, session, envelope)
        if (self.hold_after is not None and len(self.received) > self.hold_after
                and not self.release.is_set()):
            self.reached.set()  # every message taken from now on waits: the client dies
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again"
        return reply


def reference(tmp: Path, *instants: str) -> Counter[str]:
    """The Message-IDs an uninterrupted dispatch sends at `instants`, on a fresh SQLite file."""
    folder = tmp / "reference"
    folder.mkdir()
    url = f"sqlite:///{folder / 'ref.sqlite'}"
    seed(url)
    with smtp_server() as (server, handler):
        for instant in instants:
            r = nv(env_for(url, folder, **smtp_env(server.port)), "dispatch", "--now", instant)
            assert r.returncode == 0, r.stderr
    return ids(handler)


# --- 1. a crash mid-batch ----------------------------------------------------------------
@pytest.mark.parametrize("connections", [1, 3])
def test_a_dispatch_killed_mid_batch_is_finished_at_once_by_the_next(db_url, tmp_path,
                                                                     connections):
    seed(db_url)
    expected = reference(tmp_path, DAY1)
    assert len(expected) >= 30 and set(expected.values()) == {1}
    handler = HoldingHandler(hold_after=10)
    with smtp_server(handler) as (server, _):
        env = env_for(db_url, tmp_path, **smtp_env(
            server.port, NHACVIEC_SMTP_MAX_CONNECTIONS=str(connections)))
        first = subprocess.Popen([sys.executable, "-m", "engine.cli", "dispatch", "--now", DAY1],
                                 env=env, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        try:
            assert handler.reached.wait(120), "the first dispatch never reached message 11"
            time.sleep(0.2)  # the other connections reach their message in flight too
        finally:
            first.kill()  # SIGKILL: nothing runs after it
            first.communicate(timeout=30)
        at_kill = ids(handler)
        handler.release.set()
        started = time.monotonic()
        second = nv(env, "dispatch", "--now", DAY1)  # at once: the same instant
        took = time.monotonic() - started
        assert second.returncode == 0, second.stderr
    got = ids(handler)
    duplicated = {k: n - 1 for k, n in got.items() if n > 1}
    missing = set(expected) - set(got)
    print(f"\nkill -9 after 10 accepted ({connections} connection(s), "
          f"{db_url.split(':')[0]}): {len(expected)} expected, {sum(at_kill.values())} on "
          f"the server at the kill, {len(set(got))} delivered, {sum(duplicated.values())} "
          f"duplicated, {len(missing)} missing; second run {took:.1f} s: "
          f"{second.stdout.strip()}")
    assert missing == set() and set(got) == set(expected)
    # Only messages in flight at the kill (taken by the server, its answer never read) go
    # twice, each with its own Message-ID: one per connection at most.
    assert set(duplicated) <= set(at_kill) and sum(duplicated.values()) <= connections
    assert "gửi lại" in second.stdout and " 0 gửi lại" not in second.stdout
    rt = runtime(db_url)
    with rt.session() as s:
        states = Counter(s.scalars(select(Notification.state)))
    dispose_all()
    assert states == {"sent": len(expected)}


# --- 2. a mail outage over two wake-ups ----------------------------------------------------
def test_a_mail_outage_over_two_wake_ups_loses_nothing(db_url, tmp_path):
    seed(db_url)
    expected = reference(tmp_path, DAY1, DAY2)
    handler = HoldingHandler(outage=True)
    with smtp_server(handler) as (server, _):
        env = env_for(db_url, tmp_path, **smtp_env(server.port, NHACVIEC_SMTP_MAX_ATTEMPTS="2"))
        for instant in (DAY1, DAY2):  # 451 to every try of both wake-ups
            r = nv(env, "dispatch", "--now", instant)
            assert r.returncode == 0, r.stderr
        assert handler.received == [] and handler.data_commands >= 2 * len(expected)
        rt = runtime(db_url)
        with rt.session() as s:
            waiting = dict(s.execute(select(Notification.state, Notification.attempts)
                                     .where(Notification.slot_on == D("2025-03-17"))).all())
        assert waiting == {"retry": 2}  # two wake-ups, not four tries
        handler.outage = False  # the server is back, later on day 2
        r = nv(env, "dispatch", "--now", "2025-03-18T10:00:00+07:00")
        assert r.returncode == 0, r.stderr
    assert ids(handler) == expected  # every message of both days, once
    with rt.session() as s:
        states = Counter(s.scalars(select(Notification.state)))
    dispose_all()
    assert states == {"sent": len(expected)}


async def test_a_message_failing_past_the_grace_is_missed_and_told(db_url):
    """Every try fails transiently: the message waits for each wake-up (attempts count
    wake-ups), never "failed"; once its day is older than the grace (3 working days), it is
    recorded missed and the Sở Nội vụ's list of that day names it."""
    from tests.test_dispatcher import setup

    flaky = FlakyNotifier(fail=1000)
    rt, d = setup(db_url, notifiers=[flaky])
    key = "agency_digest/vp-ubnd/email/2025-01-17"
    for day in ("2025-01-17", "2025-01-20", "2025-01-21", "2025-01-22"):
        await d.wake(at(day))
        with rt.session() as s:
            state, attempts = s.execute(select(Notification.state, Notification.attempts)
                                        .where(Notification.key == key)).one()
        assert state == "retry"
    assert attempts == 4 and flaky.tries[key] == 4
    result = await d.wake(at("2025-01-23"))  # 17/01 is now 4 working days old
    assert result.missed >= 1 and flaky.tries[key] == 4  # not tried again
    with rt.session() as s:
        assert s.scalar(select(Notification.state).where(Notification.key == key)) == "missed"
        listed = s.scalar(select(Notification.payload).where(
            Notification.key == "monitor_list/so-noi-vu/email/2025-01-23"))
    items = [i for i in from_payload(listed).items if i.reason == "missed"]
    assert any(i.agency_id == "vp-ubnd" and "17/01/2025" in (i.label or "")
               and "451" in (i.label or "") for i in items)
    assert await d.wake(at("2025-01-24")) is not None and flaky.tries[key] == 4


# --- 3. a revoked bot token ----------------------------------------------------------------
def _outbox(tmp: Path) -> dict[str, email.message.EmailMessage]:
    out = {}
    for p in sorted((tmp / "outbox").glob("*.eml")):
        out[p.name] = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
    return out


def test_a_revoked_telegram_token_does_not_stop_email(sqlite_url, tmp_path):
    seed(sqlite_url)
    folder = tmp_path / "ref"
    folder.mkdir()
    ref_url = f"sqlite:///{folder / 'ref.sqlite'}"
    seed(ref_url)
    assert nv(env_for(ref_url, folder), "dispatch", "--now", DAY1).returncode == 0
    without_telegram = set(_outbox(folder))
    with FakeBotApi() as fake:
        env = env_for(sqlite_url, tmp_path, NHACVIEC_TELEGRAM_TOKEN=TOKEN,
                      NHACVIEC_TELEGRAM_BASE_URL=fake.base_url)
        assert nv(env, "telegram", "link", "vp-ubnd", "--chat-id", "-1001").returncode == 0
        fake.unauthorized = True  # the token revoked
        r = nv(env, "dispatch", "--now", DAY1)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr and TOKEN.partition(":")[2] not in r.stderr + r.stdout
        said = [line for line in r.stderr.splitlines() if "Kênh telegram không gửi được" in line]
        assert len(said) == 1, r.stderr  # once for the wake-up, not once per message
        mails = _outbox(tmp_path)
        # Every email of the day went, as without Telegram (the list for the Sở Nội vụ says
        # more: the channel).
        assert set(mails) == without_telegram
        monitor = [m for name, m in mails.items() if "so-noi-vu" in name
                   or "Sở Nội vụ" in str(m["To"])]
        text = "\n".join(m.get_body(("plain",)).get_content() for m in monitor)
        assert "Kênh Telegram" in text and "không hợp lệ hoặc đã bị thu hồi" in text
        assert fake.sent(-1001) == []
        fake.unauthorized = False  # the token fixed: the chat's message goes, once
        again = nv(env, "dispatch", "--now", "2025-03-17T10:00:00+07:00")
        assert again.returncode == 0, again.stderr
        assert "Kênh telegram" not in again.stderr
        delivered = fake.sent(-1001)
        assert delivered
        third = nv(env, "dispatch", "--now", "2025-03-17T11:00:00+07:00")
        assert len(fake.sent(-1001)) == len(delivered) and third.returncode == 0
    rt = runtime(sqlite_url)
    with rt.session() as s:
        states = Counter(s.execute(select(Notification.channel, Notification.state)).all())
    dispose_all()
    assert states[("telegram", "sent")] >= 1 and ("telegram", "retry") not in states
    assert ("telegram", "failed") not in states and ("email", "failed") not in states


def test_notice_is_listed_once_per_day_for_a_channel_that_cannot_start(sqlite_url):
    """At the dispatcher: a channel whose batch raises is tried once per wake-up, its messages
    wait (retry), the other channel's go, and the Sở Nội vụ's list has one line for it."""
    from notifiers.recording import RecordingNotifier
    from tests.test_dispatcher import setup

    @dataclass
    class Broken:
        channel: str = "telegram"
        calls: int = 0

        async def send_batch(self, messages):  # noqa: ANN001, ANN202
            self.calls += 1
            raise RuntimeError("bot token 123:secret refused")

        async def aclose(self) -> None:
            return None

    email_ = RecordingNotifier(channel="email")
    broken = Broken()
    rt, d = setup(sqlite_url, notifiers=[email_, broken],
                  extra_chats={"vp-ubnd": (-1001,), "so-noi-vu": (-2002,)})
    result = asyncio.run(d.wake(at("2025-01-17")))
    assert broken.calls == 1  # once for the wake-up, both phases together
    assert {m.recipient.id for m in email_.sent} >= {"vp-ubnd", "so-tu-phap", "so-noi-vu"}
    listed = [m for m in email_.sent if m.kind == "monitor_list"]
    lines = [i for m in listed for i in m.items if i.reason == "delivery_failed"]
    assert len(lines) == 1 and "Telegram" in (lines[0].title or "")
    assert "secret" not in (lines[0].label or "") and "RuntimeError" in (lines[0].label or "")
    with rt.session() as s:
        tg = Counter(s.scalars(select(Notification.state).where(
            Notification.channel == "telegram")))
    assert tg and set(tg) == {"retry"}
    assert result.results and any(r.ok for r in result.results)


def test_a_wrong_zalo_token_does_not_stop_email(sqlite_url, tmp_path):
    from tests.fakes_zalo import TOKEN as ZALO_TOKEN
    from tests.fakes_zalo import FakeZaloApi

    seed(sqlite_url)
    folder = tmp_path / "ref"
    folder.mkdir()
    ref_url = f"sqlite:///{folder / 'ref.sqlite'}"
    seed(ref_url)
    assert nv(env_for(ref_url, folder), "dispatch", "--now", DAY1).returncode == 0
    without_zalo = set(_outbox(folder))
    with FakeZaloApi() as fake:
        env = env_for(sqlite_url, tmp_path, NHACVIEC_ZALO_TOKEN="1:wrong-SECRET",
                      NHACVIEC_ZALO_BASE_URL=fake.base_url)
        assert nv(env, "zalo", "link", "vp-ubnd", "--chat-id", "vp").returncode == 0
        r = nv(env, "dispatch", "--now", DAY1)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr and "wrong-SECRET" not in r.stderr + r.stdout
        said = [line for line in r.stderr.splitlines() if "Kênh zalo không gửi được" in line]
        assert len(said) == 1, r.stderr
        mails = _outbox(tmp_path)
        assert set(mails) == without_zalo
        monitor = [m for name, m in mails.items() if "so-noi-vu" in name]
        text = "\n".join(m.get_body(("plain",)).get_content() for m in monitor)
        assert "Kênh Zalo" in text and "NHACVIEC_ZALO_TOKEN" in text
        assert fake.texts("vp") == []
        env["NHACVIEC_ZALO_TOKEN"] = ZALO_TOKEN  # the token corrected
        again = nv(env, "dispatch", "--now", "2025-03-17T10:00:00+07:00")
        assert again.returncode == 0 and "Kênh zalo" not in again.stderr, again.stderr
        assert fake.texts("vp")


async def test_a_live_dispatcher_renews_its_claims_while_it_sends(db_url):
    """The heartbeat: while a batch is being sent, the claims of its messages are renewed every
    quarter of the lease, so a slow batch (a slow server) is never taken over by another
    dispatcher; a claim left unrenewed past the lease is."""
    import dataclasses

    from engine.dispatch.claims import reclaimable
    from engine.planning.policy import Policy
    from tests.test_dispatcher import setup

    seen: list[tuple] = []

    @dataclass
    class Slow:
        channel: str = "email"
        rt: object = None

        async def send_batch(self, messages):  # noqa: ANN001, ANN202
            with self.rt.session() as s:  # type: ignore[attr-defined]
                before = dict(s.execute(select(Notification.key, Notification.claimed_at)).all())
            await asyncio.sleep(2.5)  # a slow server: more than two beats of a 4 s lease
            with self.rt.session() as s:  # type: ignore[attr-defined]
                after = dict(s.execute(select(Notification.key, Notification.claimed_at)).all())
                stale = {r.id for r in s.execute(reclaimable(
                    dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2),
                    dt.timedelta(seconds=4))) if r.stale}
            seen.append((before, after, stale))
            return [DeliveryResult(m.key, True) for m in messages]

        async def aclose(self) -> None:
            return None

    slow = Slow()
    policy = dataclasses.replace(Policy.bundled(), claim_lease_seconds=4)
    rt, _ = setup(db_url, notifiers=[slow])
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, policy, [slow])
    slow.rt = rt
    await d.wake(at("2025-01-17"))
    before, after, stale = seen[0]
    assert before and all(after[k] > before[k] for k in before)  # renewed meanwhile
    assert stale == set()  # two seconds from now, still within the lease


def test_a_policy_file_with_the_old_lease_in_minutes_still_reads(tmp_path):
    from engine.planning.policy import Policy

    text = bundled("policy.toml").read_text(encoding="utf-8")
    assert "claim_lease_seconds = 60" in text
    (tmp_path / "policy.toml").write_text(text.replace("claim_lease_seconds = 60",
                                                       "claim_lease_minutes = 15"),
                                          encoding="utf-8")
    assert Policy.load(tmp_path / "policy.toml").claim_lease_seconds == 900
    assert Policy.bundled().claim_lease_seconds == 60
