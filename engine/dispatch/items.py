"""Small decisions the dispatcher makes about the day's items: which were completed meanwhile,
which line stands for a deadline in a message, in which order lines go, who is reachable where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session

from core.numbering import code_key
from core.vocabulary import MessageKind, Reason
from engine.storage.bulk import in_ids
from engine.storage.models import Completion, Duty, Plan, PlannedItem


def drop_completed(s: Session, planned: list) -> list:
    """Defence in depth: a completion recorded by another process since planning cancels, and
    so does a closed plan (`engine.tracking.closing`)."""
    drop = settled_meanwhile(s, planned)
    if drop:
        # By id only (the state index would lead SQLite through every pending item).
        s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, sorted(drop)))
                               .values(state="cancelled"))
    return [p for p in planned if p.id not in drop]


def settled_meanwhile(s: Session, planned: list) -> set[int]:
    """The ids of the planned items whose duty or report obligation has a live completion, or
    whose plan is closed (reading only: `engine.dispatch.preview` uses it as it is)."""
    duty_ids = [p.duty_id for p in planned if p.duty_id]
    obligation_ids = [p.obligation_id for p in planned if p.obligation_id]
    done_duties: set[int] = set()
    if duty_ids:
        done_duties.update(s.scalars(select(Duty.id).join(
            Completion, (Completion.deadline_id == Duty.deadline_id)
            & (Completion.agency_id == Duty.agency_id))
            .where(in_ids(Duty.id, duty_ids), Duty.role == "lead",
                   Completion.deadline_id.is_not(None), Completion.undone_at.is_(None))))
    done_obligations: set[int] = set()
    if obligation_ids:
        done_obligations.update(s.scalars(select(Completion.obligation_id).where(
            in_ids(Completion.obligation_id, obligation_ids), Completion.undone_at.is_(None))))
    # A closed plan's items (re-planned after it was closed, by an undo) never go.
    closed = set(s.scalars(select(Plan.id).where(Plan.closed_at.is_not(None))))
    return {p.id for p in planned if p.duty_id in done_duties
            or p.obligation_id in done_obligations or (closed and p.plan_id in closed)}


def reachable(channel: str, recipient) -> bool:  # noqa: ANN001 - core.messages.Recipient
    if channel == "email":
        return bool(recipient.emails)
    if channel == "telegram":
        return bool(recipient.chat_ids)
    if channel == "zalo":
        return bool(recipient.zalo_chat_ids)
    return True


def channels_for(entry, recipient, available: list[str]) -> list[str]:  # noqa: ANN001
    """The channels a recipient's message goes on: every configured channel it can be reached
    on; or, when its directory entry prefers chat channels (`channels: [zalo]`), the preferred
    ones it can be reached on, and email only when none is (email, every agency's official
    channel, also takes over a day's message its chat failed to deliver: the dispatcher's
    `_fall_back`)."""
    reach = [c for c in available if reachable(c, recipient)]
    preferred = tuple(getattr(entry, "channels", ()) or ())
    if not preferred:
        return reach
    chosen = [c for c in preferred if c in reach]
    return chosen or [c for c in reach if c == "email"]


def sort_items(items: list, kind: str) -> list:
    if kind == MessageKind.STEERING_DIGEST:
        return items  # already by agency, oldest first
    order = {Reason.LATE: 0, Reason.REMINDER: 1, Reason.REPORT_REMINDER: 2}
    return sorted(items, key=lambda i: (order.get(i.reason, 3), i.due or dt.date.max,
                                        i.agency_name or "", i.group or "", code_key(i.code),
                                        i.period or ""))


def latest(planned: list) -> list:
    """One line per deadline in a message: a catch-up may find yesterday's "1 day left" and
    today's "due today" (or "late") of the same deadline; the latest says it all."""
    out: dict[tuple, object] = {}
    for p in planned:  # in send-day order
        if p.duty_id is not None:
            key: tuple = ("d", p.duty_id)
        elif p.obligation_id is not None:
            key = ("o", p.obligation_id)
        elif p.task_id is not None:
            key = ("t", p.task_id, p.reason)
        else:
            key = ("p", p.id)
        out.pop(key, None)
        out[key] = p
    return list(out.values())


def by_message(planned: list, *, per_deadline: bool = False
               ) -> dict[tuple[str, str, str], list]:
    """The items of each message: per kind and recipient, one message a day. Explanation
    requests of one agency on one day are one message listing every late deadline (each is
    still its own request, answered on its own on the agency's web page), or, with
    `per_deadline` (the policy's `explanation_per_deadline`), one message per deadline or
    report obligation."""
    groups: dict[tuple[str, str, str], list] = {}
    for p in planned:
        ref = ""
        if per_deadline and p.kind == MessageKind.EXPLANATION_REQUEST:
            ref = f"d{p.duty_id}" if p.duty_id else f"r{p.obligation_id}"
        groups.setdefault((p.kind, p.recipient_id, ref), []).append(p)
    return groups
