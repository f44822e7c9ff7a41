"""What the dispatcher hands to a channel (the channel's interface is `core.notifier.Notifier`).

The engine decides *who* gets *what* (an ``OutgoingMessage`` with its items); a notifier decides
*how* it looks on its channel (templates) and delivers it. Rendering is apart from sending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.vocabulary import Reason


@dataclass(frozen=True)
class Recipient:
    id: str  # directory id
    name: str
    emails: tuple[str, ...] = ()
    chat_ids: tuple[int, ...] = ()  # Telegram
    zalo_chat_ids: tuple[str, ...] = ()  # Zalo (its chat ids are strings)


@dataclass(frozen=True)
class Item:
    reason: str
    group: str | None = None
    code: str | None = None
    title: str | None = None
    due: dt.date | None = None
    role: str | None = None  # "lead" | "support"
    label: str | None = None  # the product a dated deadline is for ("Kế hoạch")
    product: str | None = None
    # report reminders
    period: str | None = None
    cutoff_from: dt.date | None = None
    cutoff_to: dt.date | None = None
    data_entry_url: str | None = None
    # counts, in working days, at the time of sending
    days_left: int | None = None
    days_late: int | None = None
    # lists to the Sở Nội vụ / Steering Committee: whose item it is
    agency_id: str | None = None
    agency_name: str | None = None
    status: str | None = None
    deadline_id: int | None = None  # for buttons ("Đã hoàn thành") and completions
    obligation_id: int | None = None  # a report item's obligation (explanation requests)
    # explanation requests: the date the agency's explanation is expected by
    reply_by: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        if self.reason == Reason.REPORT_REMINDER:
            out: dict[str, Any] = {"reason": self.reason, "period": self.period,
                                   "due": _iso(self.due)}
        else:
            out = {"reason": self.reason, "group": self.group, "code": self.code,
                   "due": _iso(self.due)}
            if self.period and self.code is None:  # a late report: the period names it
                out["period"] = self.period
            if self.role:
                out["role"] = self.role
            if self.label:
                out["label"] = self.label
        if self.agency_id:
            out["agency"] = self.agency_id
        return out


ITEM_DATES = ("due", "cutoff_from", "cutoff_to", "reply_by")  # the date fields of an Item


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # idempotency key, unique in the database; Message-ID is derived from it
    kind: str
    channel: str  # "email" | "telegram" | "zalo" | "record"
    recipient: Recipient
    at: dt.datetime  # the planned send instant, tz-aware
    items: tuple[Item, ...] = ()
    ongoing: tuple[Item, ...] = ()  # ongoing tasks a report must cover
    plan_number: str | None = None
    plan_title: str | None = None
    # steering digest: {agency name: {status: count}} for the table and chart
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    # steering digest: the latest period report ({"plan", "period", "cutoff_from",
    # "cutoff_to", "deadline", "url"}, ISO dates; url None without a web desk), or None
    period_report: dict[str, Any] | None = None
    # The recipient agency's personal address on the web desk (agency digests and explanation
    # requests), where it reports completions and explanations; None when the desk has none.
    link: str | None = None
    # A retry: the provider id recorded for the earlier attempt (read back from the database).
    # A channel that delivers a message in parts (Telegram) skips the parts it lists.
    resume: str | None = None

    def to_json(self) -> dict[str, Any]:
        """One line of `nhacviec simulate --json` (contract section 5)."""
        return {
            "at": self.at.isoformat(),
            "channel": self.channel,
            "recipient": self.recipient.id,
            "recipient_name": self.recipient.name,
            "kind": self.kind,
            "items": [i.to_json() for i in self.items],
        }


class DeliveryAttempt(NamedTuple):
    """One try at delivering a message, as the engine stores it in the delivery log."""

    number: int  # 1, 2, ... within one send_batch call
    outcome: str  # "delivered" | "partial" | "transient" | "permanent" | "config" | "written"
    code: int | None = None  # SMTP reply code, HTTP status; None when there was no reply
    detail: str = ""  # the server's words or the error, shortened; never a secret or the body


@dataclass(frozen=True)
class DeliveryResult:
    key: str
    ok: bool
    permanent: bool = False  # failed for good (5xx, refused recipient): do not retry
    attempts: int = 1
    detail: str = ""
    provider_id: str | None = None  # Message-ID, Telegram/Zalo message ids, outbox file name
    attempt_log: tuple[DeliveryAttempt, ...] = ()  # every try, in order


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- building items in bulk ----------------------------------------------------------------------

ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(Item))
ITEM_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Item)}
_new = object.__new__


def new_item(**values: Any) -> Item:
    """`Item(**values)`, for composing in bulk. Item is a frozen dataclass, whose generated
    `__init__` sets each of its 21 fields through `object.__setattr__`: 3.3 us an item, and a
    national steering digest composes 160,000 (0.5 s). Filling the instance's dict directly
    gives the same object (same fields, same defaults, still frozen) in 0.6 us. An unknown
    name is refused, as `Item()` refuses it."""
    if not values.keys() <= ITEM_DEFAULTS.keys():
        unknown = sorted(values.keys() - ITEM_DEFAULTS.keys())
        raise TypeError(f"Item has no field {', '.join(unknown)}")
    item = _new(Item)
    fields = item.__dict__
    fields.update(ITEM_DEFAULTS)
    fields.update(values)
    return item
