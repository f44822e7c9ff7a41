"""index planned items by plan

A re-import re-plans one plan: it reads and cancels that plan's planned items, which without
this index is a scan of every item of every plan (1.7 M rows at national scale).

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("planneditem", schema=None) as batch_op:
        batch_op.create_index("ix_planned_plan", ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("planneditem", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_plan")
