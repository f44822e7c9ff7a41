"""The one seam for database-specific SQL: what SQLite and PostgreSQL do differently, for the
same result, where the portable ORM statement was measured too slow for a national-scale day.

Everything else in the engine speaks SQLAlchemy and stays portable; a module that needs one of
these asks for what it does (claim these messages, record these outcomes, refresh statistics),
never for a dialect. Each block says what it replaced and what that cost.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Date, DateTime, Text, bindparam, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.messages import OutgoingMessage
from core.payload import to_payload
from engine.storage.bulk import bulk_insert, bulk_insert_values, id_literal
from engine.storage.models import (
    DeliveryAttempt,
    ExplanationRequest,
    Notification,
    NotificationItem,
)


def is_postgresql(s: Session) -> bool:
    return s.connection().dialect.name == "postgresql"


# --- reading ------------------------------------------------------------------------------------
def read_a_few_rows(s: Session) -> None:
    """For the rest of the transaction: the next reads fetch a day's rows, hundreds to
    thousands, which PostgreSQL's planner estimates from the whole year's density (tens of
    thousands) and so reads with parallel workers: measured 7-11 ms to start them for a 1 ms
    read. SQLite has no parallel reads."""
    if is_postgresql(s):
        s.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def refresh_statistics(s: Session) -> None:
    """After a bulk load, PostgreSQL's planner still believes the tables are small until
    autovacuum gets to them, and picks sequential scans for the dispatcher's index queries
    (measured: 0.4 s instead of 0.005 s for a wake-up with nothing to send). ANALYZE samples,
    so it takes about a second whatever the size. SQLite's choices do not depend on it here."""
    if is_postgresql(s):
        for table in ("planneditem", "duty", "deadline", "task", "assignment", "notification",
                      "notificationitem"):
            s.execute(text(f"ANALYZE {table}"))


# --- claiming messages --------------------------------------------------------------------------
class ToClaim(NamedTuple):
    message: OutgoingMessage
    slot: dt.date  # the send day it was composed for
    item_ids: Sequence[int]  # the planned items it carries


def claim_messages(s: Session, batch: Sequence[ToClaim], worker: str, wall: dt.datetime
                   ) -> list[tuple[int, str]]:
    """Insert a `Notification` row (state "claimed", by `worker` at `wall`) for each message
    whose key is still free, with a `NotificationItem` row per item it carries; returns the
    (id, key) of the rows inserted, in the batch's order. Raises IntegrityError when an item
    already rides in another message of its channel."""
    if is_postgresql(s):  # the items are linked in the same statement
        return _pg_claim(s, batch, worker, wall)
    won = _sqlite_claim(s, batch, worker, wall)
    channels = {m.key: (m.channel, item_ids) for m, _, item_ids in batch}
    bulk_insert_values(s, NotificationItem.__table__, ("notification_id", "item_id", "channel"),
                       [(nid, i, channels[key][0]) for nid, key in won
                        for i in channels[key][1]])
    return won


def _claim_row(m: OutgoingMessage, slot: dt.date, worker: str, wall: dt.datetime) -> dict:
    return {"key": m.key, "kind": m.kind, "channel": m.channel, "recipient_id": m.recipient.id,
            "slot_on": slot, "at": m.at, "payload": to_payload(m), "state": "claimed",
            "claimed_by": worker, "claimed_at": wall, "attempts": 0}


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


def _pg_claim(s: Session, batch: Sequence[ToClaim], worker: str, wall: dt.datetime
              ) -> list[tuple[int, str]]:
    rows, link_n, link_item = [], [], []
    for n, (m, slot, item_ids) in enumerate(batch):
        rows.append({"n": n, "key": m.key, "kind": m.kind, "channel": m.channel,
                     "recipient_id": m.recipient.id, "slot_on": slot.isoformat(),
                     "at": m.at.isoformat()})
        link_n.extend([n] * len(item_ids))
        link_item.extend(item_ids)
    return s.connection().execute(_PG_CLAIM, {
        "rows": json.dumps(rows, ensure_ascii=False),
        "payloads": json.dumps([to_payload(m) for m, _, _ in batch], ensure_ascii=False),
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


def _sqlite_claim(s: Session, batch: Sequence[ToClaim], worker: str, wall: dt.datetime
                  ) -> list[tuple[int, str]]:
    table = Notification.__table__
    shared = {(slot, m.at) for m, slot, _ in batch}
    if len(shared) > 1:  # not one wake-up's: each row with its own
        return s.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
                         .returning(table.c.id, table.c.key),
                         [_claim_row(m, slot, worker, wall) for m, slot, _ in batch]).all()
    ((slot, at),) = shared
    conn = s.connection()

    def bound(column: str, value: object) -> object:
        process = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        return process(value) if process else value

    slot_v, at_v, wall_v = bound("slot_on", slot), bound("at", at), bound("claimed_at", wall)
    rows = [(m.key, m.kind, m.channel, m.recipient.id, slot_v, at_v,
             json.dumps(to_payload(m), ensure_ascii=False, separators=(",", ":")), worker,
             wall_v) for m, _, _ in batch]
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


# --- recording outcomes ---------------------------------------------------------------------
class Outcome(NamedTuple):
    notification_id: int
    state: str  # "sent" | "retry" | "failed"
    attempts: int  # attempts counted so far, this one included
    provider_id: str | None
    sent: bool


class Attempt(NamedTuple):
    notification_id: int
    ok: bool
    permanent: bool
    detail: str
    provider_id: str | None


def record_outcomes(s: Session, outcomes: Sequence[Outcome], attempts: Sequence[Attempt],
                    wall: dt.datetime) -> None:
    """Store each message's state and every attempt, at `wall`, in a few statements for the
    whole batch."""
    if is_postgresql(s):
        at = wall.isoformat()  # read as JSON: the instant as text, formatted once, not per row
        s.connection().execute(_PG_RECORD, {
            "rows": json.dumps([{"nid": o.notification_id, "st": o.state, "n": o.attempts,
                                 "pid": o.provider_id, "sent": at if o.sent else None}
                                for o in outcomes], ensure_ascii=False),
            "attempts": json.dumps([{"notification_id": a.notification_id, "attempted_at": at,
                                     "ok": a.ok, "permanent": a.permanent, "detail": a.detail,
                                     "provider_id": a.provider_id} for a in attempts],
                                   ensure_ascii=False)})
        return
    s.connection().execute(_SQLITE_RECORD, {
        "rows": json.dumps([list(o) for o in outcomes], ensure_ascii=False), "sent": wall})
    bulk_insert(s, DeliveryAttempt.__table__, [a._asdict() | {"attempted_at": wall}
                                               for a in attempts])


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


# --- explanation requests ---------------------------------------------------------------------
def insert_explanation_requests(s: Session, rows: Sequence[tuple[int | None, int | None, str]],
                                on: dt.date, at: dt.datetime) -> None:
    """Record explanation requests (deadline id or obligation id, agency id) sent on `on`, in
    one statement; a request already recorded (a catch-up, or another dispatcher that sent the
    same request on its other channel) is left as it is, whichever unique key it hits."""
    if not rows:
        return
    if not is_postgresql(s):
        s.connection().execute(sqlite.insert(ExplanationRequest.__table__)
                               .on_conflict_do_nothing(), [
            {"deadline_id": d, "obligation_id": o, "agency_id": a, "requested_on": on,
             "recorded_at": at} for d, o, a in rows])
        return
    # PostgreSQL: the rows as one JSON value (executemany: 14 ms for 198 rows; a multi-row
    # VALUES costs as much to compile, never cached).
    s.connection().execute(_PG_EXPLANATIONS, {"rows": json.dumps([list(r) for r in rows]),
                                              "on": on, "at": at})


_PG_EXPLANATIONS = text("""
    INSERT INTO explanationrequest (deadline_id, obligation_id, agency_id, requested_on,
                                    recorded_at)
    SELECT (r->>0)::int, (r->>1)::int, r->>2, :on, :at
    FROM json_array_elements(CAST(:rows AS json)) AS r
    ON CONFLICT DO NOTHING""").bindparams(
    bindparam("rows", type_=Text), bindparam("on", type_=Date),
    bindparam("at", type_=DateTime(timezone=True)))
