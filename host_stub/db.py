"""Engines and sessions: a SQLite file by default (WAL, foreign keys on), PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from host_stub.errors import DatabaseUnavailable

DEFAULT_DATABASE_FILE = "host-stub.sqlite"
DATABASE_URL_ENV = "HOST_STUB_DATABASE_URL"


def default_database_url() -> str:
    """The URL from ``HOST_STUB_DATABASE_URL``, else a SQLite file in the working directory."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{Path(DEFAULT_DATABASE_FILE).resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Statistics for the query planner, kept current by the database itself: ANALYZE reads a
    # sample (milliseconds, not seconds, on a million rows) of each table that lacks statistics
    # or has outgrown them, here and when a connection closes (SQLite's recommendation).
    cursor.execute("PRAGMA analysis_limit=1000")
    cursor.execute("PRAGMA optimize=0x10002")
    cursor.close()


def _sqlite_optimize(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA optimize")


def _postgresql_settings(dbapi_connection, _record) -> None:
    """Plan each statement with its values: psycopg prepares repeated statements, and a generic
    plan (made without the values) reads all of a city's rows where the custom plan reads a page."""
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
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
        event.listen(engine, "close", _sqlite_optimize)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        event.listen(engine, "connect", _postgresql_settings)
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
