"""The one engine factory, and schema upgrades.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout, so the
service, the CLI and the Telegram bot can share the file. PostgreSQL is reached by URL through
psycopg 3 (``postgresql://`` is read as ``postgresql+psycopg://``). Every connection is checked
before use, so a restarted server does not break a long-running service.

The schema belongs to Alembic (`engine/migrations`): `upgrade()` brings any database to the head
revision; `create_all()` exists for throw-away databases (simulation, tests of other modules).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from core.errors import ConfigError
from core.redact import mask_url, redact
from engine.storage import models as _models  # noqa: F401 - registers the tables

BUSY_TIMEOUT_MS = 30_000
_MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL to use; plain ``postgresql://`` means psycopg 3."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise ConfigError(_bad_url(url)) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if not (parsed.drivername.startswith("sqlite") or parsed.drivername.startswith("postgresql")):
        raise ConfigError(
            f"chỉ hỗ trợ SQLite và PostgreSQL, không hỗ trợ «{parsed.drivername}»"
        )
    return parsed.render_as_string(hide_password=False)


def _bad_url(url: str) -> str:
    """The refusal of a URL SQLAlchemy cannot read: the URL shown without its password, or not
    at all when it does not even look like one (it may be a password pasted in its place)."""
    form = "dạng postgresql://người_dùng@máy_chủ:cổng/tên hoặc sqlite:///đường/dẫn/tệp.sqlite"
    if "//" not in url:
        return f"NHACVIEC_DATABASE_URL không phải địa chỉ cơ sở dữ liệu ({form})"
    return f"địa chỉ cơ sở dữ liệu không hợp lệ: «{mask_url(url)}» ({form})"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """A new engine for `url` (no schema changes)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                          "check_same_thread": False},
            json_serializer=_json_text,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        deferral = engine._nhacviec_deferral = _Deferral()  # type: ignore[attr-defined]
        event.listen(engine, "checkout", deferral.on_checkout)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         json_serializer=_json_text)


def _json_text(value: object) -> str:
    """JSON columns as UTF-8 text: Vietnamese written as itself, not as \\uXXXX escapes (six
    bytes a letter; a stored steering digest was mostly escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL is durable across application crashes; a power cut may lose the last commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    # 64 MB of page cache (the default is 2 MB): a national import writes millions of index
    # entries; measured 10 % faster. Only what is used is allocated.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


class _Deferral:
    """Whether this engine's SQLite connections checkpoint their WAL on commit (SQLite's
    autocheckpoint: the commit that grows the log past 1,000 pages copies it into the database
    and syncs, measured at 45 ms of a 0.15 s wake-up) or leave it to `checkpoint`."""

    def __init__(self) -> None:
        self.depth = 0
        self.lock = threading.Lock()

    def on_checkout(self, dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        wanted = 0 if self.depth else AUTOCHECKPOINT_PAGES
        if record.info.get("autocheckpoint", AUTOCHECKPOINT_PAGES) != wanted:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA wal_autocheckpoint={wanted}")
            cur.close()
            record.info["autocheckpoint"] = wanted


@contextmanager
def checkpoints_deferred(engine: Engine) -> Iterator[None]:
    """Inside the block, SQLite commits do not checkpoint the write-ahead log: the dispatcher
    sends first and checkpoints after (`checkpoint`). Connections checked out after the block
    checkpoint as usual again. PostgreSQL: nothing to do."""
    deferral = getattr(engine, "_nhacviec_deferral", None)
    if deferral is None:
        yield
        return
    with deferral.lock:
        deferral.depth += 1
    try:
        yield
    finally:
        with deferral.lock:
            deferral.depth -= 1


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database now (PASSIVE: never waits for
    readers or writers). PostgreSQL checkpoints by itself."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def get_engine(url: str, *, upgrade_schema: bool = True) -> Engine:
    """The process's engine for `url`, created once; the schema is upgraded on first use."""
    url = normalize_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            if upgrade_schema:
                upgrade(engine)
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def alembic_config(engine: Engine):  # noqa: ANN201 - alembic.config.Config
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


_REVISION_LINE = re.compile(r'^(down_)?revision\s*(?::[^=]*)?=\s*["\']?(\w+)?', re.M)


def script_head() -> str | None:
    """The newest revision of `migrations/versions`, read from the scripts' `revision` and
    `down_revision` lines (the one no other revises), without loading Alembic."""
    revisions, downs = set(), set()
    for script in (_MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            if value and value != "None":
                (downs if down else revisions).add(value)
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic). Safe to run on every start: a database already
    at the scripts' head is seen so from one query, without loading Alembic (0.1 s of imports
    every command paid, issue 17)."""
    try:
        conn = engine.connect()
    except DBAPIError as exc:  # refused, unreachable, or a connection option the driver refuses
        raise ConfigError(connection_failure(engine, exc)) from exc
    if revision == "head" and _at(conn, script_head()):
        conn.close()
        return
    # late import: Alembic is only loaded when there is something to upgrade
    from alembic import command

    try:
        with conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table: copy, drop the original, rename. With foreign keys
                # enforced, SQLite's DROP TABLE first deletes every row, and ON DELETE CASCADE
                # empties the tables referring to it (revision 0003 emptied notificationitem so).
                # Alembic's batch documentation asks for the pragma off; it only takes effect
                # outside a transaction.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    cfg = alembic_config(engine)
                    cfg.attributes["connection"] = conn
                    before = _revision(conn)
                    command.upgrade(cfg, revision)
                    # Only a revision that ran can have left a broken reference (the check
                    # reads every row: 1.2 s on a national database, at every command's start).
                    if sqlite and _revision(conn) != before:
                        _check_foreign_keys(conn)
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()
    except OperationalError as exc:
        raise ConfigError(connection_failure(engine, exc)) from exc


def _at(conn, head: str | None) -> bool:  # noqa: ANN001 - a SQLAlchemy Connection
    """Whether the database's recorded revision is `head` (False when it has none yet)."""
    if head is None:
        return False
    try:
        with conn.begin():
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no alembic_version table: an empty database
        return False
    return found == [head]


def _revision(conn) -> str | None:  # noqa: ANN001 - a SQLAlchemy Connection
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _check_foreign_keys(conn) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    """With enforcement off during the upgrade, check what it would have checked (SQLite)."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise ConfigError(f"nâng cấp cơ sở dữ liệu để lại tham chiếu hỏng: bảng {broken[0]}, "
                          f"dòng {broken[1]} trỏ tới bảng {broken[2]}")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def create_all(engine: Engine) -> None:
    """Create every table directly (throw-away databases only; real ones go through Alembic)."""
    SQLModel.metadata.create_all(engine)


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored datetime as an aware UTC value (SQLite returns them naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# What the drivers say (psycopg/libpq, sqlite3), by the words of their messages, in Vietnamese.
_DRIVER_WORDS: tuple[tuple[str, str], ...] = (
    ("connection refused", "máy chủ từ chối kết nối (chưa chạy, hoặc sai cổng)"),
    ("password authentication failed", "sai tên đăng nhập hoặc mật khẩu"),
    ("no password supplied", "thiếu mật khẩu"),
    ("could not translate host name", "không tìm thấy máy chủ theo tên"),
    ("name or service not known", "không tìm thấy máy chủ theo tên"),
    ("nodename nor servname", "không tìm thấy máy chủ theo tên"),
    ("timeout expired", "quá thời gian chờ máy chủ trả lời"),
    ("timed out", "quá thời gian chờ máy chủ trả lời"),
    ("no route to host", "không có đường tới máy chủ"),
    ("network is unreachable", "không có đường tới máy chủ"),
    ("does not exist", "cơ sở dữ liệu hoặc người dùng không tồn tại trên máy chủ"),
    ("no pg_hba.conf entry", "máy chủ không cho phép kết nối từ máy này (pg_hba.conf)"),
    ("too many connections", "máy chủ đã hết chỗ kết nối"),
    ("the database system is starting up", "máy chủ đang khởi động"),
    ("the database system is shutting down", "máy chủ đang dừng"),
    ("unable to open database file", "không mở được tệp cơ sở dữ liệu (thư mục không có "
     "hoặc không có quyền)"),
    ("database is locked", "tệp cơ sở dữ liệu đang bị khóa"),
    ("file is not a database", "tệp không phải cơ sở dữ liệu SQLite"),
    ("readonly database", "tệp cơ sở dữ liệu chỉ đọc"),
    ("disk i/o error", "lỗi đọc ghi đĩa"),
    ("ssl", "lỗi kết nối bảo mật (SSL)"),
)


def connection_failure(engine: Engine, exc: Exception) -> str:
    """One Vietnamese line: which database could not be reached and why, its password masked;
    a driver message not known above is quoted (its first line, redacted)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        where = f"tệp {url.database}" if url.database else "bộ nhớ"
    else:
        host = url.host or "máy cục bộ"
        where = f"{host}:{url.port}" if url.port else host
        if url.database:
            where += f", cơ sở dữ liệu «{url.database}»"
    said = _first_line(exc)
    low = said.casefold()
    why = next((vi for words, vi in _DRIVER_WORDS if words in low), None)
    return (f"không kết nối được cơ sở dữ liệu tại {where}: "
            f"{why or f'trình điều khiển báo «{said}»'}")


def _first_line(exc: Exception) -> str:
    """The driver's own words, first line, any URL in them without its password."""
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return redact(text.strip().splitlines()[0])
