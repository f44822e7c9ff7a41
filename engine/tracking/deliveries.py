"""The delivery log (Nhật ký gửi): messages by state, failures first; sending one again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from core.errors import ConflictError, NotFoundError
from engine.storage.models import DeliveryAttempt, Notification

# failed (refused for good) first, then missed (transient failures until its day was older than
# the grace), waiting to be sent again, in flight, sent
STATE_ORDER = {"failed": 0, "missed": 1, "retry": 2, "claimed": 3, "sent": 4}
STATE_VI = {"failed": "thất bại", "missed": "bỏ lỡ (quá thời gian gửi)", "retry": "chờ gửi lại",
            "claimed": "đang gửi", "sent": "đã gửi"}
_COLUMNS = (Notification.id, Notification.key, Notification.kind, Notification.channel,
            Notification.recipient_id, Notification.slot_on, Notification.at,
            Notification.state, Notification.attempts, Notification.sent_at)


def log(s: Session, *, state: str | None = None, day: dt.date | None = None,
        offset: int = 0, limit: int = 100) -> tuple[list[Any], int]:
    """Messages (without their payloads), failures first, then those waiting to be sent again,
    in flight, sent; newest first within a state; and how many there are. Read state by state
    through the state index (a year holds hundreds of thousands of messages: one sort of all
    of them took 0.2 s a page)."""
    where = [Notification.slot_on == day] if day else []
    counts = dict(s.execute(select(Notification.state, func.count()).where(*where)
                            .group_by(Notification.state)).all())
    states = [state] if state else list(STATE_ORDER)
    rows: list[Any] = []
    skip = offset
    for st in states:
        n = counts.get(st, 0)
        if skip >= n:
            skip -= n
            continue
        rows.extend(s.execute(select(*_COLUMNS).where(Notification.state == st, *where)
                              .order_by(Notification.slot_on.desc(), Notification.id.desc())
                              .offset(skip).limit(limit - len(rows))).all())
        skip = 0
        if len(rows) >= limit:
            break
    return rows, sum(counts.get(st, 0) for st in states)


def attempts(s: Session, notification_ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    out: dict[int, list[DeliveryAttempt]] = {}
    if notification_ids:
        for a in s.scalars(select(DeliveryAttempt).where(
                DeliveryAttempt.notification_id.in_(notification_ids))
                .order_by(DeliveryAttempt.id)):
            out.setdefault(a.notification_id, []).append(a)
    return out


def counts(s: Session) -> dict[str, int]:
    return dict(s.execute(select(Notification.state, func.count())
                          .group_by(Notification.state)).all())


def resend(s: Session, notification_id: int) -> Notification:
    """Send one message again: the next wake-up takes it over (`engine.dispatch.claims.reclaim`)
    and sends exactly what was stored, under the same key."""
    n = s.get(Notification, notification_id)
    if n is None:
        raise NotFoundError(f"không có tin nhắn mã số {notification_id}")
    if n.state in ("retry", "claimed"):
        raise ConflictError("tin nhắn này đang chờ gửi (lại), không cần gửi lại")
    n.state, n.attempts = "retry", 0
    s.add(n)
    s.flush()
    return n
