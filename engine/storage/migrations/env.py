"""Alembic environment. The engine (or an open connection) is always handed over by
`engine.storage.db.upgrade` (`nhacviec db upgrade`, or any start of the engine); the settings
are read there, so this package never reads them itself."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import engine.storage.models  # noqa: F401 - registers the tables on the metadata

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables when a revision needs it.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    eng = config.attributes.get("engine")
    if eng is None:
        raise SystemExit("migrations run through `nhacviec db upgrade`, which gives the database")
    with eng.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
