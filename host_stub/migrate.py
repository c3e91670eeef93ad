"""Schema migrations of the host and of each module, each with its own Alembic version table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData

from host_stub.db import FOREIGN_KEYS_OFF
from host_stub.errors import HostError

ENV_DIR = Path(__file__).parent / "alembic_env"


@dataclass(frozen=True)
class Schema:
    """The tables of one owner (``host`` or a module id) and where its revisions live."""

    owner: str
    metadata: MetaData
    versions_dir: Path

    @property
    def version_table(self) -> str:
        return f"{self.owner}_alembic_version"


def _config(schema: Schema, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ENV_DIR))
    config.set_main_option("version_locations", str(schema.versions_dir))
    config.set_main_option("path_separator", "os")
    config.attributes["target_metadata"] = schema.metadata
    config.attributes["version_table"] = schema.version_table
    config.attributes["connection"] = connection
    return config


@cache
def _script(versions_dir: Path) -> ScriptDirectory:
    """The revision files of one owner, parsed once per process (Alembic re-reads them on every call)."""
    return ScriptDirectory.from_config(_config(Schema("", MetaData(), versions_dir)))


def head_revision(schema: Schema) -> str | None:
    return _script(schema.versions_dir).get_current_head()


def revisions(schema: Schema) -> list[str]:
    """All revisions of a schema, oldest first."""
    return [rev.revision for rev in reversed(list(_script(schema.versions_dir).walk_revisions()))]


def current_revision(connection: Connection, schema: Schema) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": schema.version_table})
    return context.get_current_revision()


def upgrade(connection: Connection, schema: Schema, revision: str = "head") -> None:
    """Migrate one schema to ``revision``; an unknown revision is refused with the known ones."""
    known = revisions(schema)
    if revision != "head" and revision not in known:
        raise HostError(
            f"Unbekannte Revision {revision!r} für {schema.owner}. Bekannt sind: {', '.join(known) or 'keine'}."
        )
    require_known_revision(connection, schema)
    if revision == "head" and current_revision(connection, schema) == head_revision(schema):
        return  # enabling a migrated module or an idempotent init costs one query, not an Alembic run
    relaxed = _foreign_keys_off(connection)
    try:
        command.upgrade(_config(schema, connection), revision)
    except CommandError as exc:
        raise _unknown_revision(schema, str(exc)) from None
    if relaxed and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise HostError(f"Nach der Migration von {schema.owner} verweisen Zeilen auf fehlende Datensätze; "
                        "es wurde nichts geändert. Bitte den Hersteller des Moduls benachrichtigen.")


def _foreign_keys_off(connection: Connection) -> bool:
    """On SQLite, migrate without foreign-key enforcement, as SQLite's procedure for rebuilding a
    table asks (https://sqlite.org/lang_altertable.html#otheralter): dropping the old copy of a
    table others refer to would otherwise cascade to (or null) their rows. Only possible before
    the connection's transaction has written; db.py switches enforcement on again at check-in.
    Rebuilding migrations refuse when it is still on.
    """
    if connection.dialect.name != "sqlite" or connection.connection.driver_connection.in_transaction:
        return False
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.connection.info[FOREIGN_KEYS_OFF] = True
    return True


def require_known_revision(connection: Connection, schema: Schema) -> None:
    """Refuse a database that a newer version migrated: its revision is not among ours."""
    current = current_revision(connection, schema)
    if current is not None and current not in revisions(schema):
        raise _unknown_revision(schema, f"Revision {current}")


def _unknown_revision(schema: Schema, detail: str) -> HostError:
    return HostError(
        f"Die Datenbank steht für {schema.owner} auf einer Revision, die diese Version nicht kennt "
        f"({detail}). Installieren Sie die passende Version des Moduls oder stellen Sie die Datenbank "
        "aus einer Sicherung wieder her."
    )


def drift(connection: Connection, schema: Schema) -> list:
    """Differences between the migrated database and the models (empty when they agree)."""
    own = set(schema.metadata.tables)
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_name": lambda name, type_, _p: type_ != "table" or name in own},
    )
    return compare_metadata(context, schema.metadata)


def new_revision(connection: Connection, schema: Schema, message: str) -> None:
    """Write a new revision file from the difference between the migrated database and the models."""
    command.revision(_config(schema, connection), message=message, autogenerate=True)
    _script.cache_clear()
