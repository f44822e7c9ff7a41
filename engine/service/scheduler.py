"""`nhacviec run`: the long-running service. APScheduler only wakes the dispatcher; the database
is the truth.

One job, ``dispatch``, fires at the send time (08:00 Asia/Ho_Chi_Minh) every day from Monday to
Saturday (Saturdays are sometimes worked, e.g. 26/04/2025); on a day off it does nothing. The
Monday steering digest needs no job of its own: it is a planned item of that day, and the next
working day's wake-up takes it when Monday is off. APScheduler is never given one job per
reminder (it does not scale: 1 M in-memory jobs took 154 s and 1 GB here).

The job is stored by reference (``engine.service.scheduler:wake``) with the service's id as its
only argument, never an object: it finds the running service by id and everything else is read from
the database when it fires. ``coalesce`` folds a backlog of missed runs into one, and a
``misfire_grace_time`` of an hour lets a wake-up delayed by a busy process still run; anything
older is caught up by the dispatcher's own grace (default 3 working days), which also runs once
when the service starts. Two services on one PostgreSQL never send one message twice: the
dispatcher claims every message in the database before sending it.

Stopping (SIGTERM, Ctrl-C): `Service.request_stop()` at once tells the dispatcher to compose,
claim and send nothing more and each channel that can (email) to finish only the message in
flight; the wake-up then ends within seconds, whatever the servers do. What was not sent stays
pending (or "retry") for the next run. `serve` returns within about 10 s (deploy/nhacviec.service:
TimeoutStopSec=30).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from core.errors import ConfigError, TransientDeliveryError
from core.formatting import vn_date, vn_datetime
from core.notifier import Notifier
from engine.dispatch.dispatcher import Dispatcher, LinkFor, WakeResult
from engine.reports.latest import ReportLink
from engine.service.runtime import Runtime

log = logging.getLogger("nhacviec.scheduler")
JOB_ID = "dispatch"
JOB_FUNC = "engine.service.scheduler:wake"
MISFIRE_GRACE_SECONDS = 3600
_services: dict[str, Service] = {}
KEPT_WAKES = 30  # the service remembers this many of its last wake-ups, as counts


@dataclass(frozen=True)
class WakeSummary:
    """What a service remembers of one wake-up: counts, not the messages. A WakeResult holds
    every message it sent (a national Monday digest alone has 175,000 lines), and a service
    that kept them would grow by that every working day of the year."""

    slot: dt.date
    messages: int
    sent: int
    failed: int
    retried: int
    missed: int
    unreachable: int

    @classmethod
    def of(cls, r: WakeResult) -> WakeSummary:
        sent = sum(1 for x in r.results if x.ok)
        return cls(r.slot, len(r.messages), sent, len(r.results) - sent, r.retried, r.missed,
                   r.unreachable)


async def wake(service_id: str) -> WakeResult | None:
    """The job: look the service up by id and let it wake the dispatcher."""
    service = _services.get(service_id)
    if service is None:  # a job left over from a stopped service
        log.warning("Không tìm thấy dịch vụ %s; bỏ qua lần thức dậy", service_id)
        return None
    return await service.wake_now()


class Service:
    def __init__(self, rt: Runtime, notifiers: Sequence[Notifier], *,
                 clock: Callable[[], dt.datetime] | None = None,
                 extra_chats: dict[str, Sequence[int]] | None = None,
                 extra_zalo_chats: dict[str, Sequence[str]] | None = None,
                 link_for: LinkFor | None = None,
                 report_link: ReportLink | None = None) -> None:
        self.rt = rt
        self.id = uuid.uuid4().hex
        self.clock = clock or (lambda: dt.datetime.now(rt.policy.tz))
        self.dispatcher = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy,
                                     notifiers, extra_chats=extra_chats,
                                     extra_zalo_chats=extra_zalo_chats,
                                     worker=f"run:{self.id[:8]}", link_for=link_for,
                                     report_link=report_link)
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self.stopping = False
        self.wakes: deque[WakeSummary] = deque(maxlen=KEPT_WAKES)

    def trigger(self) -> CronTrigger:
        t = self.rt.policy.send_time
        return CronTrigger(day_of_week="mon-sat", hour=t.hour, minute=t.minute,
                           timezone=self.rt.policy.tz)

    def due_now(self, now: dt.datetime) -> bool:
        """Messages go on working days only, from the send time on."""
        local = now.astimezone(self.rt.policy.tz)
        return (self.rt.calendar.is_working_day(local.date())
                and local.time() >= self.rt.policy.send_time)

    def request_stop(self) -> None:
        """Stop sending now: the wake-up in flight ends after the message being sent."""
        if self.stopping:
            return
        self.stopping = True
        self.dispatcher.stopping = True
        for n in self.dispatcher.notifiers:
            stop = getattr(n, "request_stop", None)
            if stop is not None:
                stop()

    async def wake_now(self) -> WakeResult | None:
        now = self.clock()
        if self.stopping or not self.due_now(now):
            return None
        async with self._lock:  # one wake-up at a time in this process
            result = await self.dispatcher.wake(now)
            self.dispatcher.tidy()
        summary = WakeSummary.of(result)
        self.wakes.append(summary)
        log.info("Ngày %s: %d tin đã gửi, %d lỗi, %d quá hạn gửi (bỏ lỡ)",
                 vn_date(summary.slot), summary.sent, summary.failed, summary.missed)
        return result

    async def start(self) -> None:
        _services[self.id] = self
        self.scheduler = AsyncIOScheduler(
            timezone=self.rt.policy.tz,
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS,
                          "max_instances": 1},
        )
        self.scheduler.add_job(JOB_FUNC, trigger=self.trigger(), args=[self.id], id=JOB_ID,
                               name="Gửi nhắc việc lúc 08:00 ngày làm việc",
                               replace_existing=True, coalesce=True,
                               misfire_grace_time=MISFIRE_GRACE_SECONDS)
        self.scheduler.start()
        # Catch up at once: what a stop of a few days left unsent goes now (within the grace).
        await self.wake_now()

    async def stop(self) -> None:
        self.request_stop()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
        async with self._lock:  # a wake-up in flight finishes its sends first
            pass
        _services.pop(self.id, None)
        for n in self.dispatcher.notifiers:
            with contextlib.suppress(Exception):
                await n.aclose()


CHAT_DOWN = ("Kênh %s không khởi động được: %s. Dịch vụ vẫn chạy và gửi email; mỗi lần gửi "
             "sẽ thử lại kênh này và báo cho Sở Nội vụ.")


async def check_channels(notifiers: Sequence[Notifier]) -> set[str]:
    """At start: a wrong email setting stops the service with a clear message (exit 3); a chat
    channel that cannot start (a wrong or revoked token) is logged and the service runs on —
    email goes, each wake-up tries the chat channel again and lists it for the Sở Nội vụ; a
    server that cannot be reached is only a warning, since every send retries on its own.
    Returns the chat channels that could not start (their bots are not started)."""
    down: set[str] = set()
    for n in notifiers:
        check = getattr(n, "check", None)
        if check is None:
            continue
        try:
            await check()
        except ConfigError as exc:
            if n.channel != "email":
                log.error(CHAT_DOWN, n.channel, exc)
                down.add(n.channel)
                continue
            raise ConfigError(f"kênh {n.channel}: {exc}") from None
        except TransientDeliveryError as exc:
            log.warning("Kênh %s chưa kết nối được lúc khởi động (%s); dịch vụ vẫn chạy và sẽ "
                        "gửi lại khi kết nối được.", n.channel, exc)
    return down


async def serve(rt: Runtime, notifiers: Sequence[Notifier], *,
                extra_chats: dict[str, Sequence[int]] | None = None,
                extra_zalo_chats: dict[str, Sequence[str]] | None = None,
                with_bot: bool = True, stop: asyncio.Event | None = None,
                link_for: LinkFor | None = None,
                report_link: ReportLink | None = None,
                desk: Callable[[asyncio.Event], Awaitable[None]] | None = None) -> None:
    """Run until SIGTERM / Ctrl-C (or `stop` is set): scheduler, dispatcher, the Telegram bot
    and the Zalo bot when their tokens are set, and `desk` (the web desk, when the caller serves
    it: `serve_desk(stop)` runs until `stop` is set), in one asyncio process. `link_for` puts
    the agencies' personal addresses on the messages to them; `report_link` the period report's
    address on the Steering Committee's digest."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if not stop.is_set():
            log.info("Nhận tín hiệu dừng: gửi nốt tin đang gửi rồi dừng; các tin còn lại sẽ gửi "
                     "ở lần chạy sau")
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)
    down = await check_channels(notifiers)
    service = Service(rt, notifiers, extra_chats=extra_chats, extra_zalo_chats=extra_zalo_chats,
                      link_for=link_for, report_link=report_link)

    bot = None
    zalo = None
    if with_bot and rt.settings.telegram_token is not None:
        # lazy: the bot only when a token is set
        from engine.tracking.bot_store import SqlBotBackend
        from notifiers.telegram.bot import build_application, start_bot

        bot = build_application(rt.settings, SqlBotBackend(rt.engine, rt.directory,
                                                           rt.calendar, rt.planner),
                                calendar=rt.calendar)
        try:
            await start_bot(bot)
        except ConfigError as exc:  # a wrong token: the reminders still go by email
            log.error(CHAT_DOWN, "telegram", exc)
            bot = None
    if with_bot and rt.settings.zalo_token is not None and "zalo" not in down:
        try:
            zalo = await _start_zalo(rt, notifiers)
        except ConfigError as exc:  # a wrong token: the reminders still go by email
            log.error(CHAT_DOWN, "zalo", exc)
        except BaseException:
            if bot is not None:
                from notifiers.telegram.bot import stop_bot

                await stop_bot(bot)
            raise
    web = None

    async def relay() -> None:  # a stop cuts short the wake-up in flight, even the first one
        await stop.wait()
        service.request_stop()

    relay_task = asyncio.create_task(relay(), name="stop-relay")
    try:
        await service.start()
        if not stop.is_set():
            log.info("Dịch vụ nhắc việc đang chạy; lần gửi kế tiếp: %s",
                     vn_datetime(service.scheduler.get_job(JOB_ID).next_run_time))
        if desk is not None:
            web = asyncio.create_task(desk(stop))
        await stop.wait()
    finally:
        stop.set()
        await relay_task
        if web is not None:
            with contextlib.suppress(Exception):
                await web
        if zalo is not None:
            await zalo.stop()  # answers in flight finish while the client is still open
        await service.stop()
        if bot is not None:
            # lazy: the bot only when a token is set
            from notifiers.telegram.bot import stop_bot

            await stop_bot(bot)


async def _start_zalo(rt: Runtime, notifiers: Sequence[Notifier]):  # noqa: ANN202 - Receiver
    """The Zalo bot, receiving by long polling or by the web desk's webhook. It sends through
    the Zalo notifier's client (one pacing budget for the bot's replies and the reminders)."""
    from engine.tracking.bot_store import SqlBotBackend
    from notifiers.zalo.bot import ZaloBot
    from notifiers.zalo.client import ZaloClient
    from notifiers.zalo.receive import Receiver, webhook_secret

    client = next((n.client for n in notifiers if n.channel == "zalo"
                   and isinstance(getattr(n, "client", None), ZaloClient)), None)
    owned = client is None
    if client is None:
        client = ZaloClient.from_settings(rt.settings)
    backend = SqlBotBackend(rt.engine, rt.directory, rt.calendar, rt.planner, channel="zalo")
    bot = ZaloBot(rt.settings, backend, client, calendar=rt.calendar)
    receiver = Receiver(bot, client, webhook_url=rt.settings.zalo_webhook_url,
                        secret=webhook_secret(rt.settings))
    try:
        await receiver.start()
    except BaseException:
        if owned:
            await client.aclose()
        raise
    return receiver
