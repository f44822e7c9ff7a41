"""message records without foreign keys

A wake-up inserts a notification per message, a notification item per line it carries and a
delivery attempt per send, and each foreign key of those rows is one more lookup per row. On
PostgreSQL the lookup also locks the row it finds (FOR KEY SHARE), which writes to that row's
page: a day's planned items, scattered over the year's table, each had a page rewritten, and
after the server's checkpoint each such page went whole into the write-ahead log. Measured on a
national database: a median day's wake-up (821 messages) spent about a tenth of its time there.

The dispatcher writes those rows from the items, agencies and notifications it has just read or
inserted, and nothing deletes agencies or notifications. Planned items are deleted only by
`engine.planning.plan_table.delete_items_of` (a duty or report obligation deleted on re-import),
which now deletes their notification items first, as the cascade did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (table, column, referred table, on delete)
_FKS = (
    ("notification", "recipient_id", "agency", None),
    ("notificationitem", "notification_id", "notification", "CASCADE"),
    ("notificationitem", "item_id", "planneditem", "CASCADE"),
    ("deliveryattempt", "notification_id", "notification", "CASCADE"),
)
# SQLite's constraints have no names: batch mode rebuilds the table and names them this way.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in dict.fromkeys(t for t, *_ in _FKS):
        keys = [(c, r) for t, c, r, _ in _FKS if t == table]
        if sqlite:
            with op.batch_alter_table(table, naming_convention=_SQLITE_NAMES) as batch_op:
                for column, referred in keys:
                    batch_op.drop_constraint(f"fk_{table}_{column}_{referred}",
                                             type_="foreignkey")
        else:
            for column, _ in keys:
                op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")


def downgrade() -> None:
    # Links whose planned item is gone would break the restored key (none should exist).
    op.execute("DELETE FROM notificationitem WHERE item_id NOT IN (SELECT id FROM planneditem)")
    for table in dict.fromkeys(t for t, *_ in _FKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, column, referred, ondelete in _FKS:
                if t == table:
                    batch_op.create_foreign_key(f"{table}_{column}_fkey", referred, [column],
                                                ["id"], ondelete=ondelete)
