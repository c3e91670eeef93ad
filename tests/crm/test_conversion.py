"""Prospects become customers and back without losing anything, all or none, once only."""

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_module import conversion, customfields, history, mailinglists, overview, prospects
from crm_module.errors import CrmError
from host_stub.api import hookimpl
from host_stub.errors import HostError, NotFound, Vetoed
from host_stub.manifest import Manifest
from host_stub.plugins import PluginRegistry
from tests.crm.conftest import create, record

#: What may differ after a round trip: the record's role and link, and when it was last saved.
VOLATILE = {"role", "customer_id", "customer_number", "updated_at"}


def full_prospect(host) -> int:
    """A prospect with something on every tab and in its history."""
    with host.session() as session:
        customfields.configure(host, session, 1, "Mitarbeiter", "number")
        customfields.configure(host, session, 7, "Größe", "choice", ["klein", "groß"])
    party_id = create(
        host, salutation="", title="", status="Angebot", categories=["Händler", "Endkunde"], source="Messe",
        expected_volume="12500", vat_treatment="standard", payment_terms_days=30, discount_percent="3",
        address_addition="Hinterhaus", website="www.schmitz.example",
        phones=[{"kind": "Telefon", "number": "0221 1234567"}, {"kind": "Mobil", "number": "0171 7654321"}],
        contacts=[{"first_name": "Anna", "last_name": "Schmitz", "function": "Inhaberin", "is_main": True},
                  {"first_name": "Jan", "last_name": "Meier", "email": "jan@schmitz.example"}],
        custom={"Mitarbeiter": "12", "Größe": "klein"},
    )
    with host.session() as session:
        prospects.add_document(host, session, party_id, "Angebot 2026.pdf", b"%PDF-1.7 Angebot", "offer")
        history.record_event(host, session, party_id, "call", subject="Erstgespräch",
                             occurred_at=datetime(2026, 10, 1, 10, 0))
        history.add_followup(host, session, party_id, date(2026, 11, 20), "Nachfassen")
        newsletter = mailinglists.create_list(host, session, "Newsletter", "newsletter")
        mailinglists.add_members(host, session, newsletter.id, [party_id])
    return party_id


def convert(host, ids):
    with host.session() as session:
        return conversion.convert(host, session, ids)


def revert(host, customer_ids):
    with host.session() as session:
        return conversion.revert(host, session, customer_ids)


def customer_total(host) -> int:
    with host.session() as session:
        return host.customers.page(session)[1]


def test_a_converted_prospect_is_a_customer_with_every_field_and_its_whole_history(host):
    party_id = full_prospect(host)
    before = record(host, party_id)
    customer_id = convert(host, [party_id])[party_id]
    with host.session() as session:
        customer = host.customers.get(session, customer_id)
        assert customer.number.startswith("K")
        for field in ("company", "street", "house_number", "address_addition", "postcode", "city", "country",
                      "email", "website", "vat_treatment", "payment_terms_days", "discount_percent"):
            assert getattr(customer, field) == before[field], field
        assert customer.phone == "+49 221 1234567"
        documents = host.documents.for_party(session, "customer", customer_id)
        assert [d.filename for d in documents] == ["Angebot 2026.pdf"]
        assert host.documents.for_party(session, "crm_prospect", party_id) == []
        on_customer = prospects.for_customer(host, session, customer_id)
    assert on_customer["id"] == party_id and on_customer["customer_number"] == customer.number
    for tab in ("contacts", "phones", "categories", "custom", "status", "source", "expected_volume", "events",
                "followups", "lists", "statistics"):
        assert on_customer[tab] == before[tab], tab
    assert [d["filename"] for d in on_customer["documents"]] == ["Angebot 2026.pdf"]


def test_many_prospects_become_customers_with_consecutive_numbers_and_leave_the_overview(host):
    ids = [create(host, company=f"Firma {n}") for n in range(5)]
    pairs = convert(host, ids)
    with host.session() as session:
        numbers = [host.customers.get(session, pairs[i]).number for i in ids]
        assert overview.count(session) == 0
    assert [int(n[1:]) for n in numbers] == list(range(int(numbers[0][1:]), int(numbers[0][1:]) + 5))


def test_one_incomplete_prospect_converts_nothing(host):
    good = [create(host, company="Gut A"), create(host, company="Gut B")]
    bad = create(host, company="Ohne Straße", street="")
    with pytest.raises(CrmError, match="vollständige Anschrift.*Es wurde nichts umgewandelt") as caught:
        convert(host, [*good, bad])
    assert record(host, bad)["number"] in str(caught.value)
    assert customer_total(host) == 0
    assert {record(host, i)["role"] for i in [*good, bad]} == {"prospect"}


class Bookkeeping:
    """Another module that refuses conversions (its event hook raises)."""

    @hookimpl
    def crm_prospects_converted(self, host, session, pairs):
        raise HostError("Die Buchhaltung ist gesperrt.")


def test_a_module_refusing_the_conversion_rolls_all_of_it_back(make_host):
    registry = PluginRegistry()
    registry.discover()
    registry.register(Bookkeeping(), Manifest("books", "Buchhaltung", "1.0", "", ">=1.0", "tests", "books_"))
    host = make_host(registry, enable=("crm", "books"))
    ids = [create(host, company="A"), create(host, company="B")]
    with pytest.raises(HostError, match="gesperrt"):
        convert(host, ids)
    assert customer_total(host) == 0
    assert {record(host, i)["role"] for i in ids} == {"prospect"}


def test_already_converted_unknown_or_empty_selections_are_refused(host):
    party_id = create(host)
    convert(host, [party_id])
    with pytest.raises(CrmError, match="Schon Kunde"):
        convert(host, [party_id])
    with pytest.raises(NotFound, match="gibt es nicht mehr; bitte die Liste neu laden"):
        convert(host, [999])
    with pytest.raises(CrmError, match="mindestens einen"):
        convert(host, [])
    assert customer_total(host) == 1


def test_a_prospect_converted_meanwhile_by_another_user_gives_one_customer(make_host):
    first = make_host()
    second = make_host(upgrade=False)
    party_id = create(first)
    shown = record(second, party_id)  # the second user still sees a prospect
    assert shown["role"] == "prospect"
    convert(first, [party_id])
    with pytest.raises(CrmError):
        convert(second, [party_id])
    assert customer_total(first) == 1


def test_two_users_converting_the_same_prospect_at_once_give_one_customer(make_host):
    first = make_host()
    second = make_host(upgrade=False)
    party_ids = [create(first, company="Gleichzeitig GmbH"), create(first, company="Zweite GmbH")]
    claimed, release = threading.Event(), threading.Event()
    outcome = {}

    def first_user():
        with first.session() as session:
            outcome["first"] = conversion.convert(first, session, party_ids)
            claimed.set()
            release.wait(10)  # keep the transaction open while the second user tries

    def second_user():
        claimed.wait(10)
        try:
            with second.session() as session:
                outcome["second"] = conversion.convert(second, session, party_ids[::-1])
        except HostError as exc:
            outcome["second_error"] = str(exc)

    threads = [threading.Thread(target=first_user), threading.Thread(target=second_user)]
    for thread in threads:
        thread.start()
    claimed.wait(10)
    threading.Timer(0.5, release.set).start()
    for thread in threads:
        thread.join(30)
    assert "second" not in outcome and "nichts umgewandelt" in outcome["second_error"]
    assert customer_total(first) == 2 and len(outcome["first"]) == 2


def test_a_customer_becomes_a_prospect_again_with_its_old_number_and_everything_moved(host):
    party_id = full_prospect(host)
    before = record(host, party_id)
    customer_id = convert(host, [party_id])[party_id]
    with host.session() as session:
        history.record_event(host, session, party_id, "email", subject="Rechnungsanschrift geklärt",
                             occurred_at=datetime(2026, 11, 1, 8, 0))
        prospects.add_document(host, session, party_id, "Vertrag.pdf", b"Vertrag", "letter")
    assert revert(host, [customer_id]) == {customer_id: party_id}
    after = record(host, party_id)
    assert after["number"] == before["number"] and after["role"] == "prospect"
    assert [e["subject"] for e in after["events"]] == ["Erstgespräch", "Rechnungsanschrift geklärt"]
    assert [d["filename"] for d in after["documents"]] == ["Angebot 2026.pdf", "Vertrag.pdf"]
    with host.session() as session, pytest.raises(NotFound):
        host.customers.get(session, customer_id)


def test_changes_made_on_the_customer_come_back_to_the_prospect(host):
    party_id = create(host)
    customer_id = convert(host, [party_id])[party_id]
    with host.session() as session:
        host.customers.update(session, customer_id, city="Bonn", postcode="53111", phone="0228 7654321")
    after = record(host, revert(host, [customer_id])[customer_id])
    assert (after["city"], after["postcode"]) == ("Bonn", "53111")
    assert after["phones"][0]["number"] == "+49 228 7654321"


def test_a_customer_created_in_the_host_becomes_a_prospect_with_a_new_number(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Direkt GmbH", city="Köln", phone="0221 999999")
    party_id = revert(host, [customer.id])[customer.id]
    after = record(host, party_id)
    assert after["number"].startswith("I") and after["company"] == "Direkt GmbH"
    assert after["status"] == "Neu" and after["phones"] == [{"kind": "Telefon", "number": "+49 221 999999"}]


def test_a_customer_with_invoices_stays_a_customer(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Mit Rechnung GmbH")
        host.documents.add(session, "customer", customer.id, "RE-1001.pdf", b"Rechnung", "invoice")
    with pytest.raises(CrmError, match="Rechnungen müssen beim Kunden aufbewahrt werden"):
        revert(host, [customer.id])
    assert customer_total(host) == 1


def test_crm_row_follows_the_host_customer(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Neu GmbH", city="Köln", email="info@neu.example")
    with host.session() as session:
        host.customers.update(session, customer.id, city="Bonn")
        shown = prospects.for_customer(host, session, customer.id)
    assert (shown["company"], shown["city"], shown["role"]) == ("Neu GmbH", "Bonn", "customer")
    with host.session() as session:
        assert overview.overview(session, overview.Filters(role="customer", search="neu")).rows[0]["city"] == "Bonn"


def test_deleting_a_customer_with_crm_history_is_vetoed_without_history_allowed(host):
    with host.session() as session:
        quiet, talked = host.customers.create_many(session, [{"company": "Still"}, {"company": "Gesprächig"}])
        history.record_event(host, session, prospects.for_customer(host, session, talked.id)["id"], "call",
                             subject="Reklamation")
    with host.session() as session:
        host.customers.delete(session, quiet.id)
    with pytest.raises(Vetoed, match="1 Kontaktereignis.*In Interessenten umwandeln"), host.session() as session:
        host.customers.delete(session, talked.id)
    assert customer_total(host) == 1


def test_a_customer_deleted_while_the_crm_was_disabled_keeps_its_history(host):
    party_id = create(host)
    customer_id = convert(host, [party_id])[party_id]
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Wichtig")
        host.set_module_enabled(session, "crm", False)
    with host.session() as session:
        host.customers.delete(session, customer_id)
        host.set_module_enabled(session, "crm", True)
    kept = record(host, party_id)
    assert [e["subject"] for e in kept["events"]] == ["Wichtig"]
    assert (kept["role"], kept["customer_id"]) == ("prospect", None)  # back in the prospect list


# -- round trip ------------------------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ -.&", min_size=1,
                max_size=40).filter(lambda s: any(c.isalpha() for c in s))
PHONES = ["+49 221 1234567", "+49 171 7654321", "+43 1 2345678", "+41 44 2345678", "+31 20 2345678",
          "+49 30 12345678"]
ADDRESSES = st.sampled_from([("DE", "50667"), ("AT", "1010"), ("CH", "8001"), ("NL", "1012 AB"), ("FR", "75001"),
                             ("DE", "01067")])


@st.composite
def generated_prospects(draw):
    country, postcode = draw(ADDRESSES)
    business = draw(st.booleans())
    data = {
        "is_business": business,
        "company": draw(WORDS) if business else draw(st.sampled_from(["", "Privat"])),
        "salutation": draw(st.sampled_from(["", "Herr", "Frau"])), "title": draw(st.sampled_from(["", "Dr."])),
        "first_name": draw(WORDS), "last_name": draw(WORDS), "street": draw(WORDS),
        "house_number": draw(st.from_regex(r"[1-9][0-9]{0,2}[a-c]?", fullmatch=True)),
        "address_addition": draw(st.sampled_from(["", "c/o Zentrale", "3. OG"])),
        "postcode": postcode, "city": draw(WORDS), "country": country,
        "email": draw(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8})?@[a-z]{2,12}\.(de|com|example)", fullmatch=True)),
        "website": draw(st.sampled_from(["", "https://www.firma.example", "www.beispiel.de"])),
        "phones": [{"kind": kind, "number": number} for kind, number in draw(st.lists(
            st.tuples(st.sampled_from(["Telefon", "Mobil", "Fax"]), st.sampled_from(PHONES)), max_size=3))],
        "contacts": [{"last_name": name, "first_name": first, "email": "", "function": function}
                     for name, first, function in draw(st.lists(st.tuples(WORDS, WORDS, st.sampled_from(
                         ["", "Einkauf"])), max_size=2))],
        "status": draw(st.sampled_from(["Neu", "In Kontakt", "Angebot"])),
        "categories": draw(st.lists(st.sampled_from(["Endkunde", "Dienstleister", "Händler"]), unique=True)),
        "source": draw(st.sampled_from(["", "Messe", "Empfehlung"])),
        "expected_volume": draw(st.one_of(st.none(), st.decimals(0, 10**9, places=2))),
        "payment_terms_days": draw(st.integers(0, 365)),
        "discount_percent": draw(st.decimals(0, 100, places=2)),
        "custom": {1: draw(st.one_of(st.none(), st.integers(-5000, 5000))), 2: draw(st.dates()),
                   3: draw(st.booleans()), 4: draw(st.sampled_from([None, "rot", "grün"])), 5: draw(WORDS)},
    }
    if country == "CH":
        data |= {"vat_treatment": "export", "vat_note": "Ausfuhrlieferung"}
    return data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=generated_prospects())
def test_prospect_to_customer_to_prospect_returns_an_equal_record(host, data):
    with host.session() as session:
        if not customfields.definitions(session):
            for slot, label, kind, options in [(1, "Zahl", "number", []), (2, "Datum", "date", []),
                                               (3, "Ja/Nein", "bool", []), (4, "Farbe", "choice", ["rot", "grün"]),
                                               (5, "Notiz", "text", [])]:
                customfields.configure(host, session, slot, label, kind, options)
        party = prospects.create(host, session, data)
        prospects.add_document(host, session, party.id, "Datei.bin", bytes(range(256)))
        history.record_event(host, session, party.id, "email", subject="Hallo")
        party_id = party.id
    before = record(host, party_id)
    customer_id = convert(host, [party_id])[party_id]
    assert revert(host, [customer_id]) == {customer_id: party_id}
    after = record(host, party_id)
    assert {k: v for k, v in after.items() if k not in VOLATILE} == {
        k: v for k, v in before.items() if k not in VOLATILE}


def test_expected_volume_and_discount_keep_their_cents(host):
    party_id = create(host, expected_volume="1.234,56", discount_percent="0,5")
    customer_id = convert(host, [party_id])[party_id]
    after = record(host, revert(host, [customer_id])[customer_id])
    assert (after["expected_volume"], after["discount_percent"]) == (Decimal("1234.56"), Decimal("0.50"))
