"""Who a chat is: agency lookups, one-time link codes and chat links, on the engine's database.

Mixed into `notifiers.telegram_store.SqlBotBackend`. Codes are stored as SHA-256 only and spent
with one conditional UPDATE, so two chats racing for one code cannot both win.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.control_chars import clean as clean_controls
from engine.errors import NotFoundError
from engine.models import Agency, ChatLink, LinkCode
from notifiers.telegram_backend import (
    LINK_CODE_TTL,
    ChatLinkView,
    LinkCodeError,
    new_link_code,
    normalize_code,
)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def utc(value: dt.datetime) -> dt.datetime:
    """Stored datetimes are UTC (engine.models); SQLite hands them back naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class LinkStore:
    engine: Engine
    directory: Any

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- who ---------------------------------------------------------------------------------
    def agency_of_chat(self, chat_id: int) -> str | None:
        with self._session() as s:
            link = s.get(ChatLink, chat_id)
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
            s.add(LinkCode(code_hash=code_hash(code), agency_id=agency_id, created_at=now,
                           expires_at=expires))
            s.commit()
        return code, expires

    def redeem_link_code(self, code: str, chat_id: int, title: str | None,
                         now: dt.datetime) -> str:
        digest = code_hash(code)
        now = utc(now)
        with self._session() as s:
            row = s.get(LinkCode, digest)
            if row is None:
                raise LinkCodeError("unknown")
            if row.used_at is not None:
                raise LinkCodeError("used")
            if utc(row.expires_at) <= now:
                raise LinkCodeError("expired")
            spent = s.execute(update(LinkCode).where(
                and_(LinkCode.code_hash == digest, LinkCode.used_at.is_(None))  # type: ignore[union-attr]
            ).values(used_at=now, used_by_chat=chat_id))
            if spent.rowcount != 1:  # another chat spent it a moment ago
                s.rollback()
                raise LinkCodeError("used")
            self._upsert_link(s, row.agency_id, chat_id, now, title, "code")
            s.commit()
            return row.agency_id

    def _upsert_link(self, s: Session, agency_id: str, chat_id: int, now: dt.datetime,
                     title: str | None, how: str) -> None:
        link = s.get(ChatLink, chat_id)
        if link is None:
            link = ChatLink(chat_id=chat_id, agency_id=agency_id, linked_at=utc(now))
        # A chat's title is the chat's own choice: no control or right-to-left characters.
        link.agency_id, link.linked_by = agency_id, how
        link.title = clean_controls(title) if title is not None else None
        link.linked_at = utc(now)
        s.add(link)

    def link_chat(self, agency_id: str, chat_id: int, now: dt.datetime,
                  title: str | None = None) -> None:
        with self._session() as s:
            self._ensure_agency(s, agency_id)
            self._upsert_link(s, agency_id, chat_id, now, title, "admin")
            s.commit()

    def unlink_chat(self, chat_id: int) -> bool:
        with self._session() as s:
            gone = s.execute(delete(ChatLink).where(ChatLink.chat_id == chat_id)).rowcount
            s.commit()
            return bool(gone)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup and got a new id: its link follows."""
        with self._session() as s:
            link = s.get(ChatLink, old_chat_id)
            if link is None:
                return False
            if s.get(ChatLink, new_chat_id) is None:
                s.add(ChatLink(chat_id=new_chat_id, agency_id=link.agency_id, title=link.title,
                               linked_at=link.linked_at, linked_by=link.linked_by))
            s.delete(link)
            s.commit()
            return True

    def links(self) -> list[ChatLinkView]:
        with self._session() as s:
            rows = s.execute(select(ChatLink, Agency.name).join(
                Agency, Agency.id == ChatLink.agency_id).order_by(Agency.name, ChatLink.chat_id))
            return [ChatLinkView(link.chat_id, link.agency_id, name, utc(link.linked_at),
                                 link.title) for link, name in rows]

    def chats_of(self, agency_id: str) -> list[int]:
        with self._session() as s:
            return list(s.scalars(select(ChatLink.chat_id).where(ChatLink.agency_id == agency_id)
                                  .order_by(ChatLink.chat_id)))
