"""A notifier that records instead of sending: the simulation's channel and the tests' fake."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.messages import DeliveryResult, OutgoingMessage
from core.notifier import Progress, Settled
from core.vocabulary import Channel


@dataclass
class RecordingNotifier:
    channel: str = Channel.RECORD
    progress: Progress | None = None
    settled: Settled | None = None  # a batch is recorded when it returns
    sent: list[OutgoingMessage] = field(default_factory=list)

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        self.sent.extend(messages)
        return [DeliveryResult(m.key, True, provider_id=m.key) for m in messages]

    async def aclose(self) -> None:
        return None
