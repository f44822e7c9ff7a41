"""The service's log lines: Vietnamese, one line each, in the province's time (issue 17).

`nhacviec run` on a fresh SQLite file logs Alembic's upgrades and APScheduler's start and stop;
each becomes one Vietnamese line, the chatter (plugin set-up, dialect notes) is left out, and
every line starts with the province's date and time.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.service_support import run_until_running_then_stop

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(?P<at>\d\d/\d\d/\d{4} \d\d:\d\d:\d\d) (?P<rest>.+)$")
# What Alembic and APScheduler write in English, none of which may reach the log.
ENGLISH = ["Running upgrade", "Context impl", "Will assume", "setup plugin", "Scheduler",
           "Added job", "Adding job", "job store", "started", "shut down", "INFO", "alembic",
           "apscheduler"]


def test_run_logs_vietnamese_lines_in_the_provinces_time(tmp_path):
    # A zone far from UTC and from the machine's: the lines must carry its time.
    zone = "Pacific/Kiritimati"  # UTC+14
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"), "NHACVIEC_TIMEZONE": zone}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "run"], cwd=ROOT, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, out, rest = run_until_running_then_stop(proc)
    log = seen + rest
    assert proc.returncode == 0, log
    assert "Đã dừng dịch vụ." in out
    lines = log.splitlines()
    assert [w for w in ENGLISH if w in log] == [], log
    for line in lines:
        assert LINE.match(line), line
    now = dt.datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    first = dt.datetime.strptime(LINE.match(lines[0])["at"], "%d/%m/%Y %H:%M:%S")
    assert abs(first - now) < dt.timedelta(minutes=10), (first, now)
    rests = [LINE.match(x)["rest"] for x in lines]
    # Alembic: one line per revision run, from the empty database to the head.
    upgrades = [r for r in rests if r.startswith("cơ sở dữ liệu: nâng cấp cấu trúc: phiên bản")]
    assert upgrades[0] == "cơ sở dữ liệu: nâng cấp cấu trúc: phiên bản (trống) → 0001"
    assert len(upgrades) >= 10
    # APScheduler: the job, the start, the stop.
    assert "lịch gửi: đã hẹn việc «Gửi nhắc việc lúc 08:00 ngày làm việc»" in rests
    assert "lịch gửi: bắt đầu chạy" in rests and rests[-1] == "lịch gửi: đã dừng"
    # The service's own lines: dates as an officer writes them.
    running = next(r for r in rests if "đang chạy" in r)
    assert re.search(r"lần gửi kế tiếp: 08:00 ngày \d\d/\d\d/\d{4}$", running), running


def test_library_lines_in_vietnamese_one_each():
    from engine.cli.log_lines import source, vietnamese

    cases = {
        ("telegram.ext.Application", "Application started"): "bot đã chạy",
        ("telegram.ext.Application", "Application is stopping. This might take a moment."):
            "bot đang dừng",
        ("apscheduler.executors.default",
         'Run time of job "Gửi nhắc việc (trigger: cron[hour=8], next run at: x)" was missed '
         "by 0:00:05"): "việc «Gửi nhắc việc» lỡ giờ chạy (trễ 0:00:05)",
        ("alembic.runtime.migration", "Running upgrade 0010 -> 0011, report periods"):
            "nâng cấp cấu trúc: phiên bản 0010 → 0011",
        ("uvicorn.error", "Uvicorn running on http://127.0.0.1:8080 (Press CTRL+C to quit)"):
            "đang nghe tại http://127.0.0.1:8080",
    }
    for (name, message), vi in cases.items():
        assert vietnamese(name, message) == vi
    assert vietnamese("alembic.runtime.migration", "Context impl SQLiteImpl.") is None
    assert vietnamese("uvicorn.error", "Application startup complete.") is None
    assert source("telegram.ext.Application") == "telegram"
    assert source("nhacviec.scheduler") == "lịch gửi"
