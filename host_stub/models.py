"""The host's own tables (prefix ``host_``), in the SQLAlchemy 2 typed declarative style."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class HostBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Customer(HostBase):
    """A customer of the business, with a number from the ``customer`` number range."""

    __tablename__ = "host_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    is_business: Mapped[bool] = mapped_column(Boolean, default=True)
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
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    vat_treatment: Mapped[str] = mapped_column(String(30), default="standard")
    vat_note: Mapped[str] = mapped_column(String(200), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=14)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_host_customers_name", "last_name", "first_name"),
        Index("ix_host_customers_company", "company"),
        # AUTOINCREMENT: SQLite would otherwise give a deleted customer's id to the next one (and
        # with it whatever still refers to that id); PostgreSQL's sequences never reuse an id.
        {"sqlite_autoincrement": True},
    )

    @property
    def display_name(self) -> str:
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.company or person


class NumberRange(HostBase):
    """A counter for numbers such as customer numbers: ``prefix`` + next value."""

    __tablename__ = "host_number_ranges"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10), default="")
    next_value: Mapped[int] = mapped_column(Integer)


class MasterDataEntry(HostBase):
    """One entry of a small lookup list ("Kleinstammdaten") of a registered kind."""

    __tablename__ = "host_masterdata"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("kind", "label", name="uq_host_masterdata_kind_label"),)


class DocumentBlob(HostBase):
    """File contents, stored once per SHA-256 so that copies cost nothing."""

    __tablename__ = "host_document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Document(HostBase):
    """A file stored for a party (a customer, or a module's party such as a prospect)."""

    __tablename__ = "host_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_type: Mapped[str] = mapped_column(String(40))
    party_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("host_document_blobs.sha256"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_host_documents_party", "party_type", "party_id"), {"sqlite_autoincrement": True})


class ModuleState(HostBase):
    """Whether a module is enabled in this database, and since when it has been used (trial)."""

    __tablename__ = "host_modules"

    module_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    first_enabled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class License(HostBase):
    """An installed, verified licence file for a paid module (the signed text is kept)."""

    __tablename__ = "host_licenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(50), index=True)
    licensee: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_until: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    signed_text: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(DateTime)
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("host_users.id", ondelete="SET NULL"))
    installed_by_name: Mapped[str] = mapped_column(String(200), default="")


class Setting(HostBase):
    """A key/value setting of this database (for example the last time the clock was seen)."""

    __tablename__ = "host_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(HostBase):
    """Someone who signs in: an office worker (``Mitarbeiter``) or an ``Administrator``.

    ``login`` is kept in lower case (logins are case-insensitive). ``session_epoch`` is part of every
    web session of the user; raising it (logout, password change, deactivation) ends them all.
    """

    __tablename__ = "host_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime)


class Task(HostBase):
    """A background task (host_stub.tasks): its progress while it runs, then its result or failure.

    ``heartbeat_at`` is when the process running it last said it is alive; a task left "running"
    without one for a minute is shown as aborted. A result file is kept in ``result_data``.
    """

    __tablename__ = "host_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    params: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    result_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_endpoint: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result_args: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    result_content_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    result_data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("host_users.id", ondelete="SET NULL"),
                                                           nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = ({"sqlite_autoincrement": True},)


class SignInFailure(HostBase):
    """Wrong passwords in a row for a login (known or not, so that a lock-out tells nothing about it)."""

    __tablename__ = "host_sign_in_failures"

    login: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class StoredFile(HostBase):
    """A file of the module file store: owned by a module, in one of its folders, not tied to a party."""

    __tablename__ = "host_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(50))
    folder: Mapped[str] = mapped_column(String(50))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: What the file belongs to in the module, e.g. "import-batch:17": kept, listed and deleted with it.
    owner_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("module_id", "folder", "filename", name="uq_host_files_module_id_folder_filename"),
        Index("ix_host_files_owner", "module_id", "owner_key"),
        {"sqlite_autoincrement": True},
    )


class StoredFileContent(HostBase):
    """The bytes of a stored file, apart from its row so that listing files never reads them."""

    __tablename__ = "host_file_contents"

    file_id: Mapped[int] = mapped_column(ForeignKey("host_files.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobRun(HostBase):
    """The schedule and last run of one periodic job (host_stub.jobs); a process claims a run by
    moving ``next_due`` forward in one UPDATE, so two processes never run the same job twice."""

    __tablename__ = "host_jobs"

    module_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_due: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    running_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_result: Mapped[str | None] = mapped_column(Text, nullable=True)
