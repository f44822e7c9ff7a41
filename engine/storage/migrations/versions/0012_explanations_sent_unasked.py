"""explanations an agency sent without a request

Issue #17: `nhacviec explain` records an explanation (giải trình) an agency sent on its own,
before (or without) any request. Such an explanation hangs on a request row like every other,
marked `unsolicited`: the agency's page and the task's page do not call it asked for, and no
request is sent for that deadline afterwards.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("explanationrequest") as batch_op:
        batch_op.add_column(sa.Column("unsolicited", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("explanationrequest") as batch_op:
        batch_op.drop_column("unsolicited")
