"""The dispatcher's bookkeeping: claiming messages before they go, recording what happened after.

A message is claimed by inserting its `Notification` row (unique key) together with the
`NotificationItem` rows of the items it carries (unique per item and channel), in one
transaction. A second dispatcher composing the same message loses on the key and skips it; an
item can never ride in two messages of one channel. Only after the claim is committed does the
message go to its channel; the result is recorded afterwards, with every attempt.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Select, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.messages import DeliveryResult, OutgoingMessage
from engine.storage.bulk import in_ids
from engine.storage.db import session
from engine.storage.dialect import Attempt, Outcome, ToClaim, claim_messages, record_outcomes
from engine.storage.models import Notification


@dataclass
class Claim:
    message: OutgoingMessage
    item_ids: tuple[int, ...]
    slot: dt.date
    notification_id: int | None = None


def claim(engine: Engine, claims: Sequence[Claim], worker: str, wall: dt.datetime, *,
          then: Callable[[Session, list[Claim]], None] | None = None) -> list[Claim]:
    """Claim as many of `claims` as possible; returns those this worker won. `then(session,
    won)` runs in the claiming transaction (the dispatcher settles the day's items there: one
    commit fewer), or in a transaction of its own after the per-message fallback."""
    if claims:
        try:
            return _claim_batch(engine, claims, worker, wall, then)
        except IntegrityError:
            pass
    won = []
    # An item already rides in another message (a concurrent dispatcher on another slot):
    # one transaction per message, so only the conflicting ones are lost.
    for c in claims:
        try:
            won.extend(_claim_batch(engine, [c], worker, wall, None))
        except IntegrityError:
            continue
    if then is not None:
        with session(engine) as s, s.begin():
            then(s, won)
    return won


def _claim_batch(engine: Engine, claims: Sequence[Claim], worker: str, wall: dt.datetime,
                 then: Callable[[Session, list[Claim]], None] | None) -> list[Claim]:
    by_key = {c.message.key: c for c in claims}
    with session(engine) as s, s.begin():
        rows = claim_messages(s, [ToClaim(c.message, c.slot, c.item_ids) for c in claims],
                              worker, wall)
        won = []
        for nid, key in rows:
            c = by_key[key]
            c.notification_id = nid
            won.append(c)
        if then is not None:
            then(s, won)
    return won


def reclaimable(wall: dt.datetime, lease: dt.timedelta) -> Select:
    """The messages that may be sent again at `wall` (see `reclaim`), through the state index:
    every message waiting to be sent again, and every claimed one, each with whether its
    claim has lapsed (`stale`: not renewed for `lease`) and who holds it; in the order they
    were claimed (what a dead sender had in flight goes first)."""
    table = Notification.__table__
    return (select(table.c.id, table.c.state, table.c.claimed_at, table.c.claimed_by,
                   table.c.channel, (table.c.claimed_at < wall - lease).label("stale"))
            .where(table.c.state.in_(("retry", "claimed"))).order_by(table.c.id))


@dataclass(frozen=True)
class Taken:
    """A message taken over to be sent again."""

    id: int
    payload: dict
    provider_id: str | None  # the parts delivered so far (a chat message sent in parts)
    slot: dt.date
    attempts: int  # wake-ups it was tried on
    was: str  # "retry" or "claimed" (its sender died)


def reclaim(engine: Engine, worker: str, wall: dt.datetime, lease: dt.timedelta,
            channels: Collection[str] | None = None) -> list[Taken]:
    """Messages to send again: failed transiently, or claimed by a dispatcher that is gone —
    its process is known dead on this machine (`owner_dead`: at once), or it has not renewed
    its claim for `lease` (`heartbeat`). Each is taken over atomically (a claim renewed
    meanwhile is not taken). `channels`: only messages of these channels (those this process
    can send); None: all."""
    table = Notification.__table__
    with session(engine) as s, s.begin():
        candidates = s.execute(reclaimable(wall, lease)).all()
    taken = []
    for nid, state, claimed_at, claimed_by, channel, stale in candidates:
        if channels is not None and channel not in channels:
            continue
        if state == "claimed" and not stale and not owner_dead(claimed_by):
            continue  # its sender is alive: still sending
        with session(engine) as s, s.begin():
            res = s.execute(update(table).where(table.c.id == nid, table.c.state == state,
                                                table.c.claimed_at == claimed_at)
                            .values(state="claimed", claimed_by=worker, claimed_at=wall))
            if res.rowcount == 1:
                # With the provider id of the last attempt: a message sent in parts resumes.
                payload, provider_id, slot, attempts = s.execute(
                    select(table.c.payload, table.c.provider_id, table.c.slot_on,
                           table.c.attempts).where(table.c.id == nid)).one()
                taken.append(Taken(nid, payload, provider_id, slot, attempts or 0, state))
    return taken


def heartbeat(engine: Engine, worker: str, wall: dt.datetime) -> int:
    """Renew every claim `worker` holds (it is alive and still sending); returns how many."""
    table = Notification.__table__
    with session(engine) as s, s.begin():
        return s.execute(update(table).where(table.c.state == "claimed",
                                             table.c.claimed_by == worker)
                         .values(claimed_at=wall)).rowcount


# --- who holds a claim ---------------------------------------------------------------------
def _read(path: str, *, link: bool = False) -> str:
    try:
        return os.readlink(path) if link else Path(path).read_text().strip()
    except OSError:
        return ""


@functools.cache
def machine() -> str:
    """This machine and pid namespace, as 8 hex digits (host name, kernel boot, pid namespace):
    two processes can compare each other's pids only when they have the same."""
    parts = (socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"),
             _read("/proc/self/ns/pid", link=True))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]


def started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, field 22 of /proc/PID/stat), which
    tells it from a later process given the same pid; None when there is no such process
    running (a zombie is not running) or no /proc to ask."""
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()  # from field 3 on; the name may hold spaces
    if len(fields) < 20 or fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode()


def owner(label: str) -> str:
    """The id a dispatcher claims under: `label`, then which process it is on which machine
    (``label@machine:pid:start``, within the column's 64 characters), so that a dispatcher
    on the same machine can tell at once that it died. Without /proc, `label` alone (its
    claims lapse with the lease)."""
    pid = os.getpid()
    start = started(pid)
    if start is None:
        return label[:64]
    suffix = f"@{machine()}:{pid}:{start}"
    return label[:64 - len(suffix)] + suffix


def owner_dead(worker: str | None) -> bool:
    """True when `worker` (an `owner` id) is a process of this machine that no longer runs:
    its claims can be taken over at once. False when it runs, or when that cannot be known
    (another machine, an id without its process): then its lease decides."""
    if not worker or "@" not in worker:
        return False
    parts = worker.rsplit("@", 1)[1].split(":")
    if len(parts) != 3 or parts[0] != machine() or not parts[1].isdigit():
        return False
    return started(int(parts[1])) != parts[2]


def record(engine: Engine, sent: Sequence[tuple[int, DeliveryResult]], wall: dt.datetime,
           *, fresh: bool = False) -> list[tuple[int, DeliveryResult]]:
    """Store each outcome and its attempts (a few statements for the whole batch); returns the
    permanent failures. `fresh`: the notifications were claimed for this send (no attempt
    counted yet)."""
    if not sent:
        return []
    table = Notification.__table__
    failed = []
    outcomes, attempts = [], []
    with session(engine) as s, s.begin():
        tried: dict[int, int] = {} if fresh else dict(s.execute(
            select(table.c.id, table.c.attempts).where(
                in_ids(table.c.id, [nid for nid, _ in sent]))).all())
        for nid, r in sent:
            count = (tried.get(nid) or 0) + 1  # wake-ups, not tries (one holds several)
            if r.ok:
                state = "sent"
            elif r.permanent:
                state = "failed"
                failed.append((nid, r))
            else:
                state = "retry"  # until it goes, or its day is older than the grace: missed
            outcomes.append(Outcome(nid, state, count, r.provider_id, r.ok))
            attempts.extend(Attempt(nid, a.outcome in ("delivered", "written"),
                                    a.outcome == "permanent",
                                    f"{a.outcome} {a.code or ''} {a.detail}".strip(),
                                    r.provider_id) for a in r.attempt_log)
            if not r.attempt_log:
                attempts.append(Attempt(nid, r.ok, r.permanent, r.detail, r.provider_id))
        record_outcomes(s, outcomes, attempts, wall)
    return failed


