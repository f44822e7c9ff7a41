"""A secret is never printed (issue 17; issue 18, point 8).

One run of the real commands with every secret set (a bot token shaped like a real one, an SMTP
password, a database password in NHACVIEC_DATABASE_URL), through the paths that used to leak:
a Bot API base URL without "/bot" (the token became a port number: "Invalid port:
'<token's secret half>'"), an unreachable or refusing Bot API, a malformed database URL (printed
whole, password included), an SMTP server refusing the setup; and the ordinary ones: import,
dispatch to the Bot API imitation, the service's log from start to SIGTERM. Every byte of
standard output and standard error of every command is searched for every secret.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from engine.settings import bundled
from tests.fakes import FakeBotApi
from tests.service_support import run_until_running_then_stop
from tests.smtpd import HOST, smtp_server

TOKEN = "987654321:AAH-secret_Token_Value_0123456789abc"
SECRETS = {
    "token": TOKEN,
    "token's secret half": TOKEN.partition(":")[2],
    "SMTP password": "smtp-Secret-Pa55word",
    "database password": "dbPassw0rdSecret",
}


class Outputs:
    def __init__(self, tmp_path: Path, pg_url: str) -> None:
        self.cwd = tmp_path
        head, _, tail = pg_url.partition("postgres@")  # trust auth: the password is ignored
        self.url = f"{head}postgres:{SECRETS['database password']}@{tail}"
        self.seen: list[tuple[str, str]] = []  # (what ran, everything it printed)

    def env(self, **extra: str) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
        environ.update(HOME=str(self.cwd), XDG_DATA_HOME=str(self.cwd / "data"),
                       NHACVIEC_DATABASE_URL=self.url, NHACVIEC_TELEGRAM_TOKEN=TOKEN,
                       NHACVIEC_SMTP_PASSWORD=SECRETS["SMTP password"],
                       NHACVIEC_OUTBOX_DIR=str(self.cwd / "outbox"))
        return {**environ, **extra}

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=self.cwd,
                                env=self.env(**extra), capture_output=True, text=True,
                                timeout=180)
        self.seen.append((" ".join(args) + f" {extra}", result.stdout + result.stderr))
        return result

    def service(self, **extra: str) -> str:
        """`nhacviec run` until it says it is running, then SIGTERM; everything it printed."""
        proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], cwd=self.cwd,
                                env=self.env(**extra), text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        logged, out, err = run_until_running_then_stop(proc, timeout=120)
        text = logged + out + err
        self.seen.append((f"run {extra}", text))
        return text


def test_no_output_of_any_command_holds_a_secret(tmp_path: Path, pg_url: str):
    o = Outputs(tmp_path, pg_url)
    shutil.copy(bundled("demo_plan_2025.txt"), tmp_path / "kh.txt")
    assert o.run("plan", "import", "kh.txt").returncode == 0
    assert o.run("telegram", "link", "so-tu-phap", "--chat-id", "-2001").returncode == 0
    with FakeBotApi(token=TOKEN) as fake:
        api = {"NHACVIEC_TELEGRAM_BASE_URL": fake.base_url}
        assert o.run("telegram", "check", **api).returncode == 0
        with smtp_server() as (server, _):  # no AUTH: the login the settings ask for
            # Today's messages: the plan's late tasks, to the linked chat too.
            smtp = o.run("dispatch", NHACVIEC_SMTP_HOST=HOST, NHACVIEC_SMTP_USERNAME="nhacviec",
                         NHACVIEC_SMTP_PORT=str(server.port), **api)
            assert "không nhận đăng nhập" in smtp.stderr
        sent = o.run("dispatch", **api)  # the emails again, to the outbox this time
        assert sent.returncode == 0, sent.stderr
        assert fake.calls_of("sendMessage", chat_id=-2001), sent.stdout
        assert "đang chạy" in o.service(**api)
        o.run("status")
        o.run("tasks", "--agency", "so-tu-phap")
        fake.unauthorized = True  # the token revoked
        assert o.run("telegram", "check", **api).returncode == 3
        o.run("dispatch", **api)
        running = o.service(**api)  # a revoked token does not stop the service: email goes
        assert "đang chạy" in running and "Kênh telegram không khởi động được" in running, running
    for base in ("https://api.telegram.org", "http://127.0.0.1:9"):  # without "/bot"
        assert o.run("telegram", "check", NHACVIEC_TELEGRAM_BASE_URL=base).returncode == 3
        assert o.run("dispatch", NHACVIEC_TELEGRAM_BASE_URL=base).returncode == 3
    unreachable = o.run("telegram", "check", NHACVIEC_TELEGRAM_BASE_URL="http://127.0.0.1:9/bot")
    assert unreachable.returncode == 3
    for url in (f"postgresql://postgres:{SECRETS['database password']}@127.0.0.1:notaport/test",
                f"postgres//postgres:{SECRETS['database password']}@127.0.0.1/test",
                f"postgresql://postgres:{SECRETS['database password']}@127.0.0.1:5432/test"
                "?bogus=1"):
        assert o.run("status", NHACVIEC_DATABASE_URL=url).returncode == 3
    assert o.seen[-3][1] == ("Lỗi: địa chỉ cơ sở dữ liệu không hợp lệ: «postgresql://postgres:***"
                             "@127.0.0.1:notaport/test» (dạng postgresql://người_dùng@máy_chủ:"
                             "cổng/tên hoặc sqlite:///đường/dẫn/tệp.sqlite)\n")

    printed = sum(len(text.splitlines()) for _, text in o.seen)
    print(f"{len(o.seen)} commands, {printed} lines of output searched")
    leaks = [(what, name) for what, text in o.seen for name, secret in SECRETS.items()
             if secret in text]
    assert leaks == []
