"""The Zalo channel through the Zalo Bot API imitation: plain text in numbered parts under 2,000
characters, the client's retries and 429, blocked chats, the pacing checked on arrival times,
a crash in the middle of a long message resumed without repeating parts, and a message the chat
could not take going by email instead, once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re

import pytest
from sqlalchemy import select

from core.errors import ConfigError
from core.messages import Item, OutgoingMessage, Recipient
from core.vocabulary import MessageKind, Reason
from engine.directory.agencies import Directory
from engine.settings import Settings
from engine.storage.db import session
from engine.storage.models import ChatLink, Notification, PlannedItem
from notifiers.recording import RecordingNotifier
from notifiers.zalo.client import ZaloClient, ZaloUnavailable
from notifiers.zalo.limits import ZaloLimits, ZaloRateLimiter
from notifiers.zalo.notifier import ZaloNotifier
from notifiers.zalo.render import render_message
from notifiers.zalo.text import split_text
from tests.fakes_zalo import TOKEN, FakeZaloApi

AT = dt.datetime(2025, 1, 17, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
EPS = 1e-6
FAST = ZaloLimits(per_chat_interval=0.0, overall=10_000)


@pytest.fixture
def fake():
    with FakeZaloApi(rate_limit=False) as api:
        yield api


def settings_for(fake: FakeZaloApi, **extra) -> Settings:
    return Settings(zalo_token=TOKEN, zalo_base_url=fake.base_url, **extra)


def notifier_for(fake: FakeZaloApi, limits: ZaloLimits = FAST, **kw) -> ZaloNotifier:
    return ZaloNotifier.from_settings(settings_for(fake, zalo_monitor_chat="snv",
                                                   zalo_steering_chat="bcd"),
                                      limiter=ZaloRateLimiter(limits), backoff=0.01, **kw)


def digest(key: str, chats: tuple[str, ...], items: tuple[Item, ...],
           kind: str = MessageKind.AGENCY_DIGEST) -> OutgoingMessage:
    return OutgoingMessage(key=key, kind=kind, channel="zalo",
                           recipient=Recipient("so-tu-phap", "Sở Tư pháp",
                                               ("vanthu@so-tu-phap.example.org",),
                                               zalo_chat_ids=chats),
                           at=AT, items=items, plan_number="196/KH-UBND")


def reminder(code: str, title: str = "Rà soát TTHC", **kw) -> Item:
    return Item(reason=kw.pop("reason", Reason.REMINDER), group="Cải cách TTHC", code=code,
                title=title, due=dt.date(2025, 1, 24), role=kw.pop("role", "lead"),
                deadline_id=kw.pop("deadline_id", 1), days_left=kw.pop("days_left", 5), **kw)


# --- what arrives ---------------------------------------------------------------------------
async def test_a_digest_is_plain_text_with_the_agency_link(fake) -> None:
    n = notifier_for(fake, link_for=lambda agency: f"https://cchc.example.org/co-quan/{agency}")
    item = reminder("1.1", title="Sửa Quyết định <số 12> & Quy chế \"một cửa\"")
    (result,) = await n.send_batch([digest("d1", ("c1",), (item,))])
    await n.aclose()
    assert result.ok and result.provider_id == f"c1:{fake.sent('c1')[0].message_id}"
    (text,) = fake.texts("c1")
    lines = text.splitlines()
    assert lines[:3] == ["🔔 NHẮC VIỆC CẢI CÁCH HÀNH CHÍNH", "Kính gửi: Sở Tư pháp",
                         "Theo Kế hoạch số 196/KH-UBND"]
    # Plain text: the title as written, nothing escaped, no markup.
    assert ("• 1.1 Sửa Quyết định <số 12> & Quy chế \"một cửa\" — hạn 24/01/2025, còn 5 ngày "
            "làm việc") in lines
    assert "<b>" not in text and "&amp;" not in text
    assert "trả lời CÓ để xác nhận" in text
    assert lines[-1] == "Xem và cập nhật nhiệm vụ tại: https://cchc.example.org/co-quan/so-tu-phap"


async def test_no_link_function_no_link_line(fake) -> None:
    n = notifier_for(fake)
    await n.send_batch([digest("d0", ("c0",), (reminder("1.1"),))])
    await n.aclose()
    assert "Xem và cập nhật" not in fake.texts("c0")[0]


async def test_a_long_digest_goes_in_numbered_parts_under_2000_at_line_ends(fake) -> None:
    items = tuple(reminder(f"4.{i}", title=f"Nhiệm vụ {i}: " + "cải cách thủ tục " * 9,
                           deadline_id=i) for i in range(1, 61))
    msg = digest("d2", ("c2",), items)
    n = notifier_for(fake)
    (result,) = await n.send_batch([msg])
    await n.aclose()
    assert result.ok
    texts = fake.texts("c2")
    assert len(texts) >= 4 and all(len(t) <= 2000 for t in texts)
    assert [t.split(" ", 1)[0] for t in texts] == [f"({i}/{len(texts)})"
                                                    for i in range(1, len(texts) + 1)]
    body = "\n".join(t.split(" ", 1)[1] for t in texts).splitlines()
    codes = [m.group(1) for line in body if (m := re.match(r"• (4\.\d+) Nhiệm vụ", line))]
    assert codes == [f"4.{i}" for i in range(1, 61)]  # every line whole, once, in order
    assert texts == render_message(msg)
    assert result.provider_id == "c2:" + "+".join(m.message_id for m in fake.sent("c2"))


def test_split_cuts_an_overlong_line_between_words() -> None:
    parts = split_text("Mở đầu\n" + "rà soát đánh giá " * 400 + "\nKết thúc")
    assert len(parts) >= 4 and all(len(p) <= 2000 for p in parts)
    assert parts[0].startswith("(1/") and parts[0].split(" ", 1)[1].startswith("Mở đầu")
    assert parts[-1].endswith("Kết thúc")
    words = {w for p in parts for w in p.split(" ", 1)[1].split()}
    assert words == {"Mở", "đầu", "rà", "soát", "đánh", "giá", "Kết", "thúc"}  # none cut
    assert split_text("   \n ") == [] and split_text("ngắn") == ["ngắn"]


async def test_every_kind_renders_and_oversight_goes_to_the_settings_chats(fake) -> None:
    late = reminder("2.1", reason=Reason.LATE, days_late=12, agency_id="so-tu-phap",
                    agency_name="Sở Tư pháp")
    needs = Item(reason=Reason.NEEDS_DUE, group="Cải cách TTHC", code="5.1", title="Theo KH",
                 agency_name="Sở Y tế")
    monitor = digest("m1", (), (late, needs), kind=MessageKind.MONITOR_LIST)
    steering = OutgoingMessage(key="s1", kind=MessageKind.STEERING_DIGEST, channel="zalo",
                               recipient=Recipient("bcd-cchc", "Ban Chỉ đạo CCHC"), at=AT,
                               items=(late,), stats={"Sở Tư pháp": {"overdue": 1,
                                                                     "done_on_time": 4}})
    explain = digest("e1", ("c5",), (late,), kind=MessageKind.EXPLANATION_REQUEST)
    n = notifier_for(fake)
    results = await n.send_batch([monitor, steering, explain])
    await n.aclose()
    assert [r.ok for r in results] == [True, True, True]
    (m,) = fake.texts("snv")
    assert "Nhiệm vụ quá hạn (1)" in m and "Nhiệm vụ cần xác định thời hạn (1)" in m
    assert "• 2.1 Rà soát TTHC — Sở Tư pháp — hạn 24/01/2025, trễ 12 ngày làm việc" in m
    (s,) = fake.texts("bcd")
    assert "• Sở Tư pháp: 1 quá hạn, 4 hoàn thành đúng hạn" in s
    (e,) = fake.texts("c5")
    assert e.startswith("✉️ ĐỀ NGHỊ BÁO CÁO GIẢI TRÌNH\nKính gửi: Sở Tư pháp")


# --- failures -------------------------------------------------------------------------------
async def test_429_is_waited_out_and_nothing_is_sent_twice(fake) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests", chat_id="r1", retry_after=1)
    n = notifier_for(fake)
    (result,) = await n.send_batch([digest("r1", ("r1",), (reminder("1.1"),))])
    await n.aclose()
    assert result.ok and result.attempts == 2
    refused, accepted = fake.calls_of("sendMessage", chat_id="r1")
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.t - refused.t >= 1.0 - EPS
    assert len(fake.sent("r1")) == 1


async def test_5xx_is_retried_with_backoff(fake) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway", chat_id="r2", times=2)
    n = notifier_for(fake)
    (result,) = await n.send_batch([digest("r2", ("r2",), (reminder("1.1"),))])
    await n.aclose()
    assert result.ok and result.attempts == 3
    assert [c.status for c in fake.calls_of("sendMessage", chat_id="r2")] == [502, 502, 200]
    assert len(fake.sent("r2")) == 1


async def test_5xx_beyond_the_retry_budget_is_permanent(fake) -> None:
    fake.fail("sendMessage", 503, "Service Unavailable", chat_id="r3", times=3)
    n = notifier_for(fake)
    (result,) = await n.send_batch([digest("r3", ("r3",), (reminder("1.1"),))])
    await n.aclose()
    assert not result.ok and result.permanent
    assert "3 lần thử" in result.detail and "r3" in result.detail
    assert len(fake.calls_of("sendMessage", chat_id="r3")) == 3


async def test_blocked_and_gone_chats_are_permanent_other_chats_still_get_it(fake) -> None:
    fake.block("b1")
    fake.forget_chat("b2")
    n = notifier_for(fake)
    blocked, gone = await n.send_batch([digest("b1", ("b1", "ok1"), (reminder("1.1"),)),
                                        digest("b2", ("b2",), (reminder("1.1"),))])
    await n.aclose()
    assert not blocked.ok and blocked.permanent and "«b1»" in blocked.detail
    assert "bị chặn" in blocked.detail and "403" in blocked.detail
    assert not gone.ok and gone.permanent and "chat not found" in gone.detail
    assert len(fake.sent("ok1")) == 1 and fake.sent("b1") == []


async def test_the_imitation_refuses_empty_and_too_long_texts(fake) -> None:
    client = ZaloClient(TOKEN, fake.base_url, limiter=ZaloRateLimiter(FAST))
    from notifiers.zalo.client import ZaloBadRequest

    with pytest.raises(ZaloBadRequest, match="empty"):
        await client.send_message("x", "  ")
    with pytest.raises(ZaloBadRequest, match="too long"):
        await client.send_message("x", "a" * 2001)
    assert (await client.send_message("x", "a" * 2000))["message_id"]
    assert await client.get_updates(timeout=0) is None  # 408: nothing came
    await client.aclose()


async def test_wrong_token_is_a_configuration_error_and_never_printed(fake, caplog) -> None:
    n = ZaloNotifier.from_settings(Settings(zalo_token="999:wrong-SECRET",
                                            zalo_base_url=fake.base_url))
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError,
                                                       match="NHACVIEC_ZALO_TOKEN") as err:
        await n.check()
    await n.aclose()
    assert "wrong-SECRET" not in str(err.value) + caplog.text


async def test_unreachable_platform_never_shows_the_token(caplog) -> None:
    client = ZaloClient(TOKEN, "http://127.0.0.1:9/bot", max_attempts=2, backoff=0.01)
    with caplog.at_level(logging.DEBUG), pytest.raises(ZaloUnavailable) as err:
        await client.get_me()
    await client.aclose()
    assert client.attempts == 2
    assert TOKEN not in str(err.value) + caplog.text
    assert "TEST_token" not in caplog.text


# --- pacing, on the imitation's arrival times -----------------------------------------------
def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((sum(1 for u in times if t <= u < t + window - EPS) for t in times), default=0)


async def test_the_limiter_keeps_one_per_second_per_chat_and_twenty_per_second() -> None:
    assert ZaloLimits() == ZaloLimits(overall=20, overall_window=1.0, per_chat_interval=1.0,
                                      max_retries=3)
    with FakeZaloApi() as fake:  # with its own flood control: a 429 would show
        n = notifier_for(fake, ZaloLimits())
        busy = [digest(f"c{i}", ("busy",), (reminder("1.1"),)) for i in range(4)]
        many = [digest(f"m{i}", (f"chat{i}",), (reminder("1.1"),)) for i in range(30)]
        results = await n.send_batch(busy + many)
        await n.aclose()
        assert all(r.ok for r in results)
        assert not fake.calls_of("sendMessage", ok=False)  # the imitation refused nothing
        one = sorted(c.t for c in fake.calls_of("sendMessage", chat_id="busy"))
        assert len(one) == 4 and all(b - a >= 1.0 - EPS for a, b in zip(one, one[1:],
                                                                         strict=False))
        assert max_in_window([c.t for c in fake.calls_of("sendMessage")], 1.0) <= 20


# --- with the dispatcher: crash, resume, fallback -------------------------------------------
def long_digest_to(fake: FakeZaloApi, url: str, chat: str, *, directory: Directory | None = None,
                   extra_emails: bool = True):  # noqa: ANN201
    """40 tasks due 24/01/2025 led by vp-ubnd (a digest of several parts), vp-ubnd linked to the
    Zalo `chat`; `dispatcher(wall, email)`: a new Dispatcher with a new ZaloNotifier (another
    process: nothing in memory) and a recording email channel."""
    from engine.dispatch.dispatcher import Dispatcher
    from engine.planning.planner import plan_plan
    from engine.planning.policy import Policy
    from engine.service.runtime import Runtime
    from engine.tracking.plan_store import store_plan
    from tests.plan_factory import D, calendar, plan, task
    from tests.plan_factory import directory as bundled

    d = directory or bundled()
    from engine.storage.db import get_engine

    rt = Runtime(Settings(database_url=url), get_engine(url), d, calendar(), Policy.bundled())
    tasks = [task("Cải cách TTHC", f"1.{i}", lead=["vp-ubnd"], dues=["2025-01-24"],
                  title="Rà soát thủ tục hành chính " * 4) for i in range(1, 41)]
    with rt.session() as s:
        summary = store_plan(s, plan(tasks), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.add(ChatLink(channel="zalo", chat_id=chat, agency_id="vp-ubnd",
                       linked_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC)))
        s.commit()

    def dispatcher(wall: dt.datetime, email: RecordingNotifier | None = None):  # noqa: ANN202
        n = notifier_for(fake)
        channels = [email or RecordingNotifier(channel="email"), n]
        return Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, channels,
                          wall_clock=lambda: wall), n

    return rt, dispatcher


def zalo_first(directory: Directory) -> Directory:
    """The bundled directory, vp-ubnd preferring Zalo (email only as the fallback)."""
    return Directory([e.model_copy(update={"channels": ("zalo",)}) if e.id == "vp-ubnd" else e
                      for e in directory], source="test")


async def test_a_process_dying_in_the_middle_of_a_long_message_leaves_its_parts_sent(
        fake, sqlite_url) -> None:
    """The sender dies while the third part is on the way (never answered; the wake-up is
    cancelled, nothing recorded). The parts that went were kept as they went: the dispatcher
    taking the message over after the lease sends only the rest, each part once."""
    from core.payload import from_payload

    chat = "z513"
    rt, dispatcher = long_digest_to(fake, sqlite_url, chat)
    wall = dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC)
    fake.hold("sendMessage", chat_id=chat, skip=2)
    first, n1 = dispatcher(wall)
    dying = asyncio.create_task(first.wake(AT))
    await fake.wait_for(lambda: len(fake.calls_of("sendMessage", chat_id=chat)) == 3)
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying
    await n1.aclose()
    delivered = [m.message_id for m in fake.sent(chat)]
    assert len(delivered) == 2
    with session(rt.engine) as s:
        key, state, provider_id = s.execute(
            select(Notification.key, Notification.state, Notification.provider_id)
            .where(Notification.recipient_id == "vp-ubnd", Notification.channel == "zalo")).one()
    assert state == "claimed" and provider_id == f"{chat}:{delivered[0]}+{delivered[1]}"
    lease = dt.timedelta(seconds=rt.policy.claim_lease_seconds)
    later, n2 = dispatcher(wall + lease + dt.timedelta(minutes=1))
    retried = await later.wake(AT + dt.timedelta(minutes=20))
    await n2.aclose()
    assert retried.retried == 1
    with session(rt.engine) as s:
        payload, state = s.execute(select(Notification.payload, Notification.state)
                                   .where(Notification.key == key)).one()
    expected = render_message(from_payload(payload))
    assert len(expected) >= 3
    assert fake.texts(chat) == expected  # each part once, in order
    assert state == "sent"


async def test_a_blocked_chat_sends_the_days_message_by_email_once(fake, sqlite_url) -> None:
    """vp-ubnd prefers Zalo, so its digest goes there only; the chat blocked the bot: the same
    digest goes by email, once, the Sở Nội vụ's list names the broken chat, and a second
    dispatcher finding the failed message sends nothing more."""
    from tests.plan_factory import directory as bundled

    chat = "z600"
    fake.block(chat)
    rt, dispatcher = long_digest_to(fake, sqlite_url, chat, directory=zalo_first(bundled()))
    email = RecordingNotifier(channel="email")
    d, n = dispatcher(dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC), email)
    result = await d.wake(AT)
    await n.aclose()
    zalo_msgs = [m for m in result.messages if m.channel == "zalo"]
    mails = [m for m in email.sent if m.recipient.id == "vp-ubnd"]
    assert [m.key for m in zalo_msgs] == ["agency_digest/vp-ubnd/zalo/2025-01-17"]
    assert [m.key for m in mails] == ["agency_digest/vp-ubnd/email/2025-01-17"]
    assert mails[0].items == zalo_msgs[0].items  # the same day's message, whole
    assert fake.sent(chat) == []
    with session(rt.engine) as s:
        states = dict(s.execute(select(Notification.channel, Notification.state).where(
            Notification.recipient_id == "vp-ubnd")).all())
        notice = s.execute(select(PlannedItem.detail).where(
            PlannedItem.key == "failed/agency_digest/vp-ubnd/zalo/2025-01-17")).scalar_one()
    assert states == {"zalo": "failed", "email": "sent"}
    assert notice["agency"] == "vp-ubnd" and f"«{chat}»" in notice["detail"]
    assert "bị chặn" in notice["detail"] and notice["detail"].endswith("đã gửi thay qua email")
    # Another wake-up the same day (a second service): nothing goes again, on either channel.
    again_email = RecordingNotifier(channel="email")
    d2, n2 = dispatcher(dt.datetime(2025, 1, 17, 2, 0, tzinfo=dt.UTC), again_email)
    await d2.wake(AT + dt.timedelta(hours=1))
    await n2.aclose()
    assert [m for m in again_email.sent if m.recipient.id == "vp-ubnd"] == []
    assert len(fake.calls_of("sendMessage", chat_id=chat)) == 1


async def test_an_agency_on_every_channel_gets_no_second_email(fake, sqlite_url) -> None:
    """Without a preference the digest goes by email and Zalo both; the Zalo chat is gone: the
    email that already went is the fallback, none is sent twice."""
    chat = "z601"
    fake.forget_chat(chat)
    rt, dispatcher = long_digest_to(fake, sqlite_url, chat)
    email = RecordingNotifier(channel="email")
    d, n = dispatcher(dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC), email)
    await d.wake(AT)
    await n.aclose()
    assert [m.key for m in email.sent if m.recipient.id == "vp-ubnd"] == [
        "agency_digest/vp-ubnd/email/2025-01-17"]
    with session(rt.engine) as s:
        detail = s.execute(select(PlannedItem.detail).where(
            PlannedItem.key == "failed/agency_digest/vp-ubnd/zalo/2025-01-17")).scalar_one()
    assert "chat not found" in detail["detail"] and "thay qua email" not in detail["detail"]


def test_a_preference_with_no_reachable_chat_falls_to_email() -> None:
    from engine.dispatch.items import channels_for
    from tests.plan_factory import directory as bundled

    entry = zalo_first(bundled()).get("vp-ubnd")
    both = Recipient("vp-ubnd", "VP", ("a@example.org",), zalo_chat_ids=("z",))
    email_only = dataclasses.replace(both, zalo_chat_ids=())
    assert channels_for(entry, both, ["email", "telegram", "zalo"]) == ["zalo"]
    assert channels_for(entry, email_only, ["email", "telegram", "zalo"]) == ["email"]
    assert channels_for(entry, both, ["email", "telegram"]) == ["email"]  # Zalo not configured
    assert channels_for(bundled().get("vp-ubnd"), both, ["email", "zalo"]) == ["email", "zalo"]
