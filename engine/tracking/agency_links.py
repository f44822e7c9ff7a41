"""Agencies' personal links: ``{NHACVIEC_WEB_BASE_URL}/co-quan/{token}``.

A token is ``<agency id>.<signature>``: the signature is an HMAC-SHA256, under the desk's secret,
of the agency id and a random nonce stored per agency (`AgencyLink`). Without the secret and the
nonce a token cannot be made; a new nonce (`rotate`) makes every earlier token of that agency
worthless at once; a token opens only the agency it names. Nothing here imports the web
framework: the dispatcher's callers use `LinkMaker` to put each agency's link on its messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Collection

from sqlalchemy import select
from sqlmodel import Session

from engine.storage.models import Agency, AgencyLink

PATH = "/co-quan/"
_SIG_BYTES = 20  # 160 bits of HMAC-SHA256: unguessable, and the link stays short


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def sign(secret: bytes, agency_id: str, nonce: str) -> str:
    mac = hmac.new(secret, f"agency-link\x00{agency_id}\x00{nonce}".encode(),
                   hashlib.sha256).digest()[:_SIG_BYTES]
    return f"{agency_id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def nonces(s: Session, agency_ids: Collection[str]) -> dict[str, str]:
    """Each agency's nonce, created for the agencies (known to the database) that have none."""
    ids = sorted(set(agency_ids))
    if not ids:
        return {}
    have = dict(s.execute(select(AgencyLink.agency_id, AgencyLink.nonce)
                          .where(AgencyLink.agency_id.in_(ids))).all())
    missing = [a for a in ids if a not in have]
    if missing:
        known = set(s.scalars(select(Agency.id).where(Agency.id.in_(missing))))
        for agency_id in missing:
            if agency_id in known:
                have[agency_id] = new_nonce()
                s.add(AgencyLink(agency_id=agency_id, nonce=have[agency_id]))
        s.flush()
    return have


def rotate(s: Session, agency_id: str) -> str:
    """A new nonce for the agency: its earlier links stop working at once."""
    row = s.get(AgencyLink, agency_id)
    if row is None:
        row = AgencyLink(agency_id=agency_id, nonce=new_nonce())
    else:
        row.nonce, row.rotated_at = new_nonce(), _now()
    s.add(row)
    s.flush()
    return row.nonce


def verify(s: Session, secret: bytes, token: str) -> str | None:
    """The agency id a token opens, or None (malformed, tampered, rotated away, unknown)."""
    agency_id, dot, _ = (token or "").partition(".")
    if not dot or not agency_id or len(token) > 200:
        return None
    nonce = s.scalar(select(AgencyLink.nonce).where(AgencyLink.agency_id == agency_id))
    if nonce is None:
        return None
    return agency_id if hmac.compare_digest(sign(secret, agency_id, nonce), token) else None


class LinkMaker:
    """Builds agencies' personal addresses for a base URL; the dispatcher's `link_for` hook:
    ``maker(session, agency ids) -> {agency id: address}`` in the composing transaction."""

    def __init__(self, secret: bytes, base_url: str) -> None:
        self.secret = secret
        self.base_url = base_url.rstrip("/")

    def url(self, agency_id: str, nonce: str) -> str:
        return f"{self.base_url}{PATH}{sign(self.secret, agency_id, nonce)}"

    def __call__(self, s: Session, agency_ids: Collection[str]) -> dict[str, str]:
        return {a: self.url(a, n) for a, n in nonces(s, agency_ids).items()}

    @classmethod
    def from_settings(cls, settings) -> LinkMaker:  # noqa: ANN001 - engine.settings.Settings
        from engine.tracking.web_secret import web_secret

        return cls(web_secret(settings), settings.web_base_url)
