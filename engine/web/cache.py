"""Pages computed from the whole database (the status table of 3,500 agencies, a day's send
preview) kept while the database has not changed.

The database's version is read for each request, cheaply and without trusting any clock: on
SQLite (WAL mode) the size and modification time of the database file and of its write-ahead
log, which every commit changes; on PostgreSQL the server's write-ahead log position
(`pg_current_wal_lsn()`), which every write moves. A cached value is used only while that
version is the one it was computed at; anything written anywhere (a completion through the
desk, the bot or the CLI, a wake-up, an import) makes the next request compute afresh. Other
databases: nothing is cached.

`recent` serves the pages that take seconds on a national database (the overview's status
table of 3,500 agencies): when the database has changed since the kept value was computed and
computing it took longer than `SLOW` (a province's table takes a few dozen milliseconds: it is
always computed afresh), the kept value is served at once, marked with the time it was computed
and as being brought up to date, while one background thread computes the new one (never
silent: the page says so).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

MAX_ENTRIES = 64
SLOW = 1.0  # seconds: a value computed faster is computed afresh rather than served kept
log = logging.getLogger("nhacviec.web")


@dataclass(frozen=True)
class Kept:
    value: Any
    at: dt.datetime  # when it was computed
    fresh: bool  # computed at the database's current version


def database_version(engine: Engine) -> Hashable | None:
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            return None
        out = []
        for name in (path, f"{path}-wal"):
            try:
                st = os.stat(name)
            except FileNotFoundError:
                out.append(None)
                continue
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(out)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar())
    return None


class PageCache:
    def __init__(self, engine: Engine, max_entries: int = MAX_ENTRIES) -> None:
        self.engine = engine
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._at: dict[Hashable, dt.datetime] = {}
        self._took: dict[Hashable, float] = {}  # seconds the last computation of a key took
        self._refreshing: set[Hashable] = set()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        version = database_version(self.engine)
        if version is not None:
            with self._lock:
                got = self._values.get(key)
                if got is not None and got[0] == version:
                    self._values.move_to_end(key)
                    self.hits += 1
                    return got[1]
        self.misses += 1
        value = self._compute(key, compute)
        self._keep(key, version, value)
        return value

    def _compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = compute()
        self._took[key] = time.perf_counter() - started
        return value

    def _keep(self, key: Hashable, version: Hashable | None, value: Any) -> None:
        if version is None:
            return
        # The version read before computing: a write meanwhile makes the next request compute
        # again; a value is never kept under a newer version than it was computed at.
        with self._lock:
            self._values[key] = (version, value)
            self._at[key] = dt.datetime.now(dt.UTC)
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                old, _ = self._values.popitem(last=False)
                self._at.pop(old, None)

    def recent(self, key: Hashable, compute: Callable[[], Any]) -> Kept:
        """The value for `key`: kept and current, or (the database changed since) the kept one
        while a background thread computes the current one; computed now when none is kept.
        `compute` opens its own database session (it may run in another thread)."""
        version = database_version(self.engine)
        with self._lock:
            got = self._values.get(key)
            at = self._at.get(key)
            if got is not None and got[0] == version and version is not None:
                self.hits += 1
                return Kept(got[1], at, True)
            if got is not None and version is not None and self._took.get(key, 0) >= SLOW:
                if key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(target=self._refresh, args=(key, version, compute),
                                     daemon=True, name="nhacviec-page-cache").start()
                self.hits += 1
                return Kept(got[1], at, False)
        self.misses += 1
        value = self._compute(key, compute)
        self._keep(key, version, value)
        return Kept(value, self._at.get(key) or dt.datetime.now(dt.UTC), True)

    def _refresh(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> None:
        try:
            self._keep(key, version, self._compute(key, compute))
            self.misses += 1
        except Exception:  # the next request tries again; the kept value stays
            log.exception("web desk: recomputing %r failed", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)
