"""The dispatcher: at a send instant, send everything due that has not gone, exactly once.

One wake-up, for the working day whose 08:00 has most recently passed (the *slot*):

1. re-send messages that failed transiently or whose sender died after claiming them;
2. record as *missed* the pending items older than the grace (default 3 working days) and tell
   the Sở Nội vụ; younger ones still go (a restarted service catches up, once);
3. agency digests and explanation requests: gather the pending items up to the slot, one digest
   per agency and channel (``agency_digest/<agency>/<channel>/<slot>``), claim, send, record;
4. delivery failures and unreachable agencies become lines of the Sở Nội vụ's list;
5. the Sở Nội vụ list and the Steering Committee digest, the same way.

Only pending items up to the slot are read (index on state and send day), so a wake-up costs what
that day holds, not what the year holds. The dispatcher depends only on the Notifier protocol.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Date, DateTime, Text, bindparam, func, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from engine.agencies import Directory
from engine.bulk import in_ids, plain_rows
from engine.claims import Claim, claim, reclaim, reclaimable, record
from engine.compose import Composer, from_payload
from engine.db import checkpoint, checkpoints_deferred, session
from engine.dispatch_items import drop_completed, latest, reachable, sort_items
from engine.gc_pause import gc_paused
from engine.models import (
    ChatLink,
    ExplanationRequest,
    Notification,
    NotificationItem,
    Plan,
    PlannedItem,
)
from engine.policy import Policy
from engine.reminder_rules import MONITOR_PREFIX
from notifiers.base import (
    AGENCY_DIGEST,
    EXPLANATION_REQUEST,
    FAILED,
    MISSED,
    MONITOR_LIST,
    STEERING_DIGEST,
    DeliveryResult,
    Notifier,
    OutgoingMessage,
)
from rules import WorkingCalendar

log = logging.getLogger(__name__)
PHASE_AGENCIES = (AGENCY_DIGEST, EXPLANATION_REQUEST)
MISSED_LINES = 200  # missed messages listed one by one; beyond, one line per agency
PHASE_OVERSIGHT = (MONITOR_LIST, STEERING_DIGEST)
_ORDER = {AGENCY_DIGEST: 0, EXPLANATION_REQUEST: 1, MONITOR_LIST: 2, STEERING_DIGEST: 3}
# `link_for(session, agency ids) -> {agency id: address}`: the agencies' personal addresses on
# the web desk (`engine.web.links.LinkMaker`), read in the composing transaction.
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


_PG_EXPLANATIONS = text("""
    INSERT INTO explanationrequest (deadline_id, obligation_id, agency_id, requested_on,
                                    recorded_at)
    SELECT (r->>0)::int, (r->>1)::int, r->>2, :on, :at
    FROM json_array_elements(CAST(:rows AS json)) AS r
    ON CONFLICT DO NOTHING""").bindparams(
    bindparam("rows", type_=Text), bindparam("on", type_=Date),
    bindparam("at", type_=DateTime(timezone=True)))


def _riding(s: Session, planned: list) -> set[tuple[int, str]]:
    """The (item, channel) pairs of these planned items already claimed in a message."""
    return set(s.connection().execute(
        select(NotificationItem.item_id, NotificationItem.channel)
        .where(in_ids(NotificationItem.item_id, [p.id for p in planned]))).all())


def _wall() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_monitor_marker(p) -> bool:  # noqa: ANN001 - a planned-item row
    """A Sở Nội vụ's list of one plan and due day (`Planner.monitor_marker`), composed now."""
    return (p.kind == MONITOR_LIST and p.duty_id is None and p.obligation_id is None
            and p.key.startswith(MONITOR_PREFIX))


def _not_yet_in(items: list, more: list) -> list:
    """`more` without what `items` already say (an item planned per duty before the lists were
    composed by due day, revision 0007, still pending beside the marker of its day)."""
    said = {(i.deadline_id, i.obligation_id, i.agency_id) for i in items}
    return [i for i in more if (i.deadline_id, i.obligation_id, i.agency_id) not in said]


@dataclass
class Built:
    """What `Dispatcher.build` makes of a day's pending items: the messages (as claims to make),
    the channels each item's recipient is reachable on, the items of messages that had nothing
    to say, and the (item, channel) pairs already claimed."""

    claims: list[Claim]
    reach: dict[int, set[str]]
    silent: set[int]
    already: set[tuple[int, str]]


class Dispatcher:
    def __init__(self, engine: Engine, directory: Directory, calendar: WorkingCalendar,
                 policy: Policy, notifiers: Sequence[Notifier], *,
                 extra_chats: dict[str, Sequence[int]] | None = None,
                 worker: str | None = None,
                 wall_clock: Callable[[], dt.datetime] = _wall,
                 link_for: LinkFor | None = None) -> None:
        self.engine, self.d, self.cal, self.p = engine, directory, calendar, policy
        self.notifiers = list(notifiers)
        for n in self.notifiers:  # a channel that sends a message in parts reports each part
            if hasattr(n, "progress"):
                n.progress = self._keep_progress
        self.extra_chats = {k: tuple(v) for k, v in (extra_chats or {}).items()}
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.wall = wall_clock
        # Agencies' personal addresses on the web desk, put on the messages to them.
        self.link_for = link_for
        # Agency names and plan numbers read by the wake-up's first composing, for its second.
        self._known: dict[str, dict] = {}
        self._last_slot: dt.date | None = None  # the slot the last wake-up sent for

    def slot_for(self, now: dt.datetime) -> dt.date:
        """The working day whose send time is the latest at or before `now`."""
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        local = now.astimezone(self.p.tz)
        day = local.date()
        if local.time() < self.p.send_time:
            day -= dt.timedelta(days=1)
        return self.cal.last_working_day_on_or_before(day)

    async def wake(self, now: dt.datetime) -> WakeResult:
        """Send what is due at `now`. Its callers then `tidy()`: on SQLite, the log checkpoint
        its commits would have run on the way is left until the messages have gone."""
        slot = self.slot_for(now)
        result = WakeResult(slot, self.p.slot_instant(slot))
        self._known = {}  # read afresh each wake-up (an import may have renamed an agency)
        self._last_slot = slot
        with checkpoints_deferred(self.engine), gc_paused():
            await self._retry(result)
            with session(self.engine) as s:
                result.missed = self._settle_missed(s, slot)
                s.commit()
            await self._phase(slot, PHASE_AGENCIES, result)
            await self._phase(slot, PHASE_OVERSIGHT, result)
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
        """How long a claim holds before another dispatcher may take the message over."""
        return dt.timedelta(minutes=self.p.claim_lease_minutes)

    def _floor(self, slot: dt.date) -> dt.date:
        """The oldest send day still sent late (the grace); older pending items are missed."""
        return self.cal.add_working_days(slot, -self.p.grace_working_days)

    def _pending_up_to(self, slot: dt.date) -> tuple:
        """What a wake-up for `slot` reads: the items still pending from the floor to `slot`."""
        return (PlannedItem.state == "pending", PlannedItem.send_on <= slot,
                PlannedItem.send_on >= self._floor(slot))

    # --- 1. retries ----------------------------------------------------------------------------
    async def _retry(self, result: WakeResult) -> None:
        taken = reclaim(self.engine, self.worker, self.wall(), self._lease())
        by_channel: dict[str, list[tuple[int, OutgoingMessage]]] = {}
        for nid, payload, provider_id in taken:
            m = dataclasses.replace(from_payload(payload), resume=provider_id)
            by_channel.setdefault(m.channel, []).append((nid, m))
        for channel, pairs in by_channel.items():
            notifier = self._notifier(channel)
            if notifier is None:
                continue  # that channel is not configured in this process: leave it claimed
            results = await notifier.send_batch([m for _, m in pairs])
            self._record(list(zip([n for n, _ in pairs], results, strict=True)), result)
            result.retried += len(pairs)

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
                               PlannedItem.plan_id)
                        .where(PlannedItem.state == "pending", PlannedItem.send_on < floor)).all()
        if not old:
            return 0
        wall = self.wall()
        s.connection().execute(update(PlannedItem)
                               .where(in_ids(PlannedItem.id, [p.id for p in old]))
                               .values(state="missed", settled_at=wall))
        # The oversight lists are rebuilt from what is late anyway: not reported as missed;
        # nor is anything of a closed plan (`engine.tracking.closing`).
        closed = set(s.scalars(select(Plan.id).where(Plan.closed_at.is_not(None))))
        told = [p for p in old if p.kind not in (MONITOR_LIST, STEERING_DIGEST)
                and p.plan_id not in closed]
        if len(told) <= MISSED_LINES:  # one line per missed message
            for p in told:
                self._notice(s, f"missed/{p.id}", MISSED, slot, {
                    "agency": p.recipient_id,
                    "detail": f"{p.kind} {p.reason} ngày {p.send_on}", "ref": p.key})
            return len(old)
        # After a long stop: one line per agency, or the Sở Nội vụ's list would be unreadable.
        days: dict[str, list[dt.date]] = {}
        for p in told:
            days.setdefault(p.recipient_id, []).append(p.send_on)
        for agency, sent_on in sorted(days.items()):
            self._notice(s, f"missed/{slot.isoformat()}/{agency}", MISSED, slot, {
                "agency": agency,
                "detail": f"{len(sent_on)} thông báo không gửi được, dự kiến gửi từ "
                          f"{min(sent_on):%d/%m/%Y} đến {max(sent_on):%d/%m/%Y}"})
        return len(old)

    def _notice(self, s: Session, key: str, reason: str, slot: dt.date, detail: dict) -> None:
        if s.scalar(select(PlannedItem.id).where(PlannedItem.key == key)) is None:
            s.add(PlannedItem(key=key, kind=MONITOR_LIST, reason=reason,
                              recipient_id=self.d.monitor_id, send_on=slot, detail=detail))

    # --- 3-5. composing, claiming, sending -----------------------------------------------------
    async def _phase(self, slot: dt.date, kinds: tuple[str, ...], result: WakeResult) -> None:
        claims = self._compose(slot, kinds, result)
        by_channel: dict[str, list[Claim]] = {}
        for c in claims:
            by_channel.setdefault(c.message.channel, []).append(c)
        for channel, batch in by_channel.items():
            results = await self._notifier(channel).send_batch([c.message for c in batch])
            result.messages.extend(c.message for c in batch)
            failed = self._record([(c.notification_id, r) for c, r in
                                   zip(batch, results, strict=True)], result, fresh=True)
            if failed:
                self._failed_notices(slot, {c.notification_id: c for c in batch}, failed)

    def _record(self, pairs: list[tuple[int, DeliveryResult]], result: WakeResult, *,
                fresh: bool = False) -> list:
        result.results.extend(r for _, r in pairs)
        return record(self.engine, pairs, self.wall(), fresh=fresh)

    def _failed_notices(self, slot: dt.date, claims: dict[int, Claim], failed: list) -> None:
        with session(self.engine) as s:
            for nid, r in failed:
                m = claims[nid].message
                if m.kind in PHASE_OVERSIGHT:
                    continue
                self._notice(s, f"failed/{m.key}", FAILED, slot, {
                    "agency": m.recipient.id, "detail": f"{m.channel}: {r.detail}"[:300],
                    "ref": m.key})
            s.commit()

    def _compose(self, slot: dt.date, kinds: tuple[str, ...], result: WakeResult
                 ) -> list[Claim]:
        with session(self.engine) as s:
            if self.engine.dialect.name == "postgresql":
                # A day's items are hundreds to thousands of rows, which the planner estimates
                # from the whole year's density (tens of thousands) and so reads with parallel
                # workers: measured 7-11 ms to start them for a 1 ms read.
                s.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            # Plain rows, not ORM objects: a busy day holds tens of thousands of items.
            planned = plain_rows(s.connection().execute(select(PlannedItem.__table__).where(
                *self._pending_up_to(slot), PlannedItem.kind.in_(kinds))
                .order_by(PlannedItem.send_on, PlannedItem.id)))
            planned = drop_completed(s, planned)
            if not planned:
                s.commit()
                return []
            built = self.build(s, slot, planned)
            s.commit()
        claims = built.claims

        def settle(s: Session, won: list[Claim]) -> None:
            # What rides where now: known without asking, unless another dispatcher won a claim.
            have = None if len(won) < len(claims) else built.already | {
                (i, c.message.channel) for c in won for i in c.item_ids}
            self._settle_items(s, planned, built.reach, have, won, slot, result, built.silent)

        return claim(self.engine, claims, self.worker, self.wall(), then=settle)

    def build(self, s: Session, slot: dt.date, planned: list) -> Built:
        """The messages `planned` (pending items, completed ones dropped) make on `slot`, one
        per recipient, channel and kind, without claiming anything: what a wake-up claims and
        sends, and what `engine.tracking.preview` shows ahead of the day."""
        at = self.p.slot_instant(slot)
        composer = Composer(s, self.cal, self.d, self.p, slot, **self._known)
        self._known = {"names": composer.names, "plan_numbers": composer.plan_numbers}
        markers = [p for p in planned if _is_monitor_marker(p)]
        marker_ids = {m.id for m in markers}
        items = composer.items([p for p in planned if p.kind != STEERING_DIGEST
                                and p.id not in marker_ids])
        listed = composer.monitor_late(markers) if markers else {}
        already = _riding(s, planned)
        chats = self._chats(s)
        groups: dict[tuple[str, str, str], list[PlannedItem]] = {}
        for p in planned:
            ref = (f"d{p.duty_id}" if p.duty_id else f"r{p.obligation_id}"
                   ) if p.kind == EXPLANATION_REQUEST else ""
            groups.setdefault((p.kind, p.recipient_id, ref), []).append(p)
        steering = composer.steering() if any(k[0] == STEERING_DIGEST for k in groups) \
            else ([], {})
        report_agencies = {p.recipient_id for p in planned if p.reason == "report_reminder"}
        ongoing = composer.ongoing(report_agencies, {p.plan_id for p in planned
                                                     if p.plan_id}) if report_agencies else {}
        links = self._links(s, {rid for kind, rid, _ in groups if kind in PHASE_AGENCIES})
        claims: list[Claim] = []
        reach: dict[int, set[str]] = {}
        silent: set[int] = set()  # items of a message that had nothing to say
        for (kind, rid, ref), group in groups.items():
            parent = self.d.get(rid).parent if rid in self.d else None
            recipient = composer.recipient(rid, chats.get(rid, ()), chats.get(parent, ()))
            for n in self.notifiers:
                if not reachable(n.channel, recipient):
                    continue
                for p in group:
                    reach.setdefault(p.id, set()).add(n.channel)
                todo = [p for p in group if (p.id, n.channel) not in already]
                if not todo:
                    continue
                if kind == STEERING_DIGEST:
                    its, stats = steering
                else:
                    its = [items[p.id] for p in latest(todo) if p.id in items]
                    stats = {}
                    if kind == MONITOR_LIST and listed:
                        its += _not_yet_in(its, [i for p in todo
                                                 for i in listed.get(p.id, ())])
                if not its:
                    # A Monday with nothing late, items whose subject is gone: no message,
                    # and settled now, or the next wake-ups would compose them again (and
                    # send Monday's digest on the day something first became late).
                    silent.update(p.id for p in todo)
                    continue
                suffix = ref or slot.isoformat()
                msg = OutgoingMessage(
                    key=f"{kind}/{rid}/{n.channel}/{suffix}", kind=kind, channel=n.channel,
                    recipient=recipient, at=at, items=tuple(sort_items(its, kind)),
                    ongoing=ongoing.get(rid, ()) if kind == AGENCY_DIGEST and any(
                        i.reason == "report_reminder" for i in its) else (),
                    plan_number=composer.plan_number(p.plan_id for p in todo), stats=stats,
                    link=links.get(rid) if kind in PHASE_AGENCIES else None)
                claims.append(Claim(msg, tuple(p.id for p in todo), slot))
        return Built(claims, reach, silent, already)

    def _links(self, s: Session, agency_ids: set[str]) -> dict[str, str]:
        if self.link_for is None or not agency_ids:
            return {}
        return self.link_for(s, sorted(agency_ids))

    def _note_explanations(self, s: Session, won: list[Claim], slot: dt.date) -> None:
        """Each explanation request sent is recorded, for the agency's answer (giải trình): about
        a task deadline, or about a periodic report (its obligation)."""
        sent = [(i, c.message.recipient.id) for c in won if c.message.kind == EXPLANATION_REQUEST
                for i in c.message.items]
        by_subject = (
            (ExplanationRequest.deadline_id,
             {(i.deadline_id, a) for i, a in sent if i.deadline_id is not None}),
            (ExplanationRequest.obligation_id,
             {(i.obligation_id, a) for i, a in sent
              if i.deadline_id is None and i.obligation_id is not None}))
        wall = self.wall()
        rows = [{"deadline_id": None, "obligation_id": None, column.key: subject,
                 "agency_id": agency_id, "requested_on": slot, "recorded_at": wall}
                for column, wanted in by_subject for subject, agency_id in sorted(wanted)]
        if not rows:
            return
        # One statement; a request already recorded (a catch-up, or another dispatcher that sent
        # the same request on its other channel) is left as it is, whichever unique key it hits.
        table = ExplanationRequest.__table__
        if self.engine.dialect.name == "sqlite":
            s.connection().execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
            return
        # PostgreSQL: the rows as one JSON value (executemany: 14 ms for 198 rows; a multi-row
        # VALUES costs as much to compile, never cached).
        s.connection().execute(_PG_EXPLANATIONS, {
            "rows": json.dumps([[r["deadline_id"], r["obligation_id"], r["agency_id"]]
                                for r in rows]),
            "on": slot, "at": wall})

    def _chats(self, s: Session) -> dict[str, tuple[int, ...]]:
        out: dict[str, list[int]] = {k: list(v) for k, v in self.extra_chats.items()}
        for chat_id, agency_id in s.execute(select(ChatLink.chat_id, ChatLink.agency_id)):
            out.setdefault(agency_id, []).append(chat_id)
        return {k: tuple(v) for k, v in out.items()}

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
                self._notice(s, f"unreachable/{p.recipient_id}/{slot.isoformat()}", FAILED,
                             slot, {"agency": p.recipient_id,
                                    "detail": "không có địa chỉ nhận (email/Telegram)"})
        result.unreachable += len(unreachable)
        self._note_explanations(s, won, slot)

