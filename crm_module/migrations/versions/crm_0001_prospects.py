"""Prospects: parties with phones, contact persons, categories and custom fields; events,
follow-ups, mailing lists, the merge log and the erasure log.

Revision ID: crm_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_custom_fields",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_crm_custom_fields")),
    )
    op.create_table(
        "crm_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_erasures")),
    )
    op.create_table(
        "crm_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_crm_lists_name")),
    )
    op.create_table(
        "crm_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=120), nullable=False),
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
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column("vat_treatment", sa.String(length=30), nullable=False),
        sa.Column("vat_note", sa.String(length=200), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("expected_volume", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("custom_1", sa.String(length=255), nullable=True),
        sa.Column("custom_2", sa.String(length=255), nullable=True),
        sa.Column("custom_3", sa.String(length=255), nullable=True),
        sa.Column("custom_4", sa.String(length=255), nullable=True),
        sa.Column("custom_5", sa.String(length=255), nullable=True),
        sa.Column("custom_6", sa.String(length=255), nullable=True),
        sa.Column("custom_7", sa.String(length=255), nullable=True),
        sa.Column("custom_8", sa.String(length=255), nullable=True),
        sa.Column("custom_9", sa.String(length=255), nullable=True),
        sa.Column("custom_10", sa.String(length=255), nullable=True),
        sa.Column("custom_11", sa.String(length=255), nullable=True),
        sa.Column("custom_12", sa.String(length=255), nullable=True),
        sa.Column("custom_13", sa.String(length=255), nullable=True),
        sa.Column("custom_14", sa.String(length=255), nullable=True),
        sa.Column("custom_15", sa.String(length=255), nullable=True),
        sa.Column("custom_16", sa.String(length=255), nullable=True),
        sa.Column("custom_17", sa.String(length=255), nullable=True),
        sa.Column("custom_18", sa.String(length=255), nullable=True),
        sa.Column("custom_19", sa.String(length=255), nullable=True),
        sa.Column("custom_20", sa.String(length=255), nullable=True),
        sa.Column("sort_name", sa.String(length=300), nullable=False),
        sa.Column("city_key", sa.String(length=100), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("contact_count", sa.Integer(), nullable=False),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("next_followup_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["host_customers.id"], name=op.f("fk_crm_parties_customer_id_host_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["crm_parties.id"], name=op.f("fk_crm_parties_merged_into_id_crm_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_parties")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_crm_parties_customer_id")),
        sa.UniqueConstraint("number", name=op.f("uq_crm_parties_number")),
    )
    op.create_index(op.f("ix_crm_parties_merged_into_id"), "crm_parties", ["merged_into_id"])
    op.create_index("ix_crm_parties_role_city_key", "crm_parties", ["role", "city_key", "sort_name", "id"])
    op.create_index("ix_crm_parties_role_contact_count", "crm_parties", ["role", "contact_count", "sort_name", "id"])
    op.create_index("ix_crm_parties_role_email_key", "crm_parties", ["role", "email_key"])
    op.create_index("ix_crm_parties_role_last_contact_at", "crm_parties",
                    ["role", "last_contact_at", "sort_name", "id"])
    op.create_index("ix_crm_parties_role_next_followup_on", "crm_parties",
                    ["role", "next_followup_on", "sort_name", "id"])
    op.create_index("ix_crm_parties_role_sort_name", "crm_parties", ["role", "sort_name", "id"])
    op.create_index("ix_crm_parties_role_status_sort_name", "crm_parties", ["role", "status", "sort_name", "id"])
    op.create_table(
        "crm_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("salutation", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("function", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("mobile", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_contacts_party_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_contacts")),
    )
    op.create_index(op.f("ix_crm_contacts_party_id"), "crm_contacts", ["party_id"])
    op.create_table(
        "crm_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_events_party_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_events")),
    )
    op.create_index("ix_crm_events_party_kind_occurred", "crm_events", ["party_id", "kind", "occurred_at"])
    op.create_table(
        "crm_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_followups_party_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_followups")),
    )
    op.create_index("ix_crm_followups_party_due", "crm_followups", ["party_id", "due_on"])
    op.create_table(
        "crm_list_members",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["crm_lists.id"], name=op.f("fk_crm_list_members_list_id_crm_lists"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_list_members_party_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "party_id", name=op.f("pk_crm_list_members")),
    )
    op.create_index(op.f("ix_crm_list_members_party_id"), "crm_list_members", ["party_id"])
    op.create_table(
        "crm_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_ids", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["crm_parties.id"], name=op.f("fk_crm_merges_survivor_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_merges")),
    )
    op.create_index(op.f("ix_crm_merges_survivor_id"), "crm_merges", ["survivor_id"])
    op.create_table(
        "crm_party_categories",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_party_categories_party_id_crm_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("party_id", "category", name=op.f("pk_crm_party_categories")),
    )
    op.create_index("ix_crm_party_categories_category", "crm_party_categories", ["category", "party_id"])
    op.create_table(
        "crm_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("search_key", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["crm_parties.id"], name=op.f("fk_crm_phones_party_id_crm_parties"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_phones")),
    )
    op.create_index(op.f("ix_crm_phones_party_id"), "crm_phones", ["party_id"])
    op.create_index(op.f("ix_crm_phones_search_key"), "crm_phones", ["search_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crm_phones_search_key"), table_name="crm_phones")
    op.drop_index(op.f("ix_crm_phones_party_id"), table_name="crm_phones")
    op.drop_table("crm_phones")
    op.drop_index("ix_crm_party_categories_category", table_name="crm_party_categories")
    op.drop_table("crm_party_categories")
    op.drop_index(op.f("ix_crm_merges_survivor_id"), table_name="crm_merges")
    op.drop_table("crm_merges")
    op.drop_index(op.f("ix_crm_list_members_party_id"), table_name="crm_list_members")
    op.drop_table("crm_list_members")
    op.drop_index("ix_crm_followups_party_due", table_name="crm_followups")
    op.drop_table("crm_followups")
    op.drop_index("ix_crm_events_party_kind_occurred", table_name="crm_events")
    op.drop_table("crm_events")
    op.drop_index(op.f("ix_crm_contacts_party_id"), table_name="crm_contacts")
    op.drop_table("crm_contacts")
    op.drop_index("ix_crm_parties_role_status_sort_name", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_sort_name", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_next_followup_on", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_last_contact_at", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_email_key", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_contact_count", table_name="crm_parties")
    op.drop_index("ix_crm_parties_role_city_key", table_name="crm_parties")
    op.drop_index(op.f("ix_crm_parties_merged_into_id"), table_name="crm_parties")
    op.drop_table("crm_parties")
    op.drop_table("crm_lists")
    op.drop_table("crm_erasures")
    op.drop_table("crm_custom_fields")
