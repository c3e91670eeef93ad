"""Module file store: files a module keeps that belong to no party (templates, import files).

Revision ID: host_0006
Revises: host_0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "host_0006"
down_revision = "host_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=50), nullable=False),
        sa.Column("folder", sa.String(length=50), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("owner_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_files")),
        sa.UniqueConstraint("module_id", "folder", "filename", name="uq_host_files_module_id_folder_filename"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_host_files_owner", "host_files", ["module_id", "owner_key"])
    op.create_table(
        "host_file_contents",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["host_files.id"], name=op.f("fk_host_file_contents_file_id_host_files"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_host_file_contents")),
    )


def downgrade() -> None:
    op.drop_table("host_file_contents")
    op.drop_index("ix_host_files_owner", table_name="host_files")
    op.drop_table("host_files")
