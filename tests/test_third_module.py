"""A third module written only from docs/hooks.md (tests/third_module) plugs into the host."""

import re

import pytest
from sqlalchemy import func, inspect, select

from host_stub import migrate
from host_stub.errors import LicenseRefused, Vetoed
from host_stub.plugins import PluginRegistry
from tests.conftest import signed_in_client
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


def csrf(client, path="/m/notes/"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_its_action_answers_with_a_csv_download(notes_host):
    with notes_host.session() as session:
        ids = [c.id for c in notes_host.customers.create_many(session, [{"company": "A"}, {"company": "B"}])]
    notes_host.run_action("notes", "add_note", "customer", ids, confirmed=True)
    client = signed_in_client(notes_host)
    response = client.post("/aktion", data={"csrf_token": csrf(client), "owner": "notes", "name": "export_notes",
                                            "entity": "customer", "ids": ids, "next": "/kunden"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Notizen Uebersicht.csv\"; filename*=UTF-8''Notizen%20%C3%9Cbersicht.csv")
    assert response.data.decode("utf-8-sig").splitlines() == [
        "Kunde;Notiz", f"{ids[0]};Rückruf erbeten", f"{ids[1]};Rückruf erbeten"]


def test_task_kinds_of_the_module_run_from_its_page_with_progress_and_result(notes_host):
    with notes_host.session() as session:
        notes_host.customers.create_many(session, [{"company": "A"}, {"company": "B"}, {"company": "C"}])
    client = signed_in_client(notes_host)
    response = client.post("/m/notes/fuer-alle", data={"csrf_token": csrf(client), "text": "Weihnachtskarte"})
    assert response.status_code == 302
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert notes_host.tasks.wait(task_id).state == "done"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Notizen für alle Kunden anlegen" in page and "3 Notizen angelegt." in page
    assert 'href="/m/notes/">Zum Ergebnis' in page
    with notes_host.session() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 3
    response = client.post("/m/notes/fuer-alle", data={"csrf_token": csrf(client), "text": " "})
    failed = notes_host.tasks.wait(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert failed.error == "Bitte geben Sie den Text der Notiz ein."


def test_its_task_runs_on_the_command_line_with_a_progress_bar(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", PLUGIN)
    monkeypatch.setattr("click._termui_impl.isatty", lambda _stream: True)
    cli("init")
    cli("plugins", "enable", "notes")
    cli("customers", "add", "--company", "A")
    result = cli("notes", "add-to-all", "Rückruf")
    assert result.exit_code == 0, result.output
    assert "Notizen für alle Kunden anlegen" in result.stderr and "100%" in result.stderr
    assert result.stdout == "1 Notiz angelegt.\n"
    assert cli("notes", "count").output.strip() == "1"


def test_periodic_jobs_of_the_module_run_until_its_licence_expires(notes_host, clock):
    with notes_host.session() as session:
        customer = notes_host.customers.create(session, company="A")
        session.add_all([Note(customer_id=customer.id, text=""), Note(customer_id=customer.id, text="Bleibt")])
    [cleanup] = [o for o in notes_host.jobs.run_due() if o.key == "notes.cleanup"]
    assert (cleanup.ran, cleanup.ok, cleanup.text) == (True, True, "1 leere Notiz entfernt.")
    clock.advance(days=15)  # past its 14-day trial
    [cleanup] = [o for o in notes_host.jobs.run_due() if o.key == "notes.cleanup"]
    assert not cleanup.ran and cleanup.text.startswith("läuft nicht: ") and "nicht lizenziert" in cleanup.text
    with notes_host.session() as session:
        assert session.scalars(select(Note.text)).all() == ["Bleibt"]
