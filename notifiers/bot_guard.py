"""What keeps one chat from freezing a bot (issue 18, point 4), for Telegram and Zalo alike.

Before: an unlinked chat sending 100 `/mytasks` made another agency wait 187 s for `/help`. Every
update took one of the bot's 32 slots, read the database, and then waited for the chat's own
send limit (one message a second) while holding the slot; the flood held all of them.

- `ChatRate`: at most `limit` commands per chat in any `window` seconds, counted in memory when
  the update arrives, before any database work. The first command refused in a window is
  answered once (`TOO_MANY`); the rest are dropped.
- `RefusalCache`: a chat found unlinked is remembered for `ttl` seconds; its next commands get
  the refusal without a database read. Linking in this process forgets it at once; a link made
  elsewhere (the CLI, another process) is seen after `ttl`.
- `ChatLanes`: one update per chat at a time, in arrival order, and at most `slots` chats at
  once. A chat whose answers wait on its per-chat send limit holds one slot, never all; other
  chats go past it. After `close()` the updates not yet started are dropped, so a stopping
  service does not answer a queued flood first.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Hashable
from typing import Any

TOO_MANY = "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."
COMMANDS_PER_MINUTE = 20  # a chat's commands within a minute; beyond, dropped (told once)
REFUSAL_TTL = 60.0  # seconds an unlinked chat is refused from memory
LANE_SLOTS = 32  # chats answered at once
_FORGET_AFTER = 10_000  # chats remembered before idle ones are swept


class ChatRate:
    """At most `limit` commands per chat in any `window` seconds, in memory."""

    def __init__(self, limit: int = COMMANDS_PER_MINUTE, window: float = 60.0,
                 clock: Callable[[], float] | None = None) -> None:
        self.limit, self.window = limit, window
        self.clock = clock or time.monotonic
        self._seen: dict[Hashable, deque[float]] = {}
        self._told: dict[Hashable, float] = {}
        self.dropped = 0  # commands refused (logs, tests)

    def check(self, chat: Hashable) -> tuple[bool, float]:
        """(allowed, seconds until the chat may send again); an allowed command is counted."""
        now = self.clock()
        seen = self._seen.setdefault(chat, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            self.dropped += 1
            return False, seen[0] + self.window - now
        seen.append(now)
        if len(self._seen) > _FORGET_AFTER:  # forget idle chats now and then
            for c in [c for c, q in self._seen.items() if not q or q[-1] <= now - self.window]:
                self._seen.pop(c, None)
                self._told.pop(c, None)
        return True, 0.0

    def tell(self, chat: Hashable) -> bool:
        """Whether to tell the chat it sends too much (once per window)."""
        now = self.clock()
        if self._told.get(chat, -math.inf) > now - self.window:
            return False
        self._told[chat] = now
        return True


class RefusalCache:
    """Chats found unlinked, remembered for `ttl` seconds."""

    def __init__(self, ttl: float = REFUSAL_TTL, clock: Callable[[], float] | None = None
                 ) -> None:
        self.ttl = ttl
        self.clock = clock or time.monotonic
        self._until: dict[Hashable, float] = {}

    def refused(self, chat: Hashable) -> bool:
        until = self._until.get(chat)
        if until is None:
            return False
        if until <= self.clock():
            del self._until[chat]
            return False
        return True

    def remember(self, chat: Hashable) -> None:
        now = self.clock()
        if len(self._until) > _FORGET_AFTER:
            for c in [c for c, t in self._until.items() if t <= now]:
                del self._until[c]
        self._until[chat] = now + self.ttl

    def forget(self, chat: Hashable) -> None:
        self._until.pop(chat, None)


class ChatLanes:
    """One coroutine per chat at a time (arrival order), at most `slots` chats at once."""

    def __init__(self, slots: int = LANE_SLOTS) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._lanes: dict[Hashable, tuple[asyncio.Lock, int]] = {}
        self.closed = False

    def close(self) -> None:
        """Drop what has not started yet; what runs finishes."""
        self.closed = True

    async def run(self, chat: Hashable, work: Coroutine[Any, Any, Any]) -> bool:
        """Run `work` in the chat's lane; False (and `work` closed unrun) when the lanes were
        closed before its turn came."""
        lock, users = self._lanes.get(chat, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._lanes[chat] = (lock, users + 1)
        started = False
        try:
            async with lock:
                if self.closed:
                    return False
                async with self._slots:
                    if self.closed:
                        return False
                    started = True
                    await work
                    return True
        finally:
            if not started:
                work.close()  # never run: no "never awaited" warning
            lock, users = self._lanes[chat]
            if users <= 1:
                del self._lanes[chat]
            else:
                self._lanes[chat] = (lock, users - 1)
