"""The Zalo bot end to end: updates through getUpdates (one per call) of the Zalo Bot API
imitation, replies through sendMessage, on a real SQLite file and on PostgreSQL; the webhook
handler called as the web desk will call it.

Expected texts are written from the hand-made plan in tests/fakes.py and the 2025 calendar
(Tết 25/01-02/02/2025), not copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.errors import ConfigError
from engine.settings import Settings
from engine.storage.models import Completion, LinkAttempt
from engine.tracking.bot_store import SqlBotBackend
from notifiers.zalo import bot as replies
from notifiers.zalo.bot import ChatRate, ZaloBot
from notifiers.zalo.client import ZaloClient
from notifiers.zalo.limits import ZaloLimits, ZaloRateLimiter
from notifiers.zalo.receive import Receiver, handle_webhook_update, webhook_secret
from tests.fakes import TODAY_TEXT, seed_plan
from tests.fakes_zalo import TOKEN, FakeZaloApi

TODAY = dt.datetime.fromisoformat(TODAY_TEXT)
MONITOR, STEERING = "snv-chat", "bcd-chat"
TP = "7a1f0c3e9b2d"  # the Sở Tư pháp chat
TC = "5b2e8d1c4a6f"  # the Sở Tài chính chat
STRANGER = "99ffee00aa11"


@pytest.fixture
def fake():
    with FakeZaloApi(rate_limit=False, max_poll=0.5) as api:
        yield api


@pytest.fixture
def settings(db_url, fake) -> Settings:
    return Settings(database_url=db_url, zalo_token=TOKEN, zalo_base_url=fake.base_url,
                    zalo_monitor_chat=MONITOR, zalo_steering_chat=STEERING)


@pytest.fixture
def backend(settings):
    b = SqlBotBackend.from_settings(settings, channel="zalo")
    b.ids = seed_plan(b.engine)
    b.link_chat("so-tu-phap", TP, TODAY)
    b.link_chat("so-tai-chinh", TC, TODAY)
    yield b
    b.engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = TODAY

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def running(settings, backend, fake):
    clock = Clock()
    client = ZaloClient.from_settings(settings, limiter=ZaloRateLimiter(
        ZaloLimits(per_chat_interval=0.0, overall=10_000)))
    bot = ZaloBot(settings, backend, client, clock=clock, calendar=backend.calendar)
    receiver = Receiver(bot, client, poll_timeout=1)
    await receiver.start()
    yield receiver, clock
    await receiver.stop()
    await client.aclose()


async def ask(fake: FakeZaloApi, chat: str, text: str, parts: int = 1) -> list[str]:
    before = len(fake.sent(chat))
    fake.push_message(chat, text)
    return (await fake.wait_sent(chat, before + parts))[before:]


# --- refusal, linking -----------------------------------------------------------------------
async def test_unlinked_chat_gets_only_the_refusal(running, fake, backend) -> None:
    commands = ["/mytasks", "quá hạn", "/upcoming 30", "/task 1.1", "/done 1.1", "báo cáo",
                "/help", "CÓ", "xin chào", "/mytasks Sở Tư pháp"]
    for i, text in enumerate(commands, 1):
        fake.push_message(STRANGER, text)
        await fake.wait_sent(STRANGER, i)
    assert fake.texts(STRANGER) == [replies.REFUSAL] * len(commands)
    assert "Sở Nội vụ" in replies.REFUSAL and "/link" in replies.REFUSAL
    assert backend.agency_of_chat(STRANGER) is None
    assert fake.calls_of("getUpdates") and fake.calls_of("deleteWebhook")  # it polls


async def test_link_with_a_code_binds_the_chat_and_a_used_code_is_refused(running, fake,
                                                                         backend) -> None:
    code, _ = backend.create_link_code("so-tai-chinh", TODAY)
    (reply,) = await ask(fake, STRANGER, f"/link {code.lower()}")
    assert reply == replies.LINKED.format(name="Sở Tài chính")
    assert backend.agency_of_chat(STRANGER) == "so-tai-chinh"
    (tasks,) = await ask(fake, STRANGER, "việc của tôi")
    assert tasks.startswith("Nhiệm vụ đang mở của Sở Tài chính (2)")
    (again,) = await ask(fake, "another", f"liên kết {code}")
    assert again == replies.LINK_ERRORS["used"]
    assert backend.agency_of_chat("another") is None


async def test_a_telegram_code_does_not_link_a_zalo_chat(running, fake, settings) -> None:
    telegram = SqlBotBackend.from_settings(settings)  # channel telegram
    code, _ = telegram.create_link_code("so-tai-chinh", TODAY)
    (reply,) = await ask(fake, STRANGER, f"/link {code}")
    assert reply == replies.LINK_ERRORS["unknown"]
    telegram.engine.dispose()


async def test_wrong_codes_are_counted_in_the_database_and_lock_the_chat(running, fake,
                                                                        backend) -> None:
    """Five wrong codes within an hour: the sixth attempt is refused without looking the code
    up (a valid one stays unspent); the count is rows in the database, so another bot process
    sees it; an hour after the first wrong one, the chat may link."""
    _, clock = running
    code, _ = backend.create_link_code("so-tai-chinh", TODAY)
    for i in range(5):
        clock.now = TODAY + dt.timedelta(minutes=i)
        (wrong,) = await ask(fake, STRANGER, f"/link WRONG{i:03d}")
        assert wrong == replies.LINK_ERRORS["unknown"]
    with Session(backend.engine) as s:
        assert s.scalar(select(func.count()).select_from(LinkAttempt).where(
            LinkAttempt.channel == "zalo", LinkAttempt.chat_id == STRANGER)) == 5
    clock.now = TODAY + dt.timedelta(minutes=20)
    (locked,) = await ask(fake, STRANGER, f"/link {code}")
    assert locked == replies.LINK_LOCKED.format(tries=5, minutes=40)
    assert backend.agency_of_chat(STRANGER) is None
    # Another process (a new backend on the same database) sees the same count.
    other = SqlBotBackend(backend.engine, backend.directory, backend.calendar, channel="zalo")
    assert other.link_locked_until(STRANGER, clock.now) == TODAY + dt.timedelta(hours=1)
    (free,) = await ask(fake, "other-chat", "/link WRONG999")  # other chats are not held
    assert free == replies.LINK_ERRORS["unknown"]
    clock.now = TODAY + dt.timedelta(minutes=60)
    (linked,) = await ask(fake, STRANGER, f"/link {code}")
    assert linked == replies.LINKED.format(name="Sở Tài chính")
    with Session(backend.engine) as s:  # linked: its wrong attempts are forgotten
        assert s.scalar(select(func.count()).select_from(LinkAttempt).where(
            LinkAttempt.chat_id == STRANGER)) == 0


async def test_commands_beyond_the_per_chat_limit_cost_nothing(settings, backend, fake) -> None:
    class Counting(SqlBotBackend):
        reads = 0

        def agency_of_chat(self, chat_id):  # noqa: ANN001, ANN202
            Counting.reads += 1
            return super().agency_of_chat(chat_id)

    counted = Counting(backend.engine, backend.directory, backend.calendar, channel="zalo")
    client = ZaloClient.from_settings(settings, limiter=ZaloRateLimiter(
        ZaloLimits(per_chat_interval=0.0, overall=10_000)))
    bot = ZaloBot(settings, counted, client, clock=lambda: TODAY,
                  rate=ChatRate(limit=3, window=60))
    for i in range(6):
        await bot.handle_update({"event_name": "message.text.received", "message": {
            "message_id": f"x{i}", "text": "/mytasks", "chat": {"id": STRANGER}}})
    await client.aclose()
    texts = fake.texts(STRANGER)
    assert texts[:3] == [replies.REFUSAL] * 3
    assert texts[3] == "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút." and len(texts) == 4
    # Commands beyond the limit never reached the database, and neither did the refused
    # chat's second and third: its refusal is remembered for a minute.
    assert Counting.reads == 1


# --- what a linked chat sees ----------------------------------------------------------------
async def test_mytasks_overdue_upcoming_task_report_help(running, fake) -> None:
    (mine,) = await ask(fake, TP, "/mytasks")
    lines = mine.splitlines()
    assert lines[0] == "Nhiệm vụ đang mở của Sở Tư pháp (4)"
    assert lines[1] == ("• 1.1 Rà soát thủ tục <nội bộ> & đơn giản hóa — hạn 24/01/2025 · quá "
                        "hạn (6 ngày làm việc)")
    assert lines[2] == ("• 1.2 Công bố danh mục TTHC — hạn 14/02/2025 · sắp đến hạn (còn 4 "
                        "ngày làm việc)")
    (overdue,) = await ask(fake, TP, "quá hạn")
    assert overdue.splitlines()[0] == "Nhiệm vụ quá hạn của Sở Tư pháp (1)"
    assert "1.1 Rà soát" in overdue and "1.2" not in overdue
    (soon,) = await ask(fake, TP, "sắp tới 5 ngày")
    assert soon.splitlines()[0] == "Nhiệm vụ của Sở Tư pháp đến hạn trong 5 ngày tới (1)"
    assert "1.2 Công bố" in soon
    (task,) = await ask(fake, TP, "/task 1.3")
    assert task.splitlines()[:2] == ["Nhiệm vụ 1.3 · Cải cách TTHC",
                                     "Báo cáo kết quả kiểm soát TTHC"]
    assert "• Hạn 18/06/2025 (Báo cáo 6 tháng): chưa đến hạn" in task
    (report,) = await ask(fake, TP, "/report")
    assert ("• Báo cáo Quý I (Kế hoạch số 196/KH-UBND): hạn 18/03/2025, còn 26 ngày làm việc"
            in report)
    assert "Số liệu tính từ 15/12/2024 đến 14/03/2025" in report
    (help_,) = await ask(fake, TP, "trợ giúp")
    assert "Cuộc trò chuyện này nhận nhắc việc của Sở Tư pháp." in help_
    assert "/done MÃ [số văn bản] (xong MÃ)" in help_
    (unknown,) = await ask(fake, TP, "chào bot")
    assert unknown == replies.UNKNOWN


async def test_a_linked_chat_cannot_ask_for_another_agency_the_monitor_can(running,
                                                                          fake) -> None:
    (refused,) = await ask(fake, TP, "/mytasks Sở Tài chính")
    assert refused == replies.ONLY_ALL
    (summary,) = await ask(fake, MONITOR, "/mytasks")
    assert summary.splitlines()[0] == "Tình hình nhiệm vụ đang mở theo cơ quan"
    assert "• Sở Tư pháp: 4 đang mở, 1 quá hạn" in summary
    (named,) = await ask(fake, STEERING, "quá hạn Sở Tư pháp")
    assert named.startswith("Nhiệm vụ quá hạn của Sở Tư pháp (1)")


async def test_done_asks_then_cos_records_the_completion(running, fake, backend) -> None:
    (ask_text,) = await ask(fake, TP, "/done 1.1 123/BC-STP")
    assert ask_text.splitlines() == [
        "Xác nhận hoàn thành?",
        "• 1.1 Rà soát thủ tục <nội bộ> & đơn giản hóa — hạn 24/01/2025",
        "Văn bản: 123/BC-STP",
        "Trả lời CÓ để xác nhận, hoặc KHÔNG để hủy, trong 10 phút."]
    with Session(backend.engine) as s:
        assert s.scalar(select(func.count()).select_from(Completion)) == 0
    (done,) = await ask(fake, TP, "CÓ")
    assert done.startswith("✅ Đã ghi nhận hoàn thành nhiệm vụ 1.1 (hạn 24/01/2025) ngày "
                           "10/02/2025, văn bản số 123/BC-STP")
    with Session(backend.engine) as s:
        (c,) = s.scalars(select(Completion)).all()
    assert (c.agency_id, c.document_no) == ("so-tu-phap", "123/BC-STP")
    assert c.recorded_by.startswith(f"zalo:{TP}")
    (again,) = await ask(fake, TP, "có")
    assert again == replies.NOTHING_PENDING


async def test_a_confirmation_expires_and_no_cancels(running, fake, backend) -> None:
    _, clock = running
    await ask(fake, TP, "xong 1.2")
    (cancel,) = await ask(fake, TP, "không")
    assert cancel == replies.CANCELLED
    await ask(fake, TP, "/done 1.2")
    clock.now = TODAY + dt.timedelta(minutes=11)
    (late,) = await ask(fake, TP, "CÓ")
    assert late == replies.CONFIRM_EXPIRED
    with Session(backend.engine) as s:
        assert s.scalar(select(func.count()).select_from(Completion)) == 0


async def test_support_agency_cannot_complete(running, fake) -> None:
    (reply,) = await ask(fake, TC, "/done 1.2")
    assert reply == ("Cơ quan chỉ phối hợp thực hiện nhiệm vụ này; cơ quan chủ trì báo hoàn "
                     "thành.")


# --- the webhook, as the web desk calls it --------------------------------------------------
async def test_webhook_checks_the_secret_and_answers_through_the_bot(settings, backend,
                                                                     fake) -> None:
    hooked = settings.model_copy(update={"zalo_webhook_url": "https://cchc.example.org/zalo"})
    secret = webhook_secret(hooked)
    assert 8 <= len(secret) <= 256 and TOKEN not in secret
    assert await handle_webhook_update({}, b"{}") == (503, b"bot Zalo chua chay")
    client = ZaloClient.from_settings(hooked)
    receiver = Receiver(ZaloBot(hooked, backend, client, clock=lambda: TODAY), client,
                        webhook_url=hooked.zalo_webhook_url, secret=secret)
    await receiver.start()
    try:
        assert fake.webhook == {"url": "https://cchc.example.org/zalo", "secret_token": secret,
                                "updated_at": fake.webhook["updated_at"]}
        update = {"event_name": "message.text.received", "message": {
            "message_id": "w1", "date": 1739152800000, "text": "/mytasks",
            "chat": {"id": TP, "chat_type": "PRIVATE"}, "from": {"id": "u1"}}}
        body = json.dumps(update).encode()
        assert (await handle_webhook_update({}, body))[0] == 401
        assert (await handle_webhook_update({"X-Bot-Api-Secret-Token": secret + "x"},
                                            body))[0] == 401
        assert (await handle_webhook_update({"x-bot-api-secret-token": secret},
                                            b"not json"))[0] == 400
        assert await handle_webhook_update({"X-Bot-Api-Secret-Token": secret}, body) == (
            200, b"ok")
        (reply,) = await fake.wait_sent(TP)
        assert reply.startswith("Nhiệm vụ đang mở của Sở Tư pháp (4)")
        # The same update again (a webhook retry) is answered once.
        await handle_webhook_update({"X-Bot-Api-Secret-Token": secret}, body)
        await receiver.stop()
        assert len(fake.sent(TP)) == 1
        assert not fake.calls_of("getUpdates")  # webhook mode: no polling
    finally:
        await receiver.stop()
        await client.aclose()
    assert await handle_webhook_update({"X-Bot-Api-Secret-Token": secret}, body) == (
        503, b"bot Zalo chua chay")


async def test_wrong_token_is_a_config_error_in_vietnamese(settings, backend, fake) -> None:
    bad = settings.model_copy(update={"zalo_token": type(settings.zalo_token)("1:bad")})
    client = ZaloClient.from_settings(bad)
    receiver = Receiver(ZaloBot(bad, backend, client, clock=lambda: TODAY), client)
    with pytest.raises(ConfigError) as err:
        await receiver.start()
    await client.aclose()
    assert err.value.exit_code == 3 and "NHACVIEC_ZALO_TOKEN" in str(err.value)
    assert "1:bad" not in str(err.value)
    assert not fake.calls_of("getUpdates")
