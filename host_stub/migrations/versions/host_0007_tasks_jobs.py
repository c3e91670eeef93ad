"""Background tasks with progress and periodic jobs.

Revision ID: host_0007
Revises: host_0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "host_0007"
down_revision = "host_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("result_message", sa.Text(), nullable=True),
        sa.Column("result_endpoint", sa.String(length=200), nullable=True),
        sa.Column("result_args", sa.Text(), nullable=True),
        sa.Column("result_filename", sa.String(length=255), nullable=True),
        sa.Column("result_content_type", sa.String(length=120), nullable=True),
        sa.Column("result_data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by_user_id", sa.Integer(), sa.ForeignKey("host_users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_tasks")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "host_jobs",
        sa.Column("module_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("next_due", sa.DateTime(), nullable=True),
        sa.Column("running_since", sa.DateTime(), nullable=True),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_duration_ms", sa.Integer(), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("module_id", "name", name=op.f("pk_host_jobs")),
    )


def downgrade() -> None:
    op.drop_table("host_jobs")
    op.drop_table("host_tasks")
