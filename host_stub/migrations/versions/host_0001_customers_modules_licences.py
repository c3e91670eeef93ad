"""Customers, number ranges, modules, licences and settings.

Revision ID: host_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "host_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("is_business", sa.Boolean(), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("salutation", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=20), nullable=False),
        sa.Column("address_addition", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column("vat_treatment", sa.String(length=30), nullable=False),
        sa.Column("vat_note", sa.String(length=200), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_customers")),
        sa.UniqueConstraint("number", name=op.f("uq_host_customers_number")),
    )
    op.create_index("ix_host_customers_company", "host_customers", ["company"])
    op.create_index("ix_host_customers_name", "host_customers", ["last_name", "first_name"])
    op.create_table(
        "host_licenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=50), nullable=False),
        sa.Column("licensee", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("signed_text", sa.Text(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_licenses")),
    )
    op.create_index(op.f("ix_host_licenses_module_id"), "host_licenses", ["module_id"])
    op.create_table(
        "host_modules",
        sa.Column("module_id", sa.String(length=50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("first_enabled_at", sa.DateTime(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("module_id", name=op.f("pk_host_modules")),
    )
    op.create_table(
        "host_number_ranges",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("prefix", sa.String(length=10), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_host_number_ranges")),
    )
    op.create_table(
        "host_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_host_settings")),
    )


def downgrade() -> None:
    op.drop_table("host_settings")
    op.drop_table("host_number_ranges")
    op.drop_table("host_modules")
    op.drop_index(op.f("ix_host_licenses_module_id"), table_name="host_licenses")
    op.drop_table("host_licenses")
    op.drop_index("ix_host_customers_name", table_name="host_customers")
    op.drop_index("ix_host_customers_company", table_name="host_customers")
    op.drop_table("host_customers")
