"""A server that lacks what the settings ask for (issue 18, point 8): NHACVIEC_SMTP_TLS=starttls
against a server without STARTTLS, a user name against one without AUTH. Through the real
`nhacviec dispatch` and `nhacviec run` against the real aiosmtpd of `tests/smtpd.py`: a
configuration error in one line, the batch stopped, the messages kept for the next wake-up
(before: an unclassified SMTPException, a traceback and retries for every message)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.directory.agencies import Directory
from engine.intake.reader import read_plan
from engine.service.simulate import import_and_plan
from engine.settings import bundled
from engine.storage.db import make_engine
from engine.storage.models import Notification
from notifiers.email.build import message_id
from tests.plan_factory import D, calendar, runtime
from tests.smtpd import HOST, smtp_server

BUSY_DAY = "2025-03-11T08:00:00+07:00"  # the seed plan's reminders of mid-March


def seeded(url: str) -> None:
    rt = runtime(url)
    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=Directory.bundled(),
                       calendar=calendar())
    import_and_plan(rt.engine, parsed, rt.directory, rt.calendar, rt.policy, D("2025-01-01"))
    rt.engine.dispose()


def cli(args: list[str], tmp_path: Path, url: str, **env: str
        ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    environ.update(NHACVIEC_DATABASE_URL=url, NHACVIEC_SMTP_HOST=HOST,
                   NHACVIEC_SMTP_BACKOFF_BASE="0.01", NHACVIEC_SMTP_TIMEOUT="10",
                   HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=environ,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("setting, wanted", [
    ({"NHACVIEC_SMTP_TLS": "starttls"}, "không hỗ trợ STARTTLS mà NHACVIEC_SMTP_TLS=starttls"),
    ({"NHACVIEC_SMTP_USERNAME": "nhacviec", "NHACVIEC_SMTP_PASSWORD": "mật-khẩu"},
     "không nhận đăng nhập (không có AUTH) mà NHACVIEC_SMTP_USERNAME yêu cầu"),
])
def test_dispatch_stops_the_batch_in_one_line_and_sends_it_later(tmp_path, db_url, setting,
                                                                  wanted):
    seeded(db_url)
    with smtp_server() as (server, handler):  # plain SMTP: no STARTTLS, no AUTH
        port = {"NHACVIEC_SMTP_PORT": str(server.port)}
        first = cli(["dispatch", "--now", BUSY_DAY, "--json"], tmp_path, db_url,
                    **port, **setting)
        composed = [json.loads(line) for line in first.stdout.splitlines()]
        print(f"{len(composed)} messages; standard error: {first.stderr!r}")
        assert first.returncode == 0, first.stderr
        assert len(composed) > 5
        assert "Traceback" not in first.stderr
        # One line per batch (the agencies' messages, then the oversight digests), not one per
        # message; together they count every message.
        lines = first.stderr.splitlines()
        assert 1 <= len(lines) <= 2
        assert all(line.startswith("Kênh email dừng đợt gửi: ") and wanted in line
                   for line in lines)
        unsent = [int(re.search(r"; (\d+) thư chưa gửi", line).group(1)) for line in lines]
        assert sum(unsent) == len(composed)
        assert handler.received == []  # nothing was sent
        assert "mật-khẩu" not in first.stderr + first.stdout
        kept = states(db_url)
        assert len(kept) == len(composed) and set(kept.values()) == {"retry"}

        # Settings corrected: the next wake-up sends them all, none twice.
        second = cli(["dispatch", "--now", "2025-03-12T08:00:00+07:00"], tmp_path, db_url,
                     **port)
        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stderr
    got = [r.message["Message-ID"] for r in handler.received]
    assert len(got) == len(set(got))  # none twice
    assert {message_id(key, "example.org") for key in kept} <= set(got)
    assert {key: states(db_url)[key] for key in kept} == dict.fromkeys(kept, "sent")


def states(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(select(Notification.key, Notification.state)).all())
    finally:
        engine.dispose()


def test_run_refuses_to_start_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'run.sqlite'}"
    seeded(url)
    with smtp_server() as (server, handler):
        started = cli(["run"], tmp_path, url, NHACVIEC_SMTP_PORT=str(server.port),
                      NHACVIEC_SMTP_TLS="starttls")
    assert started.returncode == 3, started.stderr
    assert "Traceback" not in started.stderr
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith("Lỗi: kênh email: máy chủ SMTP 127.0.0.1:") and "STARTTLS" in last
    assert handler.received == []


def test_the_steering_digest_sent_by_dispatch_links_the_period_report(tmp_path, sqlite_url):
    """`nhacviec dispatch` on Monday 17/03/2025, after the Quý I cut-off (14/03): the Steering
    Committee's digest links the Quý I workbook on the desk at NHACVIEC_WEB_BASE_URL."""
    seeded(sqlite_url)
    with smtp_server() as (server, handler):
        run = cli(["dispatch", "--now", "2025-03-17T08:00:00+07:00"], tmp_path, sqlite_url,
                  NHACVIEC_SMTP_PORT=str(server.port),
                  NHACVIEC_WEB_BASE_URL="https://cchc.example.vn")
        assert run.returncode == 0, run.stderr
        texts = [r.message.get_body(("plain",)).get_content() for r in handler.received]
    steering = [t for t in texts if "Báo cáo kỳ gần nhất" in t]
    assert len(steering) == 1
    assert "https://cchc.example.vn/bao-cao/1/quy-i.xlsx" in steering[0]
