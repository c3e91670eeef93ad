"""Ids of customers and documents are never reused: AUTOINCREMENT on SQLite.

Without it SQLite gives the next row the id of a deleted row with the highest id, and with it
everything that still refers to that id. The tables are rebuilt (data, indexes and foreign keys
kept); ``host_stub.migrate`` switches off foreign-key enforcement meanwhile, as SQLite's
procedure for rebuilding a table asks, so that dropping the old table cascades to nothing (where
it cannot, in a transaction that has written, only empty tables are rebuilt).
PostgreSQL's sequences never hand out an id twice: nothing to do there.

Revision ID: host_0004
Revises: host_0002
Create Date: 2026-12-01
"""

from alembic import op

from host_stub.errors import HostError

revision = "host_0004"
down_revision = "host_0002"
branch_labels = None
depends_on = None

TABLES = ("host_customers", "host_documents")


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    enforced = bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
    if enforced and any(bind.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() for table in TABLES):
        raise HostError(f"Für das Update werden Tabellen umgebaut ({', '.join(TABLES)}); das geht nicht "
                        "mitten in einer laufenden Änderung. Bitte zuerst 'host-stub db upgrade' ausführen.")
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
