"""The status history: one row per status change of a prospect (``crm_status_changes``), so that a
change of many prospects at once is one INSERT … SELECT and stays on record.

Revision ID: crm_0005
Revises: crm_0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0005"
down_revision = "crm_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=120), nullable=False),
        sa.Column("new_status", sa.String(length=120), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_status_changes_party_id_crm_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_status_changes")),
    )
    op.create_index("ix_crm_status_changes_party_changed", "crm_status_changes", ["party_id", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_crm_status_changes_party_changed", table_name="crm_status_changes")
    op.drop_table("crm_status_changes")
