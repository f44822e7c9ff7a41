"""A channel's part in a stop of the service (SIGTERM): finish what is in flight, start nothing.

`Stopper` is the flag a notifier's `request_stop()` sets; `gather_unless_stopped` runs a batch's
sends (one coroutine per message, as the chat channels do) and, once a stop is asked for, gives
the sends in flight `grace` seconds, then cancels the rest: those still waiting for their turn
(the channel's pacing) never left, and are reported "not sent" for the next run, with the parts
of a long message delivered so far (`unsent(index)` builds that result).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from core.messages import DeliveryResult

STOP_GRACE = 3.0  # seconds the sends in flight get once the service stops
STOPPING = "dịch vụ đang dừng, sẽ gửi ở lần chạy sau"


class Stopper:
    """Set once; waitable from whichever event loop runs the batch (tests run many)."""

    def __init__(self) -> None:
        self.requested = False
        self._event: asyncio.Event | None = None

    def request(self) -> None:
        self.requested = True
        if self._event is not None:
            self._event.set()

    def event(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        event = self._event
        if event is None or getattr(event, "_loop", loop) not in (None, loop):
            event = self._event = asyncio.Event()
            if self.requested:
                event.set()
        return event


async def gather_unless_stopped(sends: Sequence[Coroutine[Any, Any, DeliveryResult]],
                                stopper: Stopper, unsent: Callable[[int], DeliveryResult], *,
                                grace: float = STOP_GRACE) -> list[DeliveryResult]:
    """The results of `sends` in order; after a stop, the ones not finished within `grace`
    are cancelled and replaced by `unsent(index)`."""
    tasks = [asyncio.ensure_future(s) for s in sends]
    if not tasks:
        return []
    everything = asyncio.gather(*tasks, return_exceptions=True)
    stopped = asyncio.ensure_future(stopper.event().wait())
    try:
        await asyncio.wait({everything, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not everything.done():
            await asyncio.wait({everything}, timeout=grace)
            for t in tasks:
                t.cancel()
        outcomes = await everything
    finally:
        stopped.cancel()
        for t in tasks:
            if not t.done():
                t.cancel()
    results: list[DeliveryResult] = []
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, asyncio.CancelledError):
            results.append(unsent(i))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            results.append(outcome)
    return results
