"""Document store and Kleinstammdaten.

Revision ID: host_0002
Revises: host_0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "host_0002"
down_revision = "host_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_document_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_host_document_blobs")),
    )
    op.create_table(
        "host_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_type", sa.String(length=40), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["host_document_blobs.sha256"], name=op.f("fk_host_documents_sha256_host_document_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_documents")),
    )
    op.create_index("ix_host_documents_party", "host_documents", ["party_type", "party_id"])
    op.create_table(
        "host_masterdata",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_masterdata")),
        sa.UniqueConstraint("kind", "label", name="uq_host_masterdata_kind_label"),
    )
    op.create_index(op.f("ix_host_masterdata_kind"), "host_masterdata", ["kind"])


def downgrade() -> None:
    op.drop_index(op.f("ix_host_masterdata_kind"), table_name="host_masterdata")
    op.drop_table("host_masterdata")
    op.drop_index("ix_host_documents_party", table_name="host_documents")
    op.drop_table("host_documents")
    op.drop_table("host_document_blobs")
