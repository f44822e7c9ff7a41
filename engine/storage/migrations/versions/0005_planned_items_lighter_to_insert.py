"""planned items lighter to insert

A national plan inserts millions of planned items, and PostgreSQL does the work of every index
and foreign key of each row while the planner computes the next ones (measured: the server, not
the planner, set the pace). So:

- the duty and report-obligation foreign keys go (each was one lookup per inserted row); what
  they did on delete (a duty or an obligation deleted takes its items with it) is done by the code
  that deletes them (`engine.tracking.duties.sync_duties`,
  `engine.tracking.plan_store._store_reports`);
- the obligation index covers only the items that have one (a few percent of them);
- the plan index covers only the items without a duty (report items, the Sở Nội vụ's notices),
  the ones read by plan; a duty's items are read by duty.

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_FKS = (("duty_id", "duty"), ("obligation_id", "reportobligation"))
# SQLite's constraints have no names: batch mode rebuilds the table and names them this way.
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_PARTIAL = (("ix_planned_obligation", "obligation_id", "obligation_id IS NOT NULL"),
            ("ix_planned_plan", "plan_id", "duty_id IS NULL"))


def _where(condition: str) -> dict:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table("planneditem", naming_convention=_SQLITE_NAMES) as batch_op:
            for column, table in _FKS:
                batch_op.drop_constraint(f"fk_planneditem_{column}_{table}", type_="foreignkey")
    else:
        for column, _ in _FKS:
            op.drop_constraint(f"planneditem_{column}_fkey", "planneditem", type_="foreignkey")
    for name, column, condition in _PARTIAL:
        op.drop_index(name, table_name="planneditem")
        op.create_index(name, "planneditem", [column], **_where(condition))


def downgrade() -> None:
    # Items whose duty or obligation is gone would break the restored keys.
    op.execute("DELETE FROM planneditem WHERE duty_id IS NOT NULL AND duty_id NOT IN "
               "(SELECT id FROM duty)")
    op.execute("DELETE FROM planneditem WHERE obligation_id IS NOT NULL AND obligation_id NOT IN"
               " (SELECT id FROM reportobligation)")
    for name, column, _ in _PARTIAL:
        op.drop_index(name, table_name="planneditem")
        op.create_index(name, "planneditem", [column])
    with op.batch_alter_table("planneditem", schema=None) as batch_op:
        for column, table in _FKS:
            batch_op.create_foreign_key(f"planneditem_{column}_fkey", table, [column], ["id"],
                                        ondelete="CASCADE")
