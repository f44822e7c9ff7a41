"""engine.storage.bulk: `in_ids` (one bound parameter for any number of ids) and the fast inserts,
on
both databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from engine.storage.bulk import bulk_insert_values, in_ids
from engine.storage.db import get_engine, session
from engine.storage.models import PlannedItem

COLUMNS = ("key", "kind", "reason", "recipient_id", "send_on", "task_id", "state")


def _fill(url: str, n: int) -> None:
    with session(get_engine(url)) as s:
        bulk_insert_values(s, PlannedItem.__table__, COLUMNS, [
            (f"k{i:06d}", "agency_digest", "reminder", "cq", dt.date(2025, 1, 2), i % 7,
             "pending") for i in range(1, n + 1)])
        s.commit()


def test_in_ids_selects_exactly_the_ids_given(db_url):
    _fill(db_url, 50)
    with session(get_engine(db_url)) as s:
        got = s.scalars(select(PlannedItem.key).where(in_ids(PlannedItem.id, [3, 5, 49, 999])))
        assert sorted(got) == ["k000003", "k000005", "k000049"]
        assert list(s.scalars(select(PlannedItem.id).where(in_ids(PlannedItem.id, [])))) == []
        # A generator and a set are fine too (the ids are read once).
        assert sorted(s.scalars(select(PlannedItem.id).where(
            in_ids(PlannedItem.id, (i for i in (1, 2)))))) == [1, 2]


def test_in_ids_keeps_its_column_apart_in_the_statement_cache(db_url):
    """Two statements that differ only by the column must not share a compiled form."""
    _fill(db_url, 20)
    with session(get_engine(db_url)) as s:
        by_id = sorted(s.scalars(select(PlannedItem.id).where(in_ids(PlannedItem.id, [6]))))
        by_task = sorted(s.scalars(select(PlannedItem.id).where(
            in_ids(PlannedItem.task_id, [6]))))
    assert by_id == [6]
    assert by_task == [6, 13, 20]  # task_id = id % 7


def test_in_ids_takes_more_ids_than_a_driver_takes_parameters(db_url):
    """PostgreSQL refuses more than 65,535 bound parameters in one statement: a national
    catch-up holds far more ids. One parameter carries them all."""
    _fill(db_url, 70_000)
    ids = list(range(1, 70_001))
    with session(get_engine(db_url)) as s:
        s.connection().execute(update(PlannedItem).where(in_ids(PlannedItem.id, ids[::2]))
                               .values(state="done"))
        s.commit()
        done = s.scalar(select(PlannedItem.id).where(PlannedItem.state == "done")
                        .order_by(PlannedItem.id.desc()).limit(1))
        count = len(list(s.scalars(select(PlannedItem.id).where(in_ids(PlannedItem.id, ids)))))
    assert done == 69_999
    assert count == 70_000


def test_in_ids_reaches_postgresqls_planner_as_a_constant_array(pg_url):
    """The ids are the statement's bigint[] parameter itself, not text cast at run time: the
    planner then sees the array (its length for estimates, a hashed lookup), where a cast
    expression sent a 70,000-row table through a sequential scan searching the whole list
    for every row (minutes instead of a second)."""
    _fill(pg_url, 30)
    engine = get_engine(pg_url)
    with engine.connect() as c:
        @event.listens_for(c, "before_cursor_execute", retval=True)
        def explain(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
            return "EXPLAIN " + statement, parameters

        plan = "\n".join(r[0] for r in c.execute(
            select(PlannedItem.id).where(in_ids(PlannedItem.id, [3, 5, 8]))))
    assert "'{3,5,8}'::bigint[]" in plan, plan


def test_bulk_insert_raises_sqlalchemys_integrity_error_and_keeps_nothing(db_url):
    _fill(db_url, 3)
    engine = get_engine(db_url)
    with pytest.raises(IntegrityError), session(engine) as s, s.begin():
        bulk_insert_values(s, PlannedItem.__table__, COLUMNS, [
            ("new", "agency_digest", "reminder", "cq", dt.date(2025, 1, 2), 1, "pending"),
            ("k000002", "agency_digest", "reminder", "cq", dt.date(2025, 1, 2), 1, "pending")])
    with session(engine) as s:
        assert sorted(s.scalars(select(PlannedItem.key))) == ["k000001", "k000002", "k000003"]


def test_json_values_are_written_as_given(db_url):
    """Lists of strings are remembered once dumped; values that are equal in Python but not in
    JSON (1 and True) are not confused."""
    values = [[1], [True], ["a", "b"], ["a", "b"], [], {"x": [1, True]}, ["á", "b"]]
    rows = [(f"k{i}", "monitor_list", "needs_due", "so-noi-vu", dt.date(2025, 1, 2), "pending", v)
            for i, v in enumerate(values)]
    with session(get_engine(db_url)) as s:
        bulk_insert_values(s, PlannedItem.__table__, (*COLUMNS[:5], "state", "detail"), rows)
        s.commit()
        got = dict(s.execute(select(PlannedItem.key, PlannedItem.detail)).all())
    # Compared as JSON: in Python 1 == True, and [1] == [True].
    assert [json.dumps(got[f"k{i}"]) for i in range(len(values))] == [json.dumps(v)
                                                                         for v in values]
