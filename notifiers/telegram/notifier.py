"""The Telegram channel: renders an OutgoingMessage with `templates/telegram/*.j2` and sends it.

Text is Telegram HTML (autoescaped by the templates), cut under 4096 characters at line
boundaries; the late list of a monitoring list or steering digest shows at most
TELEGRAM_LATE_LINES items, the oldest (``notifiers.late_view``), and says where the complete
list is; agency reminders carry two buttons per deadline, "Đã hoàn thành" and "Nhắc lại ngày
mai", whose data hold the deadline id (the bot in `notifiers.telegram.bot` answers them). Sends go
through the shared `TelegramRateLimiter`; a 429 is waited out and sent again there. Parts already
delivered are remembered per message and chat, and recorded with the attempt (the provider id
lists every part's message id), so a message retried later (after a transient failure in its
third part, say), in this process or another, does not repeat its first two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from core.errors import ConfigError
from core.messages import DeliveryResult, Item, OutgoingMessage
from core.notifier import Progress, Settled
from core.redact import redact
from core.vocabulary import Channel, MessageKind, Reason
from notifiers import chat_context
from notifiers.chat_context import ChatLimits
from notifiers.stopping import STOPPING, Stopper, gather_unless_stopped
from notifiers.telegram.bot import make_bot
from notifiers.telegram.limits import (
    RateLimitArgs,
    SendStopped,
    TelegramRateLimiter,
    retry_after_seconds,
)
from notifiers.telegram.text import DONE_ASK, SNOOZE, ButtonData, render, split_message

log = logging.getLogger(__name__)

DONE_LABEL = "Đã hoàn thành"
SNOOZE_LABEL = "Nhắc lại ngày mai"
MAX_BUTTON_ROWS = 10  # beyond this the text asks for /done (Telegram allows 100 buttons)
# The most late-item lines a monitoring list or steering digest shows (the oldest ones; every
# agency still named with its count): with the other sections, a message of a few parts.
TELEGRAM_LATE_LINES = 30
# Agencies without lines shown are named with their counts up to this many (most late first):
# every agency of a province; a national list says how many more there are (the complete list
# goes by email).
TELEGRAM_OTHER_AGENCIES = 60
# The Steering Committee's table of statuses shows this many agencies at most: every agency of
# a province; of a national table (3,500 agencies: some sixty parts), those with the most late
# tasks, and how many more there are (the whole table goes by email; `nhacviec status`).
TELEGRAM_TABLE_AGENCIES = 60
TELEGRAM_LIMITS = ChatLimits(TELEGRAM_LATE_LINES, TELEGRAM_OTHER_AGENCIES,
                             TELEGRAM_TABLE_AGENCIES)
TEMPLATES = {
    MessageKind.AGENCY_DIGEST: "telegram/agency_digest.j2",
    MessageKind.MONITOR_LIST: "telegram/monitor_list.j2",
    MessageKind.STEERING_DIGEST: "telegram/steering_digest.j2",
    MessageKind.EXPLANATION_REQUEST: "telegram/explanation_request.j2",
}


# --- what a message looks like --------------------------------------------------------------
def button_items(msg: OutgoingMessage) -> list[Item]:
    """Deadlines the recipient itself must complete: the ones that get buttons."""
    if msg.kind != MessageKind.AGENCY_DIGEST:
        return []
    return [i for i in msg.items if i.reason in (Reason.REMINDER, Reason.LATE)
            and i.deadline_id is not None and i.role != "support"][:MAX_BUTTON_ROWS]


def keyboard(msg: OutgoingMessage) -> InlineKeyboardMarkup | None:
    items = button_items(msg)
    if not items:
        return None
    rows = []
    for i in items:
        prefix = f"{i.code} · " if len(items) > 1 else ""
        deadline_id = cast(int, i.deadline_id)  # button_items keeps only items that have one
        rows.append([
            InlineKeyboardButton(prefix + DONE_LABEL,
                                 callback_data=ButtonData(DONE_ASK, deadline_id).encode()),
            InlineKeyboardButton(prefix + SNOOZE_LABEL,
                                 callback_data=ButtonData(SNOOZE, deadline_id).encode()),
        ])
    return InlineKeyboardMarkup(rows)


def message_context(msg: OutgoingMessage) -> dict[str, Any]:
    """The chat channels' shared context (`notifiers.chat_context`) and Telegram's own: the
    buttons under an agency's digest and the agency's personal address."""
    ctx = chat_context.message_context(msg, TELEGRAM_LIMITS)
    ctx["buttons"] = bool(button_items(msg))
    ctx["link"] = msg.link or ""  # the agency's personal address on the web desk
    return ctx


def render_message(msg: OutgoingMessage) -> list[str]:
    """The parts of `msg` as they will be sent (HTML, each under 4096 characters)."""
    try:
        template = TEMPLATES[msg.kind]
    except KeyError:
        raise ConfigError(f"không có mẫu tin Telegram cho loại «{msg.kind}»") from None
    return split_message(render(template, **message_context(msg)))


# --- sending --------------------------------------------------------------------------------
@dataclass
class _Outcome:
    ok: bool = True
    permanent: bool = False
    detail: str = ""
    retry_after: float | None = None


def parts_delivered(provider_id: str | None) -> dict[int, list[int]]:
    """The message ids of the parts delivered per chat, from a provider id this channel
    recorded ("chat:id+id+id,chat:id"); what cannot be read is left out (those parts go
    again: a repeated part is better than a missing one)."""
    out: dict[int, list[int]] = {}
    for entry in (provider_id or "").split(","):
        chat, _, ids = entry.partition(":")
        try:
            out[int(chat)] = [int(i) for i in ids.split("+")]
        except ValueError:
            continue
    return out


class TelegramNotifier:
    channel = Channel.TELEGRAM

    def __init__(self, bot: ExtBot[Any], *, monitor_chat: int | None = None,
                 steering_chat: int | None = None, max_parallel: int = 5000,
                 owns_bot: bool = False) -> None:
        self.bot = bot
        self.monitor_chat = monitor_chat
        self.steering_chat = steering_chat
        # Pacing is the limiter's job: a message waiting for its chat's turn must not keep
        # messages to other chats from going (a small bound here halves the throughput).
        self._parallel = asyncio.Semaphore(max_parallel)
        self._owns_bot = owns_bot
        self._initialized = False
        self._delivered: dict[tuple[str, int], list[int]] = {}  # message ids of parts sent
        self._stopper = Stopper()  # request_stop(): the service is stopping
        # Told (message key, provider id so far) after each part of a message that is not its
        # last: the dispatcher keeps it at once, so that a process dying in the middle of a
        # long message leaves the parts that went for the one taking the message over.
        self.progress: Progress | None = None
        # Told each message's result as soon as its last part went (or it failed): the
        # dispatcher records it at once, without waiting for the rest of the batch.
        self.settled: Settled | None = None

    @classmethod
    def from_settings(cls, settings: Any,
                      limiter: TelegramRateLimiter | None = None) -> TelegramNotifier:

        return cls(make_bot(settings, limiter), monitor_chat=settings.telegram_monitor_chat,
                   steering_chat=settings.telegram_steering_chat, owns_bot=True)

    def chats_for(self, msg: OutgoingMessage) -> list[int]:
        chats = list(msg.recipient.chat_ids)
        if msg.kind == MessageKind.MONITOR_LIST and self.monitor_chat is not None:
            chats.append(self.monitor_chat)
        if msg.kind == MessageKind.STEERING_DIGEST and self.steering_chat is not None:
            chats.append(self.steering_chat)
        return list(dict.fromkeys(chats))

    async def _ensure_initialized(self) -> None:
        if self._initialized:
            return
        try:
            await self.bot.initialize()  # getMe: a wrong token shows here, once
        except InvalidToken as exc:
            raise ConfigError(
                "mã bot Telegram (NHACVIEC_TELEGRAM_TOKEN) không hợp lệ hoặc đã bị thu hồi"
            ) from exc
        self._initialized = True

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        await self._ensure_initialized()
        if self._stopper.requested:
            return [self._unsent(m) for m in messages]
        # A stop of the service: the sends in flight finish, those waiting for their turn
        # are left for the next run (notifiers.stopping).
        return await gather_unless_stopped([self._send_guarded(m) for m in messages],
                                           self._stopper, lambda i: self._unsent(messages[i]))

    def request_stop(self) -> None:
        """The service stops: finish the sends in flight, start no more."""
        self._stopper.request()

    def _unsent(self, msg: OutgoingMessage) -> DeliveryResult:
        """A message the stop left: not sent, with the parts of it delivered so far."""
        chats = self.chats_for(msg)
        so_far = ",".join(f"{chat}:{'+'.join(map(str, sent))}" for chat in chats
                          if (sent := self._delivered.get((msg.key, chat))))
        return DeliveryResult(msg.key, False, attempts=0, detail=f"chưa gửi: {STOPPING}",
                              provider_id=so_far or msg.resume)

    async def _send_guarded(self, msg: OutgoingMessage) -> DeliveryResult:
        async with self._parallel:
            try:
                result = await self.send(msg)
            except ConfigError as exc:
                result = DeliveryResult(msg.key, False, permanent=True, detail=str(exc))
            if self.settled is not None:
                self.settled(result)
            return result

    async def send(self, msg: OutgoingMessage) -> DeliveryResult:
        chats = self.chats_for(msg)
        if not chats:
            return DeliveryResult(msg.key, False, permanent=True, attempts=0,
                                  detail="chưa có nhóm Telegram nào liên kết với cơ quan")
        parts = render_message(msg)
        markup = keyboard(msg)
        args = RateLimitArgs(stop=lambda: self._stopper.requested)
        failures: list[str] = []
        transient, permanent = False, False
        earlier = parts_delivered(msg.resume)
        for chat in chats:
            if (msg.key, chat) not in self._delivered and chat in earlier:
                self._delivered[(msg.key, chat)] = list(earlier[chat])  # another process's

        def so_far() -> str:
            return ",".join(f"{chat}:{'+'.join(map(str, sent))}" for chat in chats
                            if (sent := self._delivered.get((msg.key, chat))))

        for n, chat in enumerate(chats):
            outcome = await self._send_parts(msg.key, chat, parts, markup, args, so_far,
                                             last_chat=n == len(chats) - 1)
            if not outcome.ok:
                failures.append(f"{chat}: {outcome.detail}")
                permanent |= outcome.permanent
                transient |= not outcome.permanent
        # Stored with the message and listed for the Sở Nội vụ: never the token, whatever a
        # library's error said.
        detail = redact("; ".join(failures), (self.bot.token, self.bot.token.partition(":")[2]))
        ok = not failures
        log.info("telegram %s → %s: %s", msg.key, ",".join(map(str, chats)),
                 "đã gửi" if ok else detail)
        return DeliveryResult(msg.key, ok, permanent=permanent and not transient,
                              attempts=1 + args.retries, detail=detail,
                              provider_id=so_far() or None)

    async def _send_parts(self, key: str, chat: int, parts: list[str],
                          markup: InlineKeyboardMarkup | None, args: RateLimitArgs,
                          so_far: Callable[[], str], *, last_chat: bool) -> _Outcome:
        """The parts not yet delivered to `chat`, in order. After each part, `progress` is told
        what went so far, unless it was the message's very last part (of its last chat): that
        one the dispatcher records with the outcome."""
        done = self._delivered.setdefault((key, chat), [])
        for index, text in enumerate(parts):
            if index < len(done):
                continue  # delivered by an earlier attempt of this message
            last = index == len(parts) - 1
            try:
                sent = await self.bot.send_message(
                    chat, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                    reply_markup=markup if last else None, rate_limit_args=args,
                )
            except SendStopped:
                return _Outcome(False, False, f"chưa gửi: {STOPPING}")
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                return _Outcome(False, False, f"Telegram yêu cầu chờ {seconds:.0f} giây", seconds)
            except Forbidden as exc:
                return _Outcome(False, True, f"bot bị chặn hoặc không còn trong nhóm ({exc})")
            except ChatMigrated as exc:
                return _Outcome(False, True, f"nhóm đã chuyển sang mã {exc.new_chat_id}")
            except BadRequest as exc:
                # Chat not found, text refused: sending the same again will not help.
                return _Outcome(False, True, f"Telegram từ chối tin nhắn ({exc})")
            except InvalidToken as exc:
                return _Outcome(False, False, f"mã bot không hợp lệ ({exc})")
            except (NetworkError, TelegramError) as exc:
                return _Outcome(False, False, f"lỗi mạng ({exc})")
            done.append(sent.message_id)
            if self.progress is not None and not (last and last_chat):
                self.progress(key, so_far())
        return _Outcome()

    async def aclose(self) -> None:
        if self._owns_bot and self._initialized:
            await self.bot.shutdown()
            self._initialized = False
