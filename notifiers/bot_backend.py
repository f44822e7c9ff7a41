"""The data side of the Telegram bot: what its handlers ask of the database.

`BotBackend` is the small interface the handlers call (synchronously, from a worker thread);
`engine.tracking.bot_store.SqlBotBackend` implements it on the engine's database. The views below
are plain values, so handlers and templates never touch ORM objects.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Protocol

from core.errors import NhacviecError

LINK_CODE_TTL = dt.timedelta(hours=48)
LINK_TRIES = 5  # wrong link codes a chat may send within LINK_WINDOW; then it waits
LINK_WINDOW = dt.timedelta(hours=1)
# A chat's id: Telegram names chats with integers, Zalo with strings.
ChatId = int | str
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 8


def new_link_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a user typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class LinkCodeError(NhacviecError):
    """A link code that cannot be used; `reason` is unknown, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TaskLine:
    """One deadline of one task, as one agency sees it."""

    deadline_id: int
    agency_id: str
    agency_name: str
    group: str
    code: str
    title: str
    due: dt.date | None
    status: str  # engine status code (see core.vocabulary.Status)
    role: str = "lead"  # lead | support
    label: str | None = None  # the product this due date is for
    plan_number: str | None = None
    completed_on: dt.date | None = None
    document_no: str | None = None
    days: int | None = None  # working days left (>= 0) or late (< 0), from today

    @property
    def is_open(self) -> bool:
        return self.completed_on is None


@dataclass(frozen=True)
class ReportLine:
    period: str
    due: dt.date
    cutoff_from: dt.date | None
    cutoff_to: dt.date | None
    data_entry_url: str | None = None
    plan_number: str | None = None
    submitted_on: dt.date | None = None


@dataclass(frozen=True)
class AgencyCount:
    agency_id: str
    agency_name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class ChatLinkView:
    chat_id: ChatId
    agency_id: str
    agency_name: str
    linked_at: dt.datetime
    title: str | None = None


class BotBackend(Protocol):
    """One channel's view (`channel`: "telegram" or "zalo"): chats and codes of that channel;
    tasks are the same for every channel."""

    channel: str

    # --- who is this chat --------------------------------------------------------------------
    def agency_of_chat(self, chat_id: ChatId) -> str | None: ...

    def agency_name(self, agency_id: str) -> str: ...

    def find_agency(self, text: str) -> str | None:
        """The single agency a name means (accents, case, "Sở"/"S." spellings ignored)."""
        ...

    # --- linking -----------------------------------------------------------------------------
    def create_link_code(self, agency_id: str, now: dt.datetime) -> tuple[str, dt.datetime]: ...

    def redeem_link_code(self, code: str, chat_id: ChatId, title: str | None,
                         now: dt.datetime) -> str:
        """Bind the chat to the code's agency and spend the code; raises LinkCodeError."""
        ...

    def link_chat(self, agency_id: str, chat_id: ChatId, now: dt.datetime,
                  title: str | None = None) -> None: ...

    def unlink_chat(self, chat_id: ChatId) -> bool: ...

    def move_chat(self, old_chat_id: ChatId, new_chat_id: ChatId) -> bool:
        """Carry a link over when a group is upgraded to a supergroup (new chat id)."""
        ...

    def links(self) -> list[ChatLinkView]: ...

    def chats_of(self, agency_id: str) -> list[ChatId]: ...

    def link_locked_until(self, chat_id: ChatId, now: dt.datetime) -> dt.datetime | None:
        """When a chat that sent too many wrong link codes may try again; None: now."""
        ...

    def link_failed(self, chat_id: ChatId, now: dt.datetime) -> int:
        """Count one wrong link code of the chat (in the database); returns its recent count."""
        ...

    def link_forget(self, chat_id: ChatId) -> None:
        """The chat linked: its wrong attempts no longer count."""
        ...

    # --- tasks -------------------------------------------------------------------------------
    def open_deadlines(self, agency_id: str | None, today: dt.date, *,
                       due_from: dt.date | None = None,
                       due_to: dt.date | None = None) -> list[TaskLine]:
        """Open deadlines (soonest first) of one agency, or of all when None, optionally with
        the due date within [due_from, due_to]."""
        ...

    def agency_counts(self, today: dt.date) -> list[AgencyCount]:
        """Open and overdue counts per agency with anything open (most overdue first)."""
        ...

    def task_deadlines(self, code: str, agency_id: str | None,
                       today: dt.date) -> list[TaskLine]:
        """Every deadline, open or done, of the tasks numbered `code` (of one agency)."""
        ...

    def deadline(self, deadline_id: int, agency_id: str, today: dt.date) -> TaskLine | None:
        """That deadline as `agency_id` sees it; None if the agency has no part in it."""
        ...

    def record_completion(self, deadline_id: int, agency_id: str, document_no: str | None,
                          now: dt.datetime, by: str) -> TaskLine:
        """Record that the agency completed it; ConflictError if already recorded."""
        ...

    def snooze(self, deadline_id: int, agency_id: str, now: dt.datetime) -> dt.date:
        """Ask to be reminded again on the next working day; returns that day."""
        ...

    def next_reports(self, agency_id: str | None, today: dt.date) -> list[ReportLine]:
        """The next report deadline(s) on or after today, with their data cut-off window."""
        ...
