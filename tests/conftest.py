"""Shared fixtures: databases.

- `sqlite_url`: a fresh SQLite file in the test's temporary directory.
- `pg_url`: the PostgreSQL server of NHACVIEC_TEST_PG_URL (default the local `test` database), in
  a fresh schema per test, dropped afterwards. When the server is unreachable the test is skipped
  with the reason shown — unless NHACVIEC_TEST_REQUIRE_PG=1 (CI), where it fails.
- `db_url`: both of the above, one after the other (parametrized), for engine tests that must
  hold on either database.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_base_url() -> str:
    return os.environ.get("NHACVIEC_TEST_PG_URL") or DEFAULT_PG_URL


def _pg_required() -> bool:
    return os.environ.get("NHACVIEC_TEST_REQUIRE_PG", "").strip() not in ("", "0")


def _psycopg_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = [f"host={u.host or '127.0.0.1'}", f"port={u.port or 5432}",
             f"dbname={u.database or 'test'}", f"user={u.username or 'postgres'}"]
    if u.password:
        parts.append(f"password={u.password}")
    return " ".join(parts)


@pytest.fixture(autouse=True, scope="session")
def _own_data_directory(tmp_path_factory):
    """The user data directory (the web desk's generated secret, default files) of every test
    and every command it runs is a temporary one, never the developer's."""
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


@pytest.fixture
def sqlite_url(tmp_path):
    yield f"sqlite:///{tmp_path / 'nhacviec.sqlite'}"
    from engine.storage.db import dispose_all

    dispose_all()


@pytest.fixture
def pg_url():
    import psycopg

    base = _pg_base_url()
    conninfo = _psycopg_conninfo(base)
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL unreachable at {base}: {str(exc).strip().splitlines()[0]}"
        if _pg_required():
            pytest.fail(f"NHACVIEC_TEST_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        from engine.storage.db import dispose_all

        dispose_all()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)
