"""Alembic: a database made by the first schema, with data in it, upgraded to the head revision
loses nothing (rows of tables that refer to a table SQLite rebuilds included), and ends exactly at
the models' schema. Revision 0004 keeps the explanation requests already recorded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from engine.storage.db import alembic_config, current_revision, make_engine, upgrade

ROWS = [
    "INSERT INTO agency (id, name, kind, reports, emails, telegram_chat_ids) VALUES "
    "('vp-ubnd', 'Văn phòng UBND tỉnh', 'provincial_body', true, '[\"a@example.org\"]', '[]')",
    "INSERT INTO plan (id, number, year, report_day, imported_at, updated_at) VALUES "
    "(1, '196/KH-UBND', 2025, 18, '2025-01-01 00:00:00+00:00', '2025-01-01 00:00:00+00:00')",
    "INSERT INTO task (id, plan_id, group_name, code, leaf, position, title, lead, support, "
    "kind, warnings, removed) VALUES (1, 1, 'Cải cách TTHC', '1.1', true, 0, 'Ban hành', "
    "'[\"Văn phòng UBND tỉnh\"]', '[]', 'fixed', '[]', false)",
    "INSERT INTO deadline (id, task_id, due, label, source, active) VALUES "
    "(1, 1, '2025-01-24', 'Tháng 01/2025', 'plan', true)",
    "INSERT INTO duty (id, deadline_id, agency_id, role) VALUES (1, 1, 'vp-ubnd', 'lead')",
    "INSERT INTO completion (id, deadline_id, agency_id, completed_on, document_no, recorded_at)"
    " VALUES (1, 1, 'vp-ubnd', '2025-01-22', '12/KH-UBND', '2025-01-22 03:00:00+00:00')",
    "INSERT INTO planneditem (id, key, kind, reason, recipient_id, send_on, plan_id, duty_id, "
    "state) VALUES (1, 'late/1/vp-ubnd', 'agency_digest', 'late', 'vp-ubnd', '2025-02-03', 1, "
    "1, 'cancelled')",
    "INSERT INTO chatlink (chat_id, agency_id, linked_at) VALUES "
    "(-1001234567890, 'vp-ubnd', '2025-01-02 01:00:00+00:00')",
    # Which item went in which message: notificationitem refers to planneditem, the table
    # revision 0003 rebuilds on SQLite.
    "INSERT INTO notification (id, key, kind, channel, recipient_id, slot_on, at, payload, "
    "state, claimed_at, attempts) VALUES (1, 'agency_digest/vp-ubnd/email/2025-02-03', "
    "'agency_digest', 'email', 'vp-ubnd', '2025-02-03', '2025-02-03 01:00:00+00:00', '{}', "
    "'sent', '2025-02-03 01:00:00+00:00', 1)",
    "INSERT INTO notificationitem (id, notification_id, item_id, channel) VALUES "
    "(1, 1, 1, 'email')",
    "INSERT INTO reportperiod (id, plan_id, name, cutoff_from, cutoff_to, deadline, position) "
    "VALUES (1, 1, 'Quý I', '2024-12-15', '2025-03-14', '2025-03-18', 0)",
    "INSERT INTO reportobligation (id, period_id, agency_id) VALUES (1, 1, 'vp-ubnd')",
]
# A request about the task's deadline and the agency's answer, as revision 0003 stored them;
# explanationanswer refers to explanationrequest, the table revision 0004 rebuilds on SQLite.
EXPLANATION_ROWS = [
    "INSERT INTO explanationrequest (id, deadline_id, agency_id, requested_on, recorded_at) "
    "VALUES (1, 1, 'vp-ubnd', '2025-02-17', '2025-02-17 01:00:00+00:00')",
    "INSERT INTO explanationanswer (id, request_id, answered_on, text, document_no, "
    "recorded_at) VALUES (1, 1, '2025-02-20', 'Chậm do chờ ý kiến các sở', '45/BC-VP', "
    "'2025-02-20 03:00:00+00:00')",
]
HEAD = "0012"


def _head(engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def test_upgrade_from_the_first_schema_keeps_the_data(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "ix_planned_plan" not in {i["name"] for i in inspect(engine).get_indexes(
        "planneditem")}
    with engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    upgrade(engine)
    assert current_revision(engine) == _head(engine) == HEAD
    assert "ix_planned_plan" in {i["name"] for i in inspect(engine).get_indexes("planneditem")}
    with engine.connect() as conn:
        doc, day = conn.execute(text("SELECT document_no, completed_on FROM completion")).one()
        assert (doc, str(day)) == ("12/KH-UBND", "2025-01-22")
        assert conn.execute(text("SELECT key, state FROM planneditem")).one() == (
            "late/1/vp-ubnd", "cancelled")
        # 0009: a Telegram link keyed by channel and chat id, the id kept as its decimal text.
        assert conn.execute(text("SELECT channel, chat_id FROM chatlink")).one() == (
            "telegram", "-1001234567890")
        assert conn.execute(text("SELECT label FROM deadline")).scalar() == "Tháng 01/2025"
        assert conn.execute(text("SELECT notification_id, item_id FROM notificationitem")
                            ).one() == (1, 1)
        for table in ("agency", "plan", "task", "duty", "reportobligation"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
        # 0011: a report period may have no data cut-off window.
        columns = {c["name"]: c for c in inspect(conn).get_columns("reportperiod")}
        assert columns["cutoff_from"]["nullable"] and columns["cutoff_to"]["nullable"]
        # The upgraded schema is exactly the models' schema: no drift.
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
        # 0005: planned items carry no foreign key, two of their indexes are partial.
        assert inspect(conn).get_foreign_keys("planneditem") == []
        assert _index_sql(conn, "ix_planned_obligation").endswith(
            "WHERE obligation_id IS NOT NULL")
        assert _index_sql(conn, "ix_planned_plan").endswith("WHERE duty_id IS NULL")
        assert "WHERE" not in _index_sql(conn, "ix_planned_due")
        # 0006: on PostgreSQL, stored messages are compressed with lz4 (this server has it).
        if conn.dialect.name == "postgresql":
            assert conn.execute(text(
                "SELECT attcompression FROM pg_attribute WHERE attname = 'payload' "
                "AND attrelid = 'notification'::regclass")).scalar() == "l"
    upgrade(engine)  # running it again changes nothing
    assert current_revision(engine) == HEAD
    engine.dispose()


def _index_sql(conn, name: str) -> str:
    if conn.dialect.name == "sqlite":
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name})
    else:
        sql = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n "
                                "AND schemaname = current_schema()"), {"n": name})
    return " ".join(sql.scalar_one().replace("(", " ").replace(")", " ").split())


def test_0004_keeps_explanation_requests_and_takes_report_ones(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        for sql in ROWS + EXPLANATION_ROWS:
            conn.execute(text(sql))
    upgrade(engine, "0004")
    assert current_revision(engine) == "0004"
    with engine.connect() as conn:
        # The request about the deadline is kept, about no report; its answer stays with it.
        *row, day = conn.execute(text(
            "SELECT id, deadline_id, obligation_id, agency_id, requested_on "
            "FROM explanationrequest")).one()
        assert (row, str(day)) == ([1, 1, None, "vp-ubnd"], "2025-02-17")
        assert conn.execute(text("SELECT request_id, text, document_no FROM explanationanswer")
                            ).one() == (1, "Chậm do chờ ý kiến các sở", "45/BC-VP")
    insert = ("INSERT INTO explanationrequest (id, deadline_id, obligation_id, agency_id, "
              "requested_on, recorded_at) VALUES (:id, :d, :o, 'vp-ubnd', '2025-04-02', "
              "'2025-04-02 01:00:00+00:00')")
    with engine.begin() as conn:  # a request about the report obligation
        conn.execute(text(insert), {"id": 2, "d": None, "o": 1})
    # Exactly one subject, and one request per obligation and agency.
    for bad in ({"id": 3, "d": 1, "o": 1}, {"id": 3, "d": None, "o": None},
                {"id": 3, "d": None, "o": 1}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(insert), bad)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, deadline_id, obligation_id FROM explanationrequest "
                                 "ORDER BY id")).all() == [(1, 1, None), (2, None, 1)]
    engine.dispose()


def test_cli_db_upgrade(tmp_path):
    env = {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    first = subprocess.run([sys.executable, "-m", "engine.cli", "db", "upgrade"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert f"(trống) → {HEAD}" in first.stdout
    second = subprocess.run([sys.executable, "-m", "engine.cli", "db", "upgrade"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert f"{HEAD} → {HEAD}" in second.stdout
    env["NHACVIEC_DATABASE_URL"] = "mysql://nobody@localhost/x"
    bad = subprocess.run([sys.executable, "-m", "engine.cli", "db", "upgrade"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 3 and "Traceback" not in bad.stderr
