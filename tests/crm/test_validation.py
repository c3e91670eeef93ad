"""Input is checked field by field; each wrong field gets a German message saying what to enter,
and nothing is written."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_module import customfields, prospects
from crm_module.errors import InvalidInput
from crm_module.models import Party
from tests.crm.conftest import create, prospect_data, record


def refused(host, **overrides) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught, host.session() as session:
        prospects.create(host, session, prospect_data(**overrides))
    return caught.value


def prospect_count(host) -> int:
    with host.session() as session:
        return session.scalar(select(func.count()).select_from(Party))


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"email": "info@schmitz"}, "email", "keine gültige E-Mail-Adresse"),
    ({"postcode": "5066"}, "postcode", "hat 5 Ziffern, z. B. 50667"),
    ({"country": "AT", "postcode": "10100"}, "postcode", "hat 4 Ziffern"),
    ({"country": "NL", "postcode": "10123"}, "postcode", "4 Ziffern, Leerzeichen und 2 Buchstaben"),
    ({"country": "XY"}, "country", "kein Ländercode"),
    ({"phones": [{"kind": "Telefon", "number": "12345"}]}, "phones.0.number", "keine gültige Rufnummer"),
    ({"phones": [{"kind": "Brieftaube", "number": "0221 1234567"}]}, "phones.0.kind", "Möglich: Telefon, Mobil"),
    ({"company": ""}, "company", "braucht eine Firma"),
    ({"is_business": False, "company": "", "last_name": ""}, "last_name", "braucht einen Nachnamen"),
    ({"company": "x" * 201}, "company", "Höchstens 200 Zeichen"),
    ({"status": "Erfunden"}, "status", "Unbekannter Status „Erfunden“"),
    ({"categories": ["Astronaut"]}, "categories", "Unbekannte Kategorie: Astronaut."),
    ({"source": "Zufall"}, "source", "Unbekannte Herkunft 'Zufall'"),
    ({"website": "kein link"}, "website", "keine Web-Adresse"),
    ({"vat_treatment": "export", "vat_note": "Ausfuhr"}, "vat_treatment", "nur außerhalb der EU"),
    ({"country": "AT", "postcode": "1010", "vat_treatment": "reverse_charge"}, "vat_note", "Bitte den Grund"),
    ({"vat_treatment": "irgendwie"}, "vat_treatment", "Unbekannte Umsatzsteuer-Behandlung"),
    ({"payment_terms_days": 400}, "payment_terms_days", "zwischen 0 und 365 Tagen"),
    ({"payment_terms_days": "bald"}, "payment_terms_days", "ganze Zahl von Tagen"),
    ({"discount_percent": "120"}, "discount_percent", "Erlaubt sind 0 bis 100 Prozent; eingegeben: 120."),
    ({"expected_volume": "viel"}, "expected_volume", "Bitte eine Zahl angeben"),
    ({"contacts": [{"first_name": "Anna"}]}, "contacts.0.last_name", "Bitte ausfüllen"),
    ({"contacts": [{"last_name": "A", "email": "a@"}]}, "contacts.0.email", "keine gültige E-Mail-Adresse"),
    ({"contacts": [{"last_name": "A", "is_main": True}, {"last_name": "B", "is_main": True}]}, "contacts.main",
     "Nur ein Ansprechpartner"),
    ({"hobby": "Golf"}, "hobby", "Unbekanntes Feld"),
])
def test_invalid_field_is_refused_with_a_german_message_and_nothing_is_written(host, overrides, field, message):
    error = refused(host, **overrides)
    assert message in error.errors[field]
    assert message in str(error)  # the text shown by the CLI and the web lists it too
    assert prospect_count(host) == 0


def test_every_wrong_field_is_reported_at_once_with_its_german_name(host):
    error = refused(host, email="kaputt", postcode="123", phones=[{"number": "1"}])
    assert set(error.errors) == {"email", "postcode", "phones.0.number"}
    text = str(error)
    assert "E-Mail:" in text and "PLZ:" in text and "Telefonnummer 1, Nummer:" in text


def test_input_is_normalised_where_the_intent_is_clear(host):
    party_id = create(host, country="nl", postcode="1012ab", website="www.schmitz.example",
                      phones=[{"kind": "Mobil", "number": "+49 (0)171 1234567"}], discount_percent="2,5",
                      company="  Bäckerei   Schmitz  ", is_business=True)
    saved = record(host, party_id)
    assert (saved["country"], saved["postcode"]) == ("NL", "1012 AB")
    assert saved["website"] == "https://www.schmitz.example"
    assert saved["phones"] == [{"kind": "Mobil", "number": "+49 171 1234567"}]
    assert saved["discount_percent"] == Decimal("2.50")
    assert saved["company"] == "Bäckerei Schmitz"


def test_german_phone_numbers_are_stored_in_international_form(host):
    saved = record(host, create(host, phones=[{"kind": "Telefon", "number": "0221 / 123 45 67"},
                                             {"kind": "Fax", "number": "+49 221 1234568"}]))
    assert [p["number"] for p in saved["phones"]] == ["+49 221 1234567", "+49 221 1234568"]


def test_export_outside_the_eu_with_a_note_is_accepted(host):
    saved = record(host, create(host, country="CH", postcode="8001", city="Zürich", vat_treatment="export",
                                vat_note="Ausfuhrlieferung, § 4 Nr. 1a UStG"))
    assert (saved["vat_treatment"], saved["vat_note"]) == ("export", "Ausfuhrlieferung, § 4 Nr. 1a UStG")


def test_the_first_contact_person_becomes_the_main_contact_when_none_is_marked(host):
    saved = record(host, create(host, contacts=[{"last_name": "Schmitz"}, {"last_name": "Meier"}]))
    assert [(c["last_name"], c["is_main"]) for c in saved["contacts"]] == [("Schmitz", True), ("Meier", False)]


@pytest.fixture
def fields(host):
    with host.session() as session:
        customfields.configure(host, session, 1, "Mitarbeiter", "number")
        customfields.configure(host, session, 2, "Messebesuch", "date")
        customfields.configure(host, session, 3, "Einwilligung", "bool")
        customfields.configure(host, session, 4, "Größe", "choice", ["klein", "mittel", "groß"])
        customfields.configure(host, session, 5, "Branche", "text")
    return host


@pytest.mark.parametrize(("custom", "key", "message"), [
    ({"Mitarbeiter": "viele"}, "custom.1", "Mitarbeiter: „viele“ ist keine Zahl"),
    ({"Messebesuch": "31.02.2026"}, "custom.2", "Messebesuch: „31.02.2026“ ist kein Datum"),
    ({"Einwilligung": "vielleicht"}, "custom.3", "Einwilligung: Bitte 'ja' oder 'nein' angeben"),
    ({"Größe": "riesig"}, "custom.4", "steht nicht zur Auswahl. Möglich: klein, mittel, groß"),
    ({"Lieblingsfarbe": "blau"}, "custom.Lieblingsfarbe", "ist nicht eingerichtet"),
    ({9: "x"}, "custom.9", "ist nicht eingerichtet"),
])
def test_custom_field_values_are_checked_against_their_type(fields, custom, key, message):
    error = refused(fields, custom=custom)
    assert message in error.errors[key]


def test_custom_field_values_are_stored_by_label_or_slot_and_shown_typed(fields):
    saved = record(fields, create(fields, custom={"Mitarbeiter": "1.250,5", 2: "03.11.2026", "einwilligung": "ja",
                                                  "Größe": "mittel", "Branche": "Bäckerhandwerk"}))
    values = {field["label"]: field["value"] for field in saved["custom"]}
    assert values["Mitarbeiter"] == Decimal("1250.5")
    assert values["Messebesuch"].isoformat() == "2026-11-03"
    assert values["Einwilligung"] is True
    assert values["Größe"] == "mittel"
    assert values["Branche"] == "Bäckerhandwerk"


def test_update_checks_the_whole_record_and_keeps_it_unchanged_when_refused(host):
    party_id = create(host)
    with pytest.raises(InvalidInput) as caught, host.session() as session:
        prospects.update(host, session, party_id, {"postcode": "1", "city": "Bonn"})
    assert "postcode" in caught.value.errors
    assert (record(host, party_id)["postcode"], record(host, party_id)["city"]) == ("50667", "Köln")


def test_a_status_no_longer_offered_stays_on_records_that_have_it(host):
    party_id = create(host, status="Ruhend")
    with host.session() as session:
        host.masterdata.deactivate(session, "crm_status", "Ruhend")
    with host.session() as session:
        prospects.update(host, session, party_id, {"city": "Bonn", "postcode": "53111"})
    assert record(host, party_id)["status"] == "Ruhend"
    error = refused(host, status="Ruhend")
    assert "Unbekannter Status „Ruhend“" in error.errors["status"]
