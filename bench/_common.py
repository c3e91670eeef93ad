"""What the CRM benchmark scripts share: the ``--db`` argument, creating and copying the benchmark
database (a SQLite file or a PostgreSQL database), opening the Host on it, and timing.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from host_stub.host import Host
from host_stub.licensing import generate_private_key, issue_license


def argument_parser(doc: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:///bench/out/crm.sqlite or "
                                                    "postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench")
    return parser


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


def _server(url: URL):
    """An AUTOCOMMIT engine on the server's ``postgres`` database, for CREATE/DROP DATABASE."""
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str, *, fresh: bool) -> None:
    """Make sure the database exists; ``fresh`` drops it first."""
    parsed = make_url(url)
    if backend(url) == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    server = _server(parsed)
    with server.connect() as connection:
        if fresh:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}):
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


def copy_database(url: str, suffix: str) -> str:
    """A copy of the database (SQLite backup API, PostgreSQL ``CREATE DATABASE ... TEMPLATE``); its URL."""
    parsed = make_url(url)
    if backend(url) == "sqlite":
        target = f"{parsed.database}{suffix}"
        Path(target).unlink(missing_ok=True)
        with sqlite3.connect(parsed.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return parsed.set(database=target).render_as_string(hide_password=False)
    name = f"{parsed.database}{suffix}"
    server = _server(parsed)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if backend(url) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    server = _server(parsed)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    server.dispose()


def open_host(url: str) -> Host:
    """The Host on the benchmark database, as ``host-stub`` would open it (plugins discovered)."""
    return Host(url)


#: The user the benchmarks sign in as (created on first use, as the installation itself).
BENCH_LOGIN, BENCH_PASSWORD = "benchmark", "benchmark-passwort"


def signed_in_client(host: Host):
    """A Flask test client of ``create_app(host)`` signed in through the form as ``BENCH_LOGIN``."""
    from host_stub.api import ADMINISTRATOR
    from host_stub.errors import NotFound
    from host_stub.web import create_app

    with host.session() as session, host.users.acting(None):
        try:
            host.users.by_login(session, BENCH_LOGIN)
        except NotFound:
            host.users.create(session, login=BENCH_LOGIN, name="Benchmark", password=BENCH_PASSWORD,
                              role=ADMINISTRATOR)
    client = create_app(host).test_client()
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "benchmark-sign-in")
    answer = client.post("/anmelden", data={"csrf_token": token, "login": BENCH_LOGIN, "password": BENCH_PASSWORD})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


def install_bench_licence(url: str, module_id: str = "crm") -> str:
    """Give the benchmark database a year's licence for ``module_id`` and return the public key
    that hosts on it must trust (``Host(url, license_public_key=...)``). The generated data
    reach back years, so the trial counts as over; the licence is signed with a key of the
    benchmark's own, as the tests do it."""
    private, public = generate_private_key()
    host = Host(url, license_public_key=public)
    now = host.now()
    with host.session() as session:
        installation = host.licensing.ensure_installation_id(session)
        host.licensing.install(session, issue_license(
            private, module_id, "Benchmark", now - timedelta(days=1), now + timedelta(days=365), now,
            installation_id=installation), module_id)
    host.close()
    return public


def timings(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) in seconds of ``runs`` calls after one warm-up call."""
    action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)
