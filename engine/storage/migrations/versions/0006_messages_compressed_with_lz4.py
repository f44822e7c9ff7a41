"""stored messages compressed with lz4 (PostgreSQL)

A notification keeps the message it carried (`payload`), which a retry sends again. The Steering
Committee's weekly digest lists everything late: at national scale a payload of several
megabytes, which PostgreSQL compresses as it stores it (TOAST). Its default method, pglz, took
0.22 s for an 8.5 MB digest; lz4 takes 0.10 s. Only values written from now on are compressed
this way; older ones read as before.

A server built without lz4 refuses the method: the column then keeps pglz (nothing else
depends on it). SQLite: nothing to do.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                f"ALTER TABLE notification ALTER COLUMN payload SET COMPRESSION {method}")
    except DBAPIError:  # "compression method lz4 not supported": the server's default stays
        pass


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("default")
