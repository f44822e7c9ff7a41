"""The Telegram bot agencies talk to: the PTB `Application`, who may ask what, start and stop.

`build_application(settings, backend)` wires the handlers of `notifiers.telegram.handlers` to a
python-telegram-bot `Application` whose bot uses the settings' base URL and the shared exact
rate limiter; `start_bot` / `stop_bot` run it inside the service's own event loop (`nhacviec run`
runs scheduler, dispatcher and bot in one process), polling with getUpdates.

Who sees what: a chat linked to an agency sees that agency only; the Sở Nội vụ chat and the
Steering Committee chat (settings) see every agency; any other chat gets a polite refusal and
nothing else.

Updates go through `LaneProcessor` (`notifiers.bot_guard`): each is counted against its chat's
command limit as it arrives (beyond it: dropped), then answered in its chat's lane, one at a time
per chat and at most LANE_SLOTS chats at once, so a chat whose replies wait on its per-chat send
limit never holds the others up. `stop_bot` closes the lanes first: updates not started yet are
dropped, the ones being answered finish.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ExtBot
from telegram.request import HTTPXRequest

from core.errors import ConfigError
from notifiers.bot_backend import BotBackend
from notifiers.bot_guard import LANE_SLOTS, ChatLanes
from notifiers.telegram.handlers import Handlers
from notifiers.telegram.limits import SharedLimiter, TelegramRateLimiter

log = logging.getLogger(__name__)

COMMANDS = (
    ("mytasks", "Nhiệm vụ đang mở của cơ quan, hạn gần nhất trước"),
    ("overdue", "Nhiệm vụ quá hạn"),
    ("upcoming", "Nhiệm vụ đến hạn trong N ngày tới: /upcoming 7"),
    ("task", "Chi tiết một nhiệm vụ: /task MÃ"),
    ("done", "Báo hoàn thành: /done MÃ [số văn bản]"),
    ("report", "Kỳ báo cáo tới và khoảng lấy số liệu"),
    ("link", "Liên kết nhóm với cơ quan: /link MÃ_LIÊN_KẾT"),
    ("help", "Hướng dẫn sử dụng"),
)
POLL_TIMEOUT = 10  # seconds of one getUpdates long poll
POOL_SIZE = 64  # connections for sends: the limiter allows 30 in flight per second
# Updates PTB lets through to the processor at once; the lanes do the real bounding, so this is
# only a backstop (a flood is counted and dropped on arrival, not queued behind a semaphore).
MAX_UPDATES_IN_PROCESSOR = 4096


class LaneProcessor(BaseUpdateProcessor):
    """PTB's update processor: `admit(update)` as each update arrives, then the chat's lane."""

    def __init__(self, slots: int = LANE_SLOTS) -> None:
        super().__init__(MAX_UPDATES_IN_PROCESSOR)
        self.lanes = ChatLanes(slots)
        self.admit: Callable[[object], bool] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if self.admit is not None and not self.admit(update):
            close = getattr(coroutine, "close", None)
            if close is not None:
                close()
            return
        await self.lanes.run(chat.id if chat is not None else None, coroutine)  # type: ignore[arg-type]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


# The Bot API puts the token in every URL ("/bot<token>/getUpdates"), and httpx logs each request
# at INFO: a service logging at INFO would write the secret to the journal every poll.
_TOKEN_IN_TEXT = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


class RedactToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _TOKEN_IN_TEXT.search(text):
            record.msg, record.args = _TOKEN_IN_TEXT.sub("bot<token>", text), ()
        return True


def quiet_http_logs() -> None:
    """httpx's request lines at WARNING and up only, and never with the token."""
    for name in ("httpx", "httpcore", "telegram", "telegram.ext"):
        logger = logging.getLogger(name)
        if name.startswith("http") and logger.level == logging.NOTSET:  # not set on purpose
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, RedactToken) for f in logger.filters):
            logger.addFilter(RedactToken())


def _token(settings: Any) -> str:
    quiet_http_logs()
    token = settings.telegram_token
    if token is None or not token.get_secret_value().strip():
        raise ConfigError("chưa đặt mã bot Telegram (biến môi trường NHACVIEC_TELEGRAM_TOKEN)")
    return token.get_secret_value().strip()


def base_url(settings: Any) -> str:
    """The Bot API's URL, to which python-telegram-bot appends the token: it must end with
    "/bot" (or say where the token goes, "{token}"). Without it the token became part of the
    host and port ("https://api.telegram.org123:AAH...") and httpx's "Invalid port" error
    quoted its secret half."""
    url = str(settings.telegram_base_url).strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc and (
            url.endswith("/bot") or "{token}" in url):
        return url
    raise ConfigError(
        f"NHACVIEC_TELEGRAM_BASE_URL «{url}» không hợp lệ: cần một địa chỉ http(s) kết thúc bằng "
        "/bot, ví dụ https://api.telegram.org/bot hoặc http://localhost:8081/bot (máy chủ Bot "
        "API riêng)")


def _requests() -> tuple[HTTPXRequest, HTTPXRequest]:
    sends = HTTPXRequest(connection_pool_size=POOL_SIZE, read_timeout=30, write_timeout=30)
    polls = HTTPXRequest(connection_pool_size=1, read_timeout=POLL_TIMEOUT + 10)
    return sends, polls


def make_bot(settings: Any, limiter: TelegramRateLimiter | None = None) -> ExtBot[Any]:
    """A bot for sending (the notifier's), with the settings' base URL and the limiter."""
    sends, polls = _requests()
    return ExtBot(_token(settings), base_url=base_url(settings),
                  rate_limiter=limiter or SharedLimiter(), request=sends,
                  get_updates_request=polls)


def build_application(settings: Any, backend: BotBackend, *,
                      clock: Callable[[], dt.datetime] | None = None,
                      calendar: Any = None,
                      limiter: TelegramRateLimiter | None = None) -> Application[Any, Any, Any,
                                                                                  Any, Any, Any]:
    """The bot's Application. `clock` gives the current instant (the service passes the wall
    clock; tests a fixed one); `calendar` is the working-day calendar for "N ngày làm việc"."""

    sends, polls = _requests()
    processor = LaneProcessor()
    app = (
        Application.builder()
        .token(_token(settings))
        .base_url(base_url(settings))
        .request(sends)
        .get_updates_request(polls)
        .rate_limiter(limiter or SharedLimiter())
        # Replies wait for the per-chat limit; other chats must not wait behind them.
        .concurrent_updates(processor)
        .build()
    )
    if clock is None:
        def clock() -> dt.datetime:
            return dt.datetime.now(settings.tz)
    handlers = Handlers(settings, backend, clock, calendar)
    handlers.install(app)
    processor.admit = handlers.admit
    return app


async def start_bot(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Initialize (getMe), register the commands, start handling and polling.

    A wrong token is a ConfigError (exit status 3) with a Vietnamese message."""
    try:
        await app.initialize()
    except InvalidToken as exc:
        raise ConfigError(
            "mã bot Telegram (NHACVIEC_TELEGRAM_TOKEN) không hợp lệ hoặc đã bị thu hồi: "
            "máy chủ Telegram từ chối đăng nhập"
        ) from exc
    except NetworkError as exc:
        raise ConfigError(
            f"không kết nối được máy chủ Telegram tại NHACVIEC_TELEGRAM_BASE_URL ({exc})"
        ) from exc
    try:
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
        await app.start()
        if app.updater is None:
            raise ConfigError("bot Telegram được dựng không có bộ nhận tin (updater)")
        await app.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=[
            "message", "callback_query"], drop_pending_updates=False)
    except TelegramError as exc:
        await app.shutdown()
        raise ConfigError(f"không khởi động được bot Telegram ({exc})") from exc
    log.info("Bot Telegram @%s đã sẵn sàng", app.bot.username)


async def stop_bot(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling, let handlers in flight finish (their replies go out), drop the updates
    not started yet (a queued flood is not answered first), release resources."""
    processor = app.update_processor
    if isinstance(processor, LaneProcessor):
        processor.lanes.close()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
