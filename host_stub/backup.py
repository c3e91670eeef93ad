"""Backup and restore ("Datensicherung"): the whole database in one zip archive with a manifest.

Documents and the module file store live in the database, so the archive holds them too. A SQLite
database is copied through SQLite's online backup API (a consistent snapshot while the web server
keeps writing), a PostgreSQL database with ``pg_dump`` (custom format, one snapshot). The manifest
names the format, the host version, the database kind, every owner's schema revision, and the size
and SHA-256 of every member; ``restore`` checks all of it before it writes anything, and restores
into an empty database only.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL

from host_stub import migrate
from host_stub.db import create_database_engine
from host_stub.errors import HostError

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host
    from host_stub.plugins import PluginRegistry

FORMAT = "host-stub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: The member holding the database, per database kind.
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
#: The PostgreSQL client programs; looked up on the PATH when they are bare names.
PG_DUMP = "pg_dump"
PG_RESTORE = "pg_restore"
VERSION_TABLE_SUFFIX = "_alembic_version"
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Restored:
    """What ``restore`` put into the database: the manifest, and the owners not at their newest revision."""

    manifest: dict[str, Any]
    outdated: list[str]


def archive_name(host: Host) -> str:
    """A safe download name with the time of the backup: host-stub-backup-2026-12-02-0315.zip."""
    return f"host-stub-backup-{host.now():%Y-%m-%d-%H%M}.zip"


# -- backup ------------------------------------------------------------------------------------


def create_backup(host: Host, target: Path) -> dict[str, Any]:
    """Write the archive to ``target`` (a new file, written completely or not at all); return its manifest."""
    target = Path(target)
    if target.exists():
        raise HostError(f"Die Datei {target} gibt es schon; sie wird nicht überschrieben. Bitte geben Sie einen "
                        "neuen Dateinamen an.")
    if not target.parent.is_dir():
        raise HostError(f"Das Verzeichnis {target.parent} gibt es nicht. Bitte legen Sie es an oder wählen Sie "
                        "einen anderen Ort für die Sicherung.")
    kind = host.engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="host-stub-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            _copy_sqlite(_sqlite_path(host.engine.url), dump)
            engine = create_engine(URL.create("sqlite", database=str(dump)))
            try:
                with engine.connect() as connection:
                    revisions = schema_revisions(connection)
            finally:
                engine.dispose()
        else:
            with host.engine.connect() as connection:
                revisions = schema_revisions(connection)
            _pg_dump(host.engine.url, dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": host.now().isoformat(timespec="seconds"),
            "host_version": importlib.metadata.version("host-stub-crm"),
            "database": kind,
            "revisions": revisions,
            "members": {dump.name: {"size": dump.stat().st_size, "sha256": _sha256(dump)}},
        }
        partial = target.with_name(f".{target.name}.partial")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                archive.write(dump, dump.name)
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def schema_revisions(connection: Connection) -> dict[str, str]:
    """The schema revision of every owner with tables in the database (from its Alembic version table)."""
    found = {}
    for table in sorted(inspect(connection).get_table_names()):
        if table.endswith(VERSION_TABLE_SUFFIX):
            revision = connection.execute(text(f'SELECT version_num FROM "{table}"')).scalar()
            if revision is not None:
                found[table.removesuffix(VERSION_TABLE_SUFFIX)] = revision
    return found


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise HostError("Eine Datenbank im Arbeitsspeicher lässt sich nicht sichern; bitte eine Datenbankdatei "
                        "angeben (--db sqlite:///pfad/datei.sqlite).")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy (WAL included) while other connections keep writing."""
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()


def _pg_program(name: str, purpose: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise HostError(
            f"Für {purpose} einer PostgreSQL-Datenbank wird das Programm {Path(name).name} gebraucht; "
            "es ist auf diesem "
            "Rechner nicht installiert (oder nicht im Suchpfad PATH). Installieren Sie die Client-Programme von "
            "PostgreSQL in der Version des Servers oder neuer (z. B. apt install postgresql-client) und versuchen "
            "Sie es noch einmal. Es wurde nichts geschrieben."
        )
    return found


def _pg_call(program: str, args: list[str], url: URL, purpose: str) -> None:
    """Run a PostgreSQL client program on the database of ``url``; the password travels in the environment."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([program, *args, f"--dbname={dsn}"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["ohne Meldung"])[-1]
        raise HostError(f"{purpose} ist fehlgeschlagen ({Path(program).name}: {detail}). Es wurde nichts "
                        "geschrieben.")


def _pg_dump(url: URL, target: Path) -> None:
    program = _pg_program(PG_DUMP, "die Sicherung")
    _pg_call(program, ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], url,
             "Die Sicherung")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- restore -----------------------------------------------------------------------------------


def restore(archive: Path, database_url: str, registry: PluginRegistry) -> Restored:
    """Restore the archive into the empty database at ``database_url``, after checking that the archive
    is whole, of a known format and of schema revisions this installation knows."""
    from host_stub.host import declared_schemas

    with tempfile.TemporaryDirectory(prefix="host-stub-restore-") as work:
        manifest = read_archive(Path(archive), Path(work))
        outdated = _check_revisions(manifest["revisions"], declared_schemas(registry))
        engine = create_database_engine(database_url)
        try:
            kind = engine.dialect.name
            if kind != manifest["database"]:
                raise HostError(
                    f"Die Sicherung stammt aus einer {KIND_NAMES[manifest['database']]}-Datenbank und lässt sich "
                    f"nur in eine solche zurückspielen, nicht in {KIND_NAMES[kind]}. Es wurde nichts geschrieben.")
            tables = inspect(engine).get_table_names()
            if tables:
                raise HostError(
                    f"Die Datenbank {engine.url.render_as_string(hide_password=True)} ist nicht leer "
                    f"({len(tables)} Tabellen). Eine Sicherung wird nur in eine leere Datenbank zurückgespielt, "
                    "damit nichts überschrieben wird. Bitte eine neue Datenbank angeben (--db). Es wurde nichts "
                    "geschrieben.")
            dump = Path(work) / DATABASE_MEMBERS[kind]
            if kind == "sqlite":
                _copy_sqlite(dump, _sqlite_path(engine.url))
            else:
                _pg_call(_pg_program(PG_RESTORE, "das Zurückspielen"),
                         ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(dump)],
                         engine.url, "Das Zurückspielen")
        finally:
            engine.dispose()
    return Restored(manifest, outdated)


def read_archive(archive: Path, work: Path) -> dict[str, Any]:
    """Check the archive and extract its members into ``work``; return the manifest. Refuses, in German, a
    file that is no zip, a zip that is no backup, a truncated or damaged archive and a newer format."""
    if not archive.is_file():
        raise HostError(f"Die Datei {archive} gibt es nicht.")
    try:
        with zipfile.ZipFile(archive) as opened:
            manifest = _manifest(opened, archive)
            for name, expected in manifest["members"].items():
                _extract(opened, name, expected, work / name, archive)
    except (zipfile.BadZipFile, EOFError, zlib.error):
        with archive.open("rb") as source:
            looks_like_zip = source.read(4) == b"PK\x03\x04"
        if looks_like_zip:
            raise _damaged(archive, "sie ist unvollständig oder beschädigt") from None
        raise HostError(f"Die Datei {archive} ist keine Datensicherung von Host-Stub (keine ZIP-Datei). Es wurde "
                        "nichts geschrieben. Bitte wählen Sie eine Datei, die 'host-stub backup' geschrieben hat."
                        ) from None
    return manifest


def _damaged(archive: Path, reason: str) -> HostError:
    return HostError(f"Die Datensicherung {archive} lässt sich nicht zurückspielen: {reason}. Es wurde nichts "
                     "geschrieben. Bitte eine vollständige Sicherung verwenden (z. B. noch einmal kopieren).")


def _manifest(opened: zipfile.ZipFile, archive: Path) -> dict[str, Any]:
    foreign = HostError(f"Die Datei {archive} ist keine Datensicherung von Host-Stub (ihr fehlt die Beschreibung "
                        f"{MANIFEST}). Es wurde nichts geschrieben. Bitte wählen Sie eine Datei, die 'host-stub "
                        "backup' geschrieben hat.")
    if MANIFEST not in opened.namelist():
        raise foreign
    try:
        manifest = json.loads(opened.read(MANIFEST))
    except ValueError:
        raise _damaged(archive, f"die Beschreibung {MANIFEST} ist beschädigt") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise foreign
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise HostError(f"Die Datensicherung {archive} hat das Format {version}, diese Version kennt nur Format "
                        f"{FORMAT_VERSION} und älter. Es wurde nichts geschrieben. Bitte installieren Sie die Version "
                        f"von Host-Stub, die sie geschrieben hat ({manifest.get('host_version', 'unbekannt')}), oder "
                        "eine neuere.")
    kind = manifest.get("database")
    members = manifest.get("members")
    if (kind not in DATABASE_MEMBERS or not isinstance(members, dict) or DATABASE_MEMBERS[kind] not in members
            or not isinstance(manifest.get("revisions"), dict)):
        raise _damaged(archive, f"die Beschreibung {MANIFEST} ist unvollständig")
    for name, expected in members.items():
        if name not in DATABASE_MEMBERS.values() or not isinstance(expected, dict):
            raise _damaged(archive, f"sie nennt einen unbekannten Teil „{name}“")
    return manifest


def _extract(opened: zipfile.ZipFile, name: str, expected: dict[str, Any], target: Path, archive: Path) -> None:
    """Copy a member out while checking size and SHA-256 against the manifest (never more than its size)."""
    if name not in opened.namelist():
        raise _damaged(archive, f"der Teil „{name}“ fehlt")
    size, digest = expected.get("size"), hashlib.sha256()
    written = 0
    with opened.open(name) as source, target.open("wb") as copy:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if not isinstance(size, int) or written > size:
                raise _damaged(archive, f"der Teil „{name}“ ist größer als angegeben")
            digest.update(chunk)
            copy.write(chunk)
    if written != size or digest.hexdigest() != expected.get("sha256"):
        raise _damaged(archive, f"der Teil „{name}“ stimmt nicht mit seiner Prüfsumme überein")


def _check_revisions(revisions: dict[str, str], schemas: dict[str, migrate.Schema]) -> list[str]:
    """Refuse revisions this installation does not know; return the owners that need ``db upgrade`` after."""
    outdated = []
    for owner, revision in sorted(revisions.items()):
        if owner not in schemas:
            raise HostError(f"Die Sicherung enthält Daten von „{owner}“, das hier nicht installiert ist. Bitte "
                            "installieren Sie das Modul und versuchen Sie es noch einmal. Es wurde nichts "
                            "geschrieben.")
        if revision not in migrate.revisions(schemas[owner]):
            raise HostError(f"Die Sicherung stammt von einer neueren Version: {owner} steht dort auf der Revision "
                            f"{revision}, die diese Installation nicht kennt. Bitte installieren Sie die neuere "
                            "Version und spielen Sie die Sicherung dann zurück. Es wurde nichts geschrieben.")
        if revision != migrate.head_revision(schemas[owner]):
            outdated.append(owner)
    return outdated
