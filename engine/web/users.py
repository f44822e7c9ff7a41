"""Officers' accounts on the web desk: Argon2id password hashes (argon2-cffi), two roles.

admin: the Sở Nội vụ, reads and changes everything; viewer: the Steering Committee, reads
everything and changes nothing."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlmodel import Session

from core.errors import ConflictError, InputError, NotFoundError
from engine.storage.models import WebUser

ROLES = ("admin", "viewer")
ROLE_VI = {"admin": "quản trị (Sở Nội vụ)", "viewer": "chỉ xem (Ban Chỉ đạo)"}
MIN_PASSWORD = 10
_LOGIN = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
_hasher = PasswordHasher()
# Verified against when the login does not exist: a wrong login costs as long as a wrong password.
_DUMMY = _hasher.hash("nhacviec-no-such-user")


def add_user(s: Session, login: str, password: str, role: str) -> WebUser:
    login = login.strip()
    if not _LOGIN.match(login):
        raise InputError(f"tên đăng nhập «{login}» không hợp lệ (2-64 ký tự: chữ không dấu, số, "
                         "dấu . _ @ -)")
    if role not in ROLES:
        raise InputError(f"vai trò «{role}» không có; chọn admin hoặc viewer")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"mật khẩu quá ngắn (cần ít nhất {MIN_PASSWORD} ký tự)")
    if s.scalar(select(WebUser.id).where(WebUser.login == login)) is not None:
        raise ConflictError(f"đã có người dùng «{login}»")
    user = WebUser(login=login, password_hash=_hasher.hash(password), role=role)
    s.add(user)
    s.flush()
    return user


def list_users(s: Session) -> list[WebUser]:
    return list(s.scalars(select(WebUser).order_by(WebUser.login)))


def remove_user(s: Session, login: str) -> None:
    user = s.scalar(select(WebUser).where(WebUser.login == login.strip()))
    if user is None:
        raise NotFoundError(f"không có người dùng «{login}»")
    s.delete(user)
    s.flush()


def authenticate(s: Session, login: str, password: str) -> WebUser | None:
    user = s.scalar(select(WebUser).where(WebUser.login == (login or "").strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):  # parameters raised since: upgrade
        user.password_hash = _hasher.hash(password)
        s.add(user)
        s.commit()
    return user
