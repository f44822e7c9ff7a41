"""CSRF tokens and the login rate limit.

Every form carries a hidden field ``csrf_token`` holding the token kept in the visitor's signed
session (officers and agencies alike); a POST whose field is missing or differs is refused (403)
before anything is read or changed. Sessions are Starlette's signed cookies (itsdangerous),
SameSite=Lax, HttpOnly."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from fastapi import HTTPException, Request

CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """A dependency of every POST route."""
    form = await request.form()  # Starlette keeps it: the route's own Form() fields read it
    sent = form.get(CSRF_FIELD)
    kept = request.session.get("csrf")
    if not isinstance(sent, str) or not kept or not secrets.compare_digest(sent, kept):
        raise HTTPException(403, "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã chống giả "
                                 "mạo). Hãy tải lại trang rồi gửi lại.")


class RateLimit:
    """At most `limit` failed logins per key (client address, login name) in `window`
    seconds; in memory, per process."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def clear(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)
