"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured), a host on
it with a controllable clock and a test licence key, and the CLI runner.

Set ``HOST_STUB_TEST_POSTGRES_URL`` (``.ci/run`` does) to run every database test on PostgreSQL
too; each test gets its own schema there, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from host_stub.cli import build_cli
from host_stub.host import Host
from host_stub.licensing import generate_private_key
from host_stub.plugins import PluginRegistry

POSTGRES_URL_ENV = "HOST_STUB_TEST_POSTGRES_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_URL_ENV) else [])


class FakeClock:
    """A clock the test moves: ``clock.advance(days=31)``."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    base = os.environ[POSTGRES_URL_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def signing_key():
    """A licence signing key of the tests' own: ``(private PEM, public base64)``."""
    return generate_private_key()


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 2, 9, 0, 0))


@pytest.fixture
def registry():
    registry = PluginRegistry()
    registry.discover()
    return registry


@pytest.fixture
def make_host(database_url, clock, signing_key):
    """Build hosts on the test database (several may share it, like two users)."""
    hosts = []

    def make(registry: PluginRegistry | None = None, *, upgrade: bool = True, enable: tuple[str, ...] = ("crm",)):
        if registry is None:
            registry = PluginRegistry()
            registry.discover()
        host = Host(database_url, registry=registry, clock=clock, license_public_key=signing_key[1])
        hosts.append(host)
        if upgrade:
            host.upgrade()
            with host.session() as session:
                for module_id in enable:
                    host.set_module_enabled(session, module_id, True)
                host.masterdata.seed(session)
        return host

    yield make
    for host in hosts:
        host.close()


@pytest.fixture
def host(make_host):
    """A migrated host with the CRM module enabled (in its trial)."""
    return make_host()


@pytest.fixture
def cli(database_url, signing_key, monkeypatch):
    """Run ``host-stub`` commands against the test database: ``cli("plugins", "list")``.

    The tests' licence key is handed to the CLI in code; an end user has no way to replace it."""
    monkeypatch.setenv("HOST_STUB_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(build_cli(license_public_key=signing_key[1]), list(args), input=input,
                             catch_exceptions=False)

    return run
