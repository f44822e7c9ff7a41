"""The database tables (SQLModel). Only models live here; behaviour lives where they are used.

    Agency ─┬─ Assignment ── Task ── Deadline ── Duty ── Completion
            │                 │         └──────────────── ExplanationRequest ── ExplanationAnswer
            │                 └── Event                       │
            ├─ ReportObligation ── ReportPeriod ── Plan       │
            │      └──────────────────────────────────────────┘
            ├─ ChatLink, LinkCode, LinkAttempt     (Telegram, Zalo: per channel)
            └─ PlannedItem ── NotificationItem ── Notification ── DeliveryAttempt

A *duty* is one agency's share of one deadline (lead or support); statuses and completions are
per duty (lead) or per report obligation. A *planned item* is one thing to say to one recipient
on one working day (a reminder, a late notice, a line of the Sở Nội vụ list ...), held unique by
its key; a *notification* is the message that carried items on one channel, held unique by its key
(``agency_digest/vp-ubnd/email/2025-01-17``) so two dispatchers never both send it.

Datetimes are stored timezone-aware (UTC); SQLite hands them back naive, `engine.storage.db.utc`
fixes that on read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

_TZ = DateTime(timezone=True)


def _now() -> dt.datetime:
    # Only a default for audit columns ("recorded_at"); nothing decides anything from it.
    return dt.datetime.now(dt.UTC)


def _json(default: Any = None) -> Any:
    return Field(default_factory=list if default is None else default, sa_column=Column(JSON))


# Exactly one subject per explanation request (revision 0004 writes the same text).
EXPLANATION_SUBJECT = ("(deadline_id IS NOT NULL AND obligation_id IS NULL) OR "
                       "(deadline_id IS NULL AND obligation_id IS NOT NULL)")


# --- who ----------------------------------------------------------------------------------------
class Agency(SQLModel, table=True):
    """A copy of a directory entry (single agencies only), refreshed on every plan import."""

    id: str = Field(primary_key=True, max_length=64)
    name: str
    kind: str = Field(max_length=32)
    reports: bool = False
    role: str | None = Field(default=None, max_length=16)  # monitor | steering
    emails: list[str] = _json()
    telegram_chat_ids: list[int] = _json()
    successor_id: str | None = Field(default=None, max_length=64)
    successor_from: dt.date | None = None
    valid_from: dt.date | None = None
    parent_id: str | None = Field(default=None, max_length=64)


# --- what ---------------------------------------------------------------------------------------
class Plan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("number", "year", name="uq_plan_number_year"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64)  # "196/KH-UBND" (the file name when the plan has none)
    year: int
    issued_on: dt.date | None = None
    issuer: str | None = None
    title: str | None = None
    source: str | None = None
    report_day: int = 18
    data_entry_url: str | None = None
    imported_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    updated_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    # A closed plan's items stop escalating (revision 0011, `engine.planning.closing`).
    closed_at: dt.datetime | None = Field(default=None, sa_type=_TZ)


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "group_name", "code", name="uq_task_code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    group_name: str
    code: str = Field(max_length=32)
    parent_id: int | None = Field(default=None, foreign_key="task.id", ondelete="SET NULL")
    parent_code: str | None = Field(default=None, max_length=32)
    leaf: bool = True
    position: int = 0  # order in the plan
    title: str
    product: str | None = None
    lead: list[str] = _json()  # mentions as written
    support: list[str] = _json()
    timing: str | None = None
    kind: str = Field(default="unknown", max_length=16)  # rules.Kind
    event_offset: int | None = None
    event_unit: str | None = Field(default=None, max_length=16)
    warnings: list[str] = _json()
    removed: bool = False  # no longer in the plan after a re-import (kept: it has history)


class Assignment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("task_id", "agency_id", "role", name="uq_assignment"),
        Index("ix_assignment_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE")
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    role: str = Field(max_length=8)  # lead | support


class Deadline(SQLModel, table=True):
    """One due date of a task, labelled with the product it is for where the plan pairs them."""

    __table_args__ = (
        UniqueConstraint("task_id", "due", name="uq_deadline_due"),
        # The Sở Nội vụ's list reads a day's deadlines (revision 0007).
        Index("ix_deadline_on", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    due: dt.date
    label: str | None = None
    source: str = Field(default="plan", max_length=8)  # plan | event | manual
    active: bool = True  # False once the plan no longer has it (kept for its completions)


class Duty(SQLModel, table=True):
    """An agency's share of a deadline. `agency_id` is the agency holding the task on the due day
    (mergers follow the directory's successor links)."""

    __table_args__ = (
        UniqueConstraint("deadline_id", "agency_id", "role", name="uq_duty"),
        Index("ix_duty_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", ondelete="CASCADE")
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    role: str = Field(max_length=8)  # lead | support


class Event(SQLModel, table=True):
    """The date of the event an event-relative task counts from ("kể từ khi ...")."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", unique=True, ondelete="CASCADE")
    occurred_on: dt.date
    note: str | None = None
    recorded_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)


class ReportPeriod(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "name", name="uq_report_period"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=32)  # "Quý I", "6 tháng", "Quý III", "Năm"
    # The data cut-off window: null when the plan neither gives it nor cites the regime that
    # defines it (revision 0011).
    cutoff_from: dt.date | None = None
    cutoff_to: dt.date | None = None
    deadline: dt.date
    position: int = 0


class ReportObligation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("period_id", "agency_id", name="uq_obligation"),
        Index("ix_obligation_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="reportperiod.id", ondelete="CASCADE")
    agency_id: str = Field(foreign_key="agency.id", max_length=64)


class Completion(SQLModel, table=True):
    """A recorded completion of a deadline (by one agency) or of a report obligation. Undo sets
    `undone_at`; at most one live completion per duty / obligation."""

    __table_args__ = (
        Index("uq_completion_deadline_live", "deadline_id", "agency_id", unique=True,
              sqlite_where=text("undone_at IS NULL AND deadline_id IS NOT NULL"),
              postgresql_where=text("undone_at IS NULL AND deadline_id IS NOT NULL")),
        Index("uq_completion_obligation_live", "obligation_id", unique=True,
              sqlite_where=text("undone_at IS NULL AND obligation_id IS NOT NULL"),
              postgresql_where=text("undone_at IS NULL AND obligation_id IS NOT NULL")),
        Index("ix_completion_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", ondelete="CASCADE")
    obligation_id: int | None = Field(
        default=None, foreign_key="reportobligation.id", ondelete="CASCADE"
    )
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    completed_on: dt.date
    document_no: str | None = None  # "123/BC-STP": how officials prove completion
    note: str | None = None
    recorded_by: str | None = None  # "cli", "telegram:<chat id>"
    recorded_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    undone_at: dt.datetime | None = Field(default=None, sa_type=_TZ)


class ExplanationRequest(SQLModel, table=True):
    """A request to explain a task deadline or a periodic report late by more than the policy's
    working days (giải trình): exactly one of `deadline_id` and `obligation_id` is set."""

    __table_args__ = (
        UniqueConstraint("deadline_id", "agency_id", name="uq_explanation"),
        UniqueConstraint("obligation_id", "agency_id", name="uq_explanation_obligation"),
        CheckConstraint(EXPLANATION_SUBJECT, name="ck_explanation_subject"),
        # An agency's page reads its requests (revision 0011).
        Index("ix_explanationrequest_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", ondelete="CASCADE")
    obligation_id: int | None = Field(
        default=None, foreign_key="reportobligation.id", ondelete="CASCADE"
    )
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    requested_on: dt.date
    recorded_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    # The agency explained on its own, unasked (revision 0012): no request was sent.
    unsolicited: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ExplanationAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="explanationrequest.id", index=True, ondelete="CASCADE")
    answered_on: dt.date
    text: str
    document_no: str | None = None
    proposed_due: dt.date | None = None  # the new date the agency proposes (revision 0011)
    answered_by: str | None = None
    recorded_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)


# --- chats (Telegram, Zalo) ---------------------------------------------------------------------
class ChatIdType(TypeDecorator[str]):
    """A chat id as text: Telegram's are integers (negative for groups), Zalo's are strings
    (revision 0009). An integer given is stored as its decimal text; read back as text."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(value)


class ChatLink(SQLModel, table=True):
    """A chat bound to an agency, on one channel ("telegram" | "zalo")."""

    channel: str = Field(default="telegram", primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, sa_type=ChatIdType)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=64)
    title: str | None = None
    linked_at: dt.datetime = Field(sa_type=_TZ)
    linked_by: str | None = None  # "code", "admin"


class LinkCode(SQLModel, table=True):
    """A one-time code binding a chat of one channel to an agency. Only its SHA-256 is
    stored."""

    code_hash: str = Field(primary_key=True, max_length=64)
    channel: str = Field(default="telegram", max_length=16)
    agency_id: str = Field(foreign_key="agency.id", max_length=64)
    created_at: dt.datetime = Field(sa_type=_TZ)
    expires_at: dt.datetime = Field(sa_type=_TZ)
    used_at: dt.datetime | None = Field(default=None, sa_type=_TZ)
    used_by_chat: str | None = Field(default=None, sa_type=ChatIdType)


class LinkAttempt(SQLModel, table=True):
    """A wrong link code sent by a chat: counted in the database, so that a chat guessing codes
    is slowed down whichever process answers it, and across restarts. Only the recent ones of a
    chat are kept (each new one deletes those older than the window)."""

    __table_args__ = (Index("ix_linkattempt_chat", "channel", "chat_id", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(sa_type=ChatIdType)
    failed_at: dt.datetime = Field(sa_type=_TZ)


# --- what to say, what was said -----------------------------------------------------------------
class PlannedItem(SQLModel, table=True):
    """One thing to tell one recipient on one working day. `key` is its idempotency key:
    ``<reason>/<duty or obligation id>/<recipient>/<send day>`` and the like.

    state: pending -> done (went on every channel the recipient has) | cancelled (completed,
    re-planned away) | missed (older than the grace when a dispatcher got to it).
    """

    __table_args__ = (
        # The dispatcher's one query: pending items up to today. Only today's rows match.
        Index("ix_planned_due", "state", "send_on"),
        Index("ix_planned_duty", "duty_id"),
        # Partial (revision 0005): only the few items read this way are indexed.
        Index("ix_planned_obligation", "obligation_id",
              sqlite_where=text("obligation_id IS NOT NULL"),
              postgresql_where=text("obligation_id IS NOT NULL")),
        # Items without a duty (reports, the Sở Nội vụ's notices), read by plan: queries say
        # "duty_id IS NULL" for the index to serve them.
        Index("ix_planned_plan", "plan_id", sqlite_where=text("duty_id IS NULL"),
              postgresql_where=text("duty_id IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=24)  # message kind: agency_digest | monitor_list | ...
    reason: str = Field(max_length=24)  # reminder | late | report_reminder | needs_due | ...
    # No foreign keys: each one is a lookup per inserted row, and a national plan inserts
    # millions (revisions 0003, 0005). Nothing deletes agencies, plans or tasks; the code that
    # deletes a duty or a report obligation deletes its items first (`delete_items_of`).
    recipient_id: str = Field(max_length=64)
    send_on: dt.date
    plan_id: int | None = Field(default=None)
    task_id: int | None = Field(default=None)
    duty_id: int | None = Field(default=None)
    obligation_id: int | None = Field(default=None)
    role: str | None = Field(default=None, max_length=8)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    state: str = Field(default="pending", max_length=12)
    settled_at: dt.datetime | None = Field(default=None, sa_type=_TZ)


class Notification(SQLModel, table=True):
    """A message on one channel. Inserting it is the claim: the unique key makes a second
    dispatcher's insert fail, so it never sends the same message.

    state: claimed -> sent | failed (permanent) | retry (transient, tried again next wake-up).
    """

    __table_args__ = (Index("ix_notification_state", "state", "slot_on"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=24)
    channel: str = Field(max_length=16)
    # No foreign keys on the message records (revision 0008): see `NotificationItem`.
    recipient_id: str = Field(max_length=64)
    slot_on: dt.date  # the working day whose 08:00 it belongs to
    at: dt.datetime = Field(sa_type=_TZ)  # planned instant (08:00 local)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    state: str = Field(default="claimed", max_length=12)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    sent_at: dt.datetime | None = Field(default=None, sa_type=_TZ)
    provider_id: str | None = None
    attempts: int = 0


class NotificationItem(SQLModel, table=True):
    """Which item went in which message. Unique per (item, channel): an item never goes twice on
    one channel, whatever happens to the dispatcher."""

    __table_args__ = (UniqueConstraint("item_id", "channel", name="uq_item_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    # No foreign keys (revision 0008): each was a lookup and a row lock per inserted link. The
    # dispatcher writes links to the items and notifications it has just read and inserted;
    # nothing deletes notifications, and `delete_items_of` deletes an item's links with it.
    notification_id: int = Field(index=True)
    item_id: int
    channel: str = Field(max_length=16)


class DeliveryAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(index=True)  # no foreign key (revision 0008)
    attempted_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    ok: bool
    permanent: bool = False
    detail: str = ""
    provider_id: str | None = None


# --- the web desk (revision 0011) ----------------------------------------------------------------
class WebUser(SQLModel, table=True):
    """An officer's login on the web desk: admin (Sở Nội vụ) or viewer (Steering Committee)."""

    __table_args__ = (UniqueConstraint("login", name="uq_webuser_login"),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    password_hash: str  # Argon2id, as argon2-cffi writes it
    role: str = Field(max_length=8)  # admin | viewer
    created_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)


class AgencyLink(SQLModel, table=True):
    """The nonce an agency's personal link signs: a new one (rotation) revokes the old link."""

    agency_id: str = Field(primary_key=True, foreign_key="agency.id", max_length=64)
    nonce: str = Field(max_length=64)
    rotated_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)


class Evidence(SQLModel, table=True):
    """A file attached to a completion, stored under the data directory as `stored_name`."""

    __table_args__ = (UniqueConstraint("stored_name", name="uq_evidence_stored_name"),)

    id: int | None = Field(default=None, primary_key=True)
    completion_id: int = Field(foreign_key="completion.id", index=True, ondelete="CASCADE")
    stored_name: str = Field(max_length=80)
    original_name: str = Field(max_length=255)  # shown only, never used as a path
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)


class PlanDraft(SQLModel, table=True):
    """A parsed plan under review on the desk (its JSON, contract section 2), not yet imported."""

    id: str = Field(primary_key=True, max_length=32)
    file_name: str
    created_by: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=_now, sa_type=_TZ)
    body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


ALL_TABLES = SQLModel.metadata
