"""Engines and sessions: a SQLite file by default (WAL, foreign keys on), PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from host_stub.errors import DatabaseBusy, DatabaseUnavailable, HostError

DEFAULT_DATABASE_FILE = "host-stub.sqlite"
DATABASE_URL_ENV = "HOST_STUB_DATABASE_URL"
#: Connection-record flag: a migration switched SQLite's foreign-key enforcement off (host_stub.migrate).
FOREIGN_KEYS_OFF = "host_stub.foreign_keys_off"
#: The drivers the host is built and tested for; SQLAlchemy would accept more and fail later.
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
URL_EXAMPLES = "sqlite:///pfad/zur/datei.sqlite oder postgresql+psycopg://benutzer@host:5432/datenbank"
#: The largest id every supported database keeps in an id column (PostgreSQL INTEGER): no record has a larger one.
MAX_ID = 2**31 - 1
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
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free space (DSGVO)
    # Statistics for the query planner, kept current by the database itself: ANALYZE reads a
    # sample (milliseconds, not seconds, on a million rows) of each table that lacks statistics
    # or has outgrown them, here and when a connection closes (SQLite's recommendation).
    cursor.execute("PRAGMA analysis_limit=1000")
    cursor.execute("PRAGMA optimize=0x10002")
    cursor.close()


def _sqlite_optimize(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA optimize")


def _foreign_keys_back_on(dbapi_connection, record) -> None:
    """After a migration's transaction ended, enforce foreign keys again on its connection."""
    if record.info.pop(FOREIGN_KEYS_OFF, False) and dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _postgresql_settings(dbapi_connection, _record) -> None:
    """Wait for another transaction's row lock as long as SQLite waits for its file lock, then fail.
    Plan each statement with its values: psycopg prepares repeated statements, and a generic plan
    (made without the values) reads all of a city's rows where the custom plan reads a page."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()


def create_database_engine(url: str) -> Engine:
    """Create an engine and prove the database answers, or raise DatabaseUnavailable saying why."""
    try:
        url.encode("utf-8")
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # UnicodeEncodeError is a ValueError; so is a port that is no number
        raise DatabaseUnavailable(f"Ungültige Datenbank-URL {url!r}. Beispiele: {URL_EXAMPLES}") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseUnavailable(
            f"Die Datenbank „{parsed.drivername}“ wird nicht unterstützt, nur SQLite und PostgreSQL "
            f"(mit psycopg). Beispiele: {URL_EXAMPLES}"
        )
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
        event.listen(engine, "checkin", _foreign_keys_back_on)
        event.listen(engine, "close", _sqlite_optimize)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        event.listen(engine, "connect", _postgresql_settings)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        shown = parsed.render_as_string(hide_password=True)
        if not isinstance(exc, OperationalError) and parsed.get_backend_name() == "sqlite":
            raise DatabaseUnavailable(
                f"Die Datei {parsed.database!r} ist keine SQLite-Datenbank (oder sie ist beschädigt); sie wurde "
                "nicht verändert. Wählen Sie mit --db eine Datenbankdatei oder einen neuen Dateinamen."
            ) from None
        raise DatabaseUnavailable(
            f"Datenbank {shown} ist nicht erreichbar: {_reason(exc)}. "
            "Prüfen Sie die URL (--db oder HOST_STUB_DATABASE_URL) und ob der Server läuft."
        ) from None
    return engine


def database_error(exc: BaseException) -> HostError | None:
    """The user's words for a database error that input or the network cause, for CLI and web alike.

    A value the column cannot hold (PostgreSQL ``DataError``, SQLite's ``OverflowError`` for a huge
    integer) and a connection lost mid-command get a message; None for anything else (a bug).
    """
    if isinstance(exc, (DataError, OverflowError)):
        return HostError(
            "Ein eingegebener Wert passt nicht in die Datenbank (zum Beispiel eine zu große Zahl oder ein zu "
            "langer Text); es wurde nichts geändert. Bitte prüfen Sie die Eingabe."
        )
    if isinstance(exc, OperationalError):
        return DatabaseUnavailable(
            f"Die Datenbank hat die Aktion abgebrochen: {_reason(exc)}. Es wurde nichts gespeichert. "
            "Prüfen Sie, ob der Datenbankserver läuft, und versuchen Sie es noch einmal."
        )
    return None


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


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
