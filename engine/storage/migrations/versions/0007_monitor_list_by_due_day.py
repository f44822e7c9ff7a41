"""the Sở Nội vụ's list by due day

The Sở Nội vụ's list (3 working days after a deadline) was one planned item per lead duty and
report obligation: 350,000 rows in a national plan, each read, linked to its message and settled on
the day. It is now one marker per plan and due day, whose list is composed when it is sent
(`engine.dispatch.compose.Composer.monitor_late`), which reads a day's deadlines: an index on the
due day.

Items planned the old way stay valid (the dispatcher still composes them) until the plan is
planned again, which cancels them and plans its markers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deadline_on", "deadline", ["due"])


def downgrade() -> None:
    op.drop_index("ix_deadline_on", table_name="deadline")
