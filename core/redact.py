"""Secrets out of every line a person or a log reads.

The settings hold three secrets (NHACVIEC_TELEGRAM_TOKEN, NHACVIEC_SMTP_PASSWORD, the password in
NHACVIEC_DATABASE_URL) and the code never prints them on purpose; but libraries do, inside their
error messages: httpx quotes the URL it could not use, and the Bot API puts the token in every
URL (a base URL without "/bot" made the token a port number: "Invalid port: '<token's secret>'");
SQLAlchemy's URL parser and the drivers quote the URL they were given. `redact` is applied where
text leaves the process (the CLI's error line, the service's log lines):

- every known secret, and a bot token's secret half on its own, becomes "***";
- anything shaped like a bot token ("123456:AAH...") becomes "<mã bot>";
- the password of anything shaped like a URL ("scheme://user:password@host") becomes "***".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

MASK = "***"
TOKEN_MASK = "<mã bot>"
_BOT_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?P<pw>[^@\s]*)@")
_SHORTEST = 6  # shorter strings are not searched for: they would mask ordinary words


def secrets_of(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The secrets the environment's settings hold, each as it may appear in a message."""
    found: list[str] = []
    token = environ.get("NHACVIEC_TELEGRAM_TOKEN", "").strip()
    if token:
        found += [token, token.partition(":")[2]]
    found.append(environ.get("NHACVIEC_SMTP_PASSWORD", ""))
    url = environ.get("NHACVIEC_DATABASE_URL", "")
    m = _URL_PASSWORD.search(url)
    if m:
        found += [m.group("pw"), unquote(m.group("pw"))]
    return tuple(sorted({s for s in found if len(s) >= _SHORTEST}, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _SHORTEST:
            text = text.replace(secret, MASK)
    text = _BOT_TOKEN.sub(TOKEN_MASK, text)
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}@", text)


def mask_url(url: str) -> str:
    """A connection URL as it may be shown, even one too broken to parse ("postgres//user:pw@h"):
    whatever stands between the user name's colon and the last "@" is the password."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    slashes = head.find("//")
    start = slashes + 2 if slashes >= 0 else 0  # after "scheme://", or at the start
    user, colon, _ = head[start:].partition(":")
    return f"{head[:start]}{user}{colon}{MASK if colon else ''}@{tail}"


class RedactingFormatter(logging.Formatter):
    """A log formatter whose every line, traceback included, goes through `redact`."""

    def __init__(self, fmt: str | None = None, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)
