"""What the dispatcher hands to a channel, and the one small interface every channel keeps.

The engine decides *who* gets *what* (an ``OutgoingMessage`` with its items); a notifier decides
*how* it looks on its channel (templates) and delivers it. Rendering is apart from sending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

# Message kinds (contract section 5).
AGENCY_DIGEST = "agency_digest"
MONITOR_LIST = "monitor_list"
STEERING_DIGEST = "steering_digest"
EXPLANATION_REQUEST = "explanation_request"

# Item reasons.
REMINDER = "reminder"  # a task deadline ahead or today
LATE = "late"  # a task deadline passed
REPORT_REMINDER = "report_reminder"  # a report deadline of the plan's report cycle
NEEDS_DUE = "needs_due"  # reference/unknown timing: a person must set the date (to Sở Nội vụ)
NEEDS_LEAD = "needs_lead"  # a dated task with no lead agency to remind (to Sở Nội vụ)
MISSED = "missed"  # a message older than the grace that was never sent (to Sở Nội vụ)
FAILED = "delivery_failed"  # a permanent delivery failure (to Sở Nội vụ)


@dataclass(frozen=True)
class Recipient:
    id: str  # directory id
    name: str
    emails: tuple[str, ...] = ()
    chat_ids: tuple[int, ...] = ()


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
        if self.reason == REPORT_REMINDER:
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


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # idempotency key, unique in the database; Message-ID is derived from it
    kind: str
    channel: str  # "email" | "telegram" | "record"
    recipient: Recipient
    at: dt.datetime  # the planned send instant, tz-aware
    items: tuple[Item, ...] = ()
    ongoing: tuple[Item, ...] = ()  # ongoing tasks a report must cover
    plan_number: str | None = None
    plan_title: str | None = None
    # steering digest: {agency name: {status: count}} for the table and chart
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
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
    provider_id: str | None = None  # Message-ID, Telegram message_id, outbox file name
    attempt_log: tuple[DeliveryAttempt, ...] = ()  # every try, in order


@runtime_checkable
class Notifier(Protocol):
    channel: str

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        """Deliver every message; never raise for a single message's failure."""
        ...

    async def aclose(self) -> None: ...


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
