"""Merging duplicates: the preview, the merge itself, and undoing it."""

from datetime import date, datetime

import pytest

from crm_module import conversion, history, mailinglists, merging, overview, prospects
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
    with host.session() as session, pytest.raises(CrmError, match=f"zuerst die spätere Zusammenführung {second_merge.id}"):
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
    with host.session() as session, pytest.raises(CrmError, match="Das Feld 'farbe' gibt es nicht"):
        merging.preview(host, session, [a, c], choices={"farbe": c})
