"""report periods without data cut-off windows

Issue #19: a plan states its report cycle as it wants; a yearly report "trước ngày 30 tháng 11
hằng năm" with no window and no citation of Nghị định 09/2019/NĐ-CP has no data cut-off window.
The window columns of `reportperiod` become nullable (a null window is shown as such, never
invented). Downgrading fills a missing window with the period's own deadline day.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reportperiod") as batch_op:
        batch_op.alter_column("cutoff_from", existing_type=sa.Date(), nullable=True)
        batch_op.alter_column("cutoff_to", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE reportperiod SET cutoff_from = deadline WHERE cutoff_from IS NULL")
    op.execute("UPDATE reportperiod SET cutoff_to = deadline WHERE cutoff_to IS NULL")
    with op.batch_alter_table("reportperiod") as batch_op:
        batch_op.alter_column("cutoff_from", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("cutoff_to", existing_type=sa.Date(), nullable=False)
