"""The CRM's tables (prefix ``crm_``), in the SQLAlchemy 2 typed declarative style.

The CRM keeps one ``crm_parties`` row per party it knows: a prospect, a customer (linked by
``customer_id``; its address fields mirror the host customer) or a record merged into another.
Everything the CRM owns (phones, contact persons, categories, custom fields, events, follow-ups,
list memberships) hangs on that row, so it stays attached when a prospect becomes a customer
and back. The overview columns (sort name, contact count, last contact, next follow-up) are
stored on the row and kept up to date, so that the list is one indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from host_stub.api import host_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: ``Party.role``: what the row stands for.
PROSPECT = "prospect"
CUSTOMER = "customer"
MERGED = "merged"

CUSTOM_FIELD_SLOTS = 20


class CrmBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Party(CrmBase):
    """A prospect, a customer the CRM knows (``customer_id``), or a record merged into another."""

    __tablename__ = "crm_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    #: The prospect number ("I10000"); kept while the party is a customer, so a customer turned
    #: back into a prospect gets its old number again. Customers that never were prospects have none.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    #: Set while the party is a customer. SET NULL keeps the CRM history if the host deletes the
    #: customer while the CRM is disabled (when it is enabled, ``customer_deleting`` decides).
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey(host_column("host_customers.id"), ondelete="SET NULL"), unique=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("crm_parties.id"), index=True)
    status: Mapped[str] = mapped_column(String(120))
    is_business: Mapped[bool] = mapped_column(Boolean)
    company: Mapped[str] = mapped_column(String(200), default="")
    salutation: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(40), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    house_number: Mapped[str] = mapped_column(String(20), default="")
    address_addition: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="DE")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    vat_treatment: Mapped[str] = mapped_column(String(30), default="standard")
    vat_note: Mapped[str] = mapped_column(String(200), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=14)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    source: Mapped[str] = mapped_column(String(120), default="")
    expected_volume: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    custom_1: Mapped[str | None] = mapped_column(String(255))
    custom_2: Mapped[str | None] = mapped_column(String(255))
    custom_3: Mapped[str | None] = mapped_column(String(255))
    custom_4: Mapped[str | None] = mapped_column(String(255))
    custom_5: Mapped[str | None] = mapped_column(String(255))
    custom_6: Mapped[str | None] = mapped_column(String(255))
    custom_7: Mapped[str | None] = mapped_column(String(255))
    custom_8: Mapped[str | None] = mapped_column(String(255))
    custom_9: Mapped[str | None] = mapped_column(String(255))
    custom_10: Mapped[str | None] = mapped_column(String(255))
    custom_11: Mapped[str | None] = mapped_column(String(255))
    custom_12: Mapped[str | None] = mapped_column(String(255))
    custom_13: Mapped[str | None] = mapped_column(String(255))
    custom_14: Mapped[str | None] = mapped_column(String(255))
    custom_15: Mapped[str | None] = mapped_column(String(255))
    custom_16: Mapped[str | None] = mapped_column(String(255))
    custom_17: Mapped[str | None] = mapped_column(String(255))
    custom_18: Mapped[str | None] = mapped_column(String(255))
    custom_19: Mapped[str | None] = mapped_column(String(255))
    custom_20: Mapped[str | None] = mapped_column(String(255))
    # Search and sort keys (see normalise.py) and the activity columns of the overview.
    sort_name: Mapped[str] = mapped_column(String(300))
    city_key: Mapped[str] = mapped_column(String(100))
    email_key: Mapped[str] = mapped_column(String(254))
    contact_count: Mapped[int] = mapped_column(Integer, default=0)
    last_contact_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_followup_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    phones: Mapped[list[Phone]] = relationship(
        order_by="Phone.position", cascade="all, delete-orphan", passive_deletes=True)
    contacts: Mapped[list[ContactPerson]] = relationship(
        order_by="ContactPerson.position", cascade="all, delete-orphan", passive_deletes=True)
    category_rows: Mapped[list[PartyCategory]] = relationship(
        order_by="PartyCategory.category", cascade="all, delete-orphan", passive_deletes=True)

    __table_args__ = (
        # The overview: one index per sortable column, ``role`` first, then name and id as the
        # tie-breakers it sorts by (PostgreSQL needs them in the index to read a page in order).
        Index("ix_crm_parties_role_number", "role", "number"),
        Index("ix_crm_parties_role_sort_name", "role", "sort_name", "id"),
        Index("ix_crm_parties_role_status_sort_name", "role", "status", "sort_name", "id"),
        Index("ix_crm_parties_role_city_key", "role", "city_key", "sort_name", "id"),
        Index("ix_crm_parties_role_email_key", "role", "email_key"),
        Index("ix_crm_parties_role_contact_count", "role", "contact_count", "sort_name", "id"),
        Index("ix_crm_parties_role_last_contact_at", "role", "last_contact_at", "sort_name", "id"),
        Index("ix_crm_parties_role_next_followup_on", "role", "next_followup_on", "sort_name", "id"),
        {"sqlite_autoincrement": True},  # a deleted party's id is never given to another (SQLite reuses it)
    )

    @property
    def display_name(self) -> str:
        if self.is_business and self.company:
            return self.company
        person = ", ".join(p for p in (self.last_name, self.first_name) if p)
        return person or self.company

    @property
    def categories(self) -> list[str]:
        return [row.category for row in self.category_rows]

    def custom(self, slot: int) -> str | None:
        return getattr(self, f"custom_{slot}")


class Phone(CrmBase):
    """One typed phone number of a party; the first one is the customer's ``phone``."""

    __tablename__ = "crm_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(40))
    #: Digits of the national number without trunk prefix, for prefix search ("221123…").
    search_key: Mapped[str] = mapped_column(String(20), index=True)


class ContactPerson(CrmBase):
    """An Ansprechpartner of a party; at most one per party is the main contact."""

    __tablename__ = "crm_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    salutation: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(40), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    function: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    mobile: Mapped[str] = mapped_column(String(40), default="")


class PartyCategory(CrmBase):
    """A category (master-data kind ``crm_category``) a party belongs to."""

    __tablename__ = "crm_party_categories"

    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(120), primary_key=True)

    __table_args__ = (Index("ix_crm_party_categories_category", "category", "party_id"),)


class CustomField(CrmBase):
    """The label and type of one of the 20 custom fields ("Individuelle Felder") of this database."""

    __tablename__ = "crm_custom_fields"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(10))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)


class Event(CrmBase):
    """A contact event in a party's history: a call, an e-mail, a mailing, a note, ..."""

    __tablename__ = "crm_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    subject: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_crm_events_party_kind_occurred", "party_id", "kind", "occurred_at"),)


class StatusChange(CrmBase):
    """A prospect's status was changed: from what, to what and when (its status history)."""

    __tablename__ = "crm_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"))
    old_status: Mapped[str] = mapped_column(String(120))
    new_status: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_crm_status_changes_party_changed", "party_id", "changed_at"),)


class FollowUp(CrmBase):
    """A follow-up ("Wiedervorlage"): something to do for a party by a due date."""

    __tablename__ = "crm_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_crm_followups_party_due", "party_id", "due_on"),)


class MailingList(CrmBase):
    """A mailing or newsletter list that parties are members of."""

    __tablename__ = "crm_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ListMember(CrmBase):
    __tablename__ = "crm_list_members"

    list_id: Mapped[int] = mapped_column(ForeignKey("crm_lists.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class Merge(CrmBase):
    """A merge of duplicates, with a JSON snapshot of every record before it, so it can be undone."""

    __tablename__ = "crm_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), index=True)
    merged_ids: Mapped[list[int]] = mapped_column(JSON)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    merged_at: Mapped[datetime] = mapped_column(DateTime)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey(host_column("host_users.id"), ondelete="SET NULL"))
    merged_by_name: Mapped[str] = mapped_column(String(200), default="")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey(host_column("host_users.id"), ondelete="SET NULL"))
    undone_by_name: Mapped[str] = mapped_column(String(200), default="")


class Erasure(CrmBase):
    """The anonymous trace of an erasure (Art. 17 DSGVO): when, and how many items were erased."""

    __tablename__ = "crm_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey(host_column("host_users.id"), ondelete="SET NULL"))
    erased_by_name: Mapped[str] = mapped_column(String(200), default="")
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


class Conversion(CrmBase):
    """A prospect turned into a host customer (``direction`` "convert") or back ("revert"): when and by whom."""

    __tablename__ = "crm_conversions"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("crm_parties.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(10))
    converted_at: Mapped[datetime] = mapped_column(DateTime)
    converted_by_id: Mapped[int | None] = mapped_column(ForeignKey(host_column("host_users.id"), ondelete="SET NULL"))
    converted_by_name: Mapped[str] = mapped_column(String(200), default="")
