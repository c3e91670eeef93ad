"""Merging duplicates: the preview, the merge itself, and undoing it."""

from datetime import date, datetime

import pytest

from crm_module import conversion, customfields, history, mailinglists, merging, overview, prospects
from crm_module.errors import CrmError
from tests.crm.conftest import create, record

#: What a merge and its undo may change on a restored record: when it was saved.
VOLATILE = {"updated_at"}


@pytest.fixture
def duplicates(host):
    """Two records of the same bakery, each with its own history, on overlapping lists."""
    first = create(host, company="Bäckerei Schmitz", email="", website="www.schmitz.example",
                   categories=["Händler"], contacts=[{"first_name": "Anna", "last_name": "Schmitz"}])
    second = create(host, company="Baeckerei Schmitz GmbH", street="Domplatz", house_number="1",
                    email="info@schmitz.example", categories=["Endkunde"], source="Messe",
                    phones=[{"kind": "Mobil", "number": "+49 171 7654321"}],
                    contacts=[{"first_name": "Jan", "last_name": "Schmitz", "is_main": True}])
    with host.session() as session:
        history.record_event(host, session, first, "call", subject="Anruf 1", occurred_at=datetime(2026, 9, 1))
        history.record_event(host, session, second, "email", subject="Mail 2", occurred_at=datetime(2026, 10, 1))
        history.add_followup(host, session, second, date(2026, 12, 1), "Angebot nachfassen")
        prospects.add_document(host, session, second, "Visitenkarte.png", b"\x89PNG bild")
        both = mailinglists.create_list(host, session, "Newsletter", "newsletter")
        only_second = mailinglists.create_list(host, session, "Hausmesse", "mailing")
        mailinglists.add_members(host, session, both.id, [first, second])
        mailinglists.add_members(host, session, only_second.id, [second])
    return host, first, second


def test_preview_shows_which_value_survives_and_where_it_comes_from(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        plan = merging.preview(host, session, [first, second])
    fields = plan["fields"]
    assert (fields["company"]["value"], fields["company"]["from_id"]) == ("Bäckerei Schmitz", first)
    assert (fields["email"]["value"], fields["email"]["from_id"]) == ("info@schmitz.example", second)
    assert (fields["street"]["value"], fields["street"]["from_id"]) == ("Hauptstraße", first)
    assert (fields["source"]["value"], fields["source"]["from_id"]) == ("Messe", second)
    assert plan["categories"] == ["Endkunde", "Händler"]
    assert [p["number"] for p in plan["phones"]] == ["+49 221 1234567", "+49 171 7654321"]
    assert plan["moves"] == {"contacts": 1, "events": 1, "followups": 1, "list_memberships": 2, "documents": 1}
    assert record(host, first)["email"] == ""  # a preview changes nothing


def test_the_user_picks_a_value_from_another_record(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        plan = merging.preview(host, session, [first, second], choices={"street": second, "house_number": second})
        assert plan["fields"]["street"]["value"] == "Domplatz"
        merging.merge(host, session, [first, second], choices={"street": second, "house_number": second})
    assert (record(host, first)["street"], record(host, first)["house_number"]) == ("Domplatz", "1")


def test_merge_moves_every_event_document_follow_up_contact_and_list_to_the_survivor(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        merging.merge(host, session, [first, second])
    merged = record(host, first)
    assert merged["email"] == "info@schmitz.example" and merged["categories"] == ["Endkunde", "Händler"]
    assert [e["subject"] for e in merged["events"]] == ["Anruf 1", "Mail 2"]
    assert [f["subject"] for f in merged["followups"]] == ["Angebot nachfassen"]
    assert [d["filename"] for d in merged["documents"]] == ["Visitenkarte.png"]
    assert sorted(entry["name"] for entry in merged["lists"]) == ["Hausmesse", "Newsletter"]
    assert [(c["first_name"], c["is_main"]) for c in merged["contacts"]] == [("Anna", True), ("Jan", False)]
    assert merged["statistics"]["contact_count"] == 2
    with host.session() as session:
        rows = overview.overview(session).rows
        members = mailinglists.lists(session)
    assert [r["id"] for r in rows] == [first]
    assert {m["name"]: m["members"] for m in members} == {"Hausmesse": 1, "Newsletter": 1}
    assert record(host, second)["role"] == "merged"


def test_undo_restores_both_records_as_they_were(duplicates):
    host, first, second = duplicates
    before = {i: record(host, i) for i in (first, second)}
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session:
        assert merging.undo(host, session, log.id) == [second]
    for party_id, was in before.items():
        now = record(host, party_id)
        assert {k: v for k, v in now.items() if k not in VOLATILE} == {
            k: v for k, v in was.items() if k not in VOLATILE}
    with host.session() as session:
        assert merging.merges(session)[0]["undone_at"] is not None
        with pytest.raises(CrmError, match="schon rückgängig"):
            merging.undo(host, session, log.id)


def test_history_added_after_the_merge_stays_with_the_survivor_on_undo(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
        history.record_event(host, session, first, "note", subject="Nach der Zusammenführung")
    with host.session() as session:
        merging.undo(host, session, log.id)
    assert [e["subject"] for e in record(host, first)["events"]] == ["Anruf 1", "Nach der Zusammenführung"]
    assert [e["subject"] for e in record(host, second)["events"]] == ["Mail 2"]


def test_three_records_merge_and_later_merges_are_undone_first(host):
    ids = [create(host, company=f"Schmitz {n}") for n in range(3)]
    with host.session() as session:
        first_merge = merging.merge(host, session, ids[:2])
        second_merge = merging.merge(host, session, [ids[0], ids[2]])
    later = f"zuerst die spätere Zusammenführung {second_merge.id}"
    with host.session() as session, pytest.raises(CrmError, match=later):
        merging.undo(host, session, first_merge.id)
    with host.session() as session:
        merging.undo(host, session, second_merge.id)
        merging.undo(host, session, first_merge.id)
        assert overview.count(session) == 3


def test_a_prospect_merges_into_a_customer_and_fills_its_gaps(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        customer_id = conversion.convert(host, session, [first])[first]
    with host.session() as session:
        log = merging.merge(host, session, [second, first])  # the customer survives whatever the order
        customer = host.customers.get(session, customer_id)
        assert customer.email == "info@schmitz.example"
        assert [d.filename for d in host.documents.for_party(session, "customer", customer_id)] == [
            "Visitenkarte.png"]
    shown = record(host, first)
    assert shown["customer_id"] == customer_id and [e["subject"] for e in shown["events"]] == ["Anruf 1", "Mail 2"]
    with host.session() as session:
        merging.undo(host, session, log.id)
        assert host.customers.get(session, customer_id).email == ""
    assert [d["filename"] for d in record(host, second)["documents"]] == ["Visitenkarte.png"]


def test_refused_merges(host):
    a, b = create(host, company="A"), create(host, company="B")
    with host.session() as session:
        conversion.convert(host, session, [a, b])
    c = create(host, company="C")
    with host.session() as session, pytest.raises(CrmError, match="Zwei Kunden"):
        merging.merge(host, session, [a, b])
    with host.session() as session, pytest.raises(CrmError, match="mindestens zwei"):
        merging.merge(host, session, [c])
    with host.session() as session, pytest.raises(CrmError, match="Das Feld „farbe“ gibt es nicht"):
        merging.preview(host, session, [a, c], choices={"farbe": c})


# -- undo restores only what the merge changed ----------------------------------------------------


def test_undo_keeps_fields_changed_after_the_merge_that_the_merge_did_not_touch(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session:
        prospects.update(host, session, first, {"city": "Bonn", "postcode": "53111"})
    with host.session() as session:
        merging.undo(host, session, log.id)
    survivor = record(host, first)
    assert (survivor["city"], survivor["postcode"]) == ("Bonn", "53111")
    assert (survivor["email"], survivor["source"]) == ("", "")  # what the merge set goes back
    assert record(host, second)["email"] == "info@schmitz.example"


def test_undo_refuses_with_the_conflicts_when_a_merged_value_was_changed_since(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session:
        prospects.update(host, session, first, {"email": "neu@schmitz.example"})
    with host.session() as session, pytest.raises(merging.MergeConflict) as refused:
        merging.undo(host, session, log.id)
    assert refused.value.conflicts == [{"field": "email", "label": "E-Mail", "current": "neu@schmitz.example",
                                        "before": "–"}]
    assert ("Feld „E-Mail“ wurde nach dem Zusammenführen geändert: jetzt „neu@schmitz.example“, "
            "vor dem Zusammenführen „–“.") in str(refused.value)
    assert record(host, second)["role"] == "merged"  # nothing was undone


@pytest.mark.parametrize(("decision", "email"), [("keep", "neu@schmitz.example"), ("restore", "")])
def test_the_user_decides_per_conflicting_field(duplicates, decision, email):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session:
        prospects.update(host, session, first, {"email": "neu@schmitz.example"})
    with host.session() as session:
        assert merging.undo(host, session, log.id, {"email": decision}) == [second]
    assert record(host, first)["email"] == email
    assert record(host, first)["source"] == ""
    assert record(host, second)["email"] == "info@schmitz.example"


def test_a_decision_for_an_unknown_field_is_refused(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session, pytest.raises(CrmError, match="Das Feld „farbe“ gibt es nicht"):
        merging.undo(host, session, log.id, {"farbe": "keep"})
    with host.session() as session, pytest.raises(CrmError, match="möglich sind „keep“ .* und „restore“"):
        merging.undo(host, session, log.id, {"email": "vielleicht"})


def test_phones_contacts_and_categories_added_after_the_merge_stay_on_undo(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    merged = record(host, first)
    with host.session() as session:
        prospects.update(host, session, first, {
            "phones": [*merged["phones"], {"kind": "Fax", "number": "0221 999999"}],
            "contacts": [*merged["contacts"], {"first_name": "Eva", "last_name": "Neu"}],
            "categories": [*merged["categories"], "Handwerk"],
        })
    with host.session() as session:
        merging.undo(host, session, log.id)
    survivor, other = record(host, first), record(host, second)
    assert [p["number"] for p in survivor["phones"]] == ["+49 221 1234567", "+49 221 999999"]
    assert [(c["first_name"], c["is_main"]) for c in survivor["contacts"]] == [("Anna", True), ("Eva", False)]
    assert survivor["categories"] == ["Handwerk", "Händler"]
    assert [p["number"] for p in other["phones"]] == ["+49 171 7654321"]
    assert [c["first_name"] for c in other["contacts"]] == ["Jan"] and other["categories"] == ["Endkunde"]


def test_a_main_contact_chosen_after_the_merge_stays_on_undo(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    anna, jan = record(host, first)["contacts"]
    with host.session() as session:
        prospects.update(host, session, first, {"contacts": [
            {**anna, "is_main": False}, {**jan, "is_main": False}, {"last_name": "Neu", "is_main": True}]})
    with host.session() as session:
        merging.undo(host, session, log.id)
    assert [(c["last_name"], c["is_main"]) for c in record(host, first)["contacts"]] == [
        ("Schmitz", False), ("Neu", True)]
    assert [(c["first_name"], c["is_main"]) for c in record(host, second)["contacts"]] == [("Jan", True)]


def test_a_customer_edited_in_the_host_after_the_merge_keeps_that_edit(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        customer_id = conversion.convert(host, session, [first])[first]
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
        host.customers.update(session, customer_id, city="Bonn", postcode="53111")
    with host.session() as session:
        merging.undo(host, session, log.id)
        customer = host.customers.get(session, customer_id)
        assert (customer.city, customer.email) == ("Bonn", "")


# -- a record stays openable ---------------------------------------------------------------------------


def test_after_merge_undo_and_deleting_the_other_record_the_survivor_shows_its_merge_log(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.session() as session:
        merging.undo(host, session, log.id)
    with host.session() as session:
        prospects.delete_prospects(host, session, [second])
    with host.session() as session:
        entries = merging.merges(session, first)
    assert [entry["merged"] for entry in entries] == [["einem gelöschten Datensatz"]]
    assert record(host, first)["company"] == "Bäckerei Schmitz"


# -- the preview shows every record's value, as the user reads it ---------------------------------------


def test_preview_shows_every_records_value_of_each_field(duplicates):
    host, first, second = duplicates
    with host.session() as session:
        fields = merging.preview(host, session, [first, second])["fields"]
    assert fields["email"]["values"] == [{"id": first, "value": "–"}, {"id": second, "value": "info@schmitz.example"}]
    assert fields["email"]["differs"] and fields["street"]["differs"]
    assert fields["company"]["values"] == [{"id": first, "value": "Bäckerei Schmitz"},
                                           {"id": second, "value": "Baeckerei Schmitz GmbH"}]
    assert not fields["city"]["differs"] and fields["city"]["values"][1]["value"] == "Köln"


def test_preview_shows_labels_and_german_values_not_raw_ones(host):
    with host.session() as session:
        customfields.configure(host, session, 3, "Newsletter", "bool")
    first = create(host, company="Schmitz", custom={3: "ja"})
    second = create(host, company="Schmitz", discount_percent="2,5", expected_volume="12500",
                    payment_terms_days=1, custom={3: "nein"})
    with host.session() as session:
        fields = merging.preview(host, session, [first, second])["fields"]
    shown = {name: [v["value"] for v in entry["values"]] for name, entry in fields.items()}
    assert shown["is_business"] == ["geschäftlich", "geschäftlich"]
    assert shown["vat_treatment"] == ["Regelbesteuerung (Inland)"] * 2
    assert shown["discount_percent"] == ["0 %", "2,5 %"]
    assert shown["expected_volume"] == ["–", "12.500,00 €"]
    assert shown["payment_terms_days"] == ["14 Tage", "1 Tag"]
    assert shown["custom_3"] == ["Ja", "Nein"] and fields["custom_3"]["label"] == "Newsletter"
    assert fields["discount_percent"]["display"] == "0 %"


# -- VAT treatment and its note move together ---------------------------------------------------------


@pytest.fixture
def vat_duplicates(host):
    first = create(host, company="Praxis Schmitz")
    second = create(host, company="Praxis Dr. Schmitz", vat_treatment="exempt", vat_note="Heilberuf, § 4 Nr. 14 UStG")
    return host, first, second


def test_vat_treatment_and_its_note_come_from_the_same_record(vat_duplicates):
    host, first, second = vat_duplicates
    with host.session() as session:
        kept = merging.preview(host, session, [first, second])["fields"]
        taken = merging.preview(host, session, [first, second], choices={"vat_treatment": second})["fields"]
        by_note = merging.preview(host, session, [first, second], choices={"vat_note": second})["fields"]
    assert (kept["vat_treatment"]["value"], kept["vat_note"]["value"]) == ("standard", "")
    assert (taken["vat_treatment"]["value"], taken["vat_note"]["value"]) == ("exempt", "Heilberuf, § 4 Nr. 14 UStG")
    assert (by_note["vat_treatment"]["from_id"], by_note["vat_note"]["from_id"]) == (second, second)
    with host.session() as session:
        merging.merge(host, session, [first, second], choices={"vat_treatment": second})
    assert (record(host, first)["vat_treatment"], record(host, first)["vat_note"]) == (
        "exempt", "Heilberuf, § 4 Nr. 14 UStG")


def test_vat_treatment_and_note_from_two_records_are_refused(vat_duplicates):
    host, first, second = vat_duplicates
    with host.session() as session, pytest.raises(CrmError, match="gehören zusammen"):
        merging.preview(host, session, [first, second], choices={"vat_treatment": first, "vat_note": second})
