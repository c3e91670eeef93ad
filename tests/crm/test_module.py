"""The CRM as a module of the host: tables and migrations, master data, context actions, custom
field configuration and demo data."""

import pytest
from sqlalchemy import inspect

from crm_module import customfields, history, overview, prospects
from crm_module.demo import CONVERTED, PROSPECTS, fill_demo
from crm_module.errors import CrmError, InvalidInput
from host_stub import migrate
from host_stub.errors import HostError
from tests.crm.conftest import create, record


def test_tables_are_migrated_in_their_own_version_table_without_drift(host):
    tables = set(inspect(host.engine).get_table_names())
    assert {"crm_parties", "crm_events", "crm_followups", "crm_lists", "crm_merges", "crm_alembic_version"} <= tables
    with host.engine.connect() as connection:
        assert migrate.current_revision(connection, host.schema("crm")) == migrate.head_revision(host.schema("crm"))
        assert migrate.drift(connection, host.schema("crm")) == []


def test_statuses_categories_and_sources_are_master_data_users_can_extend(host):
    with host.session() as session:
        assert host.masterdata.labels(session, "crm_category")[:3] == ["Endkunde", "Dienstleister", "Händler"]
        assert "Messe" in host.masterdata.labels(session, "crm_source")
        assert host.masterdata.labels(session, "crm_status")[0] == "Neu"
        host.masterdata.add(session, "crm_category", "Großhandel")
    assert record(host, create(host, categories=["Großhandel"]))["categories"] == ["Großhandel"]


def actions(host, entity):
    with host.session() as session:
        return {action.name: action for owner, action in host.context_actions(session, entity) if owner == "crm"}


def test_context_actions_of_the_prospect_list(host):
    found = actions(host, "prospect")
    assert {name: (a.label, a.selection, a.writes) for name, a in found.items()
            if name in ("edit", "copy", "delete", "to_customers")} == {
        "edit": ("Bearbeiten", "one", False), "copy": ("Kopieren", "one", True),
        "delete": ("Löschen", "many", True), "to_customers": ("In Kunden umwandeln", "many", True)}
    assert "Neu" not in {a.label for a in found.values()}  # new prospects are not made from a selection
    assert found["to_customers"].confirm == "{count} Interessenten in Kunden umwandeln?"
    assert found["delete"].confirm_one == "Interessent {label} löschen?"
    assert found["delete"].confirm and not found["copy"].confirm


def test_context_action_on_customers_turns_them_into_prospects(host):
    action = actions(host, "customer")["to_prospects"]
    assert (action.label, action.selection, action.confirm is not None, action.writes) == (
        "In Interessenten umwandeln", "many", True, True)
    with host.session() as session:
        ids = [c.id for c in host.customers.create_many(session, [{"company": "X"}, {"company": "Y"}])]
    with pytest.raises(HostError, match="mit Ja bestätigt"):
        host.run_action("crm", "to_prospects", "customer", ids, confirmed=False)
    result = host.run_action("crm", "to_prospects", "customer", ids, confirmed=True)
    assert result.message == "2 Kunden in Interessenten umgewandelt."
    with host.session() as session:
        assert overview.count(session) == 2


def test_prospect_actions_convert_copy_edit_and_delete(host):
    ids = [create(host, company="Eins"), create(host, company="Zwei")]
    assert host.run_action("crm", "copy", "prospect", ids[:1], confirmed=False).message.startswith("Kopie I")
    edit = host.run_action("crm", "edit", "prospect", ids[:1], confirmed=False)
    assert edit.redirect_endpoint == "crm.edit_prospect"
    converted = host.run_action("crm", "to_customers", "prospect", ids, confirmed=True)
    assert converted.message == "2 Interessenten in Kunden umgewandelt."
    with host.session() as session:
        [copy_row] = overview.overview(session).rows
    assert host.run_action("crm", "delete", "prospect", [copy_row["id"]], confirmed=True).message == (
        f"Interessent „Eins“ ({copy_row['number']}) gelöscht.")


def test_a_copy_has_its_own_number_and_no_history(host):
    original = create(host, contacts=[{"last_name": "Schmitz"}], categories=["Händler"])
    with host.session() as session:
        history.record_event(host, session, original, "call")
        copy = prospects.copy(host, session, original).id
    first, second = record(host, original), record(host, copy)
    assert second["number"] != first["number"]
    assert (second["company"], second["categories"]) == (first["company"], first["categories"])
    assert [c["last_name"] for c in second["contacts"]] == ["Schmitz"]
    assert second["contacts"][0]["id"] != first["contacts"][0]["id"]
    assert second["events"] == [] and second["statistics"]["contact_count"] == 0


def test_custom_fields_are_configured_once_and_protect_stored_values(host):
    with host.session() as session:
        customfields.configure(host, session, 3, "Größe", "choice", ["klein", "groß"])
        customfields.configure(host, session, 4, "Mitarbeiter", "number")
    create(host, custom={"Größe": "groß", "Mitarbeiter": "7"})
    with host.session() as session, pytest.raises(CrmError, match="Auswahl, die entfernt würde"):
        customfields.configure(host, session, 3, "Größe", "choice", ["klein"])
    with host.session() as session, pytest.raises(CrmError, match="nur in Text umgestellt werden"):
        customfields.configure(host, session, 4, "Mitarbeiter", "date")
    with host.session() as session, pytest.raises(InvalidInput, match="hat schon ein anderes Feld"):
        customfields.configure(host, session, 5, "mitarbeiter", "text")
    with host.session() as session, pytest.raises(CrmError, match="1 bis 20"):
        customfields.configure(host, session, 21, "Zuviel", "text")
    with host.session() as session, pytest.raises(CrmError, match="gingen mit dem Feld verloren"):
        customfields.remove(host, session, 4)
    with host.session() as session:
        customfields.configure(host, session, 4, "Mitarbeiterzahl", "text")
        customfields.remove(host, session, 3, discard_values=True)
        assert {d.slot: (d.label, d.type) for d in customfields.definitions(session).values()} == {
            4: ("Mitarbeiterzahl", "text")}


def test_demo_data_fills_a_realistic_crm_once(host):
    with host.session() as session:
        lines = fill_demo(host, session)
    assert lines[0].startswith(f"{PROSPECTS} Interessenten angelegt")
    with host.session() as session:
        assert overview.count(session) == PROSPECTS - CONVERTED
        assert overview.count(session, overview.Filters(role="customer")) == CONVERTED
        rows = overview.overview(session, sort="contacts", descending=True, per_page=5).rows
        assert rows[0]["contact_count"] > 0 and any(r["lists"] for r in overview.overview(session).rows)
        assert len(customfields.definitions(session)) == 5
        assert fill_demo(host, session) == ["CRM-Beispieldaten sind schon vorhanden."]
