"""What an SMTP failure means for the message: retry, give up, or stop the whole batch.

RFC 5321 section 4.2.1: 4yz replies are transient ("try again later"), 5yz permanent. A dropped
connection or a timeout is transient. A refused login, an untrusted certificate or a server
without the STARTTLS/AUTH the settings ask for is a configuration problem: no message is at
fault and every other one would fail the same way.

Details are short Vietnamese phrases with the server's own words: they end up in the delivery
log and in the Sở Nội vụ's list of failed deliveries. They never hold a password (aiosmtplib's
errors carry the server's reply, not what was sent).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib

from notifiers.email.smtp import SmtpSetupError

TRANSIENT = "transient"
PERMANENT = "permanent"
CONFIG = "config"


@dataclass(frozen=True)
class Outcome:
    kind: str  # TRANSIENT | PERMANENT | CONFIG
    code: int | None
    detail: str
    reconnect: bool = False  # the connection is gone or unusable: open a new one
    unreachable: bool = False  # could not even connect
    hung: bool = False  # the server did not answer in time (connecting or a command)
    # every recipient refused: who and why, and which of them may be tried again (4xx)
    refused: dict[str, str] = field(default_factory=dict)
    retry: tuple[str, ...] = ()
    unexpected: bool = False  # not an SMTP or network error: log it with its traceback


def shorten(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {shorten(exc.message)}"


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def classify(exc: BaseException, options: Any) -> Outcome:
    where = f"{options.host}:{options.port}"
    if isinstance(exc, SmtpSetupError):
        return Outcome(CONFIG, None, exc.message, reconnect=True)
    if type(exc) is aiosmtplib.SMTPException:
        # aiosmtplib's bare error is always the client's own state or setup (an extension
        # the server does not offer, TLS asked twice): no message is at fault.
        return Outcome(CONFIG, None, f"máy chủ SMTP {where}: {shorten(str(exc))}",
                       reconnect=True)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return Outcome(CONFIG, exc.code, f"máy chủ SMTP từ chối đăng nhập: {_reply(exc)}",
                       reconnect=True)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return Outcome(CONFIG, None, f"máy chủ SMTP {where} không hỗ trợ: {shorten(str(exc))}",
                       reconnect=True)
    cause = _ssl_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return Outcome(CONFIG, None, f"chứng chỉ TLS của máy chủ SMTP {where} không tin cậy: "
                       f"{shorten(cause.verify_message or str(cause))}", reconnect=True)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return _all_refused(exc)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if 400 <= exc.code < 500:
            closing = exc.code == 421  # "service not available, closing channel"
            return Outcome(TRANSIENT, exc.code, f"máy chủ tạm từ chối: {_reply(exc)}",
                           reconnect=closing or isinstance(exc, aiosmtplib.SMTPConnectError))
        return Outcome(PERMANENT, exc.code, f"máy chủ từ chối: {_reply(exc)}",
                       reconnect=isinstance(exc, aiosmtplib.SMTPConnectError))
    if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        return Outcome(TRANSIENT, None, f"hết thời gian chờ kết nối máy chủ SMTP {where}",
                       reconnect=True, unreachable=True, hung=True)
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        return Outcome(TRANSIENT, None, f"không kết nối được máy chủ SMTP {where}: "
                       f"{shorten(str(exc.__cause__ or exc))}", reconnect=True, unreachable=True)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return Outcome(TRANSIENT, None, "hết thời gian chờ máy chủ SMTP trả lời",
                       reconnect=True, hung=True)
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return Outcome(TRANSIENT, None, f"mất kết nối với máy chủ SMTP: {shorten(str(exc))}",
                       reconnect=True)
    if isinstance(exc, OSError):  # ssl.SSLError (handshake cut short) and other socket errors
        return Outcome(TRANSIENT, None, f"lỗi kết nối SMTP: {shorten(str(exc))}",
                       reconnect=True)
    if isinstance(exc, ValueError):  # aiosmtplib refuses an address it cannot send
        return Outcome(PERMANENT, None, f"địa chỉ email không hợp lệ: {shorten(str(exc))}")
    # Anything else is a bug somewhere; treated as transient, so nothing is lost for good.
    return Outcome(TRANSIENT, None, f"lỗi không mong đợi: {type(exc).__name__}: "
                   f"{shorten(str(exc))}", reconnect=True, unexpected=True)


def _all_refused(exc: aiosmtplib.SMTPRecipientsRefused) -> Outcome:
    refused = {r.recipient: f"{r.code} {shorten(r.message)}" for r in exc.recipients}
    retry = tuple(r.recipient for r in exc.recipients if 400 <= r.code < 500)
    codes = [r.code for r in exc.recipients]
    detail = "mọi địa chỉ nhận đều bị từ chối: " + ", ".join(
        f"{a} ({why})" for a, why in refused.items())
    kind = TRANSIENT if retry else PERMANENT
    return Outcome(kind, max(codes) if codes else None, detail, refused=refused, retry=retry)
