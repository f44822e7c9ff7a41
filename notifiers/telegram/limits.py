"""Keeping Telegram's flood limits, exactly, for every request the bot makes.

Telegram asks bots to stay under about 30 messages per second overall, one message per second in
one chat, and 20 messages per minute in one group (negative chat ids); beyond that it answers
429 with `retry_after`. python-telegram-bot's own `AIORateLimiter` has no per-chat limit for
private chats and uses leaky buckets, which let a full bucket burst on top of a window that
already holds as many sends; so this is a small exact limiter instead, plugged into PTB as its
`rate_limiter`, so that replies of the bot and the notifier's sends share one budget.

How it stays exact whatever the network does: a send occupies its limits from the moment it is
granted until its response has arrived *plus* the window (1 s, 60 s). Telegram receives a
request after it is granted and before its response comes back, so two arrivals counted by one
window are always less than a window apart only if both are counted — never more than the limit.

Who goes first: among chats whose own limits allow a send, the chat with the most waiting
messages, then the oldest request (this finishes a batch in the shortest total time; within a
chat, order is kept, so the parts of a long message arrive in order).

On 429 nothing was delivered, so the request is sent again after `retry_after` (every request
waits, as Telegram's flood control is per bot); other errors are never retried here, so a message
Telegram may have accepted is never sent twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Methods that put a message into a chat: they count against the per-chat and group limits.
SEND_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "sendSticker", "sendInvoice", "copyMessage", "copyMessages",
    "forwardMessage", "forwardMessages",
})


@dataclass(frozen=True)
class Limits:
    overall: int = 30  # requests naming a chat, per `overall_window`
    overall_window: float = 1.0
    per_chat_interval: float = 1.0  # between two messages to one chat
    group: int = 20  # messages to one group chat, per `group_window`
    group_window: float = 60.0
    max_retries: int = 3  # times a request refused with 429 is sent again


@dataclass
class RateLimitArgs:
    """Passed as `rate_limit_args` to a bot method: the limiter counts 429 retries into it.
    `stop`, when it answers True as the request's turn comes, keeps the request from going
    (`SendStopped`): a stopping service sends nothing more."""

    retries: int = 0
    stop: Callable[[], bool] | None = None


class SendStopped(Exception):  # noqa: N818 - reads as what happened
    """The request's turn came after the service began to stop: it was not sent."""


def retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds, whichever type this PTB version hands out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the int form is deprecated since PTB 22.2
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass(eq=False)
class _Mark:
    busy_until: float = math.inf  # in flight: occupies its window until released


@dataclass(eq=False)
class _Slot(_Mark):
    chat: int | str | None = None
    counts_chat: bool = False
    group_mark: _Mark | None = None  # the same send, in its group's 60-second window


@dataclass
class _Waiter:
    seq: int
    future: asyncio.Future[_Slot]
    counts_chat: bool


@dataclass
class _ChatState:
    waiting: deque[_Waiter] = field(default_factory=deque)
    busy_until: float = 0.0  # the chat's next message may be granted from this instant
    group_sends: deque[_Mark] = field(default_factory=deque)


class TelegramRateLimiter(BaseRateLimiter[RateLimitArgs]):
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._overall: deque[_Slot] = deque()
        self._chats: dict[int | str | None, _ChatState] = {}
        self._waiting: set[int | str | None] = set()  # chats with requests waiting
        self._pump_soon = False
        self._seq = itertools.count()
        self._paused_until = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.retries = 0  # 429 answers seen (for logs and tests)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        # Two bots may share this limiter (the bot's replies and the notifier): stop the timer
        # only when nobody waits for it.
        if self._timer is not None and not self._waiting:
            self._timer.cancel()
            self._timer = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        limited = chat is not None
        for attempt in range(self.limits.max_retries + 1):
            slot = None
            if limited:
                # A request sent again after 429 keeps its place at the head of its chat.
                slot = await self._acquire(chat, endpoint in SEND_METHODS, front=attempt > 0)
            if slot is None:
                await self._wait_pause()
            try:
                if rate_limit_args is not None and rate_limit_args.stop is not None and \
                        rate_limit_args.stop():
                    raise SendStopped(endpoint)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.retries += 1
                if rate_limit_args is not None:
                    rate_limit_args.retries += 1
                delay = retry_after_seconds(exc)
                log.warning("Telegram yêu cầu chờ %.0f giây (%s, lần %d)", delay, endpoint,
                            attempt + 1)
                self._pause(delay)
                if attempt == self.limits.max_retries:
                    raise
            finally:
                if slot is not None:
                    self._release(slot)
        raise AssertionError("unreachable")  # the loop returns or raises

    # --- granting ---------------------------------------------------------------------------
    async def _acquire(self, chat: int | str | None, counts_chat: bool, *,
                       front: bool = False) -> _Slot:
        loop = asyncio.get_running_loop()
        waiter = _Waiter(next(self._seq), loop.create_future(), counts_chat)
        waiting = self._chats.setdefault(chat, _ChatState()).waiting
        if front:
            waiting.appendleft(waiter)
        else:
            waiting.append(waiter)
        self._waiting.add(chat)
        self._kick()
        try:
            return await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release(waiter.future.result())
            else:
                state = self._chats.get(chat)
                if state is not None and waiter in state.waiting:
                    state.waiting.remove(waiter)
                    if not state.waiting:
                        self._waiting.discard(chat)
            raise

    def _release(self, slot: _Slot) -> None:
        now = asyncio.get_running_loop().time()
        slot.busy_until = now + self.limits.overall_window
        if slot.counts_chat:
            state = self._chats.setdefault(slot.chat, _ChatState())
            state.busy_until = now + self.limits.per_chat_interval
        if slot.group_mark is not None:
            slot.group_mark.busy_until = now + self.limits.group_window
        self._kick()

    def _kick(self) -> None:
        # Requests and responses come in bursts (a batch of digests, 30 answers at once): one
        # pump per turn of the loop, not one per event, keeps a big batch linear.
        if not self._pump_soon:
            self._pump_soon = True
            asyncio.get_running_loop().call_soon(self._pump)

    def _pause(self, seconds: float) -> None:
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)

    async def _wait_pause(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self._paused_until - loop.time()) > 0:
            await asyncio.sleep(delay)

    def _pump(self) -> None:
        """Grant every waiting request the limits allow now; set a timer for the next one."""
        self._pump_soon = False
        loop = asyncio.get_running_loop()
        now = loop.time()
        lim = self.limits
        while self._overall and self._overall[0].busy_until <= now and \
                self._overall[0].busy_until != math.inf:
            self._overall.popleft()
        busy = sum(1 for s in self._overall if s.busy_until > now)
        wake = math.inf
        if now < self._paused_until:
            wake = self._paused_until
        ready: list[tuple[int, int, int | str | None]] = []
        for chat in list(self._waiting):
            state = self._chats[chat]
            if not state.waiting:
                self._waiting.discard(chat)
                continue
            head = state.waiting[0]
            at = self._chat_ready_at(chat, state, now) if head.counts_chat else now
            if at <= now:
                ready.append((-len(state.waiting), head.seq, chat))
            else:
                wake = min(wake, at)
        if now >= self._paused_until and ready:
            free = lim.overall - busy
            for _, _, chat in heapq.nsmallest(max(free, 0), ready):
                state = self._chats[chat]
                waiter = state.waiting.popleft()
                if not state.waiting:
                    self._waiting.discard(chat)
                if waiter.future.cancelled():
                    continue
                slot = _Slot(chat=chat, counts_chat=waiter.counts_chat)
                self._overall.append(slot)
                if waiter.counts_chat:
                    state.busy_until = math.inf
                    if _is_group(chat):
                        slot.group_mark = _Mark()
                        state.group_sends.append(slot.group_mark)
                waiter.future.set_result(slot)
            if len(ready) > free:
                wake = min(wake, self._overall_ready_at())
        if len(self._chats) > 4 * len(self._waiting) + 1024:
            self._forget_idle(now)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if wake != math.inf:
            self._timer = loop.call_at(wake, self._pump)

    def _forget_idle(self, now: float) -> None:
        for chat, state in list(self._chats.items()):
            while state.group_sends and state.group_sends[0].busy_until <= now:
                state.group_sends.popleft()
            if not state.waiting and state.busy_until <= now and not state.group_sends:
                del self._chats[chat]

    def _chat_ready_at(self, chat: int | str | None, state: _ChatState, now: float) -> float:
        at = state.busy_until
        if _is_group(chat):
            sends = state.group_sends
            while sends and sends[0].busy_until <= now:
                sends.popleft()
            if len(sends) >= self.limits.group:
                at = max(at, sends[-self.limits.group].busy_until)
        return at

    def _overall_ready_at(self) -> float:
        # The earliest instant a place frees up; in-flight sends free theirs on release.
        finite = sorted(s.busy_until for s in self._overall if s.busy_until != math.inf)
        return finite[0] if finite else math.inf


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TelegramRateLimiter] = \
    weakref.WeakKeyDictionary()


def shared_limiter() -> TelegramRateLimiter:
    """The process's limiter for the running event loop: the bot's replies and the notifier's
    sends (built separately by the service) then share one budget, as Telegram counts them."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return TelegramRateLimiter()  # no loop yet: nothing to share with
    limiter = _per_loop.get(loop)
    if limiter is None:
        limiter = _per_loop[loop] = TelegramRateLimiter()
    return limiter


class SharedLimiter(BaseRateLimiter[RateLimitArgs]):
    """Stands for `shared_limiter()` of whatever loop the request runs in: bots built before
    the service's loop starts (the notifier is) still share the budget with the bot's replies."""

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: RateLimitArgs | None) -> Any:
        return await shared_limiter().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)


def _is_group(chat: int | str | None) -> bool:
    """Groups, supergroups and channels have negative ids (or an @username)."""
    if isinstance(chat, str):
        return not chat.lstrip("-").isdigit() or chat.startswith("-")
    return chat is not None and chat < 0
