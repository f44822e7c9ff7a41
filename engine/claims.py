"""The dispatcher's bookkeeping: claiming messages before they go, recording what happened after.

A message is claimed by inserting its `Notification` row (unique key) together with the
`NotificationItem` rows of the items it carries (unique per item and channel), in one
transaction. A second dispatcher composing the same message loses on the key and skips it; an
item can never ride in two messages of one channel. Only after the claim is committed does the
message go to its channel; the result is recorded afterwards, with every attempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.bulk import bulk_insert_values, in_ids
from engine.compose import to_payload
from engine.db import session
from engine.models import DeliveryAttempt, Notification, NotificationItem
from notifiers.base import DeliveryResult, OutgoingMessage

MAX_ATTEMPTS = 5  # wake-ups a transiently failing message is tried on before it is given up


@dataclass
class Claim:
    message: OutgoingMessage
    item_ids: tuple[int, ...]
    slot: dt.date
    notification_id: int | None = None


def _row(c: Claim, worker: str, wall: dt.datetime) -> dict:
    m = c.message
    return {"key": m.key, "kind": m.kind, "channel": m.channel, "recipient_id": m.recipient.id,
            "slot_on": c.slot, "at": m.at, "payload": to_payload(m), "state": "claimed",
            "claimed_by": worker, "claimed_at": wall, "attempts": 0}


def claim(engine: Engine, claims: Sequence[Claim], worker: str, wall: dt.datetime
          ) -> list[Claim]:
    """Claim as many of `claims` as possible; returns those this worker won."""
    if not claims:
        return []
    try:
        return _claim_batch(engine, claims, worker, wall)
    except IntegrityError:
        # An item already rides in another message (a concurrent dispatcher on another slot):
        # fall back to one transaction per message, so only the conflicting ones are lost.
        won = []
        for c in claims:
            try:
                won.extend(_claim_batch(engine, [c], worker, wall))
            except IntegrityError:
                continue
        return won


def _claim_batch(engine: Engine, claims: Sequence[Claim], worker: str, wall: dt.datetime
                 ) -> list[Claim]:
    dialect = engine.dialect.name
    table = Notification.__table__
    ins = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))
    stmt = ins.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id, table.c.key)
    by_key = {c.message.key: c for c in claims}
    with session(engine) as s, s.begin():
        rows = s.execute(stmt, [_row(c, worker, wall) for c in claims]).all()
        won = []
        links = []
        for nid, key in rows:
            c = by_key[key]
            c.notification_id = nid
            won.append(c)
            channel = c.message.channel
            links.extend((nid, i, channel) for i in c.item_ids)
        bulk_insert_values(s, NotificationItem.__table__,
                           ("notification_id", "item_id", "channel"), links)
    return won


def reclaim(engine: Engine, worker: str, wall: dt.datetime, lease: dt.timedelta
            ) -> list[tuple[int, dict]]:
    """Messages to send again: failed transiently, or claimed by a dispatcher that died before
    recording the outcome (its claim older than the lease). Each is taken over atomically."""
    table = Notification.__table__
    with session(engine) as s, s.begin():
        candidates = s.execute(
            select(table.c.id, table.c.state, table.c.claimed_at)
            .where((table.c.state == "retry")
                   | ((table.c.state == "claimed") & (table.c.claimed_at < wall - lease)))).all()
    taken = []
    for nid, state, claimed_at in candidates:
        with session(engine) as s, s.begin():
            res = s.execute(update(table).where(table.c.id == nid, table.c.state == state,
                                                table.c.claimed_at == claimed_at)
                            .values(state="claimed", claimed_by=worker, claimed_at=wall))
            if res.rowcount == 1:
                payload = s.scalar(select(table.c.payload).where(table.c.id == nid))
                taken.append((nid, payload))
    return taken


def record(engine: Engine, sent: Sequence[tuple[int, DeliveryResult]], wall: dt.datetime
           ) -> list[tuple[int, DeliveryResult]]:
    """Store each outcome and its attempts (a few statements for the whole batch); returns the
    permanent failures."""
    if not sent:
        return []
    table = Notification.__table__
    failed = []
    updates, attempts = [], []
    with session(engine) as s, s.begin():
        tried: dict[int, int] = dict(s.execute(select(table.c.id, table.c.attempts).where(
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
            updates.append({"nid": nid, "st": state, "n": count, "pid": r.provider_id,
                            "sent": wall if r.ok else None})
            log = getattr(r, "attempt_log", ()) or ()
            for a in log:
                attempts.append({"notification_id": nid, "attempted_at": wall,
                                 "ok": a.outcome in ("delivered", "written"),
                                 "permanent": a.outcome == "permanent",
                                 "detail": f"{a.outcome} {a.code or ''} {a.detail}".strip(),
                                 "provider_id": r.provider_id})
            if not log:
                attempts.append({"notification_id": nid, "attempted_at": wall, "ok": r.ok,
                                 "permanent": r.permanent, "detail": r.detail,
                                 "provider_id": r.provider_id})
        s.execute(update(table).where(table.c.id == bindparam("nid")).values(
            state=bindparam("st"), attempts=bindparam("n"), provider_id=bindparam("pid"),
            sent_at=bindparam("sent")), updates)
        s.execute(insert(DeliveryAttempt.__table__), attempts)
    return failed
