"""TelegramNotifier through the Bot API imitation: what arrives, how failures are reported, and
the rate limiter checked on the arrival times the imitation recorded.

The limiter's properties are exact by construction (a send occupies its window until its
response has come back), so the assertions on arrival times use no tolerance beyond float
rounding and cannot flake on a slow machine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from core.errors import ConfigError
from core.messages import Item, OutgoingMessage, Recipient
from core.vocabulary import MessageKind, Reason
from engine.settings import Settings
from notifiers.telegram.limits import Limits, TelegramRateLimiter
from notifiers.telegram.notifier import TelegramNotifier, render_message
from notifiers.telegram.text import split_message, u16len
from tests.fakes import TOKEN, FakeBotApi

AT = dt.datetime(2025, 1, 17, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
EPS = 1e-6  # float rounding only


@pytest.fixture
def fake():
    with FakeBotApi() as api:
        yield api


def settings_for(fake: FakeBotApi, **extra) -> Settings:
    return Settings(telegram_token=TOKEN, telegram_base_url=fake.base_url, **extra)


@pytest.fixture
async def notifier(fake):
    # Pacing is checked by the limiter tests below; here it would only make the tests slow.
    fast = TelegramRateLimiter(Limits(per_chat_interval=0.0, group=1000))
    n = TelegramNotifier.from_settings(settings_for(fake, telegram_monitor_chat=-900,
                                                    telegram_steering_chat=-901), fast)
    yield n
    await n.aclose()


def digest(key: str, chats: tuple[int, ...], items: tuple[Item, ...],
           kind: str = MessageKind.AGENCY_DIGEST) -> OutgoingMessage:
    return OutgoingMessage(key=key, kind=kind, channel="telegram",
                           recipient=Recipient("so-tu-phap", "Sở Tư pháp", chat_ids=chats),
                           at=AT, items=items, plan_number="196/KH-UBND")


def reminder(code: str, deadline_id: int, title: str = "Rà soát TTHC", **kw) -> Item:
    return Item(reason=kw.pop("reason", Reason.REMINDER), group="Cải cách TTHC", code=code,
                title=title, due=dt.date(2025, 1, 24), role=kw.pop("role", "lead"),
                deadline_id=deadline_id, days_left=kw.pop("days_left", 5), **kw)


# --- what arrives ---------------------------------------------------------------------------
async def test_reminder_carries_its_two_buttons_with_the_deadline_id(notifier, fake) -> None:
    msg = digest("d1", (501,), (reminder("1.1", 42),))
    (result,) = await notifier.send_batch([msg])
    assert result.ok and result.key == "d1" and result.provider_id == "501:1"
    (sent,) = fake.sent(501)
    assert sent.parse_mode == "HTML"
    assert sent.buttons() == [("Đã hoàn thành", "dn:42"), ("Nhắc lại ngày mai", "sz:42")]
    assert "Kính gửi: <b>Sở Tư pháp</b>" in sent.text
    assert "• <b>1.1</b> Rà soát TTHC — hạn <b>24/01/2025</b>, còn 5 ngày làm việc" in sent.text


async def test_several_deadlines_get_labelled_rows_and_support_items_none(notifier,
                                                                         fake) -> None:
    items = (reminder("1.1", 1), reminder("1.2", 2, reason=Reason.LATE, days_left=None,
                                           days_late=3),
             reminder("3.4", 3, role="support"),
             Item(reason=Reason.REPORT_REMINDER, period="Quý I", due=dt.date(2025, 3, 18),
                  cutoff_from=dt.date(2024, 12, 15), cutoff_to=dt.date(2025, 3, 14),
                  data_entry_url="https://cchc.example.org", days_left=5))
    await notifier.send_batch([digest("d2", (502,), items)])
    (sent,) = fake.sent(502)
    assert sent.buttons() == [("1.1 · Đã hoàn thành", "dn:1"), ("1.1 · Nhắc lại ngày mai", "sz:1"),
                              ("1.2 · Đã hoàn thành", "dn:2"), ("1.2 · Nhắc lại ngày mai", "sz:2")]
    assert "⛔ Quá hạn, chưa hoàn thành (1)" in sent.text
    assert "trễ 3 ngày làm việc" in sent.text
    assert "<b>3.4</b> Rà soát TTHC — hạn <b>24/01/2025</b>, còn 5 ngày làm việc [phối hợp]" \
        in sent.text
    assert "• Báo cáo Quý I: hạn <b>18/03/2025</b>, còn 5 ngày làm việc" in sent.text
    assert "Số liệu tính từ 15/12/2024 đến 14/03/2025" in sent.text


async def test_titles_are_escaped(notifier, fake) -> None:
    item = reminder("1.1", 7, title="Sửa Quyết định <số 12> & Quy chế \"một cửa\"")
    (result,) = await notifier.send_batch([digest("d3", (503,), (item,))])
    assert result.ok  # the imitation parses the HTML as Telegram does: it accepted it
    text = fake.sent(503)[0].text
    assert "Sửa Quyết định &lt;số 12&gt; &amp; Quy chế &#34;một cửa&#34;" in text
    assert "<số 12>" not in text


async def test_long_message_split_under_4096_with_buttons_on_the_last_part(notifier,
                                                                          fake) -> None:
    items = tuple(reminder(f"4.{i}", i, title=f"Nhiệm vụ {i}: " + "cải cách thủ tục " * 15)
                  for i in range(1, 121))
    msg = digest("d4", (504,), items)
    (result,) = await notifier.send_batch([msg])
    assert result.ok
    parts = fake.sent(504)
    assert len(parts) >= 4 and all(u16len(p.text) <= 4096 for p in parts)
    assert [bool(p.reply_markup) for p in parts] == [False] * (len(parts) - 1) + [True]
    lines = "\n".join(p.text for p in parts).splitlines()
    codes = [m.group(1) for line in lines if (m := re.match(r"• <b>(4\.\d+)</b>", line))]
    assert codes == [f"4.{i}" for i in range(1, 121)]  # every line whole, in order
    assert [p.text for p in parts] == render_message(msg)


def test_split_message_cuts_an_overlong_line_without_breaking_markup() -> None:
    line = "<b>Tiêu đề</b> <i>" + "rà soát &amp; đánh giá " * 600 + "</i>"
    parts = split_message("Mở đầu\n" + line + "\nKết thúc", limit=4096)
    assert len(parts) >= 3 and all(u16len(p) <= 4096 for p in parts)
    for p in parts:
        assert p.count("<i>") == p.count("</i>") and p.count("<b>") == p.count("</b>")
        assert not re.search(r"&[a-z]*$", p)  # no entity cut in half
    assert parts[0].startswith("Mở đầu") and parts[-1].endswith("Kết thúc")


async def test_every_kind_renders_valid_telegram_html(notifier, fake) -> None:
    late = reminder("2.1", 9, reason=Reason.LATE, days_late=12, agency_id="so-tu-phap",
                    agency_name="Sở Tư pháp & Cơ quan <X>")
    needs = Item(reason=Reason.NEEDS_DUE, group="Cải cách TTHC", code="5.1", title="Theo KH",
                 agency_name="Sở Y tế")
    monitor = digest("m1", (), (late, needs), kind=MessageKind.MONITOR_LIST)
    steering = OutgoingMessage(key="s1", kind=MessageKind.STEERING_DIGEST, channel="telegram",
                               recipient=Recipient("bcd-cchc", "Ban Chỉ đạo CCHC"), at=AT,
                               items=(late,), stats={"Sở Tư pháp": {"overdue": 1,
                                                                     "done_on_time": 4}})
    explain = digest("e1", (505,), (late,), kind=MessageKind.EXPLANATION_REQUEST)
    results = await notifier.send_batch([monitor, steering, explain])
    assert [r.ok for r in results] == [True, True, True]
    (m,) = fake.sent(-900)  # the Sở Nội vụ chat of the settings
    assert "Nhiệm vụ quá hạn (1)" in m.text and "Nhiệm vụ cần xác định thời hạn (1)" in m.text
    assert "<i>Sở Tư pháp &amp; Cơ quan &lt;X&gt;</i>" in m.text
    (s,) = fake.sent(-901)  # the Steering Committee chat
    assert "• Sở Tư pháp: 1 quá hạn, 4 hoàn thành đúng hạn" in s.text
    (e,) = fake.sent(505)
    assert e.text.startswith("<b>✉️ Đề nghị báo cáo giải trình</b>")
    assert not any(x.reply_markup for x in (m, s, e))


# --- failures -------------------------------------------------------------------------------
async def test_429_is_waited_out_and_nothing_is_sent_twice(notifier, fake) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=506,
              retry_after=1)
    (result,) = await notifier.send_batch([digest("r1", (506,), (reminder("1.1", 1),))])
    assert result.ok and result.attempts == 2
    refused, accepted = fake.calls_of("sendMessage", chat_id=506)
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.t - refused.t >= 1.0 - EPS  # retry_after honoured
    assert len(fake.sent(506)) == 1


async def test_429_in_the_middle_of_a_long_message_resends_only_that_part(notifier,
                                                                         fake) -> None:
    items = tuple(reminder(f"4.{i}", i, title="x " * 200) for i in range(1, 60))
    msg = digest("r2", (507,), items)
    expected = render_message(msg)
    assert len(expected) >= 3
    fake.fail("sendMessage", 429, chat_id=507, retry_after=1, skip=1)
    (result,) = await notifier.send_batch([msg])
    assert result.ok
    assert [m.text for m in fake.sent(507)] == expected  # each part once, in order


async def test_blocked_chat_is_a_permanent_failure(notifier, fake) -> None:
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=508)
    (result,) = await notifier.send_batch([digest("b1", (508, 509), (reminder("1.1", 1),))])
    assert not result.ok and result.permanent
    assert "508" in result.detail and "bị chặn" in result.detail
    assert len(fake.sent(509)) == 1 and fake.sent(508) == []  # the other chat still got it


async def test_chat_not_found_is_permanent_and_no_chat_is_permanent(notifier, fake) -> None:
    fake.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=510)
    nowhere, missing = await notifier.send_batch([
        digest("n1", (), (reminder("1.1", 1),)), digest("n2", (510,), (reminder("1.1", 1),))])
    assert not nowhere.ok and nowhere.permanent and "chưa có nhóm Telegram" in nowhere.detail
    assert not missing.ok and missing.permanent and "chat not found" in missing.detail.lower()


async def test_transient_failure_then_retry_sends_only_the_missing_parts(notifier,
                                                                        fake) -> None:
    items = tuple(reminder(f"4.{i}", i, title="y " * 200) for i in range(1, 60))
    msg = digest("t1", (511,), items)
    expected = render_message(msg)
    fake.fail("sendMessage", 500, "Internal Server Error", chat_id=511, skip=1)
    (first,) = await notifier.send_batch([msg])
    assert not first.ok and not first.permanent
    assert [m.text for m in fake.sent(511)] == expected[:1]
    (second,) = await notifier.send_batch([msg])  # the dispatcher retries later
    assert second.ok
    assert [m.text for m in fake.sent(511)] == expected  # part 1 not repeated


async def test_wrong_token_is_a_configuration_error(fake) -> None:
    n = TelegramNotifier.from_settings(Settings(telegram_token="1:wrong",
                                                telegram_base_url=fake.base_url))
    with pytest.raises(ConfigError, match="NHACVIEC_TELEGRAM_TOKEN"):
        await n.send_batch([digest("w1", (512,), (reminder("1.1", 1),))])
    assert fake.sent() == []


# --- the limits, on the imitation's arrival times -------------------------------------------
def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((sum(1 for u in times if t <= u < t + window - EPS) for t in times), default=0)


async def test_limiter_keeps_one_per_second_per_chat_and_thirty_per_second(fake) -> None:
    assert Limits() == Limits(overall=30, overall_window=1.0, per_chat_interval=1.0, group=20,
                              group_window=60.0, max_retries=3)
    n = TelegramNotifier.from_settings(settings_for(fake), TelegramRateLimiter())
    busy = [digest(f"c{i}", (600,), (reminder("1.1", i),)) for i in range(4)]
    many = [digest(f"m{i}", (700 + i,), (reminder("1.1", i),)) for i in range(40)]
    try:
        results = await n.send_batch(busy + many)
    finally:
        await n.aclose()
    assert all(r.ok for r in results)
    one_chat = sorted(c.t for c in fake.calls_of("sendMessage", chat_id=600))
    assert len(one_chat) == 4
    assert all(b - a >= 1.0 - EPS for a, b in zip(one_chat, one_chat[1:], strict=False))
    everything = [c.t for c in fake.calls_of("sendMessage")]
    assert len(everything) == 44
    assert max_in_window(everything, 1.0) <= 30


async def test_limiter_keeps_the_group_limit(fake) -> None:
    # The group rule with a short window (20/60 s would make a minute-long test); same code.
    limits = Limits(per_chat_interval=0.0, group=2, group_window=1.0)
    n = TelegramNotifier.from_settings(settings_for(fake), TelegramRateLimiter(limits))
    msgs = [digest(f"g{i}", (-800,), (reminder("1.1", i),)) for i in range(5)]
    try:
        results = await n.send_batch(msgs)
    finally:
        await n.aclose()
    assert all(r.ok for r in results)
    times = [c.t for c in fake.calls_of("sendMessage", chat_id=-800)]
    assert len(times) == 5
    assert max_in_window(times, 1.0) <= 2


async def test_bots_built_apart_share_one_limiter_by_default(fake) -> None:
    # The service builds the notifier before its loop runs and the bot's Application after;
    # by default both pace through the loop's one limiter.
    a = TelegramNotifier.from_settings(settings_for(fake))
    b = TelegramNotifier.from_settings(settings_for(fake))
    try:
        await asyncio.gather(a.send_batch([digest("x1", (900,), (reminder("1.1", 1),))]),
                             b.send_batch([digest("x2", (900,), (reminder("1.1", 2),))]))
    finally:
        await a.aclose()
        await b.aclose()
    first, second = sorted(c.t for c in fake.calls_of("sendMessage", chat_id=900))
    assert second - first >= 1.0 - EPS


def test_monitor_list_has_a_section_for_tasks_without_a_lead() -> None:
    items = (Item(Reason.NEEDS_LEAD, group="Cải cách thủ tục", code="4.1",
                  title="Ban hành Kế hoạch", due=dt.date(2025, 3, 31)),
             Item(Reason.NEEDS_DUE, group="Cải cách TTHC", code="7", title="Cấp Phiếu lý lịch",
                  label="Theo Công văn số 3553/UBND-NC"))
    text = "\n".join(render_message(digest("m", (-900,), items, kind=MessageKind.MONITOR_LIST)))
    assert "Nhiệm vụ chưa có cơ quan chủ trì (1)" in text
    assert "Nhiệm vụ cần xác định thời hạn (1)" in text
    assert "Ban hành Kế hoạch" in text and "Cấp Phiếu lý lịch" in text


def long_digest_to(fake: FakeBotApi, sqlite_url: str, chat: int):  # noqa: ANN201
    """A plan whose 40 tasks, due 24/01/2025 and led by vp-ubnd, make a digest of several
    parts, vp-ubnd linked to `chat`; and `dispatcher(wall)`: a new Dispatcher with a new
    TelegramNotifier (another process: nothing in memory), its wall clock at `wall`."""
    from engine.dispatch.dispatcher import Dispatcher
    from engine.planning.planner import plan_plan
    from engine.storage.models import ChatLink
    from engine.tracking.plan_store import store_plan
    from tests.plan_factory import D, plan, runtime, task

    rt = runtime(sqlite_url)
    tasks = [task("Cải cách TTHC", f"1.{i}", lead=["vp-ubnd"], dues=["2025-01-24"],
                  title="Rà soát thủ tục hành chính " * 12) for i in range(1, 41)]
    with rt.session() as s:
        summary = store_plan(s, plan(tasks), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.add(ChatLink(chat_id=chat, agency_id="vp-ubnd",
                       linked_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC)))
        s.commit()
    fast = TelegramRateLimiter(Limits(per_chat_interval=0.0, group=1000))

    def dispatcher(wall: dt.datetime) -> tuple[Dispatcher, TelegramNotifier]:
        n = TelegramNotifier.from_settings(settings_for(fake), fast)
        return Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [n],
                          wall_clock=lambda: wall), n

    return rt, dispatcher


async def test_a_retry_in_another_process_resumes_after_the_parts_delivered(fake,
                                                                           sqlite_url) -> None:
    """A long digest fails at its second part. The parts delivered are recorded with the
    attempt; a dispatcher in another process (a new notifier, nothing in memory) takes the
    retry over and sends only the parts that had not arrived."""
    from sqlalchemy import select

    from engine.storage.db import session
    from engine.storage.models import Notification

    chat = 512
    rt, dispatcher = long_digest_to(fake, sqlite_url, chat)

    fake.fail("sendMessage", 500, "Internal Server Error", chat_id=chat, skip=1)
    first, n1 = dispatcher(dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC))
    result = await first.wake(AT)
    await n1.aclose()
    (msg,) = [m for m in result.messages if m.recipient.id == "vp-ubnd"]
    expected = render_message(msg)
    assert len(expected) >= 3
    assert [m.text for m in fake.sent(chat)] == expected[:1]
    with session(rt.engine) as s:
        state, provider_id = s.execute(select(Notification.state, Notification.provider_id)
                                       .where(Notification.key == msg.key)).one()
    assert state == "retry" and provider_id == f"{chat}:{fake.sent(chat)[0].message_id}"

    second, n2 = dispatcher(dt.datetime(2025, 1, 17, 2, 0, tzinfo=dt.UTC))
    retried = await second.wake(AT + dt.timedelta(hours=1))
    await n2.aclose()
    assert retried.retried == 1
    assert [m.text for m in fake.sent(chat)] == expected  # each part once, in order
    with session(rt.engine) as s:
        state, provider_id = s.execute(select(Notification.state, Notification.provider_id)
                                       .where(Notification.key == msg.key)).one()
    assert state == "sent"
    assert provider_id == f"{chat}:" + "+".join(str(m.message_id) for m in fake.sent(chat))


async def test_a_process_dying_in_the_middle_of_a_long_message_leaves_its_parts_sent(
        fake, sqlite_url) -> None:
    """The process sending a long digest dies while its third part is on the way (the Bot API
    never answers; the wake-up is cancelled: claimed, nothing recorded). The parts that went are
    kept as they go, so the dispatcher that takes the message over after the claim's lease
    sends the rest, and the agency's chat has each part once."""
    from sqlalchemy import select

    from core.payload import from_payload
    from engine.storage.db import session
    from engine.storage.models import Notification

    chat = 513
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
            .where(Notification.recipient_id == "vp-ubnd",
                   Notification.channel == "telegram")).one()
    assert state == "claimed"  # nothing recorded: the process died
    assert provider_id == f"{chat}:{delivered[0]}+{delivered[1]}"

    # Within the lease nobody takes it over; after it, the next dispatcher resumes.
    lease = dt.timedelta(seconds=rt.policy.claim_lease_seconds)
    early, n2 = dispatcher(wall + lease - dt.timedelta(seconds=5))
    assert (await early.wake(AT + dt.timedelta(minutes=10))).retried == 0
    await n2.aclose()
    later, n3 = dispatcher(wall + lease + dt.timedelta(minutes=1))
    retried = await later.wake(AT + dt.timedelta(minutes=20))
    await n3.aclose()
    assert retried.retried == 1
    texts = [m.text for m in fake.sent(chat)]
    with session(rt.engine) as s:
        payload, state = s.execute(select(Notification.payload, Notification.state)
                                   .where(Notification.key == key)).one()
    expected = render_message(from_payload(payload))
    assert len(expected) >= 3
    assert texts == expected  # each part once, in order
    assert state == "sent"


async def test_parts_that_cannot_be_kept_as_they_go_do_not_stop_the_message(
        fake, sqlite_url, caplog) -> None:
    """The database refuses the progress of a long message (a trigger aborts any change of a
    claimed message's provider id that leaves it claimed): every part still goes, once, the
    outcome is recorded, and the log says what could not be kept."""
    from sqlalchemy import select, text

    from engine.storage.db import session
    from engine.storage.models import Notification

    chat = 514
    rt, dispatcher = long_digest_to(fake, sqlite_url, chat)
    with session(rt.engine) as s, s.begin():
        s.execute(text("CREATE TRIGGER refuse_progress BEFORE UPDATE OF provider_id ON "
                       "notification WHEN NEW.state = 'claimed' "
                       "BEGIN SELECT RAISE(ABORT, 'progress refused'); END"))
    d, n = dispatcher(dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC))
    with caplog.at_level("WARNING", logger="engine.dispatch.dispatcher"):
        result = await d.wake(AT)
    await n.aclose()
    (msg,) = [m for m in result.messages if m.recipient.id == "vp-ubnd"]
    expected = render_message(msg)
    assert len(expected) >= 3
    assert [m.text for m in fake.sent(chat)] == expected
    with session(rt.engine) as s:
        state, provider_id = s.execute(select(Notification.state, Notification.provider_id)
                                       .where(Notification.key == msg.key)).one()
    assert state == "sent"
    assert provider_id == f"{chat}:" + "+".join(str(m.message_id) for m in fake.sent(chat))
    refused = [r for r in caplog.records if "could not keep the parts" in r.getMessage()]
    assert len(refused) == len(expected) - 1 and "progress refused" in refused[0].getMessage()
