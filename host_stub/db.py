"""Engines and sessions: a SQLite file by default (WAL, foreign keys on), PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from host_stub.errors import DatabaseBusy, DatabaseUnavailable

DEFAULT_DATABASE_FILE = "host-stub.sqlite"
DATABASE_URL_ENV = "HOST_STUB_DATABASE_URL"
#: How long a write waits for another transaction's lock before it gives up with DatabaseBusy.
LOCK_TIMEOUT_SECONDS = 10.0
#: PostgreSQL's SQLSTATE for lock_timeout (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


def default_database_url() -> str:
    """The URL from ``HOST_STUB_DATABASE_URL``, else a SQLite file in the working directory."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{Path(DEFAULT_DATABASE_FILE).resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT_SECONDS * 1000)}")
    cursor.close()


def _postgres_lock_timeout(dbapi_connection, _record) -> None:
    """Wait for another transaction's row lock as long as SQLite waits for its file lock, then fail."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_SECONDS * 1000)}")
    dbapi_connection.commit()


def create_database_engine(url: str) -> Engine:
    """Create an engine and prove the database answers, or raise DatabaseUnavailable saying why."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"Ungültige Datenbank-URL {url!r}. Beispiele: sqlite:///pfad/zur/datei.sqlite "
            "oder postgresql+psycopg://benutzer@host:5432/datenbank"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not Path(database).parent.is_dir():
            raise DatabaseUnavailable(
                f"Das Verzeichnis für die Datenbankdatei {database!r} existiert nicht. "
                "Legen Sie es an oder wählen Sie mit --db einen anderen Ort."
            )
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        event.listen(engine, "connect", _postgres_lock_timeout)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"Datenbank {parsed.render_as_string(hide_password=True)} ist nicht erreichbar: {reason}. "
            "Prüfen Sie die URL (--db oder HOST_STUB_DATABASE_URL) und ob der Server läuft."
        ) from None
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def busy_error(exc: DBAPIError) -> DatabaseBusy | None:
    """The user-facing error for a lock wait that timed out (SQLite "database is locked",
    PostgreSQL lock_timeout), or None for any other database error."""
    orig = exc.orig
    locked = "database is locked" in str(orig) or "database table is locked" in str(orig)
    if not locked and getattr(orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
        return None
    return DatabaseBusy(
        f"Die Datenbank ist gerade durch eine andere Aktion belegt (gewartet: {LOCK_TIMEOUT_SECONDS:g} Sekunden, "
        "zum Beispiel während einer großen Umwandlung). Bitte versuchen Sie es in einem Moment erneut; "
        "es wurde nichts gespeichert."
    )
