"""The Zalo channel behind the `Notifier` protocol: renders with `notifiers.zalo.render`, sends
through `notifiers.zalo.client`.

A long message goes in numbered parts; each part delivered is remembered per message and chat
and told to `progress` (the dispatcher keeps it in the database at once), so a retry, in this
process or in another that takes the message over after a crash, sends only the parts that had
not gone (the provider id lists them: ``chat:id+id,chat:id``, each id percent-quoted, Zalo's
ids being strings).

How a failure is reported (the dispatcher retries transient ones on later wake-ups, and sends
a permanent one by email instead):

- the chat blocked the bot or is gone (403, "chat not found"), the text refused (400):
  permanent;
- the platform unreachable or failing (network, 5xx) beyond the client's retries: permanent,
  as the brief of issue 15 asks ("repeated network failure beyond the retry budget"), so that
  the day's message goes by email rather than waiting a day;
- 429 beyond the waits, a wrong token, an answer lost after the request went out (it may have
  been delivered): transient.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from core.errors import ConfigError, TransientDeliveryError
from core.messages import DeliveryResult, OutgoingMessage
from core.notifier import Progress, Settled
from core.vocabulary import Channel, MessageKind
from notifiers.stopping import STOPPING, Stopper, gather_unless_stopped
from notifiers.zalo.client import (
    ZaloBadRequest,
    ZaloChatUnreachable,
    ZaloClient,
    ZaloError,
    ZaloStopped,
    ZaloUnauthorized,
    ZaloUnavailable,
    mask,
)
from notifiers.zalo.render import render_message

log = logging.getLogger(__name__)
LinkFor = Callable[[str], "str | None"]


@dataclass
class _Outcome:
    ok: bool = True
    permanent: bool = False
    detail: str = ""


def parts_delivered(provider_id: str | None) -> dict[str, list[str]]:
    """The message ids of the parts delivered per chat, from a provider id this channel
    recorded; what cannot be read is left out (those parts go again)."""
    out: dict[str, list[str]] = {}
    for entry in (provider_id or "").split(","):
        chat, sep, ids = entry.partition(":")
        if not sep or not chat or not ids:
            continue
        out[unquote(chat)] = [unquote(i) for i in ids.split("+") if i]
    return out


def _provider_id(chats: Sequence[str], sent: dict[str, list[str]]) -> str:
    return ",".join(f"{quote(chat, safe='')}:{'+'.join(quote(i, safe='') for i in ids)}"
                    for chat in chats if (ids := sent.get(chat)))


class ZaloNotifier:
    channel = Channel.ZALO

    def __init__(self, client: ZaloClient, *, monitor_chat: str | None = None,
                 steering_chat: str | None = None, link_for: LinkFor | None = None,
                 max_parallel: int = 5000, owns_client: bool = True) -> None:
        self.client = client
        self.monitor_chat = monitor_chat
        self.steering_chat = steering_chat
        # The agency's personal web address (the web desk's), put at the end of each message;
        # None until the desk gives one.
        self.link_for = link_for
        self._parallel = asyncio.Semaphore(max_parallel)  # pacing is the limiter's job
        self._owns_client = owns_client
        self._delivered: dict[tuple[str, str], list[str]] = {}
        self._stopper = Stopper()  # request_stop(): the service is stopping
        # Told (message key, provider id so far) after each part that is not the message's
        # last: the dispatcher keeps it at once (Dispatcher._keep_progress).
        self.progress: Progress | None = None
        # Told each message's result as soon as its last part went (or it failed): the
        # dispatcher records it at once, without waiting for the rest of the batch.
        self.settled: Settled | None = None
        # Why the platform refused the bot itself during this batch (a revoked token): the rest
        # of the batch is not tried, and the batch raises it once for the dispatcher to report.
        self._refused: str | None = None

    @classmethod
    def from_settings(cls, settings: Any, *, link_for: LinkFor | None = None,
                      **client_kw: Any) -> ZaloNotifier:
        try:
            client = ZaloClient.from_settings(settings, **client_kw)
        except ZaloUnauthorized as exc:
            raise ConfigError(str(exc)) from None
        return cls(client, monitor_chat=settings.zalo_monitor_chat,
                   steering_chat=settings.zalo_steering_chat, link_for=link_for)

    async def check(self) -> None:
        """At start: a wrong token stops the service; an unreachable platform only warns."""
        try:
            await self.client.get_me()
        except ZaloUnauthorized:
            raise ConfigError("mã bot Zalo (NHACVIEC_ZALO_TOKEN) không hợp lệ hoặc đã "
                                     "bị thu hồi: máy chủ Zalo từ chối đăng nhập") from None
        except ZaloError as exc:
            raise TransientDeliveryError(str(exc)) from None

    def chats_for(self, msg: OutgoingMessage) -> list[str]:
        chats = list(msg.recipient.zalo_chat_ids)
        if msg.kind == MessageKind.MONITOR_LIST and self.monitor_chat:
            chats.append(self.monitor_chat)
        if msg.kind == MessageKind.STEERING_DIGEST and self.steering_chat:
            chats.append(self.steering_chat)
        return list(dict.fromkeys(chats))

    def web_link(self, msg: OutgoingMessage) -> str | None:
        if self.link_for is None:
            return None
        try:
            return self.link_for(msg.recipient.id)
        except Exception:  # a broken link must not stop the reminder
            log.exception("không lấy được địa chỉ web của %s", msg.recipient.id)
            return None

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        """Every message's result; raises ConfigError, once, when the platform refused the bot
        itself (a wrong or revoked token): the dispatcher reports the channel and keeps the
        messages not delivered for the next wake-up. A stop of the service: the sends in flight
        finish, those waiting for their turn are left for the next run (notifiers.stopping)."""
        if self._stopper.requested:
            return [self._unsent(m) for m in messages]
        self._refused = None
        results = list(await gather_unless_stopped(
            [self._send_guarded(m) for m in messages], self._stopper,
            lambda i: self._unsent(messages[i])))
        if self._refused is not None:
            raise ConfigError(self._refused)
        return results

    def request_stop(self) -> None:
        """The service stops: finish the sends in flight, start no more."""
        self._stopper.request()

    def _unsent(self, msg: OutgoingMessage) -> DeliveryResult:
        """A message the stop left: not sent, with the parts of it delivered so far."""
        chats = self.chats_for(msg)
        so_far = _provider_id(chats, {c: self._delivered.get((msg.key, c), []) for c in chats})
        return DeliveryResult(msg.key, False, attempts=0, detail=f"chưa gửi: {STOPPING}",
                              provider_id=so_far or msg.resume)

    async def _send_guarded(self, msg: OutgoingMessage) -> DeliveryResult:
        async with self._parallel:
            if self._refused is not None:  # not tried: the batch raises
                return DeliveryResult(msg.key, False, attempts=0,
                                      detail=f"chưa gửi: {self._refused}")
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
                                  detail="chưa có cuộc trò chuyện Zalo nào liên kết với cơ quan")
        parts = render_message(msg, self.web_link(msg))
        earlier = parts_delivered(msg.resume)
        for chat in chats:
            if (msg.key, chat) not in self._delivered and chat in earlier:
                self._delivered[(msg.key, chat)] = list(earlier[chat])  # another process's
        sent = {chat: self._delivered.setdefault((msg.key, chat), []) for chat in chats}
        before = self.client.attempts

        def so_far() -> str:
            return _provider_id(chats, sent)

        failures: list[str] = []
        transient = permanent = False
        for n, chat in enumerate(chats):
            outcome = await self._send_parts(msg.key, chat, parts, sent[chat], so_far,
                                             last_chat=n == len(chats) - 1)
            if not outcome.ok:
                failures.append(f"Zalo «{chat}»: {outcome.detail}")
                permanent |= outcome.permanent
                transient |= not outcome.permanent
        detail = "; ".join(failures)
        log.info("zalo %s → %s: %s", msg.key, ",".join(chats), "đã gửi" if not failures
                 else detail)
        return DeliveryResult(msg.key, not failures, permanent=permanent and not transient,
                              attempts=max(1, self.client.attempts - before), detail=detail,
                              provider_id=so_far() or None)

    async def _send_parts(self, key: str, chat: str, parts: list[str], done: list[str],
                          so_far: Callable[[], str], *, last_chat: bool) -> _Outcome:
        for index, text in enumerate(parts):
            if index < len(done):
                continue  # delivered by an earlier attempt of this message
            try:
                result = await self.client.send_message(
                    chat, text, stop=lambda: self._stopper.requested)
            except ZaloStopped:
                return _Outcome(False, False, f"chưa gửi: {STOPPING}")
            except ZaloUnauthorized:
                self._refused = ("mã bot Zalo (NHACVIEC_ZALO_TOKEN) không hợp lệ hoặc đã bị thu "
                                 "hồi: máy chủ Zalo từ chối đăng nhập")
                return _Outcome(False, False, self._refused)
            except ZaloChatUnreachable as exc:
                return _Outcome(False, True, "bot bị chặn hoặc cuộc trò chuyện không còn "
                                             f"({exc.code} {exc.description})")
            except ZaloBadRequest as exc:
                return _Outcome(False, True, f"Zalo từ chối tin nhắn ({exc.description})")
            except ZaloUnavailable as exc:
                return _Outcome(False, True, "không gửi được sau "
                                             f"{self.client.max_attempts} lần thử ({exc})")
            except ZaloError as exc:
                return _Outcome(False, False, mask(str(exc)))
            done.append(str((result or {}).get("message_id") or f"part{index + 1}"))
            if self.progress is not None and not (index == len(parts) - 1 and last_chat):
                self.progress(key, so_far())
        return _Outcome()

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
