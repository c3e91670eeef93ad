"""Data protection: export everything held on a person; erase it, leaving an anonymous entry."""

import base64
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from crm_module import conversion, history, mailinglists, merging, overview, privacy, prospects
from crm_module.errors import CrmError, NotFound
from crm_module.models import ContactPerson, Event, Merge, Party, Phone
from tests.conftest import signed_in_client
from tests.crm.conftest import create, record


@pytest.fixture
def person(host):
    """A private prospect with a contact person, history, a document, a list and a merged duplicate."""
    party_id = create(host, is_business=False, company="", first_name="Erika", last_name="Mustermann",
                      email="erika@mustermann.example", contacts=[{"first_name": "Max", "last_name": "Mustermann"}])
    duplicate = create(host, is_business=False, company="", first_name="Erika", last_name="Mustermann",
                       email="", street="Alte Straße")
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Beratung",
                             occurred_at=datetime(2026, 10, 5, 14, 0))
        prospects.add_document(host, session, party_id, "Ausweis.jpg", b"\xff\xd8\xff Bilddaten")
        newsletter = mailinglists.create_list(host, session, "Newsletter", "newsletter")
        mailinglists.add_members(host, session, newsletter.id, [party_id])
        merging.merge(host, session, [party_id, duplicate])
    return host, party_id, duplicate


def test_export_contains_every_field_the_history_the_documents_and_merged_records(person):
    host, party_id, duplicate = person
    with host.session() as session:
        data = privacy.export(host, session, party_id)
    json.dumps(data)  # plain JSON
    assert data["record"]["last_name"] == "Mustermann" and data["record"]["email"] == "erika@mustermann.example"
    assert [c["first_name"] for c in data["record"]["contacts"]] == ["Max"]
    assert [e["subject"] for e in data["record"]["events"]] == ["Beratung"]
    assert [entry["name"] for entry in data["record"]["lists"]] == ["Newsletter"]
    [document] = data["documents"]
    assert document["filename"] == "Ausweis.jpg"
    assert base64.b64decode(document["content_base64"]) == b"\xff\xd8\xff Bilddaten"
    assert [m["street"] for m in data["merged_records"]] == ["Alte Straße"]
    assert data["merges"][0]["snapshot"]["parties"][str(duplicate)]["fields"]["street"] == "Alte Straße"


def test_erase_removes_everything_personal_and_leaves_an_anonymous_entry(person):
    host, party_id, duplicate = person
    with host.session() as session:
        counts = privacy.erase(host, session, party_id)
    assert counts["records"] == 2 and counts["events"] == 1 and counts["documents"] == 1
    with host.session() as session:
        for model in (Party, ContactPerson, Phone, Event, Merge):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        assert host.documents.for_party(session, "crm_prospect", party_id) == []
        assert overview.count(session) == 0
        assert mailinglists.lists(session)[0]["members"] == 0
        [entry] = privacy.erasures(session)
    assert "Mustermann" not in json.dumps(entry, default=str) and entry["counts"] == counts
    with pytest.raises(NotFound):
        record(host, party_id)


def test_erase_is_refused_while_an_invoice_must_be_kept_and_nothing_is_deleted(host):
    party_id = create(host)
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Vor der Rechnung")
        host.documents.add(session, "crm_prospect", party_id, "RE-2026-001.pdf", b"Rechnung", "invoice")
    with pytest.raises(CrmError, match="RE-2026-001.pdf müssen aufbewahrt werden"), host.session() as session:
        privacy.erase(host, session, party_id)
    kept = record(host, party_id)
    assert [e["subject"] for e in kept["events"]] == ["Vor der Rechnung"]
    assert [d["filename"] for d in kept["documents"]] == ["RE-2026-001.pdf"]


def test_a_customer_is_not_erased_here(host):
    party_id = create(host)
    with host.session() as session:
        conversion.convert(host, session, [party_id])
    with pytest.raises(CrmError, match="schon Kunde"), host.session() as session:
        privacy.erase(host, session, party_id)


def test_deleting_prospects_removes_their_data_without_an_erasure_entry(host):
    ids = [create(host, company="Weg A"), create(host, company="Weg B")]
    with host.session() as session:
        history.record_event(host, session, ids[0], "note", subject="Egal")
        prospects.delete_prospects(host, session, ids)
    with host.session() as session:
        assert overview.count(session) == 0
        assert privacy.erasures(session) == []
        assert session.scalar(select(func.count()).select_from(Event)) == 0


# -- erasure is a duty: never blocked by licensing, and no copy stays in the SQLite files --------


def test_erasure_and_export_work_while_the_module_is_expired_and_other_writes_are_refused(host, clock):
    from host_stub.errors import LicenseRefused

    party_id = create(host, company="Abgelaufen GmbH")
    other = create(host, company="Bleibt GmbH")
    clock.advance(days=60)
    with host.session() as session:
        assert not host.licensing.status(session, "crm").writable
        assert privacy.export(host, session, party_id)["record"]["company"] == "Abgelaufen GmbH"
        counts = privacy.erase(host, session, party_id)
    assert counts["records"] == 1
    with host.session() as session:
        assert overview.count(session) == 1 and len(privacy.erasures(session)) == 1
    with pytest.raises(LicenseRefused), host.session() as session:
        prospects.delete_prospects(host, session, [other])


def test_the_erase_button_and_page_work_while_the_module_is_expired(host, clock):
    from tests.test_web import csrf_token, flashes

    party_id = create(host, company="Abgelaufen GmbH")
    clock.advance(days=60)
    client = signed_in_client(host)
    page = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert 'class="danger">Löschen (DSGVO)</button>' in page
    erased = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": csrf_token(client),
                                                                      "confirmed": "1"}, follow_redirects=True)
    assert "wurde nach DSGVO gelöscht" in flashes(erased)[0]
    with host.session() as session:
        assert overview.count(session) == 0


def _database_bytes(host) -> bytes:
    from pathlib import Path

    path = Path(host.engine.url.database)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.backend("sqlite")  # PostgreSQL keeps dead rows until VACUUM (docs/privacy.md)
def test_after_an_erasure_no_copy_remains_in_the_sqlite_file_or_its_wal(host):
    party_id = create(host, is_business=False, company="", first_name="Quirinus", last_name="Zwetschkenbaum",
                      email="quirinus.zwetschkenbaum@example.org", street="Xylophonweg")
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Rückruf Zwetschkenbaum")
        prospects.add_document(host, session, party_id, "Zwetschkenbaum.txt", b"Vertrag mit Zwetschkenbaum")
    secrets = [b"Zwetschkenbaum", b"quirinus.zwetschkenbaum@example.org", b"Xylophonweg"]
    before = _database_bytes(host)
    assert all(secret in before for secret in secrets)
    with host.session() as session:
        privacy.erase(host, session, party_id)
    after = _database_bytes(host)
    assert [secret for secret in secrets if secret in after] == []


def test_the_export_has_its_own_versioned_format_that_a_dialog_label_does_not_change(person, monkeypatch):
    from dataclasses import replace

    from crm_module import fields

    host, party_id, _duplicate = person
    with host.session() as session:
        before = json.dumps(privacy.export(host, session, party_id))
    monkeypatch.setitem(fields.FIELDS, "postcode", replace(fields.FIELDS["postcode"], label="Postleitzahl"))
    monkeypatch.setitem(fields.LABELS, "postcode", "Postleitzahl")
    client = signed_in_client(host)
    assert "Postleitzahl" in client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    with host.session() as session:
        data = privacy.export(host, session, party_id)
    assert json.dumps(data) == before
    assert data["format"] == "crm-dsgvo-export/1"
    assert tuple(data["record"]) == privacy.RECORD_KEYS
    assert tuple(data["record"]["contacts"][0]) == privacy.ENTRY_KEYS["contacts"]
    assert tuple(data["merged_records"][0]) == privacy.MERGED_KEYS


def test_every_field_of_the_record_is_in_the_export():
    """A field added to the catalogue must be added to the export too, as a new format version."""
    from crm_module.fields import FIELDS

    entered = {name for name, field in FIELDS.items() if field.editable}
    assert entered <= set(privacy.RECORD_KEYS) and entered <= set(privacy.MERGED_KEYS)
    assert {"contact_count", "last_contact_at", "next_followup_on"} <= set(privacy.ENTRY_KEYS["statistics"])
