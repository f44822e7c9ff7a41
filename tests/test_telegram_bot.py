"""The bot, end to end: the real python-telegram-bot Application against the Bot API imitation
(updates through getUpdates, replies through sendMessage), on a real SQLite file and on
PostgreSQL.

Expected texts are written from the hand-made plan in tests/fakes.py and the 2025 calendar
(Tết 25/01-02/02/2025), not copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session, select

from core.errors import ConfigError
from engine.planning.planner import plan_duties
from engine.settings import Settings
from engine.storage.models import ChatLink, Completion, PlannedItem
from engine.tracking.bot_store import SqlBotBackend
from notifiers.telegram.bot import COMMANDS, build_application, start_bot, stop_bot
from notifiers.telegram.limits import Limits, TelegramRateLimiter
from notifiers.telegram.replies import (
    LINK_ERRORS,
    LINK_LOCKED,
    NOT_YOURS,
    ONLY_ALL,
    REFUSAL,
)
from tests.fakes import TODAY_TEXT, TOKEN, FakeBotApi, seed_plan

TODAY = dt.datetime.fromisoformat(TODAY_TEXT)
MONITOR, STEERING = -1001, -1002
TP_CHAT = -2001  # the Sở Tư pháp group
TC_CHAT = 3001  # a private chat linked to Sở Tài chính
STRANGER = 4001


@pytest.fixture
def fake():
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def settings(db_url, fake) -> Settings:
    # Every conversation on both databases: the store's queries (links, completions, the
    # agency's own tasks) are SQL of their own.
    return Settings(database_url=db_url, telegram_token=TOKEN,
                    telegram_base_url=fake.base_url, telegram_monitor_chat=MONITOR,
                    telegram_steering_chat=STEERING)


@pytest.fixture
def backend(settings):
    b = SqlBotBackend.from_settings(settings)
    b.ids = seed_plan(b.engine)
    b.link_chat("so-tu-phap", TP_CHAT, TODAY, "Nhóm Sở Tư pháp")
    b.link_chat("so-tai-chinh", TC_CHAT, TODAY)
    yield b
    b.engine.dispose()


def fast_limiter() -> TelegramRateLimiter:
    # These tests are about answers, not pacing (test_telegram_sender checks the limits).
    return TelegramRateLimiter(Limits(per_chat_interval=0.0, group=1000))


@pytest.fixture
async def bot(settings, backend, fake):
    app = build_application(settings, backend, clock=lambda: TODAY, calendar=backend.calendar,
                            limiter=fast_limiter())
    await start_bot(app)
    yield app
    await stop_bot(app)


async def ask(fake: FakeBotApi, chat: int, text: str, parts: int = 1) -> list[str]:
    before = len(fake.sent(chat))
    fake.push_message(chat, text)
    return (await fake.wait_sent(chat, before + parts))[before:]


def completions(backend) -> list[Completion]:
    with Session(backend.engine) as s:
        return list(s.exec(select(Completion)))


# --- start, commands, refusal ---------------------------------------------------------------
async def test_start_registers_commands_with_set_my_commands(bot, fake) -> None:
    assert [c["command"] for c in fake.commands] == [c for c, _ in COMMANDS]
    assert {"mytasks", "overdue", "upcoming", "task", "done", "report", "help"} <= \
        {c["command"] for c in fake.commands}
    await fake.wait_for(lambda: fake.calls_of("getUpdates"))  # and it polls


async def test_unlinked_chat_gets_only_the_refusal(settings, backend, fake) -> None:
    app = build_application(settings, backend, clock=lambda: TODAY, calendar=backend.calendar,
                            limiter=fast_limiter())
    await start_bot(app)
    commands = ["/mytasks", "/overdue", "/upcoming 30", "/task 1.1", "/done 1.1", "/report",
                "/help", "/start", "/mytasks Sở Tư pháp"]
    for i, text in enumerate(commands, 1):
        fake.push_message(STRANGER, text)
        await fake.wait_sent(STRANGER, i)
    await stop_bot(app)  # every handler finished: nothing more can come
    texts = [m.text for m in fake.sent(STRANGER)]
    assert texts == [REFUSAL] * len(commands)
    assert "Sở Nội vụ" in REFUSAL and "/link" in REFUSAL
    assert backend.agency_of_chat(STRANGER) is None


async def test_button_from_unlinked_chat_is_refused(bot, fake, backend) -> None:
    # The stranger presses a forged button under an old bot message in its chat.
    await ask(fake, STRANGER, "/help")
    msg = fake.sent(STRANGER)[0]
    deadline = backend.ids[("1.1", "2025-01-24", "so-tu-phap")]
    fake.push_callback(STRANGER, msg.message_id, f"ok:{deadline}:X")
    await fake.wait_for(lambda: fake.calls_of("answerCallbackQuery"))
    answer = fake.calls_of("answerCallbackQuery")[0].params
    assert answer["text"] == REFUSAL
    assert completions(backend) == []
    assert len(fake.sent(STRANGER)) == 1


# --- linking --------------------------------------------------------------------------------
async def test_link_with_a_valid_code_binds_the_chat(bot, fake, backend) -> None:
    code, expires = backend.create_link_code("so-tai-chinh", TODAY - dt.timedelta(hours=47))
    assert expires == TODAY + dt.timedelta(hours=1)
    (reply,) = await ask(fake, STRANGER, f"/link {code}")
    assert reply.startswith("Đã liên kết nhóm này với <b>Sở Tài chính</b>.")
    assert backend.agency_of_chat(STRANGER) == "so-tai-chinh"
    with Session(backend.engine) as s:
        link = s.get(ChatLink, ("telegram", str(STRANGER)))
        assert link is not None and link.linked_by == "code"
    # Now the chat is answered.
    (tasks,) = await ask(fake, STRANGER, "/mytasks")
    assert "Nhiệm vụ đang mở của Sở Tài chính" in tasks


async def test_start_with_a_code_links_too_and_codes_are_single_use(bot, fake, backend) -> None:
    code, _ = backend.create_link_code("so-tai-chinh", TODAY)
    (first,) = await ask(fake, STRANGER, f"/start {code.lower()}")
    assert first.startswith("Đã liên kết")
    (again,) = await ask(fake, 4002, f"/link {code}")
    assert again == LINK_ERRORS["used"]
    assert backend.agency_of_chat(4002) is None


async def test_expired_and_wrong_codes_are_refused(bot, fake, backend) -> None:
    old, _ = backend.create_link_code("so-tai-chinh", TODAY - dt.timedelta(hours=48))
    (expired,) = await ask(fake, STRANGER, f"/link {old}")
    assert expired == LINK_ERRORS["expired"]
    assert "48 giờ" in expired
    (wrong,) = await ask(fake, STRANGER, "/link ABCDEFGH")
    assert wrong == LINK_ERRORS["unknown"]
    assert backend.agency_of_chat(STRANGER) is None
    # The expired code was not spent by the attempt: it stays unusable, not "used".
    (still,) = await ask(fake, 4003, f"/link {old}")
    assert still == LINK_ERRORS["expired"]


async def test_wrong_codes_lock_the_chat_for_a_while(settings, fake) -> None:
    """Five wrong codes within an hour: the sixth attempt is refused without looking the code up
    (even a valid one, which stays unspent); an hour after the first wrong one, it works."""
    backend = SqlBotBackend.from_settings(settings)
    seed_plan(backend.engine)
    now = [TODAY]
    app = build_application(settings, backend, clock=lambda: now[0], calendar=backend.calendar,
                            limiter=fast_limiter())
    code, _ = backend.create_link_code("so-tai-chinh", TODAY)
    await start_bot(app)
    try:
        for i in range(5):
            now[0] = TODAY + dt.timedelta(minutes=i)
            (wrong,) = await ask(fake, STRANGER, f"/link WRONG{i:03d}")
            assert wrong == LINK_ERRORS["unknown"]
        now[0] = TODAY + dt.timedelta(minutes=20)
        (locked,) = await ask(fake, STRANGER, f"/link {code}")
        # Locked until the first wrong attempt is an hour old: 60 - 20 = 40 minutes.
        assert locked == LINK_LOCKED.format(tries=5, minutes=40)
        assert backend.agency_of_chat(STRANGER) is None
        # Another chat is not held back by it.
        (other,) = await ask(fake, 4002, "/link WRONG999")
        assert other == LINK_ERRORS["unknown"]
        now[0] = TODAY + dt.timedelta(minutes=60)
        (linked,) = await ask(fake, STRANGER, f"/link {code}")
        assert linked.startswith("Đã liên kết nhóm này với <b>Sở Tài chính</b>.")
    finally:
        await stop_bot(app)
        backend.engine.dispose()
    assert backend.agency_of_chat(STRANGER) == "so-tai-chinh"


# --- what a linked chat sees ----------------------------------------------------------------
async def test_mytasks_lists_own_open_deadlines_soonest_first(bot, fake) -> None:
    (reply,) = await ask(fake, TP_CHAT, "/mytasks")
    lines = reply.splitlines()
    assert lines[0] == "<b>Nhiệm vụ đang mở của Sở Tư pháp (4)</b>"
    assert lines[1] == ("• <b>1.1</b> Rà soát thủ tục &lt;nội bộ&gt; &amp; đơn giản hóa — hạn "
                        "<b>24/01/2025</b> · quá hạn (6 ngày làm việc)")
    assert lines[2] == ("• <b>1.2</b> Công bố danh mục TTHC — hạn <b>14/02/2025</b> · sắp đến "
                        "hạn (còn 4 ngày làm việc)")
    assert lines[3].startswith("• <b>1.3</b> Báo cáo kết quả kiểm soát TTHC (Báo cáo 6 tháng) "
                               "— hạn <b>18/06/2025</b> · chưa đến hạn")
    assert lines[4].startswith("• <b>1.3</b> Báo cáo kết quả kiểm soát TTHC (Báo cáo năm) — "
                               "hạn <b>18/12/2025</b>")
    assert len(lines) == 5
    assert "2.1" not in reply and "tài chính công" not in reply  # Sở Tài chính's task


async def test_support_agency_sees_its_share(bot, fake) -> None:
    (reply,) = await ask(fake, TC_CHAT, "/mytasks")
    lines = reply.splitlines()
    assert lines[0] == "<b>Nhiệm vụ đang mở của Sở Tài chính (2)</b>"
    assert lines[1].startswith("• <b>2.1</b> Xây dựng kế hoạch tài chính công — hạn "
                               "<b>11/02/2025</b> · sắp đến hạn (còn 1 ngày làm việc)")
    assert lines[2].startswith("• <b>1.2</b> Công bố danh mục TTHC — hạn <b>14/02/2025</b>")
    assert lines[2].endswith("[phối hợp]")


async def test_overdue_and_upcoming(bot, fake) -> None:
    (overdue,) = await ask(fake, TP_CHAT, "/overdue")
    assert overdue.splitlines()[0] == "<b>Nhiệm vụ quá hạn của Sở Tư pháp (1)</b>"
    assert "<b>1.1</b>" in overdue and "1.2" not in overdue
    (week,) = await ask(fake, TP_CHAT, "/upcoming")
    assert week.splitlines()[0] == ("<b>Nhiệm vụ của Sở Tư pháp đến hạn trong 7 ngày tới "
                                    "(1)</b>")
    assert "<b>1.2</b>" in week and "1.1" not in week
    (longer,) = await ask(fake, TP_CHAT, "/upcoming 200 ngày")
    assert longer.splitlines()[0].endswith("đến hạn trong 200 ngày tới (2)</b>")
    assert "18/06/2025" in longer and "18/12/2025" not in longer  # 10/02 + 200 = 29/08
    (bad,) = await ask(fake, TP_CHAT, "/upcoming 999")
    assert bad == "Số ngày phải từ 1 đến 366."


async def test_task_shows_every_deadline_of_the_task(bot, fake) -> None:
    (reply,) = await ask(fake, TP_CHAT, "/task 1.3")
    assert reply.splitlines()[0] == "<b>Nhiệm vụ 1.3</b> · <i>Cải cách TTHC</i>"
    assert "• Hạn <b>18/06/2025</b> (Báo cáo 6 tháng): chưa đến hạn" in reply
    assert "• Hạn <b>18/12/2025</b> (Báo cáo năm): chưa đến hạn" in reply
    assert "Kế hoạch số 196/KH-UBND" in reply
    (other,) = await ask(fake, TP_CHAT, "/task 2.1")  # Sở Tài chính's: not visible here
    assert other == "Không tìm thấy nhiệm vụ mã «2.1»."


async def test_report_gives_the_next_deadline_and_cutoff_window(bot, fake) -> None:
    (reply,) = await ask(fake, TP_CHAT, "/report")
    assert "Báo cáo Quý I (Kế hoạch số 196/KH-UBND): hạn <b>18/03/2025</b>, còn 26 ngày làm " \
           "việc" in reply
    assert "Số liệu tính từ 15/12/2024 đến 14/03/2025" in reply
    assert "Nhập số liệu tại: https://cchc.example.org/nhap" in reply
    assert "6 tháng" not in reply  # only the next one


async def test_help_lists_the_commands(bot, fake) -> None:
    (reply,) = await ask(fake, TP_CHAT, "/help")
    assert "Nhóm này nhận nhắc việc của <b>Sở Tư pháp</b>." in reply
    for command in ("/mytasks", "/overdue", "/upcoming", "/task", "/done", "/report", "/help"):
        assert command in reply


# --- who sees what --------------------------------------------------------------------------
async def test_a_linked_chat_cannot_ask_for_another_agency(bot, fake) -> None:
    (reply,) = await ask(fake, TP_CHAT, "/mytasks Sở Tài chính")
    assert reply == ONLY_ALL


async def test_monitor_chat_may_name_an_agency(bot, fake) -> None:
    (reply,) = await ask(fake, MONITOR, "/mytasks Sở Tư pháp")
    assert reply.splitlines()[0] == "<b>Nhiệm vụ đang mở của Sở Tư pháp (4)</b>"
    (plain,) = await ask(fake, MONITOR, "/mytasks so tu phap")  # typed without accents
    assert plain == reply
    (unknown,) = await ask(fake, MONITOR, "/mytasks Sở Không Có")
    assert unknown == "Không tìm thấy cơ quan «Sở Không Có» trong danh bạ."


async def test_monitor_and_steering_chats_see_all(bot, fake) -> None:
    (summary,) = await ask(fake, MONITOR, "/mytasks")
    lines = summary.splitlines()
    assert lines[1] == "• Sở Tư pháp: 4 đang mở, <b>1 quá hạn</b>"
    assert lines[2] == "• Sở Tài chính: 1 đang mở"
    (overdue,) = await ask(fake, STEERING, "/overdue")
    assert overdue.splitlines()[0] == "<b>Nhiệm vụ quá hạn của các cơ quan (1)</b>"
    assert "<b>1.1</b>" in overdue and "<i>Sở Tư pháp</i>" in overdue
    (task,) = await ask(fake, STEERING, "/task 1.2")
    assert "Cơ quan: Sở Tư pháp" in task and "Cơ quan: Sở Tài chính" in task


# --- completion -----------------------------------------------------------------------------
async def test_done_asks_to_confirm_then_records_the_completion(bot, fake, backend) -> None:
    (prompt,) = await ask(fake, TP_CHAT, "/done 1.2 123/BC-STP")
    assert prompt.splitlines()[0] == "<b>Xác nhận hoàn thành?</b>"
    assert "Văn bản: 123/BC-STP" in prompt
    assert completions(backend) == []  # nothing before the button
    msg = fake.sent(TP_CHAT)[-1]
    deadline = backend.ids[("1.2", "2025-02-14", "so-tu-phap")]
    assert msg.buttons() == [("✅ Xác nhận hoàn thành", f"ok:{deadline}:123/BC-STP"),
                             ("✖️ Hủy", f"no:{deadline}")]
    fake.push_callback(TP_CHAT, msg.message_id, msg.buttons()[0][1], user_id=77)
    await fake.wait_for(lambda: msg.edits)
    assert msg.edits[-1].startswith("✅ Đã ghi nhận hoàn thành nhiệm vụ <b>1.2</b> (hạn "
                                    "14/02/2025) ngày 10/02/2025, văn bản số 123/BC-STP.")
    assert msg.reply_markup is None  # the buttons are gone
    (done,) = completions(backend)
    assert (done.deadline_id, done.agency_id, done.document_no, done.completed_on) == \
        (deadline, "so-tu-phap", "123/BC-STP", dt.date(2025, 2, 10))
    assert done.recorded_by.startswith(f"telegram:{TP_CHAT}:77")
    (after,) = await ask(fake, TP_CHAT, "/mytasks")
    assert "<b>1.2</b>" not in after and "(3)</b>" in after.splitlines()[0]
    # Pressing the old button again records nothing more.
    fake.push_callback(TP_CHAT, msg.message_id, msg.buttons()[0][1] if msg.buttons()
                       else f"ok:{deadline}:123/BC-STP")
    await fake.wait_for(lambda: len(msg.edits) == 2)
    assert "đã được ghi nhận hoàn thành trước đó" in msg.edits[-1]
    assert len(completions(backend)) == 1


async def test_cancel_records_nothing(bot, fake, backend) -> None:
    await ask(fake, TP_CHAT, "/done 1.1")
    msg = fake.sent(TP_CHAT)[-1]
    (cancel,) = [data for label, data in msg.buttons() if label == "✖️ Hủy"]
    fake.push_callback(TP_CHAT, msg.message_id, cancel)
    await fake.wait_for(lambda: msg.edits)
    assert msg.edits[-1] == "Đã hủy, chưa ghi nhận gì."
    assert completions(backend) == []


async def test_done_of_a_periodic_task_offers_its_earliest_open_deadline(bot, fake,
                                                                         backend) -> None:
    await ask(fake, TP_CHAT, "/done 1.3")
    msg = fake.sent(TP_CHAT)[-1]
    june = backend.ids[("1.3", "2025-06-18", "so-tu-phap")]
    assert msg.buttons()[0] == ("✅ Xác nhận hoàn thành", f"ok:{june}")
    assert "hạn 18/06/2025" in msg.text and "18/12/2025" not in msg.text


async def test_support_agency_cannot_complete_and_foreign_buttons_are_refused(bot, fake,
                                                                               backend) -> None:
    (reply,) = await ask(fake, TC_CHAT, "/done 1.2")
    assert "chỉ phối hợp" in reply
    # A forged confirm for Sở Tư pháp's deadline, pressed in Sở Tài chính's chat.
    msg = fake.sent(TC_CHAT)[-1]
    deadline = backend.ids[("1.1", "2025-01-24", "so-tu-phap")]
    fake.push_callback(TC_CHAT, msg.message_id, f"ok:{deadline}")
    await fake.wait_for(lambda: fake.calls_of("answerCallbackQuery"))
    assert fake.calls_of("answerCallbackQuery")[0].params["text"] == NOT_YOURS
    assert completions(backend) == []


async def test_reminder_buttons_snooze_and_ask_to_confirm(bot, fake, backend) -> None:
    # A reminder message with its buttons, as the notifier sends it (see test_telegram_sender).
    deadline = backend.ids[("1.2", "2025-02-14", "so-tu-phap")]
    reminder = await bot.bot.send_message(TP_CHAT, "Nhắc việc", reply_markup={
        "inline_keyboard": [[{"text": "Đã hoàn thành", "callback_data": f"dn:{deadline}"},
                             {"text": "Nhắc lại ngày mai", "callback_data": f"sz:{deadline}"}]]})
    before = len(fake.sent(TP_CHAT))
    fake.push_callback(TP_CHAT, reminder.message_id, f"sz:{deadline}")
    (said,) = (await fake.wait_sent(TP_CHAT, before + 1))[before:]
    assert said == ("🔁 Sẽ nhắc lại nhiệm vụ <b>1.2</b> (hạn 14/02/2025) vào ngày 11/02/2025.")
    with Session(backend.engine) as s:
        (item,) = s.exec(select(PlannedItem)).all()
    assert (item.send_on, item.recipient_id, item.reason, item.state) == \
        (dt.date(2025, 2, 11), "so-tu-phap", "reminder", "pending")
    # The engine re-planning that duty keeps the snooze; a completion cancels it.
    with Session(backend.engine) as s:
        plan_duties(s, [item.duty_id], backend.planner, TODAY.date())
        s.commit()
        assert s.get(PlannedItem, item.id).state == "pending"
    fake.push_callback(TP_CHAT, reminder.message_id, f"dn:{deadline}")
    (prompt,) = (await fake.wait_sent(TP_CHAT, before + 2))[before + 1:]
    assert prompt.startswith("<b>Xác nhận hoàn thành?</b>")
    confirm = fake.sent(TP_CHAT)[-1]
    assert confirm.buttons()[0] == ("✅ Xác nhận hoàn thành", f"ok:{deadline}")
    fake.push_callback(TP_CHAT, confirm.message_id, f"ok:{deadline}")
    await fake.wait_for(lambda: confirm.edits)
    with Session(backend.engine) as s:
        assert s.get(PlannedItem, item.id).state == "cancelled"


async def test_a_group_upgraded_to_a_supergroup_keeps_its_link(bot, fake, backend) -> None:
    new_id = -1009990001
    fake.push_message(TP_CHAT, None, migrate_to_chat_id=new_id)
    await fake.wait_for(lambda: backend.agency_of_chat(new_id) == "so-tu-phap")
    assert backend.agency_of_chat(TP_CHAT) is None
    (reply,) = await ask(fake, new_id, "/overdue")
    assert "<b>1.1</b>" in reply


# --- text ------------------------------------------------------------------------------------
async def test_long_answer_is_split_under_4096_at_line_boundaries(settings, fake) -> None:
    tasks = [{"code": f"5.{i}", "title": f"Nhiệm vụ số {i} " + "rà soát, đánh giá " * 12,
              "lead": ["so-y-te"], "due": [f"2025-03-{1 + i % 28:02d}"]} for i in range(1, 91)]
    backend = SqlBotBackend.from_settings(settings)
    seed_plan(backend.engine, tasks)
    backend.link_chat("so-y-te", -5001, TODAY)
    app = build_application(settings, backend, clock=lambda: TODAY, calendar=backend.calendar,
                            limiter=fast_limiter())
    await start_bot(app)
    try:
        fake.push_message(-5001, "/mytasks")
        # The heading and 90 task lines, in however many messages.
        await fake.wait_for(lambda: len("\n".join(m.text for m in fake.sent(-5001))
                                        .splitlines()) >= 91)
    finally:
        await stop_bot(app)
        backend.engine.dispose()
    parts = [m.text for m in fake.sent(-5001)]
    assert len(parts) >= 4
    assert all(len(p) <= 4096 for p in parts)
    assert not fake.calls_of("sendMessage", ok=False)  # the imitation refused nothing
    lines = "\n".join(parts).splitlines()
    assert lines[0] == "<b>Nhiệm vụ đang mở của Sở Y tế (90)</b>"
    codes = [re.match(r"• <b>(5\.\d+)</b>", line).group(1) for line in lines[1:]]
    assert sorted(codes) == sorted(f"5.{i}" for i in range(1, 91))  # every line whole, once


async def test_handlers_in_flight_finish_on_stop(settings, backend, fake) -> None:
    class Slow:
        def __getattr__(self, name):
            return getattr(backend, name)

        def open_deadlines(self, *args, **kwargs):
            import time

            time.sleep(0.5)  # in the worker thread, as the database would
            return backend.open_deadlines(*args, **kwargs)

    app = build_application(settings, Slow(), clock=lambda: TODAY, calendar=backend.calendar,
                            limiter=fast_limiter())
    await start_bot(app)
    uid = fake.push_message(TP_CHAT, "/mytasks")
    # The update has been fetched once the next poll confirms its id.
    await fake.wait_for(lambda: any(int(c.params.get("offset") or 0) > uid
                                    for c in fake.calls_of("getUpdates")))
    assert fake.sent(TP_CHAT) == []
    await stop_bot(app)
    (reply,) = [m.text for m in fake.sent(TP_CHAT)]
    assert reply.startswith("<b>Nhiệm vụ đang mở của Sở Tư pháp (4)</b>")


async def test_wrong_token_is_a_config_error_in_vietnamese(settings, backend, fake) -> None:
    bad = settings.model_copy(update={"telegram_token": type(settings.telegram_token)("1:bad")})
    app = build_application(bad, backend, clock=lambda: TODAY)
    with pytest.raises(ConfigError) as err:
        await start_bot(app)
    assert err.value.exit_code == 3
    assert "NHACVIEC_TELEGRAM_TOKEN" in str(err.value) and "không hợp lệ" in str(err.value)
    assert fake.calls_of("getMe")[0].status == 401
    assert not fake.calls_of("getUpdates")
