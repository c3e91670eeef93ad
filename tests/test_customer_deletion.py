"""Deleting a customer: its documents never reach another customer, ids are never reused, and
rows a (disabled) module holds for it are handled as the module declared or refuse the deletion."""

import pytest
from sqlalchemy import func, select

from crm_module import conversion, history
from crm_module.models import Party
from host_stub.errors import HostError, Vetoed
from host_stub.models import Document, DocumentBlob
from host_stub.plugins import PluginRegistry
from tests.conftest import signed_in_client
from tests.crm.conftest import create
from tests.third_module.plugin import Note

NOTES = "tests.third_module.plugin"


def count(host, model):
    with host.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_customer_with_an_invoice_cannot_be_deleted_and_the_message_says_why_and_how_long(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Rechnung GmbH")
        host.documents.add(session, "customer", customer.id, "RE-2026-001.pdf", b"Rechnung", "invoice")
    with pytest.raises(Vetoed) as refused, host.session() as session:
        host.customers.delete(session, customer.id)
    message = str(refused.value)
    assert "Kunde K10000 kann nicht gelöscht werden" in message
    assert "„RE-2026-001.pdf“" in message and "§ 147 AO" in message and "31.12.2034" in message
    with host.session() as session:
        assert host.customers.get(session, customer.id).company == "Rechnung GmbH"
        assert len(host.documents.for_party(session, "customer", customer.id)) == 1


def test_other_documents_are_deleted_with_the_customer_and_never_reach_the_next_one(host):
    with host.session() as session:
        first = host.customers.create(session, company="Weg GmbH")
        host.documents.add(session, "customer", first.id, "Angebot.pdf", b"Angebot an Weg GmbH", "offer")
        host.documents.add(session, "customer", first.id, "Brief.txt", b"Lieber Kunde", "letter")
    with host.session() as session:
        host.customers.delete(session, first.id)
    with host.session() as session:
        second = host.customers.create(session, company="Neu GmbH")
        assert second.id > first.id
        assert host.documents.for_party(session, "customer", second.id) == []
    assert count(host, Document) == 0 and count(host, DocumentBlob) == 0


def test_ids_of_customers_parties_and_documents_are_never_reused(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Hoch GmbH")
        document = host.documents.add(session, "crm_prospect", 999, "a.txt", b"a")
        host.documents.delete_for_party(session, "crm_prospect", 999)
    party_id = create(host)
    with host.session() as session:
        old_party = session.scalars(select(Party.id).where(Party.customer_id == customer.id)).one()
        host.customers.delete(session, customer.id)
        session.execute(Party.__table__.delete().where(Party.id == party_id))
    with host.session() as session:
        again = host.customers.create(session, company="Danach GmbH")
        assert again.id > customer.id
        assert host.documents.add(session, "crm_prospect", 1, "b.txt", b"b").id > document.id
        new_party = session.scalars(select(Party.id).where(Party.customer_id == again.id)).one()
    assert new_party > max(party_id, old_party)
    assert create(host) > new_party


# -- rows of other modules ---------------------------------------------------------------------


@pytest.fixture
def notes_host(make_host):
    registry = PluginRegistry()
    registry.discover(extra=[NOTES])
    return make_host(registry, enable=("crm", "notes"))


def test_a_disabled_module_holding_restrict_rows_refuses_the_deletion_naming_itself(notes_host):
    with notes_host.session() as session:
        customer = notes_host.customers.create(session, company="Notiert GmbH")
    notes_host.run_action("notes", "add_note", "customer", [customer.id], confirmed=True)
    notes_host.run_action("notes", "add_note", "customer", [customer.id], confirmed=True)
    with notes_host.session() as session:
        notes_host.set_module_enabled(session, "notes", False)
    with pytest.raises(Vetoed) as refused, notes_host.session() as session:
        notes_host.customers.delete(session, customer.id)
    message = str(refused.value)
    assert "Kunde K10000 kann nicht gelöscht werden" in message
    assert "Modul „Notizen“ (deaktiviert) hat noch 2 Einträge" in message
    assert "host-stub plugins enable notes" in message
    with notes_host.session() as session:
        assert notes_host.customers.get(session, customer.id).company == "Notiert GmbH"
    assert count(notes_host, Note) == 2


def test_the_cli_refuses_the_deletion_with_the_message_and_no_traceback(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", NOTES)
    cli("init")
    cli("plugins", "enable", "notes")
    cli("customers", "add", "--company", "Notiert GmbH")
    from host_stub.host import Host

    host = Host()
    try:
        host.run_action("notes", "add_note", "customer", [1], confirmed=True)
    finally:
        host.close()
    cli("plugins", "disable", "notes")
    result = cli("customers", "delete", "1", "--yes")
    assert result.exit_code == 1
    assert "Modul „Notizen“ (deaktiviert) hat noch 1 Eintrag" in result.output
    assert "Traceback" not in result.output and "IntegrityError" not in result.output


def test_an_integrity_error_from_an_unknown_table_becomes_a_refusal(host):
    from sqlalchemy import text

    with host.session() as session:
        customer = host.customers.create(session, company="Fremd GmbH")
    with host.engine.begin() as connection:
        connection.execute(text("CREATE TABLE old_module_rows (id INTEGER PRIMARY KEY, "
                                "customer_id INTEGER NOT NULL REFERENCES host_customers (id))"))
        connection.execute(text("INSERT INTO old_module_rows (id, customer_id) VALUES (1, :id)"), {"id": customer.id})
    with pytest.raises(HostError, match="verweisen noch Daten.*nicht mehr installiert"), host.session() as session:
        host.customers.delete(session, customer.id)
    with host.session() as session:
        assert host.customers.get(session, customer.id).company == "Fremd GmbH"


def test_a_converted_customer_deleted_while_the_crm_is_disabled_keeps_its_crm_record(host):
    """SET NULL: the database unlinks the CRM row, which becomes a prospect again when the CRM returns."""
    party_id = create(host)
    with host.session() as session:
        customer_id = conversion.convert(host, session, [party_id])[party_id]
        history.record_event(host, session, party_id, "call", subject="Gespräch")
        host.set_module_enabled(session, "crm", False)
    with host.session() as session:
        host.customers.delete(session, customer_id)
    with host.session() as session:
        party = session.get(Party, party_id)
        assert party.customer_id is None and party.company == "Bäckerei Schmitz GmbH"


def test_the_web_refuses_the_deletion_with_a_409_page_naming_the_module(notes_host):
    from tests.test_web import csrf_token, run_action, text_of

    with notes_host.session() as session:
        customer = notes_host.customers.create(session, company="Notiert GmbH")
    notes_host.run_action("notes", "add_note", "customer", [customer.id], confirmed=True)
    with notes_host.session() as session:
        notes_host.set_module_enabled(session, "notes", False)
    client = signed_in_client(notes_host)
    response = run_action(client, csrf_token(client), "host", "delete", [customer.id], confirmed=True)
    assert response.status_code == 409
    assert "Modul „Notizen“ (deaktiviert) hat noch 1 Eintrag zu diesem Kunden" in text_of(response)
