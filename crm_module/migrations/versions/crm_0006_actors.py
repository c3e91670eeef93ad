"""Who did it: the user of each merge, undo and erasure, and a log of conversions with their user.

The user's id refers to ``host_users`` (SET NULL: the name stays for the history).

Revision ID: crm_0006
Revises: crm_0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0006"
down_revision = "crm_0005"
branch_labels = None
depends_on = None

#: table -> the verbs whose ``<verb>_by_id`` / ``<verb>_by_name`` columns are added.
ACTOR_COLUMNS = {"crm_merges": ("merged", "undone"), "crm_erasures": ("erased",)}


def upgrade() -> None:
    for table, verbs in ACTOR_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for verb in verbs:
                batch.add_column(sa.Column(f"{verb}_by_id", sa.Integer(), nullable=True))
                batch.add_column(sa.Column(f"{verb}_by_name", sa.String(length=200), nullable=False,
                                           server_default=""))
                batch.create_foreign_key(op.f(f"fk_{table}_{verb}_by_id_host_users"), "host_users",
                                         [f"{verb}_by_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "crm_conversions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("converted_at", sa.DateTime(), nullable=False),
        sa.Column("converted_by_id", sa.Integer(), nullable=True),
        sa.Column("converted_by_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["crm_parties.id"], name=op.f("fk_crm_conversions_party_id_crm_parties"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["converted_by_id"], ["host_users.id"],
                                name=op.f("fk_crm_conversions_converted_by_id_host_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_conversions")),
    )
    op.create_index(op.f("ix_crm_conversions_party_id"), "crm_conversions", ["party_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crm_conversions_party_id"), table_name="crm_conversions")
    op.drop_table("crm_conversions")
    for table, verbs in ACTOR_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for verb in verbs:
                batch.drop_constraint(op.f(f"fk_{table}_{verb}_by_id_host_users"), type_="foreignkey")
                batch.drop_column(f"{verb}_by_name")
                batch.drop_column(f"{verb}_by_id")
