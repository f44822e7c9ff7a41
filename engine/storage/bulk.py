"""Fast inserts of many rows inside the session's transaction.

A national-scale import writes millions of planned items; SQLAlchemy's ORM bulk path spends most
of its time building parameters. Here rows go straight to the driver on the session's own
connection (so they commit or roll back with everything else): PostgreSQL through COPY (psycopg
3), SQLite through one executemany. Values are converted the way the column types store them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Table, Text, bindparam, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, NullType, TypeDecorator
from sqlmodel import Session

SMALL = 200  # below this, the ordinary Core insert is as fast and simpler
# Ids per "IN (...)": well under every driver's limit on bound parameters (PostgreSQL: 65,535),
# which a catch-up after a long stop, or a national busiest day, would otherwise exceed.
IN_CHUNK = 5_000


def plain_rows(result) -> list:  # noqa: ANN001 - a SQLAlchemy Result
    """All rows of `result` as named tuples. An attribute of SQLAlchemy's Row costs 320 ns, of
    a named tuple 40 ns (measured, SQLAlchemy 2.1): a busy wake-up reads each of its tens of
    thousands of items a dozen times."""
    cls = _row_class(tuple(result.keys()))
    make = cls._make
    return [make(r) for r in result.all()]


_ROW_CLASSES: dict[tuple[str, ...], type] = {}


def _row_class(names: tuple[str, ...]) -> type:
    cls = _ROW_CLASSES.get(names)
    if cls is None:
        cls = _ROW_CLASSES[names] = namedtuple("PlainRow", names)  # noqa: PYI024
    return cls


def chunked(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


class _IdList(TypeDecorator):
    """A list of integer ids as ONE bound value: the text of a PostgreSQL array literal (cast to
    bigint[] in the statement), or JSON text for SQLite's json_each. The statement's text does
    not depend on how many ids there are, so it is compiled once (SQLAlchemy's cache) and no
    driver limit on bound parameters is ever reached. Text, not a list for psycopg to adapt:
    its array dumper is Python code, measured at 2.5x the cost of this join (59,000 ids)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):  # noqa: ANN001, ANN201
        # PostgreSQL: no "::VARCHAR" after the parameter. Its type is then the statement's
        # bigint[] (psycopg sends text as "unknown"), so a custom plan sees a constant array:
        # estimates and hashed lookups; cast from varchar, it would be an opaque expression
        # (measured: a sequential scan searching 35,000 ids per row, minutes).
        if dialect.name == "postgresql":
            return dialect.type_descriptor(NullType())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        return id_literal(value) if dialect.name == "postgresql" else json.dumps(
            [int(v) for v in value])


def id_literal(ids) -> str:  # noqa: ANN001
    """'{1,2,3}': integers only (int() refuses anything else), so nothing else can get in."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


class in_ids(ColumnElement):  # noqa: N801 - used like a function: in_ids(Model.id, ids)
    """`column IN (ids)` with one bound parameter, whatever the number of ids: on PostgreSQL
    ``column = ANY(:ids)``, on SQLite ``column IN (SELECT value FROM json_each(:ids))``."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # no "= 1" after it on SQLite (which would hide the index)

    def __init__(self, column, ids) -> None:  # noqa: ANN001
        self.column = column
        self.ids = bindparam(None, list(ids), type_=_IdList(), unique=True)

    # What the statement cache keys on: the column and the parameter's type (not its value).
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("ids", InternalTraversal.dp_clauseelement)]


@compiles(in_ids)
def _in_ids_sqlite(element: in_ids, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    return (f"{compiler.process(element.column, **kw)} IN "
            f"(SELECT value FROM json_each({compiler.process(element.ids, **kw)}))")


@compiles(in_ids, "postgresql")
def _in_ids_postgresql(element: in_ids, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(CAST({compiler.process(element.ids, **kw)} AS BIGINT[]))")


def sync_rows(s: Session, model: Any, have: dict[tuple, int], wanted: set[tuple],
              columns: Sequence[str]) -> None:
    """Make a table hold exactly the `wanted` keys (tuples of `columns`) where it held `have`
    (key -> row id): delete the rows no longer wanted, insert the missing ones in key order, so
    the same plan gets the same ids in every fresh database (stable message keys)."""
    gone = [row_id for key, row_id in have.items() if key not in wanted]
    if gone:
        s.execute(delete(model).where(in_ids(model.id, gone)))
    rows = [dict(zip(columns, key, strict=True)) for key in sorted(wanted) if key not in have]
    bulk_insert(s, model.__table__, rows)


def bulk_insert(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if len(rows) < SMALL:
        s.connection().execute(table.insert(), list(rows))
        return
    columns = list(rows[0].keys())
    getter = itemgetter(*columns)
    values = [getter(r) for r in rows] if len(columns) > 1 else [(getter(r),) for r in rows]
    bulk_insert_values(s, table, columns, values)


def bulk_insert_values(s: Session, table: Table, columns: Sequence[str],
                       values: list[tuple]) -> None:
    """Rows given as tuples in the order of `columns` (no dictionaries to build)."""
    if values:
        with streaming_insert(s, table, columns) as write:
            write(values)


@contextmanager
def streaming_insert(s: Session, table: Table, columns: Sequence[str]
                     ) -> Iterator[Callable[[list[tuple]], None]]:
    """`write(rows)` as often as needed, rows as tuples in the order of `columns`. On PostgreSQL
    one COPY stays open across the calls, so the server inserts (heap, indexes, foreign keys)
    while the caller computes the next rows — two cores at work instead of one taking turns.
    Nothing else may run on the session's connection before the block ends. SQLite: one
    executemany a call (a writer thread gains nothing there: measured, the sqlite3 module takes
    the global lock back after every row, so the two threads only take turns). A unique key
    taken raises SQLAlchemy's IntegrityError, as its own statements do."""
    conn = s.connection()
    dialect = conn.dialect.name
    converters = [(i, f) for i, c in enumerate(columns)
                  if (f := _converter(table.c[c].type, dialect)) is not None]

    def converted(rows: list[tuple]) -> list[tuple]:
        return [_convert(v, converters) for v in rows] if converters else rows

    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.dbapi_connection
    if dialect == "postgresql":
        sql = f'COPY "{table.name}" ({names}) FROM STDIN'
    else:
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    try:
        if dialect == "postgresql":
            with raw.cursor() as cur, cur.copy(sql) as cp:
                def write(rows: list[tuple]) -> None:
                    for v in converted(rows):
                        cp.write_row(v)

                yield write
            return
        cur = raw.cursor()
        try:
            yield lambda rows: cur.executemany(sql, converted(rows))
        finally:
            cur.close()
    except conn.dialect.loaded_dbapi.IntegrityError as e:
        raise IntegrityError(sql, None, e) from e


def _convert(v: tuple, converters: list) -> tuple:  # noqa: ANN001
    out = list(v)
    for i, f in converters:
        out[i] = f(out[i])
    return tuple(out)


def _json_dumper():  # noqa: ANN202
    """json.dumps, remembering lists of strings: a plan's tasks repeat the same lead and support
    mentions and mostly empty warning lists (a national import: 840,000 of them). Only strings:
    other values may be equal without the same JSON (1 == True)."""
    memo: dict[tuple[str, ...], str] = {}

    def dump(v: Any) -> str | None:
        if v is None:
            return None
        if type(v) is list and all(type(x) is str for x in v):
            key = tuple(v)
            got = memo.get(key)
            if got is None:
                got = memo[key] = json.dumps(v, ensure_ascii=False)
            return got
        return json.dumps(v, ensure_ascii=False)

    return dump


def _converter(type_, dialect: str):  # noqa: ANN001, ANN202
    if isinstance(type_, JSON):
        return _json_dumper()
    if dialect == "sqlite" and isinstance(type_, DateTime):
        # SQLAlchemy's SQLite storage format, in UTC (the models keep datetimes in UTC).
        return lambda v: None if v is None else v.astimezone(dt.UTC).strftime(
            "%Y-%m-%d %H:%M:%S.%f")
    if dialect == "sqlite" and isinstance(type_, Date):
        iso: dict[dt.date, str] = {}  # a plan's items share a few hundred days

        def day(v: dt.date | None) -> str | None:
            if v is None:
                return None
            text = iso.get(v)
            if text is None:
                text = iso[v] = v.isoformat()
            return text

        return day
    return None
