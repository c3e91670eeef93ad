"""Managing mailing lists and documents in the web: create lists, put prospects on them and take
them off (one, a selection, all that match the overview's filters), delete a document or give it
another kind — so that a file filed as "Rechnung" by mistake no longer blocks an erasure for good."""

from __future__ import annotations

import io
import re

import pytest

from crm_module import mailinglists, prospects
from crm_module.models import ListMember
from host_stub.models import DocumentBlob
from tests.conftest import signed_in_client
from tests.crm.conftest import create, record
from tests.test_web import csrf_token, flashes, text_of


@pytest.fixture
def client(host):
    return signed_in_client(host)


def members(host, list_id: int) -> set[int]:
    with host.session() as session:
        return set(session.scalars(ListMember.__table__.select().with_only_columns(ListMember.party_id)
                                   .where(ListMember.list_id == list_id)))


def new_list(host, name="Hausmesse", kind="mailing") -> int:
    with host.session() as session:
        return mailinglists.create_list(host, session, name, kind).id


def add_document(host, party_id, name="Rechnung 2026-11.pdf", kind="invoice", data=b"%PDF-1.4 rechnung") -> int:
    with host.session() as session:
        return prospects.add_document(host, session, party_id, name, data, kind).id


# -- lists ---------------------------------------------------------------------------------------


def test_lists_page_creates_a_list_and_refuses_a_duplicate_with_the_input_kept(host, client):
    token = csrf_token(client)
    assert "Mailing-Listen" in text_of(client.get("/m/crm/"))  # reachable from the overview and the menu

    created = client.post("/m/crm/listen", data={"csrf_token": token, "name": "Hausmesse 2027", "kind": "mailing"},
                          follow_redirects=True)
    assert flashes(created) == ["Liste „Hausmesse 2027“ angelegt."]
    assert "Hausmesse 2027 Mailing 0" in text_of(created)

    again = client.post("/m/crm/listen", data={"csrf_token": token, "name": "hausmesse 2027", "kind": "newsletter"})
    assert again.status_code == 422
    assert "Eine Liste „hausmesse 2027“ gibt es schon; bitte einen anderen Namen wählen." in text_of(again)
    assert 'value="hausmesse 2027"' in again.get_data(as_text=True)
    assert client.post("/m/crm/listen", data={"name": "Ohne Token", "kind": "mailing"}).status_code == 400
    with host.session() as session:
        assert [row["name"] for row in mailinglists.lists(session)] == ["Hausmesse 2027"]


def test_selected_prospects_go_on_a_list_from_the_context_menu_and_come_off_again(host, client):
    list_id = new_list(host)
    ids = [create(host, company="Alpha GmbH"), create(host, company="Beta GmbH"), create(host, company="Gamma GmbH")]
    token = csrf_token(client)

    opened = client.post("/aktion", data={"csrf_token": token, "owner": "crm", "name": "add_to_list",
                                          "entity": "prospect", "ids": [str(i) for i in ids[:2]], "next": "/m/crm/"},
                         follow_redirects=True)
    assert opened.request.path == "/m/crm/listen/zuordnen"
    page = text_of(opened)
    assert "2 Interessenten markiert: bitte die Liste wählen." in page
    assert "Interessent „Alpha GmbH“ (I10000), Interessent „Beta GmbH“ (I10001)" in page
    assert members(host, list_id) == set()  # choosing the list is a page, nothing written yet

    added = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "add", "list_id": list_id,
                                                        "ids": [str(i) for i in ids[:2]]}, follow_redirects=True)
    assert flashes(added) == ["2 Interessenten auf die Liste „Hausmesse“ gesetzt."]
    assert members(host, list_id) == set(ids[:2])

    twice = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "add", "list_id": list_id,
                                                        "ids": [str(i) for i in ids]}, follow_redirects=True)
    assert flashes(twice) == ["1 Interessent auf die Liste „Hausmesse“ gesetzt; 2 weitere standen schon darauf."]

    removed = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "remove",
                                                          "list_id": list_id, "ids": [str(ids[0])]},
                          follow_redirects=True)
    assert flashes(removed) == ["1 Interessent von der Liste „Hausmesse“ genommen."]
    assert members(host, list_id) == set(ids[1:])


def test_all_prospects_matching_the_overview_filter_go_on_a_list(host, client):
    list_id = new_list(host, "Newsletter Köln", "newsletter")
    matching = [create(host, company="Alpha GmbH", status="Angebot"), create(host, company="Gamma GmbH",
                                                                          status="Angebot")]
    other = create(host, company="Beta GmbH", status="Neu")
    overview_page = client.get("/m/crm/?status=Angebot").get_data(as_text=True)
    link = re.search(r'href="(/m/crm/listen/zuordnen\?[^"]+)">Gefilterte auf Liste setzen', overview_page).group(1)

    chosen = client.get(link.replace("&amp;", "&"))
    assert "2 Interessenten (alle, die den Filtern der Übersicht entsprechen)" in text_of(chosen)
    token = csrf_token(client)
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', chosen.get_data(as_text=True)))
    assert form["alle"] == "1" and form["status"] == "Angebot" and "ids" not in form
    form |= {"csrf_token": token, "list_id": str(list_id)}

    done = client.post("/m/crm/listen/zuordnen", data=form, follow_redirects=True)
    assert flashes(done) == ["2 Interessenten auf die Liste „Newsletter Köln“ gesetzt."]
    assert members(host, list_id) == set(matching) and other not in members(host, list_id)
    assert done.request.full_path == f"/m/crm/?list={list_id}"

    emptied = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "remove", "alle": "1",
                                                          "list": str(list_id), "list_id": str(list_id)},
                          follow_redirects=True)
    assert flashes(emptied) == ["2 Interessenten von der Liste „Newsletter Köln“ genommen."]
    assert members(host, list_id) == set()


def test_assigning_without_a_list_or_licence_changes_nothing_and_says_why(host, client, clock):
    party_id = create(host)
    list_id = new_list(host)
    token = csrf_token(client)
    no_list = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "add", "ids": str(party_id)},
                          follow_redirects=True)
    assert flashes(no_list) == ["Bitte eine Liste wählen; es wurde nichts geändert."]
    assert no_list.request.path == "/m/crm/listen/zuordnen" and "csrf_token=" not in no_list.request.full_path

    clock.advance(days=60)  # trial and grace week are over: read-only
    refused = client.post("/m/crm/listen/zuordnen", data={"csrf_token": token, "aktion": "add", "list_id": list_id,
                                                          "ids": str(party_id)}, follow_redirects=True)
    assert "Nur Lesen" in text_of(refused) and members(host, list_id) == set()
    assert flashes(refused) and "Lizenz" in flashes(refused)[0]


def test_large_selections_are_written_in_chunks(host, monkeypatch):
    monkeypatch.setattr(mailinglists, "CHUNK", 2)
    ids = [create(host, company=f"Firma {i}") for i in range(5)]
    list_id = new_list(host)
    with host.session() as session:
        assert mailinglists.add_members(host, session, list_id, ids + ids[:1]) == 5
        assert mailinglists.remove_members(host, session, list_id, ids[1:4]) == 3
    assert members(host, list_id) == {ids[0], ids[4]}


# -- documents -----------------------------------------------------------------------------------


def test_an_invoice_filed_by_mistake_is_reclassified_and_no_longer_blocks_the_erasure(host, client):
    party_id = create(host)
    document_id = add_document(host, party_id, name="Visitenkarte.pdf")
    token = csrf_token(client)
    blocked = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": token, "confirmed": "1"},
                          follow_redirects=True)
    assert "Visitenkarte.pdf" in flashes(blocked)[0] and "aufbewahrt" in flashes(blocked)[0]

    dialog = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert f'action="/m/crm/{party_id}/dokumente/{document_id}/art"' in dialog
    assert "Die Art von „Visitenkarte.pdf“ ändern?" in dialog

    unconfirmed = client.post(f"/m/crm/{party_id}/dokumente/{document_id}/art",
                              data={"csrf_token": token, "kind": "attachment"}, follow_redirects=True)
    assert "muss erst mit Ja bestätigt werden" in flashes(unconfirmed)[0]
    assert record(host, party_id)["documents"][0]["kind"] == "invoice"

    changed = client.post(f"/m/crm/{party_id}/dokumente/{document_id}/art",
                          data={"csrf_token": token, "kind": "attachment", "confirmed": "1"}, follow_redirects=True)
    assert flashes(changed) == ["„Visitenkarte.pdf“ ist jetzt als Anhang abgelegt."]
    notes = [(e["subject"], e["text"]) for e in record(host, party_id)["events"]]
    assert ("Dokumentart geändert", "„Visitenkarte.pdf“: Rechnung → Anhang.") in notes

    erased = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": token, "confirmed": "1"},
                         follow_redirects=True)
    assert "wurde nach DSGVO gelöscht" in flashes(erased)[0]


def test_an_invoice_is_kept_as_filed_once_the_correction_days_are_over(host, client, clock):
    party_id = create(host)
    document_id = add_document(host, party_id)
    clock.advance(days=10)
    token = csrf_token(client)
    dialog = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert "aufbewahrungspflichtig" in dialog
    assert re.search(r'<button type="submit" form="document-delete-%d" class="danger" disabled>' % document_id, dialog)

    for path, data in (("art", {"kind": "attachment"}), ("loeschen", {})):
        refused = client.post(f"/m/crm/{party_id}/dokumente/{document_id}/{path}",
                              data={"csrf_token": token, "confirmed": "1", **data}, follow_redirects=True)
        assert flashes(refused) == [
            "„Rechnung 2026-11.pdf“ ist seit dem 02.11.2026 als Rechnung abgelegt und muss aufbewahrt werden "
            f"(GoBD, § 147 AO). {'Die Art ändern' if path == 'art' else 'Löschen'} geht nur in den ersten 10 Tagen "
            "nach dem Ablegen, also bis 12.11.2026."]
    assert [(d["id"], d["kind"]) for d in record(host, party_id)["documents"]] == [(document_id, "invoice")]


def test_a_document_is_deleted_with_its_content_and_a_note_in_the_history(host, client):
    party_id = create(host)
    kept = add_document(host, party_id, name="Plan.png", kind="attachment", data=b"gemeinsamer Inhalt")
    other = create(host, company="Andere GmbH")
    shared = add_document(host, other, name="Plan-Kopie.png", kind="attachment", data=b"gemeinsamer Inhalt")
    alone = add_document(host, party_id, name="Brief.txt", kind="letter", data=b"nur hier")
    token = csrf_token(client)

    assert client.get(f"/m/crm/{party_id}/dokumente/{alone}/loeschen").status_code == 405  # no GET that writes
    assert client.post(f"/m/crm/{party_id}/dokumente/{alone}/loeschen", data={"confirmed": "1"}).status_code == 400
    foreign = client.post(f"/m/crm/{party_id}/dokumente/{shared}/loeschen",
                          data={"csrf_token": token, "confirmed": "1"})
    assert foreign.status_code == 404 and "Dieses Dokument gehört nicht zu diesem Datensatz." in text_of(foreign)

    deleted = client.post(f"/m/crm/{party_id}/dokumente/{alone}/loeschen",
                          data={"csrf_token": token, "confirmed": "1"}, follow_redirects=True)
    assert flashes(deleted) == ["Dokument „Brief.txt“ gelöscht."]
    client.post(f"/m/crm/{party_id}/dokumente/{kept}/loeschen", data={"csrf_token": token, "confirmed": "1"})
    assert record(host, party_id)["documents"] == []
    assert [d["filename"] for d in record(host, other)["documents"]] == ["Plan-Kopie.png"]
    assert ("Dokument gelöscht", "„Brief.txt“ (Brief) gelöscht.") in [
        (e["subject"], e["text"]) for e in record(host, party_id)["events"]]
    with host.session() as session:
        assert session.query(DocumentBlob).count() == 1  # the shared content stays, the other is gone
        assert host.documents.content(session, shared) == b"gemeinsamer Inhalt"


def test_an_unknown_kind_is_refused_with_the_choices(host, client):
    party_id = create(host)
    document_id = add_document(host, party_id, kind="attachment")
    response = client.post(f"/m/crm/{party_id}/dokumente/{document_id}/art",
                           data={"csrf_token": csrf_token(client), "kind": "quittung", "confirmed": "1"},
                           follow_redirects=True)
    assert flashes(response) == ["Unbekannte Dokumentart „quittung“. Möglich: Anhang, Brief, Angebot, Rechnung."]


def test_the_document_store_keeps_an_invoice_once_filed_longer_than_the_correction_days(host, clock):
    with host.session() as session:
        customer = host.customers.create(session, company="Kunde GmbH")
        document = host.documents.add(session, "customer", customer.id, "R-1.pdf", b"pdf", "invoice")
        document_id = document.id
        assert host.documents.change_kind(session, document_id, "invoice") == "invoice"  # no change: no check
    clock.advance(days=11)
    with host.session() as session:
        with pytest.raises(Exception, match="muss aufbewahrt werden"):
            host.documents.delete(session, document_id)
        assert host.documents.change_kind(session, document_id, "invoice") == "invoice"
        letter = host.documents.add(session, "customer", customer.id, "Brief.pdf", b"brief", "letter")
        assert host.documents.change_kind(session, letter.id, "offer") == "letter"
        host.documents.delete(session, letter.id)
        assert [d.filename for d in host.documents.for_party(session, "customer", customer.id)] == ["R-1.pdf"]


def test_upload_of_a_document_and_a_page_from_the_dialog_still_work(host, client):
    party_id = create(host)
    response = client.post(f"/m/crm/{party_id}/dokumente", data={
        "csrf_token": csrf_token(client), "kind": "letter", "files": [(io.BytesIO(b"x"), "Brief.txt")]},
        content_type="multipart/form-data", follow_redirects=True)
    assert flashes(response) == ["1 Dokument abgelegt: Brief.txt."]
