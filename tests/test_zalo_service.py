"""The real commands against the Zalo Bot API imitation, in subprocesses: `nhacviec zalo ...`,
`nhacviec run` (the bot: linking, commands, refusal, SIGTERM) and `nhacviec dispatch` (the
digests: split in parts, a process killed in the middle of a long message resumed by the next
without repeating parts, a blocked chat's message sent by email instead)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes_zalo import TOKEN, FakeZaloApi
from tests.service_support import run_until_running_then_stop

PLAN = """ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG
Số: 77/KH-UBND
Sóc Trăng, ngày 02 tháng 01 năm 2025
KẾ HOẠCH
Cải cách hành chính năm 2025 của tỉnh Sóc Trăng
PHỤ LỤC
I. CẢI CÁCH THỦ TỤC HÀNH CHÍNH
"""


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return {**keep, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nv.sqlite'}",
            "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox")}


def nv(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def one_line_error(r: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


# --- nhacviec zalo ... ----------------------------------------------------------------------
def test_link_unlink_links_and_errors(env) -> None:
    r = nv(env, "zalo", "link", "so-tai-chinh", "--chat-id", "a1b2c3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "Đã liên kết cuộc trò chuyện Zalo a1b2c3 với Sở Tài chính."
    r = nv(env, "zalo", "link", "Sở Tư pháp", "--chat-id", "a1b2c3")
    assert r.stdout.strip() == ("Đã liên kết cuộc trò chuyện Zalo a1b2c3 với Sở Tư pháp (trước "
                                "đó: Sở Tài chính).")
    assert nv(env, "zalo", "link", "so-y-te", "--chat-id", "0123456789").returncode == 0
    assert nv(env, "telegram", "link", "so-y-te", "--chat-id", "-77").returncode == 0
    rows = json.loads(nv(env, "zalo", "links", "--json").stdout)
    assert [(x["chat_id"], x["agency"]) for x in rows] == [("a1b2c3", "so-tu-phap"),
                                                           ("0123456789", "so-y-te")]
    # Telegram's links are Telegram's: an integer chat id, not in Zalo's list.
    assert [x["chat_id"] for x in json.loads(nv(env, "telegram", "links", "--json").stdout)] \
        == [-77]
    assert "Sở Tư pháp" in nv(env, "zalo", "links").stdout
    r = nv(env, "zalo", "unlink", "--chat-id", "a1b2c3")
    assert r.returncode == 0 and r.stdout.strip() == "Đã bỏ liên kết cuộc trò chuyện Zalo a1b2c3."
    r = nv(env, "zalo", "unlink", "--chat-id", "a1b2c3")
    assert r.returncode == 2
    assert one_line_error(r) == ("Lỗi: cuộc trò chuyện Zalo a1b2c3 chưa liên kết với cơ quan "
                                 "nào")
    r = nv(env, "zalo", "link-code", "Sở Không Có")
    assert r.returncode == 2
    assert one_line_error(r) == "Lỗi: không có cơ quan «Sở Không Có» trong danh bạ"
    r = nv(env, "zalo", "link", "so-y-te", "--chat-id", "có khoảng trắng")
    assert r.returncode == 2 and "không hợp lệ" in one_line_error(r)
    assert "liên kết" in nv(env, "zalo", "--help").stdout


def test_check_reports_the_bot_or_a_wrong_token(env) -> None:
    with FakeZaloApi() as fake:
        ok = nv({**env, "NHACVIEC_ZALO_TOKEN": TOKEN, "NHACVIEC_ZALO_BASE_URL": fake.base_url},
                "zalo", "check")
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.splitlines() == ["Bot Zalo bot.nhacviec sẵn sàng.",
                                          "Nhận tin bằng long polling (chưa đặt webhook)."]
        bad = nv({**env, "NHACVIEC_ZALO_TOKEN": "1:wrong-SECRET",
                  "NHACVIEC_ZALO_BASE_URL": fake.base_url}, "zalo", "check")
        assert bad.returncode == 3
        assert one_line_error(bad).startswith("Lỗi: mã bot Zalo (NHACVIEC_ZALO_TOKEN) không "
                                              "hợp lệ")
        assert "wrong-SECRET" not in bad.stderr + bad.stdout
    none = nv(env, "zalo", "check")
    assert none.returncode == 3 and "NHACVIEC_ZALO_TOKEN" in one_line_error(none)
    gone = nv({**env, "NHACVIEC_ZALO_TOKEN": TOKEN,
               "NHACVIEC_ZALO_BASE_URL": "http://127.0.0.1:9/bot"}, "zalo", "check")
    assert gone.returncode == 3 and "không kết nối được" in one_line_error(gone)
    assert TOKEN not in gone.stderr + gone.stdout


# --- nhacviec run: the bot ------------------------------------------------------------------
def test_service_runs_the_zalo_bot_and_stops_on_sigterm(env) -> None:
    r = nv(env, "zalo", "link-code", "so-tu-phap")
    code = r.stdout.strip()
    assert r.returncode == 0 and f"/link {code}" in r.stderr
    with FakeZaloApi(max_poll=0.5) as fake:
        env = {**env, "NHACVIEC_ZALO_TOKEN": TOKEN, "NHACVIEC_ZALO_BASE_URL": fake.base_url,
               "NHACVIEC_ZALO_MONITOR_CHAT": "snv"}
        service = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not fake.calls_of("getUpdates") and time.monotonic() < deadline:
                time.sleep(0.05)
                assert service.poll() is None, service.communicate()
            fake.push_message("stranger", "/mytasks")
            assert fake.wait_sent_sync("stranger")[0].startswith("Xin lỗi, cuộc trò chuyện")
            fake.push_message("tp-chat", f"/link {code}")
            assert fake.wait_sent_sync("tp-chat")[0] == (
                "Đã liên kết cuộc trò chuyện này với Sở Tư pháp. Từ nay bot gửi nhắc việc của "
                "cơ quan tại đây. Gửi /help (hoặc: trợ giúp) để xem các lệnh.")
            fake.push_message("other", f"/link {code}")
            assert fake.wait_sent_sync("other")[0].startswith("Mã liên kết này đã được sử dụng")
            answers = {"/mytasks": "Nhiệm vụ đang mở của Sở Tư pháp (0)",
                       "quá hạn": "Nhiệm vụ quá hạn của Sở Tư pháp (0)",
                       "/upcoming 10 ngày": "Nhiệm vụ của Sở Tư pháp đến hạn trong 10 ngày tới",
                       "/task 9.9": "Không tìm thấy nhiệm vụ mã «9.9».",
                       "xong 9.9": "Không tìm thấy nhiệm vụ mã «9.9» của cơ quan.",
                       "CÓ": "Không có yêu cầu nào đang chờ xác nhận.",
                       "/report": "📝 Báo cáo định kỳ CCHC",
                       "/help": "Bot nhắc việc cải cách hành chính"}
            for n, (text, start) in enumerate(answers.items(), 2):
                fake.push_message("tp-chat", text)
                assert fake.wait_sent_sync("tp-chat", n)[-1].startswith(start), text
            fake.push_message("snv", "/mytasks")
            assert fake.wait_sent_sync("snv")[0].startswith("Tình hình nhiệm vụ đang mở")
            service.send_signal(signal.SIGTERM)
            out, err = service.communicate(timeout=60)
        finally:
            if service.poll() is None:
                service.kill()
    assert service.returncode == 0 and out.strip().endswith("Đã dừng dịch vụ.")
    assert "Traceback" not in err and TOKEN not in err + out
    assert "Bot Zalo bot.nhacviec đã sẵn sàng" in err


def test_service_with_a_wrong_zalo_token_runs_on_and_says_so_without_leaking_it(env) -> None:
    """Issue #18 point 3: a wrong Zalo token no longer stops the service (exit 3 before): one
    log line says the channel cannot start, the service runs (email goes) and stops on
    SIGTERM."""
    with FakeZaloApi() as fake:
        service = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={**env, "NHACVIEC_ZALO_TOKEN": "1:bad-SECRET",
                                        "NHACVIEC_ZALO_BASE_URL": fake.base_url})
        logged, out, err = run_until_running_then_stop(service)
    text = logged + err
    assert service.returncode == 0 and "Traceback" not in text
    said = [line for line in text.splitlines() if "Kênh zalo không khởi động được" in line]
    assert said and all("mã bot Zalo (NHACVIEC_ZALO_TOKEN) không hợp lệ" in x for x in said)
    assert "bad-SECRET" not in text + out


# --- nhacviec dispatch: digests, a crash, the fallback ---------------------------------------
def _days() -> tuple[dt.date, str]:
    """A deadline 10 working days from today, and the instant of its 5-day reminder (the
    import plans reminders from today on)."""
    from rules import WorkingCalendar

    cal = WorkingCalendar.default()
    today = dt.date.today()
    due = cal.add_working_days(today, 10)
    return due, f"{cal.add_working_days(due, -5).isoformat()}T08:00:00+07:00"


DUE, SLOT = _days()


def _later(hours: int) -> str:
    return (dt.datetime.fromisoformat(SLOT) + dt.timedelta(hours=hours)).isoformat()


def _plan(tmp_path: Path, tasks: int) -> Path:
    lines = [PLAN, "STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện"]
    lines += [f"{i}\tRà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực số {i} của "
              f"tỉnh, công bố kết quả\tVăn phòng UBND tỉnh\t\tChậm nhất ngày {DUE:%d/%m/%Y}"
              for i in range(1, tasks + 1)]
    path = tmp_path / "kh.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def dispatching(env, tmp_path) -> dict[str, str]:
    """vp-ubnd linked to the Zalo chat "vp", its digest at SLOT long enough for parts."""
    r = nv(env, "plan", "import", str(_plan(tmp_path, 45)), "--year", str(DUE.year))
    assert r.returncode == 0, r.stderr
    assert nv(env, "zalo", "link", "vp-ubnd", "--chat-id", "vp").returncode == 0
    return {**env, "NHACVIEC_ZALO_TOKEN": TOKEN}


def test_dispatch_delivers_a_long_digest_in_numbered_parts(dispatching) -> None:
    with FakeZaloApi() as fake:
        env = {**dispatching, "NHACVIEC_ZALO_BASE_URL": fake.base_url}
        r = nv(env, "dispatch", "--now", SLOT, "--json")
        assert r.returncode == 0, r.stderr
        texts = fake.texts("vp")
    sent = [json.loads(line) for line in r.stdout.splitlines()]
    assert ("zalo", "vp-ubnd", "agency_digest") in {(m["channel"], m["recipient"], m["kind"])
                                                    for m in sent}
    assert len(texts) >= 2 and all(len(t) <= 2000 for t in texts)
    assert [t.split(" ", 1)[0] for t in texts] == [f"({i}/{len(texts)})"
                                                    for i in range(1, len(texts) + 1)]
    assert "Kính gửi: Văn phòng UBND tỉnh" in texts[0]
    assert sum(t.count(f"— hạn {DUE:%d/%m/%Y}") for t in texts) == 45  # every task, once


def test_a_dispatch_killed_mid_message_is_resumed_without_repeating_parts(dispatching) -> None:
    with FakeZaloApi() as fake:
        env = {**dispatching, "NHACVIEC_ZALO_BASE_URL": fake.base_url}
        fake.hold("sendMessage", chat_id="vp", skip=1)
        first = subprocess.Popen([sys.executable, "-m", "engine.cli", "dispatch", "--now",
                                  SLOT], env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(fake.calls_of("sendMessage", chat_id="vp")) < 2:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        first.kill()  # dies waiting for the second part's answer
        first.communicate(timeout=30)
        assert len(fake.sent("vp")) == 1
        # The claim's lease (15 minutes) has passed: its claim is made 16 minutes older.
        db = sqlite3.connect(env["NHACVIEC_DATABASE_URL"].removeprefix("sqlite:///"))
        with db:
            (state, provider_id, claimed), = db.execute(
                "SELECT state, provider_id, claimed_at FROM notification "
                "WHERE channel = 'zalo'").fetchall()
            assert state == "claimed" and provider_id == f"vp:{fake.sent('vp')[0].message_id}"
            older = dt.datetime.fromisoformat(claimed) - dt.timedelta(minutes=16)
            db.execute("UPDATE notification SET claimed_at = ? WHERE channel = 'zalo'",
                       (older.strftime("%Y-%m-%d %H:%M:%S.%f"),))
        db.close()
        r = nv(env, "dispatch", "--now", _later(1))
        assert r.returncode == 0, r.stderr
        assert "1 gửi lại" in r.stdout
        texts = fake.texts("vp")
    n = len(texts)
    assert n >= 2 and [t.split(" ", 1)[0] for t in texts] == [f"({i}/{n})"
                                                              for i in range(1, n + 1)]


def test_a_blocked_chat_gets_its_digest_by_email_instead(dispatching, tmp_path) -> None:
    agencies = Path(__file__).resolve().parent.parent / "config" / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8").replace(
        "    emails: [vanthu@vp-ubnd.example.org]\n",
        "    emails: [vanthu@vp-ubnd.example.org]\n    channels: [zalo]\n", 1)
    assert "channels: [zalo]" in text
    (tmp_path / "agencies.yaml").write_text(text, encoding="utf-8")
    with FakeZaloApi() as fake:
        fake.block("vp")
        env = {**dispatching, "NHACVIEC_ZALO_BASE_URL": fake.base_url,
               "NHACVIEC_AGENCIES": str(tmp_path / "agencies.yaml")}
        r = nv(env, "dispatch", "--now", SLOT, "--json")
        assert r.returncode == 0, r.stderr
        again = nv(env, "dispatch", "--now", _later(2), "--json")
        assert fake.sent("vp") == []
    keys = [json.loads(line)["channel"] for line in r.stdout.splitlines()
            if json.loads(line)["recipient"] == "vp-ubnd"]
    assert sorted(keys) == ["email", "zalo"]  # the Zalo digest, and its email in its place
    assert again.stdout.strip() == ""  # nothing goes twice
    mails = [p for p in (tmp_path / "outbox").glob("*.eml")
             if "vanthu@vp-ubnd.example.org" in p.read_text(encoding="utf-8", errors="replace")]
    assert len(mails) == 1
