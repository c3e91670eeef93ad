"""Schema migrations: from empty, from the previous revision, no drift, clear errors."""

import pytest
from sqlalchemy import inspect, select, text

from host_stub import migrate
from host_stub.errors import HostError

pytestmark = pytest.mark.migrations


def test_upgrade_from_empty_creates_every_table_of_host_and_enabled_modules(make_host):
    host = make_host()
    tables = set(inspect(host.engine).get_table_names())
    for schema in host.schemas().values():
        assert set(schema.metadata.tables) <= tables
    assert {"host_alembic_version"} <= tables


@pytest.mark.parametrize("owner", ["host", "crm"])
def test_each_revision_upgrades_from_the_one_before_and_ends_without_drift(make_host, owner):
    host = make_host(upgrade=False)
    if owner != "host":
        host.upgrade("host")
    schema = host.schema(owner)
    for revision in migrate.revisions(schema):
        with host.engine.begin() as connection:
            migrate.upgrade(connection, schema, revision)
            assert migrate.current_revision(connection, schema) == revision
    with host.engine.connect() as connection:
        assert migrate.drift(connection, schema) == []


def test_data_survives_the_upgrade_from_the_previous_host_revision(make_host):
    host = make_host(upgrade=False)
    host.upgrade("host", "host_0001")
    with host.session() as session:
        host.customers.create(session, company="Alt GmbH")
    host.upgrade()
    with host.session() as session:
        rows, total = host.customers.page(session)
    assert total == 1 and rows[0].company == "Alt GmbH"
    assert "host_documents" in inspect(host.engine).get_table_names()


def test_upgrade_is_idempotent(make_host):
    host = make_host()
    assert host.upgrade() == ["host", "crm"]


def test_modules_keep_their_revision_in_their_own_version_table(make_host):
    host = make_host()
    with host.engine.connect() as connection:
        host_rev = connection.execute(text("SELECT version_num FROM host_alembic_version")).scalar_one()
        crm_rev = connection.execute(text("SELECT version_num FROM crm_alembic_version")).scalar_one()
    assert host_rev == migrate.head_revision(host.schema("host"))
    assert crm_rev == migrate.head_revision(host.schema("crm"))


def test_disabled_module_is_not_migrated_until_enabled(make_host):
    host = make_host(enable=())
    assert "crm_alembic_version" not in inspect(host.engine).get_table_names()
    with host.session() as session:
        host.set_module_enabled(session, "crm", True)
    assert "crm_alembic_version" in inspect(host.engine).get_table_names()


def test_unknown_target_revision_is_refused_naming_the_known_ones(make_host):
    host = make_host(upgrade=False)
    with pytest.raises(HostError, match="Unbekannte Revision 'abc123' für host. Bekannt sind: host_0001, host_0002"):
        host.upgrade("host", "abc123")
    assert "host_alembic_version" not in inspect(host.engine).get_table_names()


def test_database_from_a_newer_version_is_refused(make_host):
    host = make_host()
    with host.engine.begin() as connection:
        connection.execute(text("UPDATE host_alembic_version SET version_num = 'host_9999'"))
    with pytest.raises(HostError, match="Revision, die diese Version nicht kennt"):
        host.upgrade()


def test_importing_the_packages_migrates_nothing(database_url):
    import importlib

    from sqlalchemy import create_engine

    import crm_module.plugin
    import host_stub.cli

    importlib.reload(host_stub.cli)
    importlib.reload(crm_module.plugin)
    engine = create_engine(database_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_cli_db_upgrade_and_unknown_revision(cli):
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and "host: aktuell" in result.output
    result = cli("db", "upgrade", "--module", "host", "--revision", "nope")
    assert result.exit_code == 1 and "Unbekannte Revision 'nope'" in result.output
    result = cli("db", "upgrade", "--revision", "nope")
    assert result.exit_code == 2 and "--revision braucht --module" in result.output


def test_upgrading_keeps_rows_ids_and_links_and_from_then_on_ids_are_never_reused(make_host, monkeypatch):
    """host_0004 and crm_0002 rebuild tables on SQLite (AUTOINCREMENT); data, indexes and links stay."""
    from crm_module import conversion, history, prospects
    from crm_module.models import Event, Party
    from host_stub.models import Customer, Document, ModuleState
    from tests.crm.conftest import prospect_data

    monkeypatch.setattr(conversion, "_log", lambda *args: None)  # the older version had no conversion log
    host = make_host(upgrade=False)
    host.upgrade("host", "host_0002")
    host.upgrade("crm", "crm_0001")
    with host.session() as session:
        # enabled as in an older version: set_module_enabled would migrate the CRM to its head
        session.add(ModuleState(module_id="crm", enabled=True, first_enabled_at=host.now(), changed_at=host.now()))
        session.flush()
        host.masterdata.seed(session)
        party_ids = [prospects.create(host, session, prospect_data(company=f"Firma {i}")).id for i in range(3)]
        pairs = conversion.convert(host, session, party_ids[:2])
        history.record_event(host, session, party_ids[0], "call", subject="Vor dem Upgrade")
        for customer_id in pairs.values():
            host.documents.add(session, "customer", customer_id, "Angebot.pdf", b"A", "offer")
    host.upgrade()
    with host.engine.connect() as connection:
        for owner in ("host", "crm"):
            assert migrate.current_revision(connection, host.schema(owner)) == migrate.head_revision(host.schema(owner))
        assert migrate.drift(connection, host.schema("host")) == []
        assert migrate.drift(connection, host.schema("crm")) == []
    with host.session() as session:
        assert {p.id: p.customer_id for p in session.scalars(select(Party))} == {
            party_ids[0]: pairs[party_ids[0]], party_ids[1]: pairs[party_ids[1]], party_ids[2]: None}
        assert [e.subject for e in session.scalars(select(Event))] == ["Vor dem Upgrade"]
        assert sorted(d.party_id for d in session.scalars(select(Document))) == sorted(pairs.values())
        highest = max(pairs.values())
        session.execute(Customer.__table__.delete().where(Customer.id == highest))
        session.execute(Document.__table__.delete().where(Document.party_id == highest))
        session.execute(Party.__table__.delete().where(Party.id == party_ids[2]))
    with host.session() as session:
        assert host.customers.create(session, company="Neu GmbH").id > highest
        assert host.documents.add(session, "customer", 1, "x.txt", b"x").id > 2
        assert prospects.create(host, session, prospect_data()).id > party_ids[2]
    if host.engine.dialect.name == "sqlite":
        with host.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.backend("sqlite")  # PostgreSQL rebuilds nothing
def test_a_rebuild_inside_a_transaction_that_has_written_is_refused_and_changes_nothing(make_host):
    """SQLite cannot switch foreign keys off then; dropping crm_parties would cascade to its rows."""
    from crm_module.models import Party
    from host_stub.models import ModuleState
    from tests.crm.conftest import create

    host = make_host(upgrade=False)
    host.upgrade("host")
    host.upgrade("crm", "crm_0001")
    with host.session() as session:
        session.add(ModuleState(module_id="crm", enabled=True, first_enabled_at=host.now(), changed_at=host.now()))
        session.flush()
        host.masterdata.seed(session)
    party_id = create(host)
    with host.session() as session:
        session.get(ModuleState, "crm").enabled = False
    with pytest.raises(HostError, match="Tabellen umgebaut \\(crm_parties\\).*host-stub db upgrade"), \
            host.session() as session:
        host.customers.create(session, company="Vorher GmbH")
        session.flush()
        host.set_module_enabled(session, "crm", True)
    with host.session() as session:
        assert [p.id for p in session.scalars(select(Party))] == [party_id]
    with host.engine.connect() as connection:
        assert migrate.current_revision(connection, host.schema("crm")) == "crm_0001"
