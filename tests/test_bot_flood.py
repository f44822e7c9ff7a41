"""One chat must not freeze the bot (issue 18, point 4), on Telegram and on Zalo.

Before: an unlinked chat sending 100 `/mytasks` made another agency wait 187 s for `/help`
(every update held one of 32 slots while its reply waited on the chat's one-a-second send
limit), and SIGTERM then took 71 s. Here 1,000 commands from one chat go through the Bot API
imitations of tests/ with the real send limits, another chat asks `/help` in the middle of the
flood, and its reply time is printed; the test asserts only that it is answered before the
flood's own answers are done (the flooding chat's allowed answers alone take 20 s at one a
second). Wrong link codes are counted in the database: a new bot on the same database (a
restart) does not give five more tries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from engine.settings import Settings
from engine.tracking.bot_store import SqlBotBackend
from notifiers.bot_guard import COMMANDS_PER_MINUTE, TOO_MANY
from notifiers.telegram.bot import build_application, start_bot, stop_bot
from notifiers.telegram.limits import TelegramRateLimiter
from notifiers.telegram.replies import LINK_ERRORS, LINK_LOCKED, REFUSAL
from notifiers.zalo import bot as zalo_replies
from notifiers.zalo.bot import ZaloBot
from notifiers.zalo.client import ZaloClient
from notifiers.zalo.receive import Receiver
from tests.fakes import TODAY_TEXT, TOKEN, FakeBotApi, seed_plan
from tests.fakes_zalo import TOKEN as ZALO_TOKEN
from tests.fakes_zalo import FakeZaloApi

TODAY = dt.datetime.fromisoformat(TODAY_TEXT)
FLOOD = 1000
TP_CHAT, TC_CHAT, STRANGER = -2001, 3001, 4001
ZTP, ZTC, ZSTRANGER = "7a1f0c3e9b2d", "5b2e8d1c4a6f", "99ffee00aa11"


class Counting(SqlBotBackend):
    """The real store, counting the reads of "who is this chat"."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.reads: dict[object, int] = {}

    def agency_of_chat(self, chat_id):  # noqa: ANN001, ANN201
        self.reads[chat_id] = self.reads.get(chat_id, 0) + 1
        return super().agency_of_chat(chat_id)


# --- Telegram -------------------------------------------------------------------------------
@pytest.fixture
def fake():
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def tg_settings(sqlite_url, fake) -> Settings:
    return Settings(database_url=sqlite_url, telegram_token=TOKEN,
                    telegram_base_url=fake.base_url)


@pytest.fixture
def tg_backend(tg_settings):
    base = SqlBotBackend.from_settings(tg_settings)
    seed_plan(base.engine)
    b = Counting(base.engine, base.directory, base.calendar)
    b.link_chat("so-tu-phap", TP_CHAT, TODAY)
    b.link_chat("so-tai-chinh", TC_CHAT, TODAY)
    yield b
    b.engine.dispose()


def _push_flood(fake, chat, text: str, n: int, halfway: asyncio.Event,  # noqa: ANN001
                loop: asyncio.AbstractEventLoop) -> None:
    for i in range(n):
        fake.push_message(chat, text)
        if i == n // 2:
            loop.call_soon_threadsafe(halfway.set)


async def _flood_and_ask(fake, flooder, asker) -> tuple[float, int, float]:  # noqa: ANN001
    """`FLOOD` /mytasks from `flooder`; halfway through, /help from `asker`. How long /help
    waited for its answer, how many answers the flooder had by then, how long the flood took
    to push (the Telegram and the Zalo imitation alike)."""
    halfway = asyncio.Event()
    loop = asyncio.get_running_loop()
    t0 = time.monotonic()
    flood = asyncio.create_task(asyncio.to_thread(
        _push_flood, fake, flooder, "/mytasks", FLOOD, halfway, loop))
    await halfway.wait()
    asked = time.monotonic()
    fake.push_message(asker, "/help")
    await fake.wait_sent(asker, 1, timeout=60)
    answered = time.monotonic() - asked
    flooder_answers_then = len(fake.sent(flooder))
    await flood
    return answered, flooder_answers_then, time.monotonic() - t0


@pytest.mark.parametrize("flooder", [STRANGER, TC_CHAT], ids=["unlinked", "linked"])
async def test_telegram_flood_from_one_chat_does_not_hold_the_others(tg_settings, tg_backend,
                                                                      fake, flooder) -> None:
    # The real limits: one message a second per chat, 30 a second in all.
    app = build_application(tg_settings, tg_backend, clock=lambda: TODAY,
                             calendar=tg_backend.calendar, limiter=TelegramRateLimiter())
    await start_bot(app)
    try:
        answered, flooder_answers_then, pushed = await _flood_and_ask(fake, flooder, TP_CHAT)
    finally:
        t1 = time.monotonic()
        await stop_bot(app)
        stopped = time.monotonic() - t1
    sent = [m.text for m in fake.sent(flooder)]
    print(f"Telegram, {FLOOD} /mytasks from one {'unlinked' if flooder == STRANGER else 'linked'}"
          f" chat (pushed in {pushed:.1f} s): another chat's /help answered in "
          f"{answered * 1000:.0f} ms; the flooding chat had {flooder_answers_then} answers by "
          f"then, {len(sent)} in all; stop took {stopped:.2f} s")
    assert "Sở Tư pháp" in fake.sent(TP_CHAT)[0].text
    # Answered before the flood's own answers were done (the allowed ones take 20 s).
    assert flooder_answers_then < COMMANDS_PER_MINUTE
    # At most the chat's limit was answered, plus one "too many".
    assert len(sent) <= COMMANDS_PER_MINUTE + 1
    assert sent.count(TOO_MANY) <= 1
    if flooder == STRANGER:
        assert set(sent) <= {REFUSAL, TOO_MANY}
        assert tg_backend.reads[STRANGER] == 1  # the refusal came from memory afterwards
    assert stopped < 15


async def test_telegram_wrong_link_codes_survive_a_restart(db_url, fake) -> None:
    tg_settings = Settings(database_url=db_url, telegram_token=TOKEN,
                           telegram_base_url=fake.base_url)
    base = SqlBotBackend.from_settings(tg_settings)
    seed_plan(base.engine)
    code, _ = base.create_link_code("so-tai-chinh", TODAY)
    base.engine.dispose()

    async def bot_once() -> tuple[SqlBotBackend, object]:
        # A fresh store and bot on the same database file: what a restarted service builds.
        backend = SqlBotBackend.from_settings(tg_settings)
        app = build_application(tg_settings, backend, clock=lambda: TODAY,
                                calendar=backend.calendar)
        await start_bot(app)
        return backend, app

    backend, app = await bot_once()
    try:
        for i in range(5):
            fake.push_message(STRANGER, f"/link WRONG{i:03d}")
            await fake.wait_sent(STRANGER, i + 1, timeout=20)
    finally:
        await stop_bot(app)
        backend.engine.dispose()
    assert [m.text for m in fake.sent(STRANGER)] == [LINK_ERRORS["unknown"]] * 5

    backend, app = await bot_once()  # the restart
    try:
        fake.push_message(STRANGER, f"/link {code}")
        (locked,) = (await fake.wait_sent(STRANGER, 6, timeout=20))[5:]
    finally:
        await stop_bot(app)
    assert locked.startswith("Nhóm này đã nhập sai mã liên kết 5 lần")
    assert locked == LINK_LOCKED.format(tries=5, minutes=60)
    assert backend.agency_of_chat(STRANGER) is None  # the valid code was not even looked up
    backend.engine.dispose()


# --- Zalo -----------------------------------------------------------------------------------
@pytest.fixture
def zfake():
    with FakeZaloApi(max_poll=0.5) as api:  # its own flood control on: one a second per chat
        yield api


@pytest.fixture
def z_settings(sqlite_url, zfake) -> Settings:
    return Settings(database_url=sqlite_url, zalo_token=ZALO_TOKEN, zalo_base_url=zfake.base_url)


@pytest.fixture
def z_backend(z_settings):
    base = SqlBotBackend.from_settings(z_settings, channel="zalo")
    seed_plan(base.engine)
    b = Counting(base.engine, base.directory, base.calendar, channel="zalo")
    b.link_chat("so-tu-phap", ZTP, TODAY)
    b.link_chat("so-tai-chinh", ZTC, TODAY)
    yield b
    b.engine.dispose()


@pytest.mark.parametrize("flooder", [ZSTRANGER, ZTC], ids=["unlinked", "linked"])
async def test_zalo_flood_from_one_chat_does_not_hold_the_others(z_settings, z_backend, zfake,
                                                                  flooder) -> None:
    client = ZaloClient.from_settings(z_settings)  # the real pacing
    bot = ZaloBot(z_settings, z_backend, client, clock=lambda: TODAY,
                  calendar=z_backend.calendar)
    receiver = Receiver(bot, client, poll_timeout=1)
    await receiver.start()
    try:
        answered, flooder_answers_then, pushed = await _flood_and_ask(zfake, flooder, ZTP)
        # Getting the other 500 updates out of the imitation (one per getUpdates call).
        await zfake.wait_for(lambda: zfake.pending_updates == 0, timeout=60)
    finally:
        t1 = time.monotonic()
        await receiver.stop()
        stopped = time.monotonic() - t1
        await client.aclose()
    sent = zfake.texts(flooder)
    print(f"Zalo, {FLOOD} /mytasks from one {'unlinked' if flooder == ZSTRANGER else 'linked'} "
          f"chat (pushed in {pushed:.1f} s): another chat's /help answered in "
          f"{answered * 1000:.0f} ms; the flooding chat had {flooder_answers_then} answers by "
          f"then, {len(sent)} in all; stop took {stopped:.2f} s")
    assert "Cuộc trò chuyện này nhận nhắc việc của Sở Tư pháp." in zfake.texts(ZTP)[0]
    assert flooder_answers_then < COMMANDS_PER_MINUTE
    assert len(sent) <= COMMANDS_PER_MINUTE + 1
    assert sent.count(TOO_MANY) <= 1
    assert not zfake.calls_of("sendMessage", ok=False)  # the platform refused nothing
    if flooder == ZSTRANGER:
        assert set(sent) <= {zalo_replies.REFUSAL, TOO_MANY}
        assert z_backend.reads[ZSTRANGER] == 1
    assert stopped < 15
