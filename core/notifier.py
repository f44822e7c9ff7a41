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
# Told, during a batch, each message's result as soon as it is final (the server accepted it, or
# refused it for good, or its tries ran out): the dispatcher records it at once, so a process
# dying in the middle of a batch leaves its successor only the messages not yet accepted (at
# most those in flight at that moment go twice, with the same Message-ID).
Settled = Callable[[DeliveryResult], None]


@runtime_checkable
class Notifier(Protocol):
    channel: str
    # Set by the dispatcher before the first batch; a channel that delivers a message in parts
    # calls it after each part but the last. A channel that sends whole messages leaves it unused.
    progress: Progress | None
    # Set by the dispatcher too; a channel that can tell each message's result before the
    # batch ends calls it once per message (`send_batch` still returns every result). A channel
    # without it is recorded when its batch returns.
    settled: Settled | None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        """Deliver every message; never raise for a single message's failure."""
        ...

    async def aclose(self) -> None: ...
