"""One SMTP connection and the settings it is opened with.

``SmtpConnection`` opens lazily (TLS as configured, login when a user name is set) and reopens
after the server dropped it; the notifier reuses one per worker for a whole batch.

Timeouts: opening a connection (TCP, greeting, EHLO, STARTTLS, login) is bounded as a whole by
``connect_timeout`` (a server that accepts and never answers is an `SMTPConnectTimeoutError`,
"unreachable"); each later command by ``timeout``. ``hung_limit`` such timeouts in a row stop
the batch (the notifier then leaves the server alone for ``down_hold`` seconds), and a stop of
the service waits ``stop_grace`` seconds for the message in flight, so a hanging server costs a
wake-up tens of seconds, not minutes, and never holds a SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, replace
from typing import Any

import aiosmtplib
from pydantic import SecretStr

from core.errors import ConfigError

DEFAULT_PORTS = {"none": 25, "starttls": 587, "implicit": 465}


@dataclass(frozen=True)
class SmtpOptions:
    host: str | None
    port: int = 25
    tls: str = "none"  # none | starttls | implicit
    username: str | None = None
    password: SecretStr | None = None  # read only when logging in; its repr is masked
    timeout: float = 30.0  # one command
    connect_timeout: float = 10.0  # opening a connection, greeting to login
    ca_file: str | None = None
    max_connections: int = 3  # connections open at once, all batches together
    max_attempts: int = 4  # tries per message within one batch
    backoff_base: float = 1.0  # seconds before the 2nd try; doubles each time
    backoff_max: float = 60.0
    hung_limit: int = 2  # timeouts in a row (any worker) that stop the batch
    down_hold: float = 60.0  # seconds the next batches skip a server that hung
    stop_grace: float = 5.0  # seconds a stopping service waits for the message in flight

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> SmtpOptions:
        tls = settings.smtp_tls
        if tls not in DEFAULT_PORTS:
            raise ConfigError(f"NHACVIEC_SMTP_TLS không hợp lệ: «{tls}» "
                                     "(chỉ nhận none, starttls, implicit)")
        opts = cls(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[tls],
            tls=tls,
            username=settings.smtp_username or None,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
            connect_timeout=settings.smtp_connect_timeout,
            ca_file=settings.smtp_ca_file,
            max_connections=settings.smtp_max_connections,
            max_attempts=settings.smtp_max_attempts,
            backoff_base=settings.smtp_backoff_base,
            backoff_max=settings.smtp_backoff_max,
        )
        opts = replace(opts, **overrides)
        if opts.max_connections < 1 or opts.max_attempts < 1:
            raise ConfigError("số kết nối SMTP và số lần gửi phải từ 1 trở lên")
        return opts

    def backoff(self, failures: int) -> float:
        return min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))



class SmtpSetupError(aiosmtplib.SMTPException):
    """The server lacks what the settings ask for (STARTTLS, AUTH): a configuration problem,
    not a failure of any message. `message` is Vietnamese."""


class SmtpConnection:
    """One SMTP connection, opened on first use and reopened after it drops.

    STARTTLS and login are asked for here, each after checking that the server offers it: a
    server without them is a `SmtpSetupError` naming the setting (aiosmtplib raises a bare
    SMTPException, which told nothing apart from a bug)."""

    def __init__(self, options: SmtpOptions, *, tls_context: ssl.SSLContext | None = None,
                 local_hostname: str | None = None) -> None:
        self.options = options
        self._tls_context = tls_context
        self._local_hostname = local_hostname
        self._smtp: aiosmtplib.SMTP | None = None

    async def ensure(self) -> bool:
        """Connect (TLS, login) unless connected; True when a new connection was opened."""
        if self._smtp is not None and self._smtp.is_connected:
            return False
        self.close()
        o = self.options
        smtp = aiosmtplib.SMTP(
            hostname=o.host, port=o.port, timeout=o.timeout,
            use_tls=o.tls == "implicit", start_tls=False,
            tls_context=self._tls_context, cert_bundle=o.ca_file,
            local_hostname=self._local_hostname,
        )
        where = f"{o.host}:{o.port}"
        try:
            async with asyncio.timeout(o.connect_timeout):
                await self._open(smtp, where)
        except TimeoutError:
            smtp.close()
            raise aiosmtplib.SMTPConnectTimeoutError(
                f"máy chủ SMTP {where} không trả lời trong {o.connect_timeout:g} giây khi mở "
                "kết nối") from None
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return True

    async def _open(self, smtp: aiosmtplib.SMTP, where: str) -> None:
        o = self.options
        await smtp.connect()
        if o.tls == "starttls":
            await smtp.ehlo()
            if not smtp.supports_extension("starttls"):
                raise SmtpSetupError(
                    f"máy chủ SMTP {where} không hỗ trợ STARTTLS mà NHACVIEC_SMTP_TLS="
                    "starttls yêu cầu (đặt NHACVIEC_SMTP_TLS=implicit nếu máy chủ dùng "
                    "TLS ngay từ đầu, thường ở cổng 465)")
            await smtp.starttls()
        if o.username:
            await smtp.ehlo()
            if not smtp.supports_extension("auth"):
                raise SmtpSetupError(
                    f"máy chủ SMTP {where} không nhận đăng nhập (không có AUTH) mà "
                    "NHACVIEC_SMTP_USERNAME yêu cầu"
                    + ("" if o.tls != "none" else "; máy chủ có thể chỉ nhận đăng nhập "
                       "qua TLS (NHACVIEC_SMTP_TLS=starttls hoặc implicit)"))
            secret = o.password.get_secret_value() if o.password is not None else ""
            await smtp.login(o.username, secret)

    async def sendmail(self, sender: str, recipients: list[str],
                       data: bytes) -> tuple[dict[str, Any], str]:
        if self._smtp is None:
            raise aiosmtplib.SMTPServerDisconnected("not connected")
        return await self._smtp.sendmail(sender, recipients, data)

    def close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def quit(self) -> None:
        """Say goodbye, waiting at most `connect_timeout` for the server (a hung one gets none)."""
        if self._smtp is not None and self._smtp.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                async with asyncio.timeout(self.options.connect_timeout):
                    await self._smtp.quit()
        self.close()
