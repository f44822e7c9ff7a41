"""The engine factory and the tables' guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from core.errors import ConfigError
from engine.storage.db import (
    current_revision,
    get_engine,
    make_engine,
    normalize_url,
    session,
    utc,
)
from engine.storage.models import (
    Agency,
    Assignment,
    ChatLink,
    Completion,
    Deadline,
    LinkCode,
    Plan,
    PlannedItem,
    Task,
)

DAY = dt.date(2025, 1, 24)


def _seed(s) -> tuple[int, int]:
    s.add(Agency(id="vp-ubnd", name="Văn phòng UBND tỉnh", kind="provincial_body",
                 emails=["a@example.org"], telegram_chat_ids=[-1001234567890]))
    plan = Plan(number="196/KH-UBND", year=2025)
    s.add(plan)
    s.flush()
    task = Task(plan_id=plan.id, group_name="Cải cách TTHC", code="1.1", title="Ban hành")
    s.add(task)
    s.flush()
    d = Deadline(task_id=task.id, due=DAY)
    s.add(d)
    s.commit()
    return task.id, d.id


def test_sqlite_pragmas(sqlite_url):
    eng = get_engine(sqlite_url)
    with eng.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert c.execute(text("PRAGMA cache_size")).scalar() == -65536  # 64 MB, in KiB


def test_a_wake_up_leaves_sqlites_checkpoint_until_its_messages_have_gone(tmp_path):
    """Inside `checkpoints_deferred`, commits leave the write-ahead log alone (the database
    file does not grow); `checkpoint` then copies it; afterwards, the same pooled connections
    checkpoint on commit again."""
    from engine.storage.db import checkpoint, checkpoints_deferred, make_engine

    path = tmp_path / "wal.sqlite"
    eng = make_engine(f"sqlite:///{path}")
    with eng.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (x BLOB)")

    def add_megabytes(n: int) -> None:
        for _ in range(n):  # one commit per megabyte: 256 pages each, past 1,000 in four
            with eng.begin() as c:
                c.exec_driver_sql("INSERT INTO t VALUES (randomblob(1048576))")

    start = path.stat().st_size
    with checkpoints_deferred(eng):
        add_megabytes(6)
        assert path.stat().st_size < start + 1_000_000  # still all in the log
    checkpoint(eng)
    after = path.stat().st_size
    assert after > start + 6_000_000
    add_megabytes(6)  # deferral over: SQLite's own checkpoint on commit is back
    assert path.stat().st_size > after + 3_000_000
    eng.dispose()


def test_schema_is_upgraded_to_head(db_url):
    eng = get_engine(db_url)
    names = set(inspect(eng).get_table_names())
    for table in ("plan", "task", "deadline", "duty", "completion", "planneditem",
                  "notification", "notificationitem", "deliveryattempt", "chatlink", "linkcode",
                  "reportperiod", "reportobligation", "event", "explanationrequest",
                  "explanationanswer", "assignment", "agency"):
        assert table in names
    assert current_revision(eng) is not None


def test_planned_item_key_is_unique(db_url):
    eng = get_engine(db_url)
    with session(eng) as s:
        _seed(s)
        s.add(PlannedItem(key="reminder/1/vp-ubnd/2025-01-17", kind="agency_digest",
                          reason="reminder", recipient_id="vp-ubnd", send_on=DAY))
        s.commit()
        s.add(PlannedItem(key="reminder/1/vp-ubnd/2025-01-17", kind="agency_digest",
                          reason="reminder", recipient_id="vp-ubnd", send_on=DAY))
        with pytest.raises(IntegrityError):
            s.commit()


def test_one_live_completion_per_deadline_and_agency(db_url):
    eng = get_engine(db_url)
    with session(eng) as s:
        _, deadline_id = _seed(s)
        first = Completion(deadline_id=deadline_id, agency_id="vp-ubnd", completed_on=DAY,
                           document_no="12/KH-UBND")
        s.add(first)
        s.commit()
        s.add(Completion(deadline_id=deadline_id, agency_id="vp-ubnd", completed_on=DAY))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        first.undone_at = dt.datetime(2025, 1, 25, tzinfo=dt.UTC)
        s.add(first)
        s.commit()
        s.add(Completion(deadline_id=deadline_id, agency_id="vp-ubnd", completed_on=DAY))
        s.commit()  # allowed once the first is undone
        live = s.exec(text("SELECT count(*) FROM completion WHERE undone_at IS NULL")).scalar()
        assert live == 1


def test_foreign_keys_are_enforced(db_url):
    eng = get_engine(db_url)
    with session(eng) as s:
        task_id, _ = _seed(s)
        s.add(Assignment(task_id=task_id, agency_id="no-such-agency", role="lead"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_telegram_rows_round_trip(db_url):
    eng = get_engine(db_url)
    linked = dt.datetime(2025, 1, 2, 1, 0, tzinfo=dt.UTC)
    with session(eng) as s:
        _seed(s)
        s.add(ChatLink(chat_id=-1001234567890, agency_id="vp-ubnd", linked_at=linked,
                       linked_by="code"))
        s.add(LinkCode(code_hash="ab" * 32, agency_id="vp-ubnd", created_at=linked,
                       expires_at=linked + dt.timedelta(hours=48)))
        s.commit()
    with session(eng) as s:
        link = s.get(ChatLink, ("telegram", "-1001234567890"))
        assert link is not None and link.agency_id == "vp-ubnd"
        assert utc(link.linked_at) == linked
        agency = s.get(Agency, "vp-ubnd")
        assert agency.telegram_chat_ids == [-1001234567890]
        assert agency.emails == ["a@example.org"]


def test_urls():
    assert normalize_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(ConfigError):
        normalize_url("mysql://u@h/db")
    with pytest.raises(ConfigError):
        normalize_url("not a url")


def test_unreachable_database_is_a_config_error(tmp_path):
    from engine.storage.db import upgrade

    eng = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite'}")
    with pytest.raises(ConfigError):
        upgrade(eng)
