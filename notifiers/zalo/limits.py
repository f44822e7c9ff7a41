"""Pacing for the Zalo Bot API, kept exactly, for every request that names a chat.

The figures the client assumes (the Zalo Bot Platform publishes none; its API is modelled on
Telegram's, whose bots may send about 30 messages a second overall and one a second per chat):

- one message per second to one chat (`per_chat_interval`);
- at most 20 requests naming a chat in any one second, overall (`overall`), a third below
  Telegram's 30, since nothing is promised;
- a 429 answer is waited out (`retry_after`, else 1 s) by every request, and the request is
  sent again, at most `max_retries` times.

How it stays exact whatever the network does (the method of `notifiers.telegram.limits`): a
send occupies its limits from the moment it is granted until its response has arrived *plus*
the window, so two arrivals the platform counts in one window were both granted inside it.
Who goes first: among chats whose own limit allows a send, the chat with the most waiting
requests, then the oldest request; within a chat, order is kept (the parts of a long message
arrive in order).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ZaloLimits:
    overall: int = 20  # requests naming a chat, per `overall_window`
    overall_window: float = 1.0
    per_chat_interval: float = 1.0  # between two messages to one chat
    max_retries: int = 3  # times a request refused with 429 is sent again


@dataclass(eq=False)
class Slot:
    chat: str | None
    counts_chat: bool
    busy_until: float = math.inf  # in flight: occupies its window until released


@dataclass
class _Waiter:
    seq: int
    future: asyncio.Future[Slot]
    counts_chat: bool


@dataclass
class _Chat:
    waiting: deque[_Waiter] = field(default_factory=deque)
    busy_until: float = 0.0  # the chat's next message may be granted from this instant


class ZaloRateLimiter:
    def __init__(self, limits: ZaloLimits | None = None) -> None:
        self.limits = limits or ZaloLimits()
        self._overall: deque[Slot] = deque()
        self._chats: dict[str | None, _Chat] = {}
        self._waiting: set[str | None] = set()
        self._seq = itertools.count()
        self._pump_soon = False
        self._paused_until = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.retries = 0  # 429 answers seen (logs, tests)

    async def acquire(self, chat: str | None, counts_chat: bool, *,
                      front: bool = False) -> Slot:
        loop = asyncio.get_running_loop()
        waiter = _Waiter(next(self._seq), loop.create_future(), counts_chat)
        state = self._chats.setdefault(chat, _Chat())
        if front:
            state.waiting.appendleft(waiter)
        else:
            state.waiting.append(waiter)
        self._waiting.add(chat)
        self._kick()
        try:
            return await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release(waiter.future.result())
            elif waiter in state.waiting:
                state.waiting.remove(waiter)
                if not state.waiting:
                    self._waiting.discard(chat)
            raise

    def release(self, slot: Slot) -> None:
        now = asyncio.get_running_loop().time()
        slot.busy_until = now + self.limits.overall_window
        if slot.counts_chat:
            self._chats.setdefault(slot.chat, _Chat()).busy_until = \
                now + self.limits.per_chat_interval
        self._kick()

    def pause(self, seconds: float) -> None:
        """A 429: nobody sends for `seconds` (the platform's flood control is per bot)."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)
        self._kick()

    async def wait_pause(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self._paused_until - loop.time()) > 0:
            await asyncio.sleep(delay)

    def close(self) -> None:
        if self._timer is not None and not self._waiting:
            self._timer.cancel()
            self._timer = None

    # --- granting ---------------------------------------------------------------------------
    def _kick(self) -> None:
        if not self._pump_soon:  # one pump per turn of the loop, however many events
            self._pump_soon = True
            asyncio.get_running_loop().call_soon(self._pump)

    def _pump(self) -> None:
        self._pump_soon = False
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._overall and self._overall[0].busy_until <= now:
            self._overall.popleft()
        busy = sum(1 for s in self._overall if s.busy_until > now)
        wake = self._paused_until if now < self._paused_until else math.inf
        ready: list[tuple[int, int, str | None]] = []
        for chat in list(self._waiting):
            state = self._chats[chat]
            if not state.waiting:
                self._waiting.discard(chat)
                continue
            head = state.waiting[0]
            at = state.busy_until if head.counts_chat else now
            if at <= now:
                ready.append((-len(state.waiting), head.seq, chat))
            else:
                wake = min(wake, at)
        if now >= self._paused_until and ready:
            free = self.limits.overall - busy
            for _, _, chat in heapq.nsmallest(max(free, 0), ready):
                state = self._chats[chat]
                waiter = state.waiting.popleft()
                if not state.waiting:
                    self._waiting.discard(chat)
                if waiter.future.cancelled():
                    continue
                slot = Slot(chat, waiter.counts_chat)
                self._overall.append(slot)
                if waiter.counts_chat:
                    state.busy_until = math.inf  # until its response is back
                waiter.future.set_result(slot)
            if len(ready) > free:
                finite = [s.busy_until for s in self._overall if s.busy_until != math.inf]
                if finite:
                    wake = min(wake, min(finite))
        if len(self._chats) > 4 * len(self._waiting) + 1024:
            for chat, state in list(self._chats.items()):
                if not state.waiting and state.busy_until <= now:
                    del self._chats[chat]
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if wake != math.inf:
            self._timer = loop.call_at(wake, self._pump)
