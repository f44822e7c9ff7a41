"""The dispatcher: at a send instant, send everything due that has not gone, exactly once.

One wake-up, for the working day whose 08:00 has most recently passed (the *slot*):

1. re-send messages that failed transiently or whose sender died after claiming them (known dead
   on this machine: at once; elsewhere: once its claim is not renewed for the lease, seconds);
   such a message whose day is older than the grace is recorded *missed* and told to the Sở
   Nội vụ instead;
2. record as *missed* the pending items older than the grace (default 3 working days) and tell
   the Sở Nội vụ; younger ones still go (a restarted service catches up, once);
3. agency digests and explanation requests: gather the pending items up to the slot, one digest
   per agency and channel (``agency_digest/<agency>/<channel>/<slot>``), claim, send, record;
4. delivery failures and unreachable agencies become lines of the Sở Nội vụ's list; a message a
   chat channel (Telegram, Zalo) could not deliver for good goes by email instead, once
   (`_fall_back`);
5. the Sở Nội vụ list and the Steering Committee digest, the same way.

Each message's result is recorded as soon as its channel knows it (`Notifier.settled`), and the
claims this process holds are renewed while it runs (`claims.heartbeat`): a crash repeats at
most the messages in flight. One channel's failure never stops another: a channel that cannot
send at all (a revoked bot token) is reported once per wake-up, in the log and in the Sở Nội
vụ's list, and its messages wait for the next wake-up like any transient failure.

Only pending items up to the slot are read (index on state and send day), so a wake-up costs what
that day holds, not what the year holds. The dispatcher depends only on the Notifier protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from core.errors import NhacviecError
from core.messages import DeliveryResult, Item, OutgoingMessage
from core.notifier import Notifier
from core.payload import from_payload
from core.vocabulary import MessageKind, Reason
from engine.directory.agencies import Directory
from engine.dispatch.claims import (
    Claim,
    Taken,
    claim,
    heartbeat,
    owner,
    reclaim,
    reclaimable,
    record,
)
from engine.dispatch.compose import Composer
from engine.dispatch.items import by_message, channels_for, drop_completed, latest, sort_items
from engine.planning.policy import Policy
from engine.planning.reminder_rules import MONITOR_PREFIX
from engine.reports.latest import ReportLink, latest_period
from engine.storage.bulk import in_ids, plain_rows
from engine.storage.db import checkpoint, checkpoints_deferred, session
from engine.storage.dialect import insert_explanation_requests, read_a_few_rows
from engine.storage.gc_pause import gc_paused
from engine.storage.models import (
    ChatLink,
    Deadline,
    DeliveryAttempt,
    Duty,
    Notification,
    NotificationItem,
    Plan,
    PlannedItem,
    ReportObligation,
    ReportPeriod,
    Task,
)
from rules import WorkingCalendar

log = logging.getLogger(__name__)
CHANNEL_NAMES = {"email": "email", "telegram": "Telegram", "zalo": "Zalo"}
PHASE_AGENCIES = (MessageKind.AGENCY_DIGEST, MessageKind.EXPLANATION_REQUEST)
MISSED_LINES = 200  # missed messages listed one by one; beyond, one line per agency
PHASE_OVERSIGHT = (MessageKind.MONITOR_LIST, MessageKind.STEERING_DIGEST)
_ORDER = {MessageKind.AGENCY_DIGEST: 0, MessageKind.EXPLANATION_REQUEST: 1,
          MessageKind.MONITOR_LIST: 2, MessageKind.STEERING_DIGEST: 3}
# `link_for(session, agency ids) -> {agency id: address}`: the agencies' personal addresses on
# the web desk (`engine.tracking.agency_links.LinkMaker`), read in the composing transaction.
LinkFor = Callable[[Session, Sequence[str]], dict[str, str]]


@dataclass
class WakeResult:
    slot: dt.date
    at: dt.datetime
    messages: list[OutgoingMessage] = field(default_factory=list)
    results: list[DeliveryResult] = field(default_factory=list)
    retried: int = 0
    missed: int = 0
    unreachable: int = 0

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run (3.11) formats the finished task, result included, when
        # it restores its SIGINT handler; the default repr of thousands of messages cost seconds.
        return (f"WakeResult(slot={self.slot}, messages={len(self.messages)}, "
                f"retried={self.retried}, missed={self.missed})")


def _riding(s: Session, planned: list) -> set[tuple[int, str]]:
    """The (item, channel) pairs of these planned items already claimed in a message."""
    return set(s.connection().execute(
        select(NotificationItem.item_id, NotificationItem.channel)
        .where(in_ids(NotificationItem.item_id, [p.id for p in planned]))).all())


def _wall() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_monitor_marker(p) -> bool:  # noqa: ANN001 - a planned-item row
    """A Sở Nội vụ's list of one plan and due day (`Planner.monitor_marker`), composed now."""
    return (p.kind == MessageKind.MONITOR_LIST and p.duty_id is None and p.obligation_id is None
            and p.key.startswith(MONITOR_PREFIX))


def _not_yet_in(items: list, more: list) -> list:
    """`more` without what `items` already say (an item planned per duty before the lists were
    composed by due day, revision 0007, still pending beside the marker of its day)."""
    said = {(i.deadline_id, i.obligation_id, i.agency_id) for i in items}
    return [i for i in more if (i.deadline_id, i.obligation_id, i.agency_id) not in said]


def _one_per_report(items: list[Item]) -> list[Item]:
    """An agency's report of a period is one obligation of the province's reporting regime for
    the year, whichever plans of that year list it: said once in a message (its items still
    ride in it, and are settled with it)."""
    seen: set[tuple] = set()
    out = []
    for i in items:
        if i.period and not i.code:
            key = (i.reason, i.period, i.due)
            if key in seen:
                continue
            seen.add(key)
        out.append(i)
    return out


@dataclass
class _Day:
    """What one wake-up's composing read for all of its messages."""

    slot: dt.date
    at: dt.datetime
    composer: Composer
    lines: dict[int, Item]  # each item's line, by planned item id
    listed: dict[int, list[Item]]  # the Sở Nội vụ's lists, by marker id
    steering: tuple[list[Item], dict]  # the Steering Committee's lines and table
    period_report: dict | None  # the latest period report the Steering Committee's digest names
    ongoing: dict[str, tuple[Item, ...]]  # the ongoing tasks each reporting agency covers
    chats: dict[str, tuple[int, ...]]  # Telegram chats by agency
    zalo: dict[str, tuple[str, ...]]  # Zalo chats by agency
    links: dict[str, str]  # agencies' personal addresses on the web desk
    already: set[tuple[int, str]]  # (item, channel) pairs already claimed in a message

    def say(self, kind: str, todo: list) -> tuple[list[Item], dict]:
        """The lines (and the table, for the Steering Committee) a message carrying `todo`
        says."""
        if kind == MessageKind.STEERING_DIGEST:
            return self.steering
        its = [self.lines[p.id] for p in latest(todo) if p.id in self.lines]
        if kind in PHASE_AGENCIES:
            its = _one_per_report(its)
        if kind == MessageKind.MONITOR_LIST and self.listed:
            its += _not_yet_in(its, [i for p in todo for i in self.listed.get(p.id, ())])
        return its, {}


@dataclass
class Built:
    """What `Dispatcher.build` makes of a day's pending items: the messages (as claims to make),
    the channels each item's recipient is reachable on, the items of messages that had nothing
    to say, and the (item, channel) pairs already claimed."""

    already: set[tuple[int, str]]
    claims: list[Claim] = field(default_factory=list)
    reach: dict[int, set[str]] = field(default_factory=dict)  # item -> channels reaching it
    silent: set[int] = field(default_factory=set)  # items of a message that had nothing to say


class Dispatcher:
    def __init__(self, engine: Engine, directory: Directory, calendar: WorkingCalendar,
                 policy: Policy, notifiers: Sequence[Notifier], *,
                 extra_chats: dict[str, Sequence[int]] | None = None,
                 extra_zalo_chats: dict[str, Sequence[str]] | None = None,
                 worker: str | None = None,
                 wall_clock: Callable[[], dt.datetime] = _wall,
                 report_link: ReportLink | None = None,
                 link_for: LinkFor | None = None) -> None:
        self.engine = engine
        self.directory, self.calendar, self.policy = directory, calendar, policy
        self.notifiers = list(notifiers)
        for n in self.notifiers:  # a channel that sends a message in parts reports each part
            n.progress = self._keep_progress
        self.extra_chats = {k: tuple(v) for k, v in (extra_chats or {}).items()}
        self.extra_zalo_chats = {k: tuple(v) for k, v in (extra_zalo_chats or {}).items()}
        # Who holds this dispatcher's claims: the label, then the process (`claims.owner`).
        self.worker = owner(worker or socket.gethostname())
        self.wall = wall_clock
        # The Monday digest's link to the latest period report (engine.reports.latest).
        self.report_link = report_link
        # Agencies' personal addresses on the web desk, put on the messages to them.
        self.link_for = link_for
        # Agency names and plan numbers read by the wake-up's first composing, for its second.
        self._known: dict[str, dict] = {}
        self._last_slot: dt.date | None = None  # the slot the last wake-up sent for
        # Set when the service stops (SIGTERM): no more composing, claiming or sending; what
        # is claimed already is recorded "not sent" (retried by the next run), the rest stays
        # pending.
        self.stopping = False
        self._down: dict[str, str] = {}  # channels that could not send this wake-up, and why

    def slot_for(self, now: dt.datetime) -> dt.date:
        """The working day whose send time is the latest at or before `now`."""
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        local = now.astimezone(self.policy.tz)
        day = local.date()
        if local.time() < self.policy.send_time:
            day -= dt.timedelta(days=1)
        return self.calendar.last_working_day_on_or_before(day)

    async def wake(self, now: dt.datetime) -> WakeResult:
        """Send what is due at `now`. Its callers then `tidy()`: on SQLite, the log checkpoint
        its commits would have run on the way is left until the messages have gone."""
        slot = self.slot_for(now)
        result = WakeResult(slot, self.policy.slot_instant(slot))
        self._known = {}  # read afresh each wake-up (an import may have renamed an agency)
        self._last_slot = slot
        self._down = {}  # a channel down at the last wake-up is tried again
        beat = asyncio.create_task(self._heartbeat())
        with checkpoints_deferred(self.engine), gc_paused():
            try:
                await self._retry(result)
                with session(self.engine) as s:
                    result.missed += self._settle_missed(s, slot)
                    s.commit()
                await self._phase(slot, PHASE_AGENCIES, result)
                await self._phase(slot, PHASE_OVERSIGHT, result)
            finally:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat
            # Still paused: the first allocations after the pause ends start the collection
            # it held back, a walk of every object of the process (0.25 s after the busiest
            # day), which belongs after the wake-up, not inside it.
            result.messages.sort(key=lambda m: (m.at, _ORDER.get(m.kind, 9), m.recipient.id,
                                                m.key))
        return result

    def tidy(self) -> None:
        """After a wake-up, once its messages have gone. SQLite: checkpoint the write-ahead log.
        PostgreSQL: read the index ranges the wake-up read once more: the pending items up to
        its day, and the messages to send again. The items it settled and the messages it
        recorded left index entries pointing at dead row versions until a vacuum; the first scan
        that meets them marks them dead, and the next wake-up would otherwise pay that scan,
        visiting each row (measured: 25 ms of a median day's wake-up, 0.1 s after the busiest
        day; the messages' state index, 10-30 ms after a day of 14,000 messages)."""
        if self.engine.dialect.name != "postgresql":
            checkpoint(self.engine)
            return
        if self._last_slot is None:
            return
        with session(self.engine) as s:
            s.execute(select(func.count()).select_from(PlannedItem)
                      .where(*self._pending_up_to(self._last_slot)))
            s.execute(reclaimable(self.wall(), self._lease())).all()

    def _lease(self) -> dt.timedelta:
        """How long a claim holds, unrenewed, before another dispatcher may take the message
        over."""
        return dt.timedelta(seconds=self.policy.claim_lease_seconds)

    async def _heartbeat(self) -> None:
        """While a wake-up runs: renew this process's claims every quarter of the lease, so that
        only a dead (or stuck) process loses them."""
        every = max(1.0, self.policy.claim_lease_seconds / 4)
        while True:
            await asyncio.sleep(every)
            try:
                heartbeat(self.engine, self.worker, self.wall())
            except DBAPIError as exc:  # the next beat tries again; the lease is four beats
                log.warning("could not renew the claims of %s: %s", self.worker, exc.orig)

    def _floor(self, slot: dt.date) -> dt.date:
        """The oldest send day still sent late (the grace); older pending items are missed."""
        return self.calendar.add_working_days(slot, -self.policy.grace_working_days)

    def _pending_up_to(self, slot: dt.date) -> tuple:
        """What a wake-up for `slot` reads: the items still pending from the floor to `slot`."""
        return (PlannedItem.state == "pending", PlannedItem.send_on <= slot,
                PlannedItem.send_on >= self._floor(slot))

    # --- 1. retries ----------------------------------------------------------------------------
    async def _retry(self, result: WakeResult) -> None:
        if self.stopping:
            return
        taken = reclaim(self.engine, self.worker, self.wall(), self._lease(),
                        [n.channel for n in self.notifiers])
        floor = self._floor(result.slot)
        # Too old to be of use: missed, as a pending item would be (a message sent again by
        # hand, never tried since, goes whatever its day).
        old = [t for t in taken if t.slot < floor and not (t.was == "retry" and t.attempts == 0)]
        if old:
            result.missed += self._give_up(result.slot, old)
        given_up = {t.id for t in old}
        by_channel: dict[str, list[tuple[int, OutgoingMessage]]] = {}
        for t in taken:
            if t.id in given_up:
                continue
            m = dataclasses.replace(from_payload(t.payload), resume=t.provider_id)
            by_channel.setdefault(m.channel, []).append((t.id, m))
        for channel, pairs in by_channel.items():
            _, failed = await self._send(channel, pairs, result)
            result.retried += len(pairs)
            if failed:
                sent = dict(pairs)
                await self._fall_back(result.slot, [(nid, sent[nid]) for nid, _ in failed],
                                      result)

    def _give_up(self, slot: dt.date, old: list[Taken]) -> int:
        """Messages taken over whose day is older than the grace: recorded *missed* (never
        sent this late) and told to the Sở Nội vụ with the last error. Returns how many."""
        ids = [t.id for t in old]
        table = Notification.__table__
        with session(self.engine) as s:
            s.connection().execute(update(table).where(
                in_ids(table.c.id, ids), table.c.state == "claimed",
                table.c.claimed_by == self.worker).values(state="missed"))
            last = dict(s.execute(select(DeliveryAttempt.notification_id, DeliveryAttempt.detail)
                                  .where(in_ids(DeliveryAttempt.notification_id, ids))
                                  .order_by(DeliveryAttempt.id)).all())
            rows = s.execute(select(table.c.id, table.c.key, table.c.kind, table.c.channel,
                                    table.c.recipient_id, table.c.slot_on)
                             .where(in_ids(table.c.id, ids))).all()
            told = [r for r in rows if r.kind not in PHASE_OVERSIGHT]
            if len(told) <= MISSED_LINES:
                for r in told:
                    why = f": {last[r.id]}" if last.get(r.id) else ""
                    self._notice(s, f"missed/n{r.id}", Reason.MISSED, slot, {
                        "agency": r.recipient_id, "ref": r.key,
                        "detail": (f"{r.kind} qua {r.channel} ngày {r.slot_on:%d/%m/%Y} không "
                                   f"gửi được trong thời gian cho phép{why}")[:300]})
            else:
                per: dict[str, int] = {}
                for r in told:
                    per[r.recipient_id] = per.get(r.recipient_id, 0) + 1
                for agency, n in sorted(per.items()):
                    self._notice(s, f"missed/n{slot.isoformat()}/{agency}", Reason.MISSED, slot,
                                 {"agency": agency, "detail": f"{n} tin không gửi được trong "
                                                              "thời gian cho phép"})
            s.commit()
        log.warning("%d tin gửi lỗi tạm thời đã quá thời gian cho phép, ghi là bỏ lỡ", len(old))
        return len(old)

    async def _send(self, channel: str, pairs: list[tuple[int, OutgoingMessage]],
                    result: WakeResult, *, fresh: bool = False
                    ) -> tuple[list[DeliveryResult], list[tuple[int, DeliveryResult]]]:
        """Send `pairs` (notification id, message) through `channel`, recording each result as
        soon as the channel tells it (`Notifier.settled`) and the others when the batch
        returns. Returns every result, in order, and the permanent failures. A channel that
        cannot send at all (its batch raises: a revoked token, a bug) is reported once per
        wake-up and its messages wait for the next one, as after a transient failure; the
        other channels go on."""
        notifier = self._notifier(channel)
        ids = {m.key: nid for nid, m in pairs}
        recorded: dict[int, DeliveryResult] = {}
        failed: list[tuple[int, DeliveryResult]] = []

        def settled(r: DeliveryResult) -> None:
            nid = ids.get(r.key)
            if nid is None or nid in recorded:
                return
            try:
                failed.extend(self._record([(nid, r)], result, fresh=fresh))
            except DBAPIError as exc:  # recorded with the rest when the batch returns
                log.warning("could not record %s at once: %s", r.key, exc.orig)
                return
            recorded[nid] = r

        results: list[DeliveryResult] | None = None
        if self.stopping:  # nothing sent once the service stops: they go at the next run
            results = [DeliveryResult(m.key, False, attempts=0, detail="chưa gửi: dịch vụ đang "
                                      "dừng, sẽ gửi ở lần chạy sau") for _, m in pairs]
        elif notifier is not None and channel not in self._down:
            notifier.settled = settled
            try:
                results = list(await notifier.send_batch([m for _, m in pairs]))
            except Exception as exc:  # noqa: BLE001 - one channel must not stop the others
                self._channel_down(channel, exc, result.slot)
            finally:
                notifier.settled = None
        if results is None:
            why = self._down.get(channel, "kênh chưa được cấu hình")
            results = [recorded.get(nid) or DeliveryResult(
                m.key, False, attempts=0, detail=f"chưa gửi: kênh {channel} không hoạt động "
                                                 f"({why})") for nid, m in pairs]
        rest = [(nid, r) for (nid, _), r in zip(pairs, results, strict=True)
                if nid not in recorded]
        failed.extend(self._record(rest, result, fresh=fresh))
        return results, failed

    def _channel_down(self, channel: str, exc: Exception, slot: dt.date) -> None:
        """A channel's batch failed as a whole: said once for the wake-up, in the log and in the
        Sở Nội vụ's list of the day; the channel is not tried again until the next wake-up."""
        why = str(exc) if isinstance(exc, NhacviecError) else (
            f"lỗi không mong đợi ({type(exc).__name__})")
        self._down[channel] = why
        line = ("Kênh %s không gửi được: %s. Các kênh khác vẫn gửi; tin qua kênh này sẽ được "
                "gửi lại ở lần gửi sau.")
        if isinstance(exc, NhacviecError):
            log.error(line, channel, why)
        else:
            log.exception(line, channel, why)
        try:
            with session(self.engine) as s:
                self._notice(s, f"channel_down/{channel}/{slot.isoformat()}", Reason.FAILED, slot,
                             {"agency": self.directory.monitor_id,
                              "title": f"Kênh {CHANNEL_NAMES.get(channel, channel)}",
                              "detail": (f"kênh {CHANNEL_NAMES.get(channel, channel)} không "
                                         f"gửi được: {why}; các tin qua kênh này sẽ được gửi "
                                         "lại ở lần gửi sau")[:300]})
                s.commit()
        except DBAPIError as exc2:
            log.warning("could not list the channel's failure for the Sở Nội vụ: %s", exc2.orig)

    def _keep_progress(self, key: str, provider_id: str) -> None:
        """The parts of a long message delivered so far (a notifier's `progress`), kept at once:
        if this process dies before recording the outcome, the dispatcher that takes the message
        over after the lease gets them back (`reclaim`, as `resume`) and sends only the rest."""
        try:
            with session(self.engine) as s, s.begin():
                s.execute(update(Notification).where(Notification.key == key,
                                                     Notification.state == "claimed")
                          .values(provider_id=provider_id))
        except DBAPIError as exc:  # the message goes on; only a crash now would repeat parts
            log.warning("could not keep the parts of %s delivered so far: %s", key, exc.orig)

    def _notifier(self, channel: str) -> Notifier | None:
        return next((n for n in self.notifiers if n.channel == channel), None)

    # --- 2. missed -----------------------------------------------------------------------------
    def _settle_missed(self, s: Session, slot: dt.date) -> int:
        floor = self._floor(slot)
        old = s.execute(select(PlannedItem.id, PlannedItem.kind, PlannedItem.reason,
                               PlannedItem.recipient_id, PlannedItem.send_on, PlannedItem.key,
                               PlannedItem.plan_id, PlannedItem.task_id, PlannedItem.duty_id,
                               PlannedItem.obligation_id, PlannedItem.detail)
                        .where(PlannedItem.state == "pending", PlannedItem.send_on < floor)).all()
        if not old:
            return 0
        # Catching up (a service stopped for weeks): the late notices still pending go in
        # today's digest, one per agency, saying what is late now (a completed deadline's are
        # dropped when the digest is composed); the rest is history, recorded as missed.
        catch = [p.id for p in old
                 if p.kind == MessageKind.AGENCY_DIGEST and p.reason == Reason.LATE]
        if catch:
            s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, catch))
                                   .values(send_on=slot))
            kept = set(catch)
            old = [p for p in old if p.id not in kept]
            if not old:
                return 0
        wall = self.wall()
        s.connection().execute(update(PlannedItem)
                               .where(in_ids(PlannedItem.id, [p.id for p in old]))
                               .values(state="missed", settled_at=wall))
        # The oversight lists are rebuilt from what is late anyway: not reported as missed;
        # nor is anything of a closed plan (`engine.tracking.closing`).
        closed = set(s.scalars(select(Plan.id).where(Plan.closed_at.is_not(None))))
        told = [p for p in old if p.kind not in PHASE_OVERSIGHT and p.plan_id not in closed]
        if len(told) <= MISSED_LINES:  # one line per missed message
            about = _missed_about(s, told)
            for p in told:
                # "Sở Công Thương: nhắc hạn nhiệm vụ 3.2 (nhóm ..., hạn 29/01/2027) — không
                # gửi được ngày 22/01/2027": what it was, about which task, the day it was for.
                self._notice(s, f"missed/{p.id}", Reason.MISSED, slot, {
                    "agency": p.recipient_id, **about.get(p.id, {}),
                    "title": MISSED_WHAT.get(p.reason, MISSED_WHAT.get(p.kind, "thông báo")),
                    "detail": f"không gửi được ngày {p.send_on:%d/%m/%Y}", "ref": p.key})
            return len(old)
        # After a long stop: one line per agency, or the Sở Nội vụ's list would be unreadable.
        days: dict[str, list[dt.date]] = {}
        for p in told:
            days.setdefault(p.recipient_id, []).append(p.send_on)
        for agency, sent_on in sorted(days.items()):
            self._notice(s, f"missed/{slot.isoformat()}/{agency}", Reason.MISSED, slot, {
                "agency": agency, "title": f"{len(sent_on)} thông báo",
                "detail": f"không gửi được, dự kiến gửi từ "
                          f"{min(sent_on):%d/%m/%Y} đến {max(sent_on):%d/%m/%Y}"})
        return len(old)

    def _notice(self, s: Session, key: str, reason: str, slot: dt.date, detail: dict) -> None:
        if s.scalar(select(PlannedItem.id).where(PlannedItem.key == key)) is None:
            s.add(PlannedItem(key=key, kind=MessageKind.MONITOR_LIST, reason=reason,
                              recipient_id=self.directory.monitor_id, send_on=slot, detail=detail))

    # --- 3-5. composing, claiming, sending -----------------------------------------------------
    async def _phase(self, slot: dt.date, kinds: tuple[str, ...], result: WakeResult) -> None:
        if self.stopping:  # the items stay pending for the next run
            return
        claims = self._compose(slot, kinds, result)
        by_channel: dict[str, list[Claim]] = {}
        for c in claims:
            by_channel.setdefault(c.message.channel, []).append(c)
        for channel, batch in by_channel.items():
            result.messages.extend(c.message for c in batch)
            _, failed = await self._send(channel, [(c.notification_id, c.message)
                                                   for c in batch], result, fresh=True)
            if failed:
                claims_by_id = {c.notification_id: c for c in batch}
                emailed = await self._fall_back(
                    slot, [(nid, claims_by_id[nid].message) for nid, _ in failed], result)
                self._failed_notices(slot, claims_by_id, failed, emailed)

    def _record(self, pairs: list[tuple[int, DeliveryResult]], result: WakeResult, *,
                fresh: bool = False) -> list:
        failed = record(self.engine, pairs, self.wall(), fresh=fresh)
        result.results.extend(r for _, r in pairs)
        return failed

    def _failed_notices(self, slot: dt.date, claims: dict[int, Claim], failed: list,
                        emailed: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        with session(self.engine) as s:
            for nid, r in failed:
                m = claims[nid].message
                if m.kind in PHASE_OVERSIGHT:
                    continue
                # Which chat is broken, in the words of the channel; and whether email took over.
                then = " — đã gửi thay qua email" if nid in emailed else ""
                detail = f"{m.channel}: {r.detail}"[:300 - len(then)] + then
                self._notice(s, f"failed/{m.key}", Reason.FAILED, slot, {
                    "agency": m.recipient.id, "title": _kind_vi(m.kind), "detail": detail,
                    "ref": m.key})
            s.commit()

    async def _fall_back(self, slot: dt.date, failures: list[tuple[int, OutgoingMessage]],
                         result: WakeResult) -> set[int]:
        """Messages a chat channel failed to deliver for good (blocked bot, chat gone, network
        down beyond the channel's retries) go by email instead, with the items they carried.
        The email message has the key the day's email message of that recipient has anyway
        (``agency_digest/<agency>/email/<day>``), and its items claim their email links: when
        email already carried them (an agency reached on every channel), the claim is lost and
        nothing goes twice; a second failure of the same chat finds the email taken too.
        Returns the ids of the failed messages whose email went."""
        email = self._notifier("email")
        if self.stopping:
            return set()
        todo = [(nid, m) for nid, m in failures
                if m.channel != "email" and m.recipient.emails and email is not None]
        if not todo:
            return set()
        with session(self.engine) as s:
            carried: dict[int, list[int]] = {}
            for nid, item in s.execute(select(NotificationItem.notification_id,
                                              NotificationItem.item_id)
                                       .where(in_ids(NotificationItem.notification_id,
                                                     [nid for nid, _ in todo]))):
                carried.setdefault(nid, []).append(item)
        claims, origin = [], {}
        for nid, m in todo:
            kind, rid, _channel, suffix = m.key.split("/", 3)
            fallback = dataclasses.replace(m, key=f"{kind}/{rid}/email/{suffix}",
                                           channel="email", resume=None)
            claims.append(Claim(fallback, tuple(carried.get(nid, ())), slot))
            origin[fallback.key] = nid
        won = claim(self.engine, claims, self.worker, self.wall())
        if not won:
            return set()
        result.messages.extend(c.message for c in won)
        results, _ = await self._send("email", [(c.notification_id, c.message) for c in won],
                                      result, fresh=True)
        log.info("%d tin gửi qua kênh chat không thành công đã được gửi thay qua email",
                 sum(1 for r in results if r.ok))
        return {origin[c.message.key] for c, r in zip(won, results, strict=True) if r.ok}

    def _compose(self, slot: dt.date, kinds: tuple[str, ...], result: WakeResult
                 ) -> list[Claim]:
        """The slot's messages of `kinds`: read what is pending, group it into messages, write
        each message once for every channel its recipient is reached on, and claim them; the
        items are settled in the claiming transaction."""
        with session(self.engine) as s:
            planned = self._read_pending(s, slot, kinds)
            if not planned:
                s.commit()
                return []
            built = self.build(s, slot, planned)
            s.commit()

        def settle(s: Session, won: list[Claim]) -> None:
            # What rides where now: known without asking, unless another dispatcher won a claim.
            have = None if len(won) < len(built.claims) else built.already | {
                (i, c.message.channel) for c in won for i in c.item_ids}
            self._settle_items(s, planned, built.reach, have, won, slot, result, built.silent)

        return claim(self.engine, built.claims, self.worker, self.wall(), then=settle)

    def _read_pending(self, s: Session, slot: dt.date, kinds: tuple[str, ...]) -> list:
        """The items of `kinds` pending up to the slot, less those completed meanwhile. Plain
        rows, not ORM objects: a busy day holds tens of thousands of items."""
        read_a_few_rows(s)
        planned = plain_rows(s.connection().execute(select(PlannedItem.__table__).where(
            *self._pending_up_to(slot), PlannedItem.kind.in_(kinds))
            .order_by(PlannedItem.send_on, PlannedItem.id)))
        return drop_completed(s, planned)

    def _read_day(self, s: Session, slot: dt.date, planned: list) -> _Day:
        """Everything the day's messages say, read in a few queries for all of them."""
        composer = Composer(s, self.calendar, self.directory, self.policy, slot, **self._known)
        self._known = {"names": composer.names, "plan_numbers": composer.plan_numbers}
        markers = [p for p in planned if _is_monitor_marker(p)]
        marker_ids = {m.id for m in markers}
        steering = any(p.kind == MessageKind.STEERING_DIGEST for p in planned)
        report_agencies = {p.recipient_id for p in planned
                           if p.reason == Reason.REPORT_REMINDER}
        chats, zalo = self._chats(s)
        steering_lines = composer.steering() if steering else ([], {})
        return _Day(
            slot=slot, at=self.policy.slot_instant(slot), composer=composer,
            lines=composer.items([p for p in planned if p.kind != MessageKind.STEERING_DIGEST
                                  and p.id not in marker_ids]),
            listed=composer.monitor_late(markers) if markers else {},
            steering=steering_lines,
            period_report=latest_period(s, slot, self.report_link) if steering_lines[0]
            else None,
            ongoing=composer.ongoing(report_agencies, {p.plan_id for p in planned
                                                       if p.plan_id}) if report_agencies else {},
            chats=chats, zalo=zalo, already=_riding(s, planned),
            links=self._links(s, {p.recipient_id for p in planned if p.kind in PHASE_AGENCIES}))

    def _write(self, day: _Day, kind: str, rid: str, ref: str, group: list,
               out: Built) -> None:
        """One message of `kind` to `rid` carrying `group`, on every channel that reaches it
        and does not carry these items yet."""
        entry = self.directory.get(rid) if rid in self.directory else None
        parent = entry.parent if entry is not None else None
        recipient = day.composer.recipient(rid, day.chats.get(rid, ()), day.chats.get(parent, ()),
                                           zalo=day.zalo.get(rid, ()),
                                           host_zalo=day.zalo.get(parent, ()))
        wanted = channels_for(entry, recipient, [n.channel for n in self.notifiers])
        for n in self.notifiers:
            if n.channel not in wanted:
                continue
            for p in group:
                out.reach.setdefault(p.id, set()).add(n.channel)
            todo = [p for p in group if (p.id, n.channel) not in day.already]
            if not todo:
                continue
            its, stats = day.say(kind, todo)
            if not its:
                # A Monday with nothing late, items whose subject is gone: no message, and
                # settled now, or the next wake-ups would compose them again (and send Monday's
                # digest on the day something first became late).
                out.silent.update(p.id for p in todo)
                continue
            reports = kind == MessageKind.AGENCY_DIGEST and any(
                i.reason == Reason.REPORT_REMINDER for i in its)
            msg = OutgoingMessage(
                key=f"{kind}/{rid}/{n.channel}/{ref or day.slot.isoformat()}", kind=kind,
                channel=n.channel, recipient=recipient, at=day.at,
                items=tuple(sort_items(its, kind)),
                ongoing=day.ongoing.get(rid, ()) if reports else (),
                # The weekly marker belongs to no plan: the digest names the plans it covers.
                plan_number=day.composer.plan_number(
                    day.composer.open_plan_ids() if kind == MessageKind.STEERING_DIGEST
                    else (p.plan_id for p in todo)), stats=stats,
                period_report=day.period_report if kind == MessageKind.STEERING_DIGEST else None,
                link=day.links.get(rid) if kind in PHASE_AGENCIES else None)
            out.claims.append(Claim(msg, tuple(p.id for p in todo), day.slot))

    def build(self, s: Session, slot: dt.date, planned: list) -> Built:
        """The messages `planned` (pending items, completed ones dropped) make on `slot`, one
        per recipient, channel and kind, without claiming anything: what a wake-up claims and
        sends, and what `engine.dispatch.preview` shows ahead of the day."""
        day = self._read_day(s, slot, planned)
        built = Built(day.already)
        per_deadline = self.policy.explanation_per_deadline
        for (kind, rid, ref), group in by_message(planned, per_deadline=per_deadline).items():
            self._write(day, kind, rid, ref, group, built)
        return built

    def _links(self, s: Session, agency_ids: set[str]) -> dict[str, str]:
        if self.link_for is None or not agency_ids:
            return {}
        return self.link_for(s, sorted(agency_ids))

    def _note_explanations(self, s: Session, won: list[Claim], slot: dt.date) -> None:
        """Each explanation request sent is recorded, for the agency's answer (giải trình): about
        a task deadline, or about a periodic report (its obligation)."""
        sent = [(i, c.message.recipient.id) for c in won
                if c.message.kind == MessageKind.EXPLANATION_REQUEST for i in c.message.items]
        deadlines = {(i.deadline_id, a) for i, a in sent if i.deadline_id is not None}
        reports = {(i.obligation_id, a) for i, a in sent
                   if i.deadline_id is None and i.obligation_id is not None}
        rows = [(d, None, a) for d, a in sorted(deadlines)]
        rows += [(None, o, a) for o, a in sorted(reports)]
        insert_explanation_requests(s, rows, slot, self.wall())

    def _chats(self, s: Session) -> tuple[dict[str, tuple[int, ...]],
                                         dict[str, tuple[str, ...]]]:
        """The linked chats of every agency: Telegram's (integers) and Zalo's (strings)."""
        out: dict[str, list[int]] = {k: list(v) for k, v in self.extra_chats.items()}
        zalo: dict[str, list[str]] = {k: list(v) for k, v in self.extra_zalo_chats.items()}
        for channel, chat_id, agency_id in s.execute(
                select(ChatLink.channel, ChatLink.chat_id, ChatLink.agency_id)):
            if channel == "telegram":
                out.setdefault(agency_id, []).append(int(chat_id))
            elif channel == "zalo":
                zalo.setdefault(agency_id, []).append(chat_id)
        return ({k: tuple(v) for k, v in out.items()},
                {k: tuple(dict.fromkeys(v)) for k, v in zalo.items()})

    def _settle_items(self, s: Session, planned: list[PlannedItem], reach: dict[int, set[str]],
                      riding: set[tuple[int, str]] | None, won: list[Claim], slot: dt.date,
                      result: WakeResult, silent: set[int]) -> None:
        """In the claiming transaction: an item is done once it rides in a claimed message on
        every channel its recipient can be reached on; cancelled when its message had nothing
        to say (`silent`) and it rides nowhere; unreachable items are told to the Sở Nội vụ; the
        explanation requests won are recorded. `riding`: the (item, channel) pairs claimed,
        when known; None to read them back."""
        if riding is None:
            riding = _riding(s, planned)
        done, unreachable, cancelled = [], [], []
        for p in planned:
            channels = reach.get(p.id)
            if not channels:
                unreachable.append(p)
            elif all((p.id, c) in riding for c in channels):
                done.append(p.id)
            elif p.id in silent and not any((p.id, c) in riding for c in channels):
                cancelled.append(p.id)
        wall = self.wall()
        if cancelled:
            s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, cancelled))
                                   .values(state="cancelled", settled_at=wall))
        # By id only: a "state = pending" condition would lead SQLite to the state index
        # and through every pending item of the year. (An item cancelled meanwhile did ride
        # in the claimed message: "done" is what happened to it.)
        if done:
            s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, done))
                                   .values(state="done", settled_at=wall))
        for p in unreachable:
            s.execute(update(PlannedItem).where(PlannedItem.id == p.id)
                      .values(state="unreachable", settled_at=wall))
            if p.kind not in PHASE_OVERSIGHT:
                self._notice(s, f"unreachable/{p.recipient_id}/{slot.isoformat()}", Reason.FAILED,
                             slot, {"agency": p.recipient_id, "title": _kind_vi(p.kind),
                                    "detail": "không có địa chỉ nhận (email/Telegram/Zalo)"})
        result.unreachable += len(unreachable)
        self._note_explanations(s, won, slot)



# What a missed message was, as the Sở Nội vụ's list says it (by its item's reason, else its kind).
MISSED_WHAT = {
    Reason.REMINDER: "nhắc hạn",
    Reason.LATE: "báo quá hạn",
    Reason.REPORT_REMINDER: "nhắc hạn báo cáo",
    Reason.EXPLANATION: "đề nghị giải trình",
    MessageKind.EXPLANATION_REQUEST: "đề nghị giải trình",
    MessageKind.STEERING_DIGEST: "bản tổng hợp gửi Ban Chỉ đạo",
}


def _missed_about(s: Session, rows: Sequence) -> dict[int, dict]:
    """For each missed planned item, the task (group, code, due) or the report (period, due) it
    was about, as a monitor item's detail carries them."""
    out: dict[int, dict] = {}
    duties = {r.duty_id for r in rows if r.duty_id is not None}
    tasks = {r.task_id for r in rows if r.task_id is not None}
    obligations = {r.obligation_id for r in rows if r.obligation_id is not None}
    due_of = dict(s.execute(select(Duty.id, Deadline.due)
                            .join(Deadline, Deadline.id == Duty.deadline_id)
                            .where(in_ids(Duty.id, duties))).all()) if duties else {}
    task_of = {t: (g, c) for t, g, c in s.execute(
        select(Task.id, Task.group_name, Task.code).where(in_ids(Task.id, tasks)))} \
        if tasks else {}
    report_of = {o: (n, d) for o, n, d in s.execute(
        select(ReportObligation.id, ReportPeriod.name, ReportPeriod.deadline)
        .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
        .where(in_ids(ReportObligation.id, obligations)))} if obligations else {}
    for r in rows:
        d: dict = {}
        if r.task_id in task_of:
            d["group"], d["code"] = task_of[r.task_id]
        if r.duty_id in due_of:
            d["due"] = due_of[r.duty_id].isoformat()
        if r.obligation_id in report_of:
            name, deadline = report_of[r.obligation_id]
            d["period"], d["due"] = name, deadline.isoformat()
        out[r.id] = d
    return out


def _kind_vi(kind: str) -> str:
    return MessageKind(kind).vi if kind in MessageKind.__members__.values() else "thông báo"
