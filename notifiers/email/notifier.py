"""The email channel: SMTP through aiosmtplib, or ``.eml`` files in the outbox folder.

No SMTP host set: every message is written to ``settings.resolved_outbox()`` as one ``.eml``
file named after its key (written to a temporary file, then renamed: a reader never sees half
a file, and sending a key again replaces its file).

SMTP: a batch is shared by a few workers (``max_connections``), each holding ONE connection
that it reuses for message after message, building the next message while the others wait on
the network. A failure is classified (``notifiers.email.outcomes``):
- transient (4xx, dropped connection, timeout): retried with exponential backoff on a fresh
  connection, up to ``max_attempts``;
- permanent (5xx, every recipient refused): recorded failed with ``permanent=True``, no retry;
- a wrong setting (login refused, certificate not trusted, no STARTTLS): the batch stops, the
  rest is reported failed but retryable, since no message is at fault; one log line says so
  for the whole batch.
Every attempt goes into ``DeliveryResult.attempt_log``; one log line per delivery.

A server that hangs (accepts, never answers): ``hung_limit`` timeouts in a row, whichever
workers met them, stop the batch, and the batches of the next ``down_hold`` seconds (the rest of
the wake-up) do not try it at all; their messages are "not sent", retried at the next wake-up.
``request_stop()`` (the service got SIGTERM): nothing more is started, the message in flight is
given ``stop_grace`` seconds to finish, then its connection is dropped; every message not
delivered is "not sent", retried at the next run (the same Message-ID if it went after all).

Delivery is at least once. A connection lost before the server's final reply to DATA leaves
the client unable to know whether the message was accepted (RFC 1047); it is sent again, with
the same Message-ID (derived from the key) so the receiving side can recognise the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError, TransientDeliveryError
from core.messages import DeliveryAttempt, DeliveryResult, OutgoingMessage
from core.notifier import Progress, Settled
from core.vocabulary import Channel
from notifiers.email.build import (
    Sender,
    may_attach,
    message_id,
    render_parts,
    split_addresses,
    wire_bytes,
)
from notifiers.email.outbox import outbox_name, write_atomically
from notifiers.email.outcomes import CONFIG, PERMANENT, Outcome, classify, shorten
from notifiers.email.smtp import SmtpConnection, SmtpOptions
from notifiers.stopping import STOPPING, Stopper

log = logging.getLogger("nhacviec.email")

@dataclass(frozen=True)
class _Built:
    index: int
    msg: OutgoingMessage
    built: DeliveryResult | tuple[bytes, str] | None  # None: not built, the batch stopped


@dataclass
class _Batch:
    stop: str | None = None  # why the rest of the batch is not attempted
    hung: int = 0  # timeouts in a row, all workers together
    down: bool = False  # stopped because the server hangs


@dataclass
class _Tries:
    """One message's way through its attempts."""

    pending: list[str]
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # address -> server's words
    log: list[DeliveryAttempt] = field(default_factory=list)
    last: Outcome | None = None


class EmailNotifier:
    channel = Channel.EMAIL
    progress: Progress | None = None  # each message goes whole: nothing to report between parts
    # Told each SMTP message's result as soon as the server has answered for good (accepted,
    # refused, tries run out): the dispatcher records it at once. The outbox does not tell it:
    # writing a message again replaces its file, so a crash there repeats nothing.
    settled: Settled | None = None

    def __init__(self, settings: Any, *, tls_context: ssl.SSLContext | None = None,
                 **overrides: Any) -> None:
        self.settings = settings
        self.options = SmtpOptions.from_settings(settings, **overrides)
        try:
            self.sender = Sender.parse(settings.smtp_from)
        except ValueError as exc:
            raise ConfigError(f"NHACVIEC_SMTP_FROM: {exc}") from None
        self._tls_context = tls_context
        self._slots: asyncio.Semaphore | None = None
        self._local_hostname: str | None = None
        self._stopper = Stopper()  # request_stop(): the service is stopping
        self._down_until = 0.0  # time.monotonic() until which a hung server is not tried
        self._down_reason = ""

    def request_stop(self) -> None:
        """Start nothing more; a batch in flight finishes the message it is sending (within
        `stop_grace` seconds) and reports the rest "not sent"."""
        self._stopper.request()

    @property
    def _stopping(self) -> bool:
        return self._stopper.requested

    # --- the Notifier protocol --------------------------------------------------------------
    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        if not messages:
            return []
        if self.options.host is None:
            results = []
            for m in messages:
                results.append(self._deliver_to_outbox(m, await self._build(m)))
                await asyncio.sleep(0)  # a long batch must not freeze the bot sharing the loop
            return results
        why = None
        if self._stopping:
            why = STOPPING
        elif time.monotonic() < self._down_until:
            why = f"{self._down_reason}; sẽ gửi lại ở lần gửi sau"
            log.warning("Kênh email bỏ qua %d thư: %s", len(messages), why)
        if why is not None:
            return [DeliveryResult(m.key, False, attempts=0, detail=f"chưa gửi: {why}")
                    for m in messages]
        return await self._send_smtp(messages)

    async def aclose(self) -> None:
        return None  # connections live only as long as a batch

    async def check(self) -> None:
        """Connect and log in once, for the service's start.

        Raises ConfigError for a wrong setting, TransientDeliveryError when the server
        cannot be reached (the service warns and keeps retrying).
        """
        if self.options.host is None:
            folder = self.settings.resolved_outbox()
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"không tạo được thư mục thư đi {folder}: "
                                         f"{exc.strerror or exc}") from None
            return
        conn = self._connection()
        try:
            await conn.ensure()
            await conn.quit()
        except Exception as exc:
            conn.close()
            outcome = classify(exc, self.options)
            if outcome.kind == CONFIG:
                raise ConfigError(outcome.detail) from None
            raise TransientDeliveryError(outcome.detail) from None

    def _connection(self) -> SmtpConnection:
        return SmtpConnection(self.options, tls_context=self._tls_context,
                              local_hostname=self._local_hostname)

    # --- building ---------------------------------------------------------------------------
    def prepare(self, msg: OutgoingMessage) -> bytes:
        return wire_bytes(msg, render_parts(msg), self.sender)

    async def _build(self, msg: OutgoingMessage) -> DeliveryResult | tuple[bytes, str]:
        """As `_build_or_fail`; a message that may carry a large file (the complete late list
        of a national digest takes seconds) is built in a thread, so the loop and the bot
        sharing it keep going meanwhile."""
        if may_attach(msg):
            return await asyncio.to_thread(self._build_or_fail, msg)
        return self._build_or_fail(msg)

    def _build_or_fail(self, msg: OutgoingMessage) -> DeliveryResult | tuple[bytes, str]:
        """The wire bytes and Message-ID, or a failed result when the message cannot be made."""
        usable, unusable = split_addresses(msg.recipient.emails)
        if not usable:
            detail = f"{msg.recipient.name} chưa có địa chỉ email trong danh bạ"
            if unusable:
                detail = f"địa chỉ email không hợp lệ: {', '.join(unusable)}"
            return self._finish(msg, DeliveryResult(msg.key, False, permanent=True,
                                                    attempts=0, detail=detail))
        try:
            return self.prepare(msg), message_id(msg.key, self.sender.domain)
        except Exception as exc:  # a template or data bug must not stop the other messages
            log.exception("email build failed key=%s recipient=%s", msg.key, msg.recipient.id)
            return self._finish(msg, DeliveryResult(
                msg.key, False, permanent=True, attempts=0,
                detail=f"không dựng được thư: {shorten(str(exc))}"))

    # --- outbox -----------------------------------------------------------------------------
    def _deliver_to_outbox(self, msg: OutgoingMessage,
                           built: DeliveryResult | tuple[bytes, str]) -> DeliveryResult:
        if isinstance(built, DeliveryResult):
            return built
        data, _ = built
        folder: Path = self.settings.resolved_outbox()
        name = outbox_name(msg.key)
        try:
            write_atomically(folder / name, data)
        except OSError as exc:
            detail = f"không ghi được thư vào {folder}: {exc.strerror or exc}"
            attempt = DeliveryAttempt(1, "transient", None, detail)
            return self._finish(msg, DeliveryResult(msg.key, False, detail=detail,
                                                    attempt_log=(attempt,)))
        attempt = DeliveryAttempt(1, "written", None, str(folder / name))
        return self._finish(msg, DeliveryResult(msg.key, True, detail=str(folder / name),
                                                provider_id=name, attempt_log=(attempt,)))

    # --- SMTP -------------------------------------------------------------------------------
    async def _send_smtp(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.options.max_connections)
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        slots = self._slots
        workers = min(self.options.max_connections, len(messages))
        # Builder -> bounded queue -> workers: the next messages are rendered while the
        # workers wait for the server, and no more than a few built messages wait in memory.
        ready: asyncio.Queue[_Built | None] = asyncio.Queue(maxsize=2 * workers)
        results: list[DeliveryResult | None] = [None] * len(messages)
        batch = _Batch()

        async def builder() -> None:
            for i, msg in enumerate(messages):
                built = None if batch.stop or self._stopping else await self._build(msg)
                await ready.put(_Built(i, msg, built))
                await asyncio.sleep(0)  # let sends progress between two builds
            for _ in range(workers):
                await ready.put(None)

        async def worker() -> None:
            async with slots:
                conn = self._connection()
                try:
                    while (job := await ready.get()) is not None:
                        results[job.index] = done = await self._deliver_unless_stopped(
                            conn, job, batch, stopped)
                        if self.settled is not None:
                            self.settled(done)  # recorded before the next message goes
                finally:
                    if self._stopping or batch.down:
                        conn.close()  # no goodbye: it would wait on a server that may hang
                    else:
                        await conn.quit()

        stopped = asyncio.ensure_future(self._stopper.event().wait())  # one for the batch
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(builder())
                for _ in range(workers):
                    group.create_task(worker())
        finally:
            stopped.cancel()
        done = [r for r in results if r is not None]
        if batch.down:
            self._down_until = time.monotonic() + self.options.down_hold
            self._down_reason = batch.stop or ""
        if self._stopping:
            unsent = sum(1 for r in done if not r.ok and not r.permanent)
            if unsent:
                log.warning("Kênh email dừng vì dịch vụ đang dừng; %d thư chưa gửi, sẽ gửi ở "
                            "lần chạy sau", unsent)
        elif batch.stop:
            # One line for the batch, not one per message: every one failed the same way.
            unsent = sum(1 for r in done if not r.ok and not r.permanent)
            log.error("Kênh email dừng đợt gửi: %s; %d thư chưa gửi, sẽ gửi lại ở lần gửi sau",
                      batch.stop, unsent)
        return done

    async def _deliver_unless_stopped(self, conn: SmtpConnection, job: _Built, batch: _Batch,
                                      stopped: asyncio.Future[Any]) -> DeliveryResult:
        """`_deliver`, but a stop of the service gives the message in flight `stop_grace`
        seconds, then drops its connection: whether the server took it is then unknown, and it
        goes again at the next run with the same Message-ID."""
        if self._stopping:
            return DeliveryResult(job.msg.key, False, attempts=0, detail=f"chưa gửi: {STOPPING}")
        sending = asyncio.create_task(self._deliver(conn, job, batch))
        try:
            await asyncio.wait({sending, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not sending.done():
                await asyncio.wait({sending}, timeout=self.options.stop_grace)
            if sending.done():
                return sending.result()
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
            conn.close()
            detail = (f"dịch vụ dừng khi máy chủ SMTP chưa trả lời (đã chờ "
                      f"{self.options.stop_grace:g} giây): chưa rõ máy chủ đã nhận thư chưa; "
                      "sẽ gửi lại ở lần chạy sau, cùng Message-ID")
            mid = job.built[1] if isinstance(job.built, tuple) else None
            return self._finish(job.msg, DeliveryResult(
                job.msg.key, False, attempts=1, detail=detail, provider_id=mid,
                attempt_log=(DeliveryAttempt(1, "transient", None, detail),)))
        finally:
            if not sending.done():  # the batch itself was cancelled
                sending.cancel()

    async def _nap(self, seconds: float) -> None:
        """A backoff pause that a stop of the service cuts short."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopper.event().wait(), seconds)

    async def _deliver(self, conn: SmtpConnection, job: _Built,
                       batch: _Batch) -> DeliveryResult:
        msg, built = job.msg, job.built
        if self._stopping:
            return DeliveryResult(msg.key, False, attempts=0, detail=f"chưa gửi: {STOPPING}")
        if batch.stop or built is None:  # logged once for the batch
            return DeliveryResult(msg.key, False, attempts=0, detail=f"chưa gửi: {batch.stop}")
        if isinstance(built, DeliveryResult):
            return built
        data, mid = built
        usable, unusable = split_addresses(msg.recipient.emails)
        tries = _Tries(pending=usable,
                       refused={a: "địa chỉ không hợp lệ" for a in unusable})
        failures = 0
        for number in range(1, self.options.max_attempts + 1):
            if number > 1 and (self._stopping or batch.stop):
                break  # the service stops, or the server hangs: the next run tries again
            fresh = False
            try:
                fresh = await conn.ensure()
                errors, reply = await conn.sendmail(self.sender.address, tries.pending, data)
            except Exception as exc:
                outcome = classify(exc, self.options)
                if outcome.unexpected:
                    log.exception("email send error key=%s", msg.key)
                tries.last = outcome
                if outcome.refused:  # every recipient refused: some may be worth a retry
                    tries.refused.update(outcome.refused)
                    tries.pending = list(outcome.retry)
                tries.log.append(DeliveryAttempt(number, outcome.kind, outcome.code,
                                                 outcome.detail))
                if outcome.reconnect:
                    conn.close()
                batch.hung = batch.hung + 1 if outcome.hung else 0
                if batch.hung >= self.options.hung_limit and not batch.stop:
                    batch.stop, batch.down = outcome.detail, True
                    break
                if outcome.kind == CONFIG:
                    batch.stop = outcome.detail
                    break
                if outcome.kind == PERMANENT or not tries.pending:
                    break
                if number == self.options.max_attempts:
                    if outcome.unreachable:  # nobody else will get through either
                        batch.stop, batch.down = outcome.detail, batch.down or outcome.hung
                    break
                failures += 1
                # A reused connection the server had closed meanwhile: reconnect at once.
                stale = outcome.reconnect and not fresh and failures == 1
                await self._nap(0 if stale else self.options.backoff(failures))
                continue
            batch.hung = 0
            retry = self._record_success(tries, number, errors, reply)
            if not retry or number == self.options.max_attempts:
                break
            failures += 1
            await self._nap(self.options.backoff(failures))
        result = self._result(msg, tries, mid)
        if tries.last is not None and tries.last.kind == CONFIG:
            return result  # a setting, not this message: the batch's one line says it
        return self._finish(msg, result)

    @staticmethod
    def _record_success(tries: _Tries, number: int, errors: dict[str, Any],
                        reply: str) -> bool:
        """Book a completed transaction; True when some recipients are worth another try."""
        tries.accepted += [a for a in tries.pending if a not in errors]
        retry = [a for a, r in errors.items() if 400 <= r.code < 500]
        for address, r in errors.items():
            tries.refused[address] = f"{r.code} {shorten(r.message)}"
        detail = shorten(reply)
        if errors:
            detail += "; từ chối: " + ", ".join(f"{a} ({tries.refused[a]})" for a in errors)
        tries.log.append(DeliveryAttempt(number, "partial" if errors else "delivered", 250,
                                         detail))
        tries.pending = retry
        tries.last = None
        return bool(retry)

    @staticmethod
    def _result(msg: OutgoingMessage, tries: _Tries, mid: str) -> DeliveryResult:
        refused = {a: why for a, why in tries.refused.items() if a not in tries.accepted}
        attempts = len(tries.log)
        if tries.accepted:
            detail = "đã gửi tới " + ", ".join(tries.accepted)
            if refused:
                detail += "; không gửi được tới " + ", ".join(
                    f"{a} ({why})" for a, why in refused.items())
            return DeliveryResult(msg.key, True, attempts=attempts, detail=detail,
                                  provider_id=mid, attempt_log=tuple(tries.log))
        last = tries.last
        permanent = last is None or last.kind == PERMANENT or not tries.pending
        detail = last.detail if last else "mọi địa chỉ nhận đều bị từ chối"
        return DeliveryResult(msg.key, False, permanent=permanent, attempts=attempts,
                              detail=detail, provider_id=mid, attempt_log=tuple(tries.log))

    @staticmethod
    def _finish(msg: OutgoingMessage, result: DeliveryResult) -> DeliveryResult:
        # One line per delivery: never the body, never a password.
        if result.ok:
            log.info("email %s key=%s recipient=%s attempts=%d id=%s",
                     result.attempt_log[-1].outcome if result.attempt_log else "delivered",
                     msg.key, msg.recipient.id, result.attempts, result.provider_id)
        else:
            log.warning("email failed key=%s recipient=%s attempts=%d permanent=%s detail=%s",
                        msg.key, msg.recipient.id, result.attempts, result.permanent,
                        result.detail)
        return result
