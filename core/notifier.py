"""The one small interface every channel keeps (email, Telegram, the recording channel).

The engine decides *who* gets *what* (an ``OutgoingMessage``); a notifier decides *how* it looks
on its channel and delivers it. The dispatcher depends only on this protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from core.messages import DeliveryResult, OutgoingMessage

# Told, during a batch, what part of a message has been delivered so far: (message key, provider
# id of the parts delivered). The dispatcher keeps it at once, so that a process dying in the
# middle of a long message leaves its successor only the rest to send (``OutgoingMessage.resume``).
Progress = Callable[[str, str], None]


@runtime_checkable
class Notifier(Protocol):
    channel: str
    # Set by the dispatcher before the first batch; a channel that delivers a message in parts
    # calls it after each part but the last. A channel that sends whole messages leaves it unused.
    progress: Progress | None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        """Deliver every message; never raise for a single message's failure."""
        ...

    async def aclose(self) -> None: ...
