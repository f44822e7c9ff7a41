"""The service's log lines as an officer reads them: Vietnamese, one line each, in the
province's time.

`nhacviec run` and `nhacviec web` log through the libraries they stand on. APScheduler and
Alembic write English ("Scheduler started", "Running upgrade 0001 -> 0002, ...", "Context impl
SQLiteImpl."); their messages are fixed strings of the installed versions, matched here by their
wording: a known one becomes one Vietnamese line, a chatty one that tells an officer nothing
(Alembic's plugin set-up, its dialect notes, APScheduler's tentative job) is dropped, and one
this module does not know passes as written (tests/test_service_logs.py shows a change of
wording). Every line goes through `core.redact` (`RedactingFormatter`), and its time is the
province's (`Settings.tz`), written 02/12/2026 08:00:00.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from core.redact import RedactingFormatter

# The logger names, as a short Vietnamese word a line starts with.
_SOURCES = (
    ("nhacviec.scheduler", "lịch gửi"),
    ("nhacviec.web", "trang điều hành"),
    ("nhacviec.email", "email"),
    ("nhacviec", "nhắc việc"),
    ("apscheduler", "lịch gửi"),
    ("alembic", "cơ sở dữ liệu"),
    ("telegram", "telegram"),
    ("notifiers.telegram", "telegram"),
    ("notifiers.zalo", "zalo"),
    ("uvicorn", "trang điều hành"),
    ("httpx", "kết nối"),
)
_LEVELS = {"WARNING": "CẢNH BÁO", "ERROR": "LỖI", "CRITICAL": "LỖI NGHIÊM TRỌNG"}


def _job(m: re.Match[str]) -> str:
    return m["job"].split(" (trigger:")[0]


# (logger prefix, pattern on the whole message, Vietnamese or None to drop the line)
_KNOWN: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str] | None], ...] = (
    ("alembic", re.compile(r"setup plugin .*"), None),
    ("alembic", re.compile(r"Context impl \w+\."), None),
    ("alembic", re.compile(r"Will assume (?:non-)?transactional DDL\."), None),
    ("alembic", re.compile(r"Running upgrade (?P<a>\S*) -> (?P<b>\S+)(?:, .*)?", re.S),
     lambda m: f"nâng cấp cấu trúc: phiên bản {m['a'] or '(trống)'} → {m['b']}"),
    ("alembic", re.compile(r"Running downgrade (?P<a>\S*) -> (?P<b>\S*)(?:, .*)?", re.S),
     lambda m: f"hạ cấu trúc: phiên bản {m['a']} → {m['b'] or '(trống)'}"),
    ("apscheduler", re.compile(r"Adding job tentatively.*"), None),
    ("apscheduler", re.compile(r'Added job "(?P<job>.+)" to job store "[^"]*"'),
     lambda m: f"đã hẹn việc «{_job(m)}»"),
    ("apscheduler", re.compile(r"Scheduler started"), lambda m: "bắt đầu chạy"),
    ("apscheduler", re.compile(r"Scheduler has been shut down"), lambda m: "đã dừng"),
    ("apscheduler", re.compile(r"Scheduler paused"), lambda m: "tạm dừng"),
    ("apscheduler", re.compile(r"Scheduler resumed"), lambda m: "chạy lại"),
    ("apscheduler", re.compile(r'Running job "(?P<job>.+)" \(scheduled at (?P<at>.+)\)'),
     lambda m: f"bắt đầu việc «{_job(m)}»"),
    ("apscheduler", re.compile(r'Job "(?P<job>.+)" executed successfully'),
     lambda m: f"xong việc «{_job(m)}»"),
    ("apscheduler", re.compile(r'Job "(?P<job>.+)" raised an exception'),
     lambda m: f"việc «{_job(m)}» gặp lỗi"),
    ("apscheduler", re.compile(r'Run time of job "(?P<job>.+)" was missed by (?P<by>.+)'),
     lambda m: f"việc «{_job(m)}» lỡ giờ chạy (trễ {m['by']})"),
    ("apscheduler", re.compile(r'Execution of job "(?P<job>.+)" skipped: maximum number of '
                               r"running instances reached \((?P<n>\d+)\)"),
     lambda m: f"bỏ qua một lần chạy việc «{_job(m)}»: lần trước chưa xong"),
    ("apscheduler", re.compile(r"Removed job (?P<job>.+)"),
     lambda m: f"đã bỏ việc {m['job']}"),
    ("telegram", re.compile(r"Application started"), lambda m: "bot đã chạy"),
    ("telegram", re.compile(r"Application is stopping\. This might take a moment\."),
     lambda m: "bot đang dừng"),
    ("telegram", re.compile(r"Application\.stop\(\) complete"), lambda m: "bot đã dừng"),
    ("telegram", re.compile(r"Application received stop signal.*"), None),
    ("uvicorn", re.compile(r"Started server process \[(?P<pid>\d+)\]"),
     lambda m: f"máy chủ web chạy (tiến trình {m['pid']})"),
    ("uvicorn", re.compile(r"Waiting for application (?:startup|shutdown)\."), None),
    ("uvicorn", re.compile(r"Application (?:startup|shutdown) complete\."), None),
    ("uvicorn", re.compile(r"Uvicorn running on (?P<url>\S+).*"),
     lambda m: f"đang nghe tại {m['url']}"),
    ("uvicorn", re.compile(r"Shutting down"), lambda m: "đang dừng"),
    ("uvicorn", re.compile(r"Finished server process \[(?P<pid>\d+)\]"),
     lambda m: f"máy chủ web đã dừng (tiến trình {m['pid']})"),
)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def vietnamese(name: str, message: str) -> str | None:
    """The Vietnamese for one library message, None to drop it; unknown: as written."""
    for prefix, pattern, make in _KNOWN:
        if name.startswith(prefix):
            m = pattern.fullmatch(message)
            if m:
                return make(m) if make else None
    return message


def source(name: str) -> str:
    return next((vi for prefix, vi in _SOURCES if name == prefix or
                 name.startswith(prefix + ".")), name)


class ServiceLogFormatter(RedactingFormatter):
    """`02/12/2026 08:00:03 lịch gửi: ...`: the province's time, a Vietnamese source word, the
    level when it is not plain information, the message in Vietnamese, secrets masked."""

    def __init__(self, tz: ZoneInfo, *, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(message)s", secrets=secrets)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return dt.datetime.fromtimestamp(record.created, self.tz).strftime("%d/%m/%Y %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        text = vietnamese(record.name, record.message)
        level = _LEVELS.get(record.levelname)
        head = f"{source(record.name)}{' ' + level if level else ''}"
        return f"{record.asctime} {head}: {text}"


class DropChatter(logging.Filter):
    """Leaves out the library lines that tell an officer nothing (`vietnamese` gives None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return vietnamese(record.name, record.getMessage()) is not None
        except Exception:  # noqa: BLE001 - a malformed record still reaches the log
            return True


def configure(tz: ZoneInfo, secrets: Iterable[str]) -> None:
    """The service's logging: INFO and up on standard error, one Vietnamese line each."""
    logging.basicConfig(level=logging.INFO)
    formatter = ServiceLogFormatter(tz, secrets=secrets)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
        if not any(isinstance(f, DropChatter) for f in handler.filters):
            handler.addFilter(DropChatter())
