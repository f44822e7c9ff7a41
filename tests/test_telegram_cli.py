"""`nhacviec telegram ...` through the real command, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from engine.settings import Settings
from engine.storage.db import make_engine
from engine.storage.models import LinkCode
from engine.tracking.bot_store import SqlBotBackend, code_hash
from tests.fakes import TOKEN, FakeBotApi
from tests.service_support import run_until_running_then_stop


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return {**keep, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nv.sqlite'}"}


def nv(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", "telegram", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_link_code_prints_a_one_time_code_valid_48_hours(env) -> None:
    r = nv(env, "link-code", "so-tu-phap")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{8}", code)
    assert "Sở Tư pháp" in r.stderr and f"/link {code}" in r.stderr
    engine = make_engine(env["NHACVIEC_DATABASE_URL"])
    with Session(engine) as s:
        (row,) = s.exec(select(LinkCode)).all()
    assert row.code_hash == code_hash(code) and code not in row.code_hash  # only the hash
    assert row.agency_id == "so-tu-phap" and row.used_at is None
    assert row.expires_at - row.created_at == dt.timedelta(hours=48)
    # The printed code binds a chat once.
    backend = SqlBotBackend.from_settings(Settings(database_url=env["NHACVIEC_DATABASE_URL"]))
    now = dt.datetime.now(dt.UTC)
    assert backend.redeem_link_code(code, -42, "Nhóm STP", now) == "so-tu-phap"
    assert backend.agency_of_chat(-42) == "so-tu-phap"
    engine.dispose()
    backend.engine.dispose()


def test_link_code_by_name_and_bad_agencies(env) -> None:
    r = nv(env, "link-code", "Sở Tài chính")
    assert r.returncode == 0 and "Sở Tài chính" in r.stderr
    r = nv(env, "link-code", "Sở Không Có")
    assert r.returncode == 2
    assert one_line_error(r) == "Lỗi: không có cơ quan «Sở Không Có» trong danh bạ"
    r = nv(env, "link-code", "UBND cấp huyện")  # a group of agencies, not one
    assert r.returncode == 2 and "nhóm cơ quan" in one_line_error(r)


def test_link_unlink_and_links(env) -> None:
    r = nv(env, "link", "so-tai-chinh", "--chat-id", "-100123")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "Đã liên kết chat -100123 với Sở Tài chính."
    r = nv(env, "link", "Sở Tư pháp", "--chat-id", "-100123")
    assert r.stdout.strip() == ("Đã liên kết chat -100123 với Sở Tư pháp (trước đó: Sở Tài "
                                "chính).")
    nv(env, "link", "so-y-te", "--chat-id", "555")
    r = nv(env, "links", "--json")
    rows = json.loads(r.stdout)
    assert [(x["chat_id"], x["agency"], x["agency_name"]) for x in rows] == [
        (-100123, "so-tu-phap", "Sở Tư pháp"), (555, "so-y-te", "Sở Y tế")]
    table = nv(env, "links").stdout
    assert "Sở Tư pháp" in table and "-100123" in table
    r = nv(env, "unlink", "--chat-id", "-100123")
    assert r.returncode == 0 and r.stdout.strip() == "Đã bỏ liên kết chat -100123."
    r = nv(env, "unlink", "--chat-id", "-100123")
    assert r.returncode == 2
    assert one_line_error(r) == "Lỗi: chat -100123 chưa liên kết với cơ quan nào"
    assert [x["chat_id"] for x in json.loads(nv(env, "links", "--json").stdout)] == [555]


def test_a_chat_id_beyond_64_bits_is_refused_and_the_help_shows_no_range(env) -> None:
    # The help once printed "[-9223372036854775808<=x<=9223372036854775807]".
    r = nv({**env, "COLUMNS": "200"}, "link", "--help")
    assert r.returncode == 0 and "9223372036854775807" not in r.stdout and "<=x<=" not in r.stdout
    for command in (["link", "so-tu-phap"], ["unlink"]):
        r = nv({**env, "COLUMNS": "200"}, *command, "--chat-id", str(2**63))
        assert r.returncode == 2, r.stderr
        assert "Traceback" not in r.stderr
        assert ("Giá trị không hợp lệ cho '--chat-id': mã chat Telegram là số nguyên có dấu 64 "
                "bit; số này quá lớn") in r.stderr
    assert json.loads(nv(env, "links", "--json").stdout) == []  # nothing was linked
    r = nv(env, "link", "so-tu-phap", "--chat-id", str(-(2**63)))  # the smallest is a chat id
    assert r.returncode == 0, r.stderr


def test_check_reports_the_bot_or_a_wrong_token(env) -> None:
    with FakeBotApi() as fake:
        ok = nv({**env, "NHACVIEC_TELEGRAM_TOKEN": TOKEN,
                 "NHACVIEC_TELEGRAM_BASE_URL": fake.base_url}, "check")
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.strip() == "Bot @nhacviec_test_bot sẵn sàng."
        bad = nv({**env, "NHACVIEC_TELEGRAM_TOKEN": "1:wrong",
                  "NHACVIEC_TELEGRAM_BASE_URL": fake.base_url}, "check")
        assert bad.returncode == 3
        line = one_line_error(bad)
        assert line.startswith("Lỗi: mã bot Telegram (NHACVIEC_TELEGRAM_TOKEN) không hợp lệ")
        assert "1:wrong" not in bad.stderr + bad.stdout  # a secret is never printed
        assert fake.calls_of("getMe")[-1].status == 401
    none = nv(env, "check")
    assert none.returncode == 3
    assert "NHACVIEC_TELEGRAM_TOKEN" in one_line_error(none)
    gone = nv({**env, "NHACVIEC_TELEGRAM_TOKEN": TOKEN,
               "NHACVIEC_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}, "check")
    assert gone.returncode == 3 and "không kết nối được" in one_line_error(gone)


def test_service_with_a_wrong_token_runs_on_and_says_so_without_leaking_it(env,
                                                                          tmp_path) -> None:
    """Issue #18 point 3: a wrong or revoked token no longer stops the service (it exited 3,
    and systemd did not restart it): the bot does not start, one log line says why, the
    service runs (email goes) and stops on SIGTERM."""
    with FakeBotApi() as fake:
        service = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={
                                       **env, "NHACVIEC_TELEGRAM_TOKEN": "1:bad-token",
                                       "NHACVIEC_TELEGRAM_BASE_URL": fake.base_url,
                                       "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox")})
        logged, out, err = run_until_running_then_stop(service)
        assert fake.calls_of("getMe")[0].status == 401
    text = logged + err
    assert service.returncode == 0 and "Đã dừng dịch vụ." in out
    assert "Traceback" not in text
    said = [line for line in text.splitlines() if "Kênh telegram không khởi động được" in line]
    assert len(said) == 1 and ("mã bot Telegram (NHACVIEC_TELEGRAM_TOKEN) không hợp lệ hoặc đã "
                               "bị thu hồi") in said[0]
    assert "bad-token" not in text + out


def test_request_logs_never_carry_the_token(caplog) -> None:
    import logging

    from notifiers.telegram.bot import quiet_http_logs

    quiet_http_logs()
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info("HTTP Request: POST http://h/bot123:SECRET/getUpdates")
        logging.getLogger("httpx").warning("HTTP Request: POST %s failed",
                                           "http://h/bot123:SECRET-2_x/sendMessage")
    text = caplog.text
    assert "SECRET" not in text
    assert "POST http://h/bot<token>/sendMessage failed" in text
    assert "getUpdates" not in text  # request lines are below WARNING: not logged at all


def test_service_runs_the_bot_and_stops_on_sigterm(env, tmp_path) -> None:
    import time

    env = {**env, "NHACVIEC_TELEGRAM_TOKEN": TOKEN,
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox")}
    assert nv(env, "link", "so-tu-phap", "--chat-id", "-77").returncode == 0
    with FakeBotApi() as fake:
        env["NHACVIEC_TELEGRAM_BASE_URL"] = fake.base_url
        service = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not fake.calls_of("getUpdates") and time.monotonic() < deadline:
                time.sleep(0.05)
            fake.push_message(-77, "/mytasks")
            while not fake.sent(-77) and time.monotonic() < deadline:
                time.sleep(0.05)
            service.send_signal(signal.SIGTERM)
            out, err = service.communicate(timeout=60)
        finally:
            if service.poll() is None:
                service.kill()
        assert [c["command"] for c in fake.commands][:2] == ["mytasks", "overdue"]
    (answer,) = [m.text for m in fake.sent(-77)]
    assert answer.startswith("<b>Nhiệm vụ đang mở của Sở Tư pháp (0)</b>")
    assert service.returncode == 0 and out.strip().endswith("Đã dừng dịch vụ.")
    assert "Traceback" not in err and TOKEN not in err + out
