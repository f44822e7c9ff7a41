"""Pages computed from the whole database (the status table of 3,500 agencies, a day's send
preview) kept while the database has not changed.

The database's version is read for each request, cheaply and without trusting any clock: on
SQLite (WAL mode) the size and modification time of the database file and of its write-ahead
log, which every commit changes; on PostgreSQL the server's write-ahead log position
(`pg_current_wal_lsn()`), which every write moves. A cached value is used only while that
version is the one it was computed at; anything written anywhere (a completion through the
desk, the bot or the CLI, a wake-up, an import) makes the next request compute afresh. Other
databases: nothing is cached.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

MAX_ENTRIES = 64


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
        value = compute()
        if version is not None:
            # The version read before computing: a write meanwhile makes the next request
            # compute again, never keeps a value older than its version says.
            with self._lock:
                self._values[key] = (version, value)
                self._values.move_to_end(key)
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
        return value
