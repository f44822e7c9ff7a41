"""Who a chat is: agency lookups, one-time link codes and chat links, on the engine's database.

Mixed into `engine.tracking.bot_store.SqlBotBackend`. Codes are stored as SHA-256 only and spent
with one conditional UPDATE, so two chats racing for one code cannot both win.

Links and codes belong to one channel (`channel`: "telegram", the default, or "zalo"; revision
0009). Chat ids are stored as text; a Telegram store hands them back as integers, as Telegram
names chats, a Zalo store as the strings Zalo uses. Wrong link codes are counted per chat in the
database (`link_locked_until`, `link_failed`), so that the limit holds in every process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.control_chars import clean as clean_controls
from core.errors import NotFoundError
from engine.storage.models import Agency, ChatLink, LinkAttempt, LinkCode
from notifiers.bot_backend import (
    LINK_CODE_TTL,
    LINK_TRIES,
    LINK_WINDOW,
    ChatId,
    ChatLinkView,
    LinkCodeError,
    new_link_code,
    normalize_code,
)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def utc(value: dt.datetime) -> dt.datetime:
    """Stored datetimes are UTC (engine.storage.models); SQLite hands them back naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class LinkStore:
    engine: Engine
    directory: Any
    channel: str = "telegram"

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _chat(self, stored: str) -> ChatId:
        """A stored chat id as this channel names chats (Telegram: an integer)."""
        return int(stored) if self.channel == "telegram" else stored

    def _link(self, s: Session, chat_id: ChatId) -> ChatLink | None:
        return s.get(ChatLink, (self.channel, str(chat_id)))

    # --- who ---------------------------------------------------------------------------------
    def agency_of_chat(self, chat_id: ChatId) -> str | None:
        with self._session() as s:
            link = self._link(s, chat_id)
            return link.agency_id if link else None

    def agency_name(self, agency_id: str) -> str:
        with self._session() as s:
            row = s.get(Agency, agency_id)
        if row is not None:
            return row.name
        return self.directory.get(agency_id).name if agency_id in self.directory else agency_id

    def find_agency(self, text: str) -> str | None:
        mentions = [m for m in self.directory.split_and_resolve(text) if m.kind != "unresolved"]
        if len(mentions) == 1 and mentions[0].kind == "agency" and len(mentions[0].ids) == 1:
            return str(mentions[0].ids[0])
        return None

    def _ensure_agency(self, s: Session, agency_id: str) -> None:
        """The directory entry as a row (plan import copies them; linking may come first)."""
        if s.get(Agency, agency_id) is not None:
            return
        entry = self.directory.get(agency_id)  # NotFoundError for an unknown id
        if not entry.is_single:
            raise NotFoundError(f"«{agency_id}» là một nhóm cơ quan, không phải một cơ quan")
        s.add(Agency(id=entry.id, name=entry.name, kind=entry.kind, reports=entry.reports,
                     role=entry.role, emails=list(entry.emails),
                     telegram_chat_ids=list(entry.telegram_chat_ids)))
        s.flush()

    # --- linking -----------------------------------------------------------------------------
    def create_link_code(self, agency_id: str, now: dt.datetime) -> tuple[str, dt.datetime]:
        code = new_link_code()
        now = utc(now)
        expires = now + LINK_CODE_TTL
        with self._session() as s:
            self._ensure_agency(s, agency_id)
            s.add(LinkCode(code_hash=code_hash(code), channel=self.channel,
                           agency_id=agency_id, created_at=now, expires_at=expires))
            s.commit()
        return code, expires

    def redeem_link_code(self, code: str, chat_id: ChatId, title: str | None,
                         now: dt.datetime) -> str:
        digest = code_hash(code)
        now = utc(now)
        with self._session() as s:
            row = s.get(LinkCode, digest)
            if row is None or row.channel != self.channel:  # another channel's code: unknown
                raise LinkCodeError("unknown")
            if row.used_at is not None:
                raise LinkCodeError("used")
            if utc(row.expires_at) <= now:
                raise LinkCodeError("expired")
            spent = s.execute(update(LinkCode).where(
                and_(LinkCode.code_hash == digest, LinkCode.used_at.is_(None))  # type: ignore[union-attr]
            ).values(used_at=now, used_by_chat=str(chat_id)))
            if spent.rowcount != 1:  # another chat spent it a moment ago
                s.rollback()
                raise LinkCodeError("used")
            self._upsert_link(s, row.agency_id, chat_id, now, title, "code")
            s.commit()
            return row.agency_id

    def _upsert_link(self, s: Session, agency_id: str, chat_id: ChatId, now: dt.datetime,
                     title: str | None, how: str) -> None:
        link = self._link(s, chat_id)
        if link is None:
            link = ChatLink(channel=self.channel, chat_id=str(chat_id), agency_id=agency_id,
                            linked_at=utc(now))
        # A chat's title is the chat's own choice: no control or right-to-left characters.
        link.agency_id, link.linked_by = agency_id, how
        link.title = clean_controls(title) if title is not None else None
        link.linked_at = utc(now)
        s.add(link)

    def link_chat(self, agency_id: str, chat_id: ChatId, now: dt.datetime,
                  title: str | None = None) -> None:
        with self._session() as s:
            self._ensure_agency(s, agency_id)
            self._upsert_link(s, agency_id, chat_id, now, title, "admin")
            s.commit()

    def unlink_chat(self, chat_id: ChatId) -> bool:
        with self._session() as s:
            gone = s.execute(delete(ChatLink).where(ChatLink.channel == self.channel,
                                                    ChatLink.chat_id == str(chat_id))).rowcount
            s.commit()
            return bool(gone)

    def move_chat(self, old_chat_id: ChatId, new_chat_id: ChatId) -> bool:
        """A group became a supergroup and got a new id: its link follows."""
        with self._session() as s:
            link = self._link(s, old_chat_id)
            if link is None:
                return False
            if self._link(s, new_chat_id) is None:
                s.add(ChatLink(channel=self.channel, chat_id=str(new_chat_id),
                               agency_id=link.agency_id, title=link.title,
                               linked_at=link.linked_at, linked_by=link.linked_by))
            s.delete(link)
            s.commit()
            return True

    def links(self) -> list[ChatLinkView]:
        with self._session() as s:
            rows = s.execute(select(ChatLink, Agency.name).join(
                Agency, Agency.id == ChatLink.agency_id).where(ChatLink.channel == self.channel)
                .order_by(Agency.name, ChatLink.chat_id))
            return [ChatLinkView(self._chat(link.chat_id), link.agency_id, name,
                                 utc(link.linked_at), link.title) for link, name in rows]

    def chats_of(self, agency_id: str) -> list[ChatId]:
        with self._session() as s:
            chats = [self._chat(c) for c in s.scalars(select(ChatLink.chat_id).where(
                ChatLink.channel == self.channel, ChatLink.agency_id == agency_id))]
        return sorted(chats, key=lambda c: (isinstance(c, str), c))  # type: ignore[arg-type]

    # --- wrong link codes, counted in the database --------------------------------------------
    def link_locked_until(self, chat_id: ChatId, now: dt.datetime) -> dt.datetime | None:
        """When a chat that sent LINK_TRIES wrong codes within LINK_WINDOW may try again (the
        oldest of them a window old); None if it may try now. One indexed read."""
        now = utc(now)
        with self._session() as s:
            recent = list(s.scalars(select(LinkAttempt.failed_at).where(
                LinkAttempt.channel == self.channel, LinkAttempt.chat_id == str(chat_id),
                LinkAttempt.failed_at > now - LINK_WINDOW)
                .order_by(LinkAttempt.failed_at.desc()).limit(LINK_TRIES)))  # type: ignore[attr-defined]
        if len(recent) < LINK_TRIES:
            return None
        return utc(recent[-1]) + LINK_WINDOW

    def link_failed(self, chat_id: ChatId, now: dt.datetime) -> int:
        """Count one wrong code of the chat (and forget its attempts older than the window);
        returns how many it has within the window."""
        now = utc(now)
        chat = str(chat_id)
        with self._session() as s:
            s.execute(delete(LinkAttempt).where(
                LinkAttempt.channel == self.channel, LinkAttempt.chat_id == chat,
                LinkAttempt.failed_at <= now - LINK_WINDOW))
            s.add(LinkAttempt(channel=self.channel, chat_id=chat, failed_at=now))
            s.flush()
            count = s.scalar(select(func.count()).select_from(LinkAttempt).where(
                LinkAttempt.channel == self.channel, LinkAttempt.chat_id == chat))
            s.commit()
        return int(count or 0)

    def link_forget(self, chat_id: ChatId) -> None:
        """A chat that linked: its wrong attempts no longer count."""
        with self._session() as s:
            s.execute(delete(LinkAttempt).where(LinkAttempt.channel == self.channel,
                                                LinkAttempt.chat_id == str(chat_id)))
            s.commit()
