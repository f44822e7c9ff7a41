"""The dispatcher's bookkeeping: claiming messages before they go, recording what happened after.

A message is claimed by inserting its `Notification` row (unique key) together with the
`NotificationItem` rows of the items it carries (unique per item and channel), in one
transaction. A second dispatcher composing the same message loses on the key and skips it; an
item can never ride in two messages of one channel. Only after the claim is committed does the
message go to its channel; the result is recorded afterwards, with every attempt.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import DateTime, Select, Text, bindparam, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engine.bulk import bulk_insert, bulk_insert_values, id_literal, in_ids
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


# PostgreSQL: the whole batch in one statement that inserts the notifications and, in the same
# statement, the items they carry: the messages' fields as one JSON array of records, their
# payloads as another (kept out of the records: extracting a large payload from a record costs
# twice as much), read side by side (ROWS FROM: the n-th record with the n-th payload, no join;
# joined by ordinal, the busiest day's 17 MB of payloads were hashed and spilled to disk: 0.79
# against 0.65 s), the (message, item) links as two integer arrays written as text. Measured on
# a busy day: psycopg's Python array dumpers cost more than the server's work; json.dumps and
# str.join are C.
_PG_CLAIM = text("""
    WITH u AS (
        SELECT *
        FROM ROWS FROM (
            json_to_recordset(CAST(:rows AS json))
                AS (n int, key text, kind text, channel text, recipient_id text, slot_on date,
                    at timestamptz),
            json_array_elements(CAST(:payloads AS json)))
            AS u(n, key, kind, channel, recipient_id, slot_on, at, payload)),
    ins AS (
        INSERT INTO notification (key, kind, channel, recipient_id, slot_on, at, payload, state,
                                  claimed_by, claimed_at, attempts)
        SELECT key, kind, channel, recipient_id, slot_on, at, payload, 'claimed', :worker,
               :wall, 0
        FROM u
        ON CONFLICT (key) DO NOTHING
        RETURNING id, key, channel),
    links AS (
        INSERT INTO notificationitem (notification_id, item_id, channel)
        SELECT ins.id, l.item_id, ins.channel
        FROM ins JOIN json_to_recordset(CAST(:rows AS json)) AS m(n int, key text)
             ON m.key = ins.key
        JOIN unnest(CAST(:link_n AS int[]), CAST(:link_item AS int[])) AS l(n, item_id)
             ON l.n = m.n)
    SELECT id, key FROM ins""").bindparams(
    bindparam("rows", type_=Text), bindparam("payloads", type_=Text),
    bindparam("link_n", type_=Text), bindparam("link_item", type_=Text),
    bindparam("wall", type_=DateTime(timezone=True)))


def _pg_claim(s: Session, claims: Sequence[Claim], worker: str, wall: dt.datetime
              ) -> list[tuple[int, str]]:
    rows, link_n, link_item = [], [], []
    for n, c in enumerate(claims):
        m = c.message
        rows.append({"n": n, "key": m.key, "kind": m.kind, "channel": m.channel,
                     "recipient_id": m.recipient.id, "slot_on": c.slot.isoformat(),
                     "at": m.at.isoformat()})
        link_n.extend([n] * len(c.item_ids))
        link_item.extend(c.item_ids)
    return s.connection().execute(_PG_CLAIM, {
        "rows": json.dumps(rows, ensure_ascii=False),
        "payloads": json.dumps([to_payload(c.message) for c in claims], ensure_ascii=False),
        "link_n": id_literal(link_n), "link_item": id_literal(link_item), "worker": worker,
        "wall": wall}).all()


# SQLite: the batch's messages through the driver's executemany, then the rows it inserted
# read back (sqlite3 has no RETURNING with executemany). Measured on the busiest national day,
# 14,128 messages: 0.11 s, where one INSERT ... SELECT over a JSON array took 0.38 s (SQLite
# 3.40 parses each message's JSON again for every field it extracts) and SQLAlchemy's
# executemany 1 s (building parameters). The fields every message of a wake-up shares are
# converted once, by the column types' own bind processors (stored as SQLAlchemy stores them).
_SQLITE_CLAIM = (
    "INSERT INTO notification (key, kind, channel, recipient_id, slot_on, at, payload, state, "
    "claimed_by, claimed_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 'claimed', ?, ?, 0) "
    "ON CONFLICT (key) DO NOTHING")
# Without AUTOINCREMENT, SQLite gives each new row the largest id + 1, and the claiming
# transaction holds the write lock from its first insert: the `rowcount` rows with the largest
# ids are the ones this statement inserted (the others' keys were taken).
_SQLITE_CLAIMED = "SELECT id, key FROM notification ORDER BY id DESC LIMIT ?"


def _sqlite_claim(s: Session, claims: Sequence[Claim], worker: str, wall: dt.datetime
                  ) -> list[tuple[int, str]]:
    table = Notification.__table__
    shared = {(c.slot, c.message.at) for c in claims}
    if len(shared) > 1:  # not one wake-up's: each row with its own
        return s.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
                         .returning(table.c.id, table.c.key),
                         [_row(c, worker, wall) for c in claims]).all()
    ((slot, at),) = shared
    conn = s.connection()

    def bound(column: str, value: object) -> object:
        process = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        return process(value) if process else value

    slot_v, at_v, wall_v = bound("slot_on", slot), bound("at", at), bound("claimed_at", wall)
    rows = [(m.key, m.kind, m.channel, m.recipient.id, slot_v, at_v,
             json.dumps(to_payload(m), ensure_ascii=False, separators=(",", ":")), worker,
             wall_v) for m in (c.message for c in claims)]
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.executemany(_SQLITE_CLAIM, rows)
        inserted = cur.rowcount
        # In insertion order, as RETURNING gives them.
        won = cur.execute(_SQLITE_CLAIMED, (inserted,)).fetchall()[::-1] if inserted else []
    except conn.dialect.loaded_dbapi.IntegrityError as e:
        raise IntegrityError(_SQLITE_CLAIM, None, e) from e
    finally:
        cur.close()
    keys = {m[0] for m in rows}
    if not all(key in keys for _, key in won):  # only if the id rule above stopped holding
        raise RuntimeError("claimed rows could not be told apart from others")
    return won


def _claim_batch(engine: Engine, claims: Sequence[Claim], worker: str, wall: dt.datetime,
                 then: Callable[[Session, list[Claim]], None] | None) -> list[Claim]:
    by_key = {c.message.key: c for c in claims}
    with session(engine) as s, s.begin():
        postgres = s.connection().dialect.name == "postgresql"
        if postgres:  # the items are linked in the same statement
            rows = _pg_claim(s, claims, worker, wall)
        else:
            rows = _sqlite_claim(s, claims, worker, wall)
        won = []
        for nid, key in rows:
            c = by_key[key]
            c.notification_id = nid
            won.append(c)
        if not postgres:
            bulk_insert_values(s, NotificationItem.__table__,
                               ("notification_id", "item_id", "channel"),
                               [(c.notification_id, i, c.message.channel)
                                for c in won for i in c.item_ids])
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
    updates, attempts = [], []
    postgres = engine.dialect.name == "postgresql"
    # PostgreSQL reads the rows as JSON: the instant as text, formatted once, not per row.
    at = wall.isoformat() if postgres else wall
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
            updates.append({"nid": nid, "st": state, "n": count, "pid": r.provider_id,
                            "sent": at if r.ok else None})
            log = getattr(r, "attempt_log", ()) or ()
            for a in log:
                attempts.append({"notification_id": nid, "attempted_at": at,
                                 "ok": a.outcome in ("delivered", "written"),
                                 "permanent": a.outcome == "permanent",
                                 "detail": f"{a.outcome} {a.code or ''} {a.detail}".strip(),
                                 "provider_id": r.provider_id})
            if not log:
                attempts.append({"notification_id": nid, "attempted_at": at, "ok": r.ok,
                                 "permanent": r.permanent, "detail": r.detail,
                                 "provider_id": r.provider_id})
        if postgres:
            s.connection().execute(_PG_RECORD, {
                "rows": json.dumps(updates, ensure_ascii=False),
                "attempts": json.dumps(attempts, ensure_ascii=False)})
        else:
            s.connection().execute(_SQLITE_RECORD, {
                "rows": json.dumps([[u["nid"], u["st"], u["n"], u["pid"], u["sent"] is not None]
                                    for u in updates], ensure_ascii=False),
                "sent": wall})
            bulk_insert(s, DeliveryAttempt.__table__, attempts)
    return failed


# SQLite: the outcomes as one JSON array (UPDATE ... FROM); `sent` is the one time recorded.
_SQLITE_RECORD = text("""
    UPDATE notification
    SET state = json_extract(u.value, '$[1]'), attempts = json_extract(u.value, '$[2]'),
        provider_id = json_extract(u.value, '$[3]'),
        sent_at = CASE WHEN json_extract(u.value, '$[4]') THEN :sent END
    FROM json_each(:rows) AS u
    WHERE notification.id = json_extract(u.value, '$[0]')""").bindparams(
    bindparam("rows", type_=Text), bindparam("sent", type_=DateTime(timezone=True)))


# PostgreSQL: the outcomes and the attempts of the whole batch in one statement, as JSON.
_PG_RECORD = text("""
    WITH a AS (
        INSERT INTO deliveryattempt (notification_id, attempted_at, ok, permanent, detail,
                                     provider_id)
        SELECT notification_id, attempted_at, ok, permanent, detail, provider_id
        FROM json_to_recordset(CAST(:attempts AS json))
             AS a(notification_id int, attempted_at timestamptz, ok boolean, permanent boolean,
                  detail text, provider_id text))
    UPDATE notification AS n SET state = u.st, attempts = u.n, provider_id = u.pid,
                                 sent_at = u.sent
    FROM json_to_recordset(CAST(:rows AS json))
         AS u(nid int, st text, n int, pid text, sent timestamptz)
    WHERE n.id = u.nid""").bindparams(
    bindparam("rows", type_=Text), bindparam("attempts", type_=Text))
