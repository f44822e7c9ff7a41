"""The web desk's secret: NHACVIEC_WEB_SECRET, or one generated on first use and kept in the data
directory, readable by its owner only (contract section 7). It signs the officers' sessions and
the agencies' personal links; it is never printed or logged."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from core.errors import ConfigError
from engine.settings import Settings, data_dir

SECRET_FILE = "web-secret"
MIN_LENGTH = 16


def secret_path() -> Path:
    return data_dir() / SECRET_FILE


def web_secret(settings: Settings) -> bytes:
    if settings.web_secret is not None:
        value = settings.web_secret.get_secret_value().strip()
        if len(value) < MIN_LENGTH:
            raise ConfigError(f"NHACVIEC_WEB_SECRET quá ngắn (cần ít nhất {MIN_LENGTH} ký tự)")
        return value.encode()
    return _stored(secret_path())


def _stored(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:  # created with its mode at once: never readable by others, not even for an instant
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile: use theirs
        return _read(path)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value.encode()


def _read(path: Path) -> bytes:
    value = path.read_text().strip()
    if len(value) < MIN_LENGTH:
        raise ConfigError(f"tệp khóa bí mật {path} hỏng (quá ngắn): xóa tệp để tạo khóa mới")
    with contextlib.suppress(OSError):  # tighten a file someone loosened
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return value.encode()
