"""chat links and link codes per channel; wrong link codes counted in the database

Zalo (issue 15) joins Telegram as a chat channel. Zalo's chat ids are strings where Telegram's
are integers, and one id may mean different chats on the two channels: a chat link is now keyed
by (channel, chat id), the chat id stored as text (a Telegram id keeps its decimal form, so
`-1001234567890` reads back as '-1001234567890'), and existing links are Telegram's. A link
code names the channel it was issued for. `linkattempt` holds the wrong link codes a chat sent
recently, so that the limit on guesses holds across processes and restarts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite cannot change a column's type or a primary key in place: the table is rebuilt
        # (SQLAlchemy warns that the rebuilt table's key differs from the old one: it should).
        with warnings.catch_warnings(), \
                op.batch_alter_table("chatlink", recreate="always") as batch_op:
            warnings.filterwarnings("ignore", "Table '_alembic_tmp_chatlink' specifies")
            batch_op.add_column(sa.Column("channel", _TEXT(length=16), nullable=False,
                                          server_default="telegram"))
            batch_op.alter_column("chat_id", type_=sa.String(length=64),
                                  existing_type=sa.BigInteger(), existing_nullable=False,
                                  autoincrement=False)
            batch_op.create_primary_key("pk_chatlink", ["channel", "chat_id"])
        with op.batch_alter_table("chatlink", recreate="always") as batch_op:
            batch_op.alter_column("channel", server_default=None)
        with op.batch_alter_table("linkcode", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("channel", _TEXT(length=16), nullable=False,
                                          server_default="telegram"))
            batch_op.alter_column("used_by_chat", type_=sa.String(length=64),
                                  existing_type=sa.BigInteger(), existing_nullable=True)
        with op.batch_alter_table("linkcode", recreate="always") as batch_op:
            batch_op.alter_column("channel", server_default=None)
    else:
        op.add_column("chatlink", sa.Column("channel", _TEXT(length=16), nullable=False,
                                            server_default="telegram"))
        op.alter_column("chatlink", "channel", server_default=None)
        op.alter_column("chatlink", "chat_id", type_=sa.String(length=64),
                        existing_type=sa.BigInteger(), existing_nullable=False,
                        postgresql_using="chat_id::text")
        op.drop_constraint("chatlink_pkey", "chatlink", type_="primary")
        op.create_primary_key("chatlink_pkey", "chatlink", ["channel", "chat_id"])
        op.add_column("linkcode", sa.Column("channel", _TEXT(length=16), nullable=False,
                                            server_default="telegram"))
        op.alter_column("linkcode", "channel", server_default=None)
        op.alter_column("linkcode", "used_by_chat", type_=sa.String(length=64),
                        existing_type=sa.BigInteger(), existing_nullable=True,
                        postgresql_using="used_by_chat::text")
    op.create_table(
        "linkattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", _TEXT(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_linkattempt_chat", "linkattempt", ["channel", "chat_id", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_linkattempt_chat", table_name="linkattempt")
    op.drop_table("linkattempt")
    # Only Telegram's links and codes fit the old integer columns.
    op.execute("DELETE FROM chatlink WHERE channel <> 'telegram'")
    op.execute("DELETE FROM linkcode WHERE channel <> 'telegram'")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table("chatlink", recreate="always") as batch_op:
            batch_op.drop_column("channel")
            batch_op.alter_column("chat_id", type_=sa.BigInteger(),
                                  existing_type=sa.String(length=64), existing_nullable=False)
            batch_op.create_primary_key("pk_chatlink", ["chat_id"])
        with op.batch_alter_table("linkcode", recreate="always") as batch_op:
            batch_op.drop_column("channel")
            batch_op.alter_column("used_by_chat", type_=sa.BigInteger(),
                                  existing_type=sa.String(length=64), existing_nullable=True)
        return
    op.drop_constraint("chatlink_pkey", "chatlink", type_="primary")
    op.drop_column("chatlink", "channel")
    op.alter_column("chatlink", "chat_id", type_=sa.BigInteger(),
                    existing_type=sa.String(length=64), existing_nullable=False,
                    postgresql_using="chat_id::bigint")
    op.create_primary_key("chatlink_pkey", "chatlink", ["chat_id"])
    op.drop_column("linkcode", "channel")
    op.alter_column("linkcode", "used_by_chat", type_=sa.BigInteger(),
                    existing_type=sa.String(length=64), existing_nullable=True,
                    postgresql_using="used_by_chat::bigint")
