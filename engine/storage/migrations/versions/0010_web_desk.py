"""the web desk: officers' accounts, agencies' personal links, evidence files, plan drafts,
explanations' proposed dates, closed plans

- ``webuser``: an officer's login (Argon2 hash, role admin | viewer).
- ``agencylink``: the per-agency nonce the personal link's signature covers; a new nonce
  (rotation) invalidates the old link at once.
- ``evidence``: a file attached to a completion (stored under the data directory with a
  generated name; the name it was uploaded with is kept for display only).
- ``plandraft``: a parsed plan under review on the desk, before it is imported.
- ``explanationanswer.proposed_due``: the new date an agency proposes in its explanation.
- ``plan.closed_at``: a closed plan's items stop escalating (`engine.tracking.closing`).
- ``ix_explanationrequest_agency``: an agency's page reads its explanation requests (a national
  database holds tens of thousands; read by scanning them all, they were most of the page).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webuser",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("login", name="uq_webuser_login"),
    )
    op.create_table(
        "agencylink",
        sa.Column("agency_id", sa.String(length=64), sa.ForeignKey("agency.id"),
                  primary_key=True),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("rotated_at", _TZ, nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("completion_id", sa.Integer(),
                  sa.ForeignKey("completion.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", _TZ, nullable=False),
        sa.UniqueConstraint("stored_name", name="uq_evidence_stored_name"),
    )
    op.create_index("ix_evidence_completion_id", "evidence", ["completion_id"])
    op.create_table(
        "plandraft",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
    )
    with op.batch_alter_table("explanationanswer") as batch_op:
        batch_op.add_column(sa.Column("proposed_due", sa.Date(), nullable=True))
    with op.batch_alter_table("plan") as batch_op:
        batch_op.add_column(sa.Column("closed_at", _TZ, nullable=True))
    op.create_index("ix_explanationrequest_agency", "explanationrequest", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_explanationrequest_agency", table_name="explanationrequest")
    with op.batch_alter_table("plan") as batch_op:
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("explanationanswer") as batch_op:
        batch_op.drop_column("proposed_due")
    op.drop_table("plandraft")
    op.drop_index("ix_evidence_completion_id", table_name="evidence")
    op.drop_table("evidence")
    op.drop_table("agencylink")
    op.drop_table("webuser")
