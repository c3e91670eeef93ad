"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when configured), a host on
it with a controllable clock, a test licence key and a cheap password hash, the CLI runner, and
web test clients signed in as a user of a role (``signed_in_client``).

Set ``HOST_STUB_TEST_POSTGRES_URL`` (``.ci/run`` does) to run every database test on PostgreSQL
too; each test gets a database of its own on that server, dropped afterwards.

Migrating costs about a second per database, so ``make_host`` migrates once per test session into
a template (one per set of migrated schemas) and gives each test a copy: a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL. Tests marked ``migrations`` migrate from empty.
"""

from __future__ import annotations

import itertools
import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from host_stub.api import ADMINISTRATOR
from host_stub.cli import build_cli
from host_stub.host import Host
from host_stub.licensing import generate_private_key
from host_stub.plugins import HOST_OWNER, PluginRegistry

POSTGRES_URL_ENV = "HOST_STUB_TEST_POSTGRES_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_URL_ENV) else [])
#: Argon2 with the least work: a real hash (and sign-in) per test costs microseconds, not half a second.
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
#: The password of the users ``signed_in_client`` creates.
TEST_PASSWORD = "geheim-fuer-tests"
_logins = itertools.count(1)


def sign_in(client, login: str, password: str = TEST_PASSWORD):
    """POST the sign-in form as a browser does (with the CSRF token of the client's session)."""
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "test-sign-in-token")
    return client.post("/anmelden", data={"csrf_token": token, "login": login, "password": password})


def signed_in_client(host: Host, role: str = ADMINISTRATOR, *, app=None, login: str | None = None):
    """A Flask test client of ``create_app(host)`` (or ``app``) signed in as a new user of ``role``.

    The user is created through ``host.users`` with ``TEST_PASSWORD``; ``client.user`` is it.
    """
    from host_stub.web import create_app

    login = login or f"{role.lower()}{next(_logins)}"
    with host.session() as session, host.users.acting(None):
        user = host.users.create(session, login=login, name=f"Test {role} {login}", role=role,
                                 password=TEST_PASSWORD)
    client = (app or create_app(host)).test_client()
    response = sign_in(client, login)
    assert response.status_code == 303, response.get_data(as_text=True)
    client.user = user
    return client


class FakeClock:
    """A clock the test moves: ``clock.advance(days=31)``."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class SqliteServer:
    """Test databases as files in each test's ``tmp_path``, templates in a session directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def url(self, name: str) -> str:
        return f"sqlite:///{name}"

    def test_name(self, test_dir: Path) -> str:
        return str(test_dir / "test.sqlite")

    def template_name(self) -> str:
        return str(self.directory / f"{uuid.uuid4().hex[:12]}.sqlite")

    def exists(self, name: str) -> bool:
        return Path(name).exists()

    def create(self, name: str, template: str | None = None) -> None:
        """An empty database is created on first connect; a copy goes through SQLite's backup API,
        which also carries what is still in the template's WAL."""
        if template is None:
            return
        source, target = sqlite3.connect(template), sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    def drop(self, name: str) -> None:
        """Nothing to do: pytest removes ``tmp_path`` (and keeps the last runs for a look)."""

    def close(self) -> None:
        pass


class PostgresServer:
    """Test databases and templates on the configured server, named per session so that parallel
    runs never meet. A background thread drops used databases (each DROP DATABASE waits for a
    checkpoint) and keeps one spare copy of each template ready, which a test takes by renaming."""

    def __init__(self, base_url: str) -> None:
        self.base = make_url(base_url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.prefix = f"t{uuid.uuid4().hex[:8]}"
        self.counter = 0
        self.created: set[str] = set()
        self.spares: dict[str, list[str]] = {}
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self.failures: list[BaseException] = []
        self.worker = threading.Thread(target=self._work, name="test-databases", daemon=True)
        self.worker.start()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _name(self, kind: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{self.prefix}_{kind}_{self.counter}"

    def test_name(self, _test_dir: Path) -> str:
        return self._name("db")

    def template_name(self) -> str:
        return self._name("template")

    def exists(self, name: str) -> bool:
        return name in self.created

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def create(self, name: str, template: str | None = None) -> None:
        if template is None:
            self._execute(f'CREATE DATABASE "{name}"')
        else:
            with self.lock:
                spare = (self.spares.get(template) or [None]).pop()
            if spare is None:
                self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                self._execute(f'ALTER DATABASE "{spare}" RENAME TO "{name}"')
            self.jobs.put(("spare", template))
        self.created.add(name)

    def drop(self, name: str) -> None:
        self.jobs.put(("drop", name))

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            kind, name = job
            try:
                if kind == "drop":
                    self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                else:
                    spare = self._name("spare")
                    self._execute(f'CREATE DATABASE "{spare}" TEMPLATE "{name}"')
                    with self.lock:
                        self.spares.setdefault(name, []).append(spare)
            except Exception as exc:  # reported when the session ends
                self.failures.append(exc)

    def close(self) -> None:
        """Drop the spares and every queued database, then stop the thread."""
        self.jobs.put(None)
        self.worker.join()
        for spare in [name for names in self.spares.values() for name in names]:
            self._execute(f'DROP DATABASE IF EXISTS "{spare}" WITH (FORCE)')
        self.admin.dispose()
        if self.failures:
            raise self.failures[0]


class TestDatabase:
    """One test's database, created on first use: empty, or as a copy of a migrated template."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, server: SqliteServer | PostgresServer, templates: dict, test_dir: Path) -> None:
        self.server = server
        self.templates = templates
        self.name = server.test_name(test_dir)
        self.url = server.url(self.name)

    def empty(self) -> str:
        """The URL of the database, created empty unless it exists."""
        if not self.server.exists(self.name):
            self.server.create(self.name)
        return self.url

    def copy_template(self, key: tuple, migrate: Callable[[str], None]) -> bool:
        """Create the database as a copy of the template ``key`` (made by ``migrate(url)`` the first
        time); False when the database exists already (the caller migrates it instead)."""
        if self.server.exists(self.name):
            return False
        if key not in self.templates:
            template = self.server.template_name()
            self.server.create(template)
            migrate(self.server.url(template))
            self.templates[key] = template
        self.server.create(self.name, self.templates[key])
        return True


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.backend("sqlite")``: a test about one database is collected only for it (not
    collected and skipped for the other)."""
    kept, other = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        backend = item.callspec.params.get("test_database") if hasattr(item, "callspec") else None
        (other if marker and backend is not None and backend not in marker.args else kept).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


@pytest.fixture(scope="session")
def database_servers(tmp_path_factory):
    """The backends under test and their migrated templates, for the whole session."""
    servers = {"sqlite": (SqliteServer(tmp_path_factory.mktemp("templates")), {})}
    if os.environ.get(POSTGRES_URL_ENV):
        servers["postgresql"] = (PostgresServer(os.environ[POSTGRES_URL_ENV]), {})
    yield servers
    for server, templates in servers.values():
        for template in templates.values():
            server.drop(template)
        server.close()


@pytest.fixture(params=BACKENDS)
def test_database(request, database_servers, tmp_path):
    server, templates = database_servers[request.param]
    database = TestDatabase(server, templates, tmp_path)
    yield database
    if server.exists(database.name):
        server.drop(database.name)


@pytest.fixture
def database_url(test_database):
    """The URL of an empty database of this test."""
    return test_database.empty()


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


def migrated_schemas(registry: PluginRegistry, enable: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(owner, versions dir)`` of what a new host migrates: the host's and each enabled module's schema."""
    declared = [(impl.plugin_name, impl.function()) for impl in registry.pm.hook.database_schema.get_hookimpls()]
    return tuple(sorted((owner, str(schema.versions_dir)) for owner, schema in declared
                        if schema is not None and (owner == HOST_OWNER or owner in enable)))


@pytest.fixture
def make_host(request, test_database, clock, signing_key):
    """Build hosts on the test database (several may share it, like two users).

    The first host with ``upgrade`` starts from a copy of the migrated template, then enables the
    modules as a new host would (their ``module_enabled`` hooks run, with the test's clock).
    """
    hosts = []
    from_empty = request.node.get_closest_marker("migrations") is not None

    def new_host(url: str, registry: PluginRegistry) -> Host:
        return Host(url, registry=registry, clock=clock, license_public_key=signing_key[1],
                    password_hasher=CHEAP_HASHER)

    def make(registry: PluginRegistry | None = None, *, upgrade: bool = True, enable: tuple[str, ...] = ("crm",)):
        if registry is None:
            registry = PluginRegistry()
            registry.discover()
        schemas = migrated_schemas(registry, enable)

        def migrate_template(url: str) -> None:
            template = new_host(url, registry)
            template.upgrade()
            for owner, _ in schemas:
                if owner != HOST_OWNER:
                    template.upgrade(owner)
            template.close()

        copied = upgrade and not from_empty and test_database.copy_template((schemas, clock()), migrate_template)
        host = new_host(test_database.empty(), registry)
        hosts.append(host)
        if upgrade:
            if not copied:
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

    The tests' licence key and cheap password hash are handed to the CLI in code; an end user has
    no way to replace them. Without ``--user`` the CLI acts as the first active administrator."""
    monkeypatch.setenv("HOST_STUB_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(build_cli(license_public_key=signing_key[1], password_hasher=CHEAP_HASHER), list(args),
                             input=input, catch_exceptions=False)

    return run
