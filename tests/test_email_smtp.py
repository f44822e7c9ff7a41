"""Email delivery against a real aiosmtpd server on 127.0.0.1, and the outbox folder.

Retries use tiny backoff delays; nothing here asserts on time.
"""

from __future__ import annotations

import asyncio
import email
import logging
import socket
from collections import deque
from email import policy
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.errors import ConfigError, TransientDeliveryError
from core.messages import DeliveryAttempt, DeliveryResult, OutgoingMessage, Recipient
from core.notifier import Notifier
from engine.settings import Settings
from notifiers.email.build import message_id, render_parts
from notifiers.email.notifier import EmailNotifier, outbox_name
from tests import email_samples as S
from tests.smtpd import (
    HOST,
    RecordingHandler,
    authenticator,
    client_tls,
    make_certificate,
    server_tls,
    smtp_server,
)

FAST = {"backoff_base": 0.001, "backoff_max": 0.005, "max_attempts": 3}
USER, PASSWORD = "nhacviec", "mật-khẩu-Bí-mật-7"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def smtp_settings(port: int, **kw: object) -> Settings:
    return Settings(smtp_host=HOST, smtp_port=port, **kw)  # type: ignore[arg-type]


def notifier(port: int, settings: dict | None = None, **kw: object) -> EmailNotifier:
    return EmailNotifier(smtp_settings(port, **(settings or {})), **{**FAST, **kw})


def outcomes(result: DeliveryResult) -> list[tuple[str, int | None]]:
    return [(a.outcome, a.code) for a in result.attempt_log]


# --- plain SMTP: what arrives ---------------------------------------------------------------
async def test_plain_delivery_headers_parts_and_log() -> None:
    msgs = [S.agency_digest(), S.late_notice(), S.steering_digest()]
    with smtp_server() as (server, handler):
        n = notifier(server.port, max_connections=1)
        assert isinstance(n, Notifier)
        results = await n.send_batch(msgs)
    assert [r.ok for r in results] == [True, True, True]
    assert [r.key for r in results] == [m.key for m in msgs]
    assert len(handler.received) == 3
    assert len(handler.peers) == 1  # one connection reused for the batch

    got = handler.received[0]
    assert got.mail_from == "nhacviec@example.org"
    assert got.rcpt_tos == list(S.VP_UBND.emails)
    mail = got.message
    parts = render_parts(msgs[0])
    assert mail["Subject"] == ("[Nhắc việc CCHC] Văn phòng UBND tỉnh: 3 việc đến hạn, "
                               "1 việc quá hạn, 1 báo cáo định kỳ — 17/01/2025")
    assert str(mail["From"]) == "Nhắc việc CCHC <nhacviec@example.org>"
    assert [a.addr_spec for a in mail["To"].addresses] == list(S.VP_UBND.emails)
    assert mail["Message-ID"] == message_id(msgs[0].key, "example.org")
    assert results[0].provider_id == mail["Message-ID"]
    assert mail["Date"] == "Fri, 17 Jan 2025 08:00:00 +0700"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    page = mail.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == parts.text and page == parts.html
    assert "Thời gian lấy số liệu: từ 15/12/2024 đến 14/03/2025." in text
    assert "&lt;script&gt;" in page and "<script" not in page

    assert results[0].attempt_log == (
        DeliveryAttempt(1, "delivered", 250, "2.0.0 Message accepted for delivery"),)
    assert results[0].attempts == 1


async def test_bounded_parallel_connections_each_reused() -> None:
    msgs = [S.agency_digest(key=f"k{i}") for i in range(12)]
    with smtp_server() as (server, handler):
        results = await notifier(server.port, max_connections=2).send_batch(msgs)
    assert all(r.ok for r in results)
    assert len(handler.received) == 12
    assert len(handler.peers) == 2  # two connections, six messages each on average


async def test_connection_limit_holds_across_concurrent_batches() -> None:
    first = [S.late_notice(key=f"a{i}") for i in range(3)]
    second = [S.late_notice(key=f"b{i}") for i in range(3)]
    with smtp_server() as (server, handler):
        n = notifier(server.port, max_connections=1)
        await asyncio.gather(n.send_batch(first), n.send_batch(second))
    ids = {message_id(m.key, "example.org"): m.key[0] for m in first + second}
    order = "".join(ids[m.message["Message-ID"]] for m in handler.received)
    # one connection at a time: one batch's messages all arrive before the other's
    assert order in ("aaabbb", "bbbaaa")
    assert len(handler.peers) == 2


# --- TLS and login --------------------------------------------------------------------------
async def test_starttls_with_self_signed_certificate(cert: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=server_tls(*cert), require_starttls=True) as (server, handler):
        n = notifier(server.port, {"smtp_tls": "starttls"}, tls_context=client_tls(cert[0]))
        results = await n.send_batch([S.late_notice()])
    assert results[0].ok
    assert handler.received[0].tls is True
    assert handler.received[0].message["Subject"].startswith("[Nhắc việc CCHC] Sở Tư pháp")


async def test_implicit_tls_with_ca_file(cert: tuple[Path, Path]) -> None:
    with smtp_server(ssl_context=server_tls(*cert)) as (server, handler):
        n = notifier(server.port, {"smtp_tls": "implicit"}, ca_file=str(cert[0]))
        results = await n.send_batch([S.monitor_list()])
    assert results[0].ok
    assert handler.received[0].tls is True


async def test_untrusted_certificate_is_a_setting_problem(cert: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=server_tls(*cert), require_starttls=True) as (server, handler):
        n = notifier(server.port, {"smtp_tls": "starttls"}, max_connections=1)
        results = await n.send_batch([S.late_notice(), S.monitor_list()])
        with pytest.raises(ConfigError, match="chứng chỉ TLS"):
            await n.check()
    assert handler.received == []
    first, second = results
    assert not first.ok and not first.permanent  # no message is at fault: retry later
    assert [a.outcome for a in first.attempt_log] == ["config"]
    assert second.attempts == 0 and second.detail.startswith("chưa gửi: chứng chỉ TLS")


def auth_server(cert: tuple[Path, Path]):
    return smtp_server(tls_context=server_tls(*cert), require_starttls=True,
                       authenticator=authenticator({USER: PASSWORD}), auth_required=True,
                       auth_require_tls=True)


async def test_auth_over_starttls(cert: tuple[Path, Path],
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with auth_server(cert) as (server, handler):
        n = notifier(server.port, {"smtp_tls": "starttls", "smtp_username": USER,
                                   "smtp_password": SecretStr(PASSWORD)},
                     tls_context=client_tls(cert[0]))
        await n.check()
        results = await n.send_batch([S.agency_digest(), S.explanation_request()])
    assert [r.ok for r in results] == [True, True]
    assert {r.login for r in handler.received} == {USER}
    assert PASSWORD not in caplog.text and PASSWORD not in repr(n.options)


async def test_wrong_password_stops_the_batch(cert: tuple[Path, Path],
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "sai-mật-khẩu"
    with auth_server(cert) as (server, handler):
        n = notifier(server.port, {"smtp_tls": "starttls", "smtp_username": USER,
                                   "smtp_password": SecretStr(wrong)},
                     tls_context=client_tls(cert[0]), max_connections=1)
        results = await n.send_batch([S.agency_digest(), S.late_notice()])
        with pytest.raises(ConfigError, match="từ chối đăng nhập"):
            await n.check()
    assert handler.received == []
    assert outcomes(results[0]) == [("config", 535)]
    assert not results[0].permanent
    assert results[1].attempts == 0 and "từ chối đăng nhập" in results[1].detail
    assert wrong not in caplog.text


# --- transient and permanent replies --------------------------------------------------------
async def test_421_then_ok_reconnects_and_delivers_once() -> None:
    handler = RecordingHandler.scripted("421 4.3.2 Service shutting down")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.late_notice()])
    assert results[0].ok and results[0].attempts == 2
    assert outcomes(results[0]) == [("transient", 421), ("delivered", 250)]
    assert len(handler.received) == 1
    assert len(handler.peers) == 2  # 421 closes the channel: the retry used a new connection
    assert handler.received[0].message["Message-ID"] == results[0].provider_id


async def test_451_is_retried_on_the_same_connection() -> None:
    handler = RecordingHandler.scripted("451 4.7.1 Greylisted, try again")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.late_notice()])
    assert outcomes(results[0]) == [("transient", 451), ("delivered", 250)]
    assert "451 4.7.1 Greylisted" in results[0].attempt_log[0].detail
    assert len(handler.received) == 1 and len(handler.peers) == 1


async def test_transient_until_attempts_run_out() -> None:
    handler = RecordingHandler.scripted(*["451 4.3.0 Try later"] * 5)
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.late_notice()])
    r = results[0]
    assert not r.ok and not r.permanent and r.attempts == 3
    assert outcomes(r) == [("transient", 451)] * 3
    assert handler.received == []


async def test_550_is_permanent_and_not_retried() -> None:
    handler = RecordingHandler.scripted("550 5.7.1 Message rejected as spam")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.late_notice(), S.monitor_list()])
    failed, fine = results
    assert not failed.ok and failed.permanent and failed.attempts == 1
    assert outcomes(failed) == [("permanent", 550)]
    assert "550 5.7.1 Message rejected as spam" in failed.detail
    assert fine.ok  # the connection stays usable after a 5xx
    assert handler.data_commands == 2 and len(handler.received) == 1


async def test_every_recipient_refused_is_permanent() -> None:
    handler = RecordingHandler()
    for address in S.VP_UBND.emails:
        handler.refuse(address, "550 5.1.1 No such user")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.agency_digest()])
    r = results[0]
    assert not r.ok and r.permanent and r.attempts == 1
    assert outcomes(r) == [("permanent", 550)]
    assert "vanthu@vp-ubnd.example.org (550 5.1.1 No such user)" in r.detail
    assert handler.data_commands == 0


async def test_one_recipient_refused_for_good() -> None:
    handler = RecordingHandler()
    handler.refuse("lanhdao@vp-ubnd.example.org", "550 5.1.1 No such user")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.agency_digest()])
    r = results[0]
    assert r.ok and r.attempts == 1
    assert outcomes(r) == [("partial", 250)]
    assert "lanhdao@vp-ubnd.example.org (550 5.1.1 No such user)" in r.detail
    assert handler.received[0].rcpt_tos == ["vanthu@vp-ubnd.example.org"]


async def test_recipient_busy_is_retried_for_that_recipient_only() -> None:
    handler = RecordingHandler()
    handler.refuse("lanhdao@vp-ubnd.example.org", "450 4.2.1 Mailbox busy")
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.agency_digest()])
    r = results[0]
    assert r.ok and outcomes(r) == [("partial", 250), ("delivered", 250)]
    assert [m.rcpt_tos for m in handler.received] == [["vanthu@vp-ubnd.example.org"],
                                                       ["lanhdao@vp-ubnd.example.org"]]
    ids = {m.message["Message-ID"] for m in handler.received}
    assert ids == {r.provider_id}  # the retry carries the same Message-ID


# --- dropped connections and timeouts -------------------------------------------------------
async def test_drop_in_the_middle_of_data_is_retried_and_arrives_once() -> None:
    # The server read only the first line of the message and closed the socket: it never saw
    # the final "." so it could not have accepted the message. The client sees the connection
    # lost, retries on a new connection, and the message arrives exactly once.
    handler = RecordingHandler(drop_in_data=1)
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.steering_digest()])
    r = results[0]
    assert r.ok and [a.outcome for a in r.attempt_log] == ["transient", "delivered"]
    assert "mất kết nối" in r.attempt_log[0].detail
    assert handler.data_commands == 2 and len(handler.peers) == 2
    assert len(handler.received) == 1
    assert handler.received[0].message["Message-ID"] == r.provider_id


async def test_drop_after_the_server_stored_it_sends_a_copy_with_the_same_id() -> None:
    # The other side of "at least once": the server stored the message but the connection died
    # before its "250" reached us. The client cannot tell this from the case above (RFC 1047),
    # so it sends again; the copy has the same Message-ID, which lets the receiver drop it.
    handler = RecordingHandler(drop_after_accept=1)
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port).send_batch([S.steering_digest()])
    r = results[0]
    assert r.ok and [a.outcome for a in r.attempt_log] == ["transient", "delivered"]
    assert len(handler.received) == 2
    assert {m.message["Message-ID"] for m in handler.received} == {r.provider_id}


async def test_server_too_slow_times_out_and_is_retried() -> None:
    handler = RecordingHandler(stall_data=deque([3.0]))
    with smtp_server(handler) as (server, _):
        results = await notifier(server.port, timeout=0.3).send_batch([S.late_notice()])
    r = results[0]
    assert r.ok and [a.outcome for a in r.attempt_log] == ["transient", "delivered"]
    assert "hết thời gian chờ" in r.attempt_log[0].detail
    assert len(handler.received) == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


async def test_unreachable_server_stops_the_batch() -> None:
    n = notifier(closed_port(), max_connections=1, max_attempts=2)
    results = await n.send_batch([S.late_notice(), S.monitor_list(), S.steering_digest()])
    first, *rest = results
    assert not first.ok and not first.permanent
    assert [a.outcome for a in first.attempt_log] == ["transient", "transient"]
    assert "không kết nối được máy chủ SMTP" in first.detail
    assert all(r.attempts == 0 and r.detail.startswith("chưa gửi:") for r in rest)
    with pytest.raises(TransientDeliveryError):
        await n.check()


async def test_recipient_without_address_fails_permanently() -> None:
    msg = OutgoingMessage("k-none", "agency_digest", "email", Recipient("x", "Sở X"),
                          S.AT, S.late_notice().items)
    with smtp_server() as (server, handler):
        results = await notifier(server.port).send_batch([msg, S.late_notice()])
    assert not results[0].ok and results[0].permanent and results[0].attempts == 0
    assert "chưa có địa chỉ email" in results[0].detail
    assert results[1].ok and len(handler.received) == 1


async def test_unusable_address_is_skipped_and_reported() -> None:
    mixed = Recipient("so-tu-phap", "Sở Tư pháp", ("vănthư@stp.example.org",
                                                  "vanthu@so-tu-phap.example.org"))
    only_bad = Recipient("x", "Sở X", ("khong co a cong",))
    items = S.late_notice().items
    msgs = [OutgoingMessage("k-mixed", "agency_digest", "email", mixed, S.AT, items),
            OutgoingMessage("k-bad", "agency_digest", "email", only_bad, S.AT, items)]
    with smtp_server() as (server, handler):
        ok, bad = await notifier(server.port).send_batch(msgs)
    assert ok.ok and "vănthư@stp.example.org (địa chỉ không hợp lệ)" in ok.detail
    assert handler.received[0].rcpt_tos == ["vanthu@so-tu-phap.example.org"]
    assert [a.addr_spec for a in handler.received[0].message["To"].addresses] == [
        "vanthu@so-tu-phap.example.org"]
    assert not bad.ok and bad.permanent and bad.attempts == 0
    assert bad.detail == "địa chỉ email không hợp lệ: khong co a cong"
    assert len(handler.received) == 1


async def test_one_log_line_per_delivery_without_body(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="nhacviec.email")
    handler = RecordingHandler.scripted(None, "550 5.7.1 Rejected")
    with smtp_server(handler) as (server, _):
        await notifier(server.port, max_connections=1).send_batch(
            [S.agency_digest(), S.late_notice()])
    lines = [r for r in caplog.records if r.name == "nhacviec.email"]
    assert len(lines) == 2
    assert "key=email:vp-ubnd:2025-01-17 recipient=vp-ubnd" in lines[0].getMessage()
    assert lines[0].levelno == logging.INFO and lines[0].getMessage().startswith("email delivered")
    assert lines[1].levelno == logging.WARNING and "recipient=so-tu-phap" in lines[1].getMessage()
    assert "Kính gửi" not in caplog.text and "Theo dõi thi hành" not in caplog.text


def test_wrong_settings_are_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="NHACVIEC_SMTP_FROM"):
        EmailNotifier(Settings(smtp_host=HOST, smtp_from="không phải địa chỉ"))
    with pytest.raises(ConfigError):
        EmailNotifier(Settings(smtp_host=HOST), max_connections=0)


# --- outbox ---------------------------------------------------------------------------------
async def test_outbox_writes_one_parsable_file_per_key(tmp_path: Path) -> None:
    settings = Settings(smtp_host=None, outbox_dir=tmp_path / "outbox")
    n = EmailNotifier(settings)
    msgs = [S.agency_digest(), S.explanation_request()]
    results = await n.send_batch(msgs)
    assert [r.ok for r in results] == [True, True]
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == sorted(outbox_name(m.key) for m in msgs)
    assert results[0].provider_id == outbox_name(msgs[0].key)
    assert results[0].attempt_log[0].outcome == "written"

    mail = email.message_from_bytes((tmp_path / "outbox" / files[0]).read_bytes(),
                                    policy=policy.default)
    assert not mail.defects
    assert mail["Message-ID"] in {message_id(m.key, "example.org") for m in msgs}
    assert mail.get_body(("plain",)) is not None and mail.get_body(("html",)) is not None

    again = await n.send_batch([S.agency_digest()])  # same key: replaces, never duplicates
    assert again[0].ok
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == files


def test_outbox_names_are_safe_and_distinct() -> None:
    name = outbox_name("email:vp-ubnd:2025-01-17/../../etc")
    assert "/" not in name and ":" not in name and name.endswith(".eml")
    assert outbox_name("a:b") != outbox_name("a_b")  # sanitised alike, hashed apart


async def test_outbox_unwritable_is_transient(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    n = EmailNotifier(Settings(smtp_host=None, outbox_dir=blocker / "outbox"))
    results = await n.send_batch([S.late_notice()])
    assert not results[0].ok and not results[0].permanent
    assert results[0].attempt_log[0].outcome == "transient"
