"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, a free port, a recording handler.

The handler can be told to answer the next DATA commands with given replies (421, 451, 550),
to refuse recipients, to stall, or to drop the connection in the middle of DATA (``DropSMTP``:
it reads the first line of the message and closes the socket, so the message is never
complete on the server). What arrives is kept as bytes and parsed with ``email.policy.default``.
"""

from __future__ import annotations

import asyncio
import email
import ssl
import subprocess
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple[str, int]  # one client port per connection
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, email.message_from_bytes(self.data, policy=email.policy.default))


@dataclass
class RecordingHandler:
    data_replies: deque[str | None] = field(default_factory=deque)  # None: accept
    rcpt_replies: dict[str, deque[str]] = field(default_factory=dict)
    stall_data: deque[float] = field(default_factory=deque)  # seconds to wait, then 451
    drop_in_data: int = 0  # DropSMTP: connections to cut in the middle of DATA
    drop_after_accept: int = 0  # store the message, then cut before the reply
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0
    rcpt_seen: list[list[str]] = field(default_factory=list)
    peers: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def scripted(cls, *replies: str | None, **kwargs: Any) -> RecordingHandler:
        return cls(data_replies=deque(replies), **kwargs)

    def refuse(self, address: str, *replies: str) -> None:
        self.rcpt_replies[address] = deque(replies)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.peers.add(session.peer)
        pending = self.rcpt_replies.get(address)
        if pending:
            return pending.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_commands += 1
        self.rcpt_seen.append(list(envelope.rcpt_tos))
        if self.stall_data:
            await asyncio.sleep(self.stall_data.popleft())
            return "451 4.4.2 Timeout"
        if self.data_replies:
            reply = self.data_replies.popleft()
            if reply is not None:
                return reply
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        self.received.append(Received(
            envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content),
            session.peer, server.transport.get_extra_info("ssl_object") is not None, login))
        if self.drop_after_accept:
            self.drop_after_accept -= 1
            server.transport.close()  # stored, but the client never hears "250"
        return "250 2.0.0 Message accepted for delivery"


class DropSMTP(SMTP):
    """Cuts the connection after the first line of the message when the handler says so."""

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        handler = self.event_handler
        if handler.drop_in_data > 0 and self.envelope is not None and self.envelope.rcpt_tos:
            handler.drop_in_data -= 1
            handler.data_commands += 1
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: learns the port the system picked."""

    def factory(self) -> SMTP:
        return DropSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(handler: RecordingHandler | None = None, **smtp_kwargs: Any
                ) -> Iterator[tuple[_Controller, RecordingHandler]]:
    handler = handler or RecordingHandler()
    controller = _Controller(handler, hostname=HOST, port=0, server_hostname="localhost",
                             **smtp_kwargs)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (openssl command line)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def client_tls(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def authenticator(users: dict[str, str]):
    """aiosmtpd authenticator accepting LOGIN/PLAIN for the given users."""

    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if users.get(user) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    return check


def peers(received: Iterable[Received]) -> set[tuple[str, int]]:
    return {r.peer for r in received}
