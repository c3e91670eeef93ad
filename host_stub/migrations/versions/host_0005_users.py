"""Users and sign-in: the users table, sign-in failures (lock-out), and who installed a licence.

Revision ID: host_0005
Revises: host_0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "host_0005"
down_revision = "host_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_users")),
        sa.UniqueConstraint("login", name=op.f("uq_host_users_login")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "host_sign_in_failures",
        sa.Column("login", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_host_sign_in_failures")),
    )
    with op.batch_alter_table("host_licenses") as batch:
        batch.add_column(sa.Column("installed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("installed_by_name", sa.String(length=200), nullable=False, server_default=""))
        batch.create_foreign_key(op.f("fk_host_licenses_installed_by_id_host_users"), "host_users",
                                 ["installed_by_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("host_licenses") as batch:
        batch.drop_constraint(op.f("fk_host_licenses_installed_by_id_host_users"), type_="foreignkey")
        batch.drop_column("installed_by_name")
        batch.drop_column("installed_by_id")
    op.drop_table("host_sign_in_failures")
    op.drop_table("host_users")
