"""The dispatcher's bookkeeping: claiming messages before they go, recording what happened after.

A message is claimed by inserting its `Notification` row (unique key) together with the
`NotificationItem` rows of the items it carries (unique per item and channel), in one
transaction. A second dispatcher composing the same message loses on the key and skips it; an
item can never ride in two messages of one channel. Only after the claim is committed does the
message go to its channel; the result is recorded afterwards, with every attempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.messages import DeliveryResult, OutgoingMessage
from engine.storage.bulk import in_ids
from engine.storage.db import session
from engine.storage.dialect import Attempt, Outcome, ToClaim, claim_messages, record_outcomes
from engine.storage.models import Notification

MAX_ATTEMPTS = 5  # wake-ups a transiently failing message is tried on before it is given up


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
    """The messages to send again at `wall` (see `reclaim`), through the state index."""
    table = Notification.__table__
    return (select(table.c.id, table.c.state, table.c.claimed_at)
            .where((table.c.state == "retry")
                   | ((table.c.state == "claimed") & (table.c.claimed_at < wall - lease))))


def reclaim(engine: Engine, worker: str, wall: dt.datetime, lease: dt.timedelta
            ) -> list[tuple[int, dict, str | None]]:
    """Messages to send again: failed transiently, or claimed by a dispatcher that died before
    recording the outcome (its claim older than the lease). Each is taken over atomically;
    returned with its payload and the provider id its last attempt recorded."""
    table = Notification.__table__
    with session(engine) as s, s.begin():
        candidates = s.execute(reclaimable(wall, lease)).all()
    taken = []
    for nid, state, claimed_at in candidates:
        with session(engine) as s, s.begin():
            res = s.execute(update(table).where(table.c.id == nid, table.c.state == state,
                                                table.c.claimed_at == claimed_at)
                            .values(state="claimed", claimed_by=worker, claimed_at=wall))
            if res.rowcount == 1:
                # With the provider id of the last attempt: a message sent in parts resumes.
                payload, provider_id = s.execute(select(table.c.payload, table.c.provider_id)
                                                 .where(table.c.id == nid)).one()
                taken.append((nid, payload, provider_id))
    return taken


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
            count = (tried.get(nid) or 0) + max(1, r.attempts)
            if r.ok:
                state = "sent"
            elif r.permanent or count >= MAX_ATTEMPTS:
                state = "failed"
                failed.append((nid, r))
            else:
                state = "retry"
            outcomes.append(Outcome(nid, state, count, r.provider_id, r.ok))
            attempts.extend(Attempt(nid, a.outcome in ("delivered", "written"),
                                    a.outcome == "permanent",
                                    f"{a.outcome} {a.code or ''} {a.detail}".strip(),
                                    r.provider_id) for a in r.attempt_log)
            if not r.attempt_log:
                attempts.append(Attempt(nid, r.ok, r.permanent, r.detail, r.provider_id))
        record_outcomes(s, outcomes, attempts, wall)
    return failed


