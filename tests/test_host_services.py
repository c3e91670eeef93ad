"""The Host facade's services and the host events modules receive."""

import pytest

from host_stub.errors import HostError, NotFound, Vetoed
from host_stub.plugins import PluginRegistry
from tests.spy_module import plugin as spy


@pytest.fixture
def spied(make_host):
    spy.CALLS.clear()
    spy.VETO.clear()
    registry = PluginRegistry()
    registry.discover(extra=["tests.spy_module.plugin"])
    return make_host(registry, enable=("spy",))


def test_customer_numbers_come_from_the_number_range_in_order(host):
    with host.session() as session:
        first = host.customers.create(session, company="A GmbH")
        more = host.customers.create_many(session, [{"last_name": "Berg"}, {"company": "C KG"}])
    assert [first.number, *(c.number for c in more)] == ["K10000", "K10001", "K10002"]


def test_number_range_is_not_consumed_by_a_rolled_back_transaction(host):
    with pytest.raises(HostError), host.session() as session:
        host.customers.create(session, company="Weg GmbH")
        host.customers.create(session, company="")  # no name: refused, all rolled back
    with host.session() as session:
        assert host.customers.create(session, company="Da GmbH").number == "K10000"


def test_modules_take_numbers_from_their_own_ranges(host):
    with host.session() as session:
        assert host.numbers.take(session, "crm_test", 2, prefix="I", start=500) == ["I500", "I501"]
        assert host.numbers.take(session, "crm_test") == ["I502"]


def test_customer_created_updated_and_deleting_reach_enabled_modules(spied):
    with spied.session() as session:
        customer = spied.customers.create(session, company="Spion AG", city="Köln")
        spied.customers.update(session, customer.id, city="Bonn")
        spied.customers.delete(session, customer.id)
    assert spy.CALLS[-3:] == [
        ("customer_created", "K10000"),
        ("customer_updated", "K10000", {"city": ("Köln", "Bonn")}),
        ("customer_deleting", "K10000"),
    ]


def test_customer_updated_gets_only_the_fields_that_changed_and_is_not_called_without_a_change(spied):
    with spied.session() as session:
        customer = spied.customers.create(session, company="Spion AG", city="Köln", postcode="50667")
        spy.CALLS.clear()
        spied.customers.update(session, customer.id, city="Köln", postcode="50668")
        spied.customers.update(session, customer.id, city="Köln")
    assert spy.CALLS == [("customer_updated", "K10000", {"postcode": ("50667", "50668")})]


def test_a_module_vetoes_deleting_a_customer_and_nothing_is_deleted(spied):
    with spied.session() as session:
        customer = spied.customers.create(session, company="Bleibt GmbH")
    spy.VETO["K10000"] = "Es gibt noch offene Vorgänge."
    with pytest.raises(Vetoed, match="Es gibt noch offene Vorgänge"), spied.session() as session:
        spied.customers.delete(session, customer.id)
    with spied.session() as session:
        assert spied.customers.get(session, customer.id).company == "Bleibt GmbH"


def test_disabled_module_receives_no_events(spied):
    with spied.session() as session:
        spied.set_module_enabled(session, "spy", False)
        spy.CALLS.clear()
        spied.customers.create(session, company="Still GmbH")
    assert spy.CALLS == []


def test_document_created_and_the_document_store(spied):
    with spied.session() as session:
        customer = spied.customers.create(session, company="Doku GmbH")
        document = spied.documents.add(session, "customer", customer.id, "Angebot 2026.pdf", b"%PDF-1.4", "offer")
        copy = spied.documents.add(session, "customer", customer.id, "Kopie.pdf", b"%PDF-1.4")
        assert spied.documents.content(session, copy.id) == b"%PDF-1.4"
        assert copy.sha256 == document.sha256 and document.size == 8
        assert document.content_type == "application/pdf"
    assert ("document_created", "Angebot 2026.pdf", "customer", customer.id) in spy.CALLS


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.txt", "C:\\x.txt", "", ".htaccess", "CON.txt", "x" * 201,
                                  "bad\x00name"])
def test_path_like_or_unsafe_document_names_are_refused(host, name):
    with pytest.raises(HostError, match="Dateiname"), host.session() as session:
        host.documents.add(session, "customer", 1, name, b"data")


def test_oversized_documents_are_refused_and_nothing_is_stored(host):
    host.documents.max_bytes = 1024
    with pytest.raises(HostError, match="höchstens 0 MB|höchstens"), host.session() as session:
        host.documents.add(session, "customer", 1, "gross.bin", b"x" * 1025)
    with host.session() as session:
        assert host.documents.for_party(session, "customer", 1) == []


def test_invoices_cannot_be_deleted_with_their_party(host):
    with host.session() as session:
        host.documents.add(session, "customer", 7, "Rechnung 1.pdf", b"R1", "invoice")
    with pytest.raises(HostError, match="aufbewahrt"), host.session() as session:
        host.documents.delete_for_party(session, "customer", 7)


def test_masterdata_kinds_come_from_modules_and_users_edit_them(spied):
    with spied.session() as session:
        assert spied.masterdata.labels(session, "spy_colour") == ["Rot", "Grün"]
        spied.masterdata.add(session, "spy_colour", "Blau")
        spied.masterdata.deactivate(session, "spy_colour", "Rot")
        assert spied.masterdata.labels(session, "spy_colour") == ["Grün", "Blau"]
        with pytest.raises(HostError, match="gibt es in dieser Liste schon"):
            spied.masterdata.add(session, "spy_colour", "Blau")
        with pytest.raises(NotFound, match="Unbekannte Stammdatenart"):
            spied.masterdata.labels(session, "nope")


def test_settings_are_kept_per_database(host, make_host):
    with host.session() as session:
        host.settings.set(session, "x", "1")
    with make_host(upgrade=False).session() as session:
        assert host.settings.get(session, "x") == "1"


def test_demo_data_fills_customers_enables_modules_and_asks_modules_for_theirs(spied):
    from host_stub.demo import fill_demo

    lines = fill_demo(spied)
    assert "Spion bereit." in lines
    assert ("demo_data",) in spy.CALLS
    with spied.session() as session:
        _rows, total = spied.customers.page(session)
    assert total >= 10
    assert fill_demo(spied) == ["Beispieldaten sind schon vorhanden."]
