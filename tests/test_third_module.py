"""A third module written only from docs/hooks.md (tests/third_module) plugs into the host."""

import pytest
from sqlalchemy import func, inspect, select

from host_stub import migrate
from host_stub.errors import LicenseRefused, Vetoed
from host_stub.plugins import PluginRegistry
from tests.third_module.plugin import Note

PLUGIN = "tests.third_module.plugin"


@pytest.fixture
def notes_host(make_host):
    registry = PluginRegistry()
    registry.discover(extra=[PLUGIN])
    return make_host(registry, enable=("crm", "notes"))


def test_menu_items_of_the_module_appear_in_the_office_workspace(notes_host):
    with notes_host.session() as session:
        office = notes_host.menu(session)["Office"]
    assert ("notes", "Notizen", "notes.index") in [(o, i.label, i.endpoint) for o, i in office]


def test_database_schema_of_the_module_is_migrated_in_its_own_version_table_without_drift(notes_host):
    assert {"notes_entries", "notes_alembic_version"} <= set(inspect(notes_host.engine).get_table_names())
    with notes_host.engine.connect() as connection:
        assert migrate.drift(connection, notes_host.schema("notes")) == []


def test_context_actions_of_the_module_write_notes_and_its_veto_protects_them(notes_host):
    with notes_host.session() as session:
        ids = [c.id for c in notes_host.customers.create_many(session, [{"company": "A"}, {"company": "B"}])]
        actions = {(o, a.name): a for o, a in notes_host.context_actions(session, "customer")}
    assert actions[("notes", "add_note")].label == "Notiz anlegen"
    result = notes_host.run_action("notes", "add_note", "customer", ids, confirmed=True)
    assert result.message == "2 Notizen angelegt."
    with notes_host.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 2
    with pytest.raises(Vetoed, match="Notizen"):
        notes_host.run_action("host", "delete", "customer", ids[:1], confirmed=True)


def test_its_writing_action_is_refused_after_its_trial(notes_host, clock):
    with notes_host.session() as session:
        customer = notes_host.customers.create(session, company="A")
    clock.advance(days=15)
    with pytest.raises(LicenseRefused, match="Notizen ist nicht lizenziert"):
        notes_host.run_action("notes", "add_note", "customer", [customer.id], confirmed=True)


def test_cli_commands_of_the_module_are_added_to_host_stub(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", PLUGIN)
    cli("init")
    cli("plugins", "enable", "notes")
    result = cli("notes", "count")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0"
    assert "notes" in cli("--help").output
