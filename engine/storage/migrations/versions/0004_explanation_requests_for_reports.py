"""explanation requests for reports

A periodic report late by more than the policy's working days sends an explanation request
(giải trình) like a task deadline does; it is recorded against its report obligation. A request
is about a deadline or a report obligation, exactly one of them (a CHECK constraint), and is
unique per (obligation, agency) as per (deadline, agency). Existing requests are all about
deadlines and stay as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The same text as engine.storage.models.EXPLANATION_SUBJECT (a revision does not import the
# models, which move on after it).
_ONE_SUBJECT = ("(deadline_id IS NOT NULL AND obligation_id IS NULL) OR "
                "(deadline_id IS NULL AND obligation_id IS NOT NULL)")
# PostgreSQL's own name for the key, given on SQLite too so the downgrade finds it on both.
_FK = "explanationrequest_obligation_id_fkey"


def upgrade() -> None:
    with op.batch_alter_table("explanationrequest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obligation_id", sa.Integer(), nullable=True))
        batch_op.alter_column("deadline_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(_FK, "reportobligation", ["obligation_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.create_unique_constraint("uq_explanation_obligation",
                                          ["obligation_id", "agency_id"])
        batch_op.create_check_constraint("ck_explanation_subject", _ONE_SUBJECT)


def downgrade() -> None:
    # Requests about reports have no place in the older schema (their answers go with them).
    op.execute("DELETE FROM explanationrequest WHERE obligation_id IS NOT NULL")
    with op.batch_alter_table("explanationrequest", schema=None) as batch_op:
        batch_op.drop_constraint("ck_explanation_subject", type_="check")
        batch_op.drop_constraint("uq_explanation_obligation", type_="unique")
        batch_op.drop_constraint(_FK, type_="foreignkey")
        batch_op.drop_column("obligation_id")
        batch_op.alter_column("deadline_id", existing_type=sa.Integer(), nullable=False)
