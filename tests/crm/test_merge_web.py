"""The merge pages through Flask's test client: the preview with every record's value and a choice
per field, the merge, and its undo with the conflicts the user decides."""

from __future__ import annotations

import re

import pytest

from crm_module import merging, prospects
from tests.conftest import signed_in_client
from tests.crm.conftest import create, record
from tests.crm.test_web import run_action
from tests.test_web import csrf_token, flashes, text_of


@pytest.fixture
def client(host):
    return signed_in_client(host)


@pytest.fixture
def pair(host):
    """Two records of one bakery: the second has the e-mail, another street and a VAT exemption."""
    first = create(host, company="Schmitz GmbH", email="")
    second = create(host, company="Bäckerei Schmitz", street="Domplatz", house_number="1",
                    vat_treatment="exempt", vat_note="Heilberuf, § 4 Nr. 14 UStG", discount_percent="2,5")
    return first, second


def preview_url(*ids: int, **args: int) -> str:
    query = "&".join([*(f"ids={i}" for i in ids), *(f"{key}={value}" for key, value in args.items())])
    return f"/m/crm/zusammenfuehren?{query}"


def _merge(client, host, first, second) -> str:
    """Merge in the web; returns the URL of the merge's undo button."""
    token = csrf_token(client)
    merged = client.post("/m/crm/zusammenfuehren", data={"csrf_token": token, "ids": [str(first), str(second)],
                                                         "survivor": str(first)}, follow_redirects=True)
    assert merged.status_code == 200
    return re.search(r'action="(/m/crm/%d/zusammenfuehrungen/\d+/rueckgaengig)"' % first,
                     merged.get_data(as_text=True)).group(1)


def test_preview_shows_every_records_value_and_a_choice_per_differing_field(host, client, pair):
    first, second = pair
    page = client.get(preview_url(first, second))
    html, text = page.get_data(as_text=True), text_of(page)

    assert "Feld Interessent „Schmitz GmbH“ (I10000) Interessent „Bäckerei Schmitz“ (I10001)" in text
    assert "Straße Hauptstraße Domplatz" in text
    assert re.search(r'name="take-street" value="%d" checked' % first, html)
    assert re.search(r'name="take-street" value="%d"' % second, html)
    assert 'name="take-city"' not in html  # both records have the same city: nothing to choose


def test_the_choice_per_field_is_merged(host, client, pair):
    first, second = pair
    token = csrf_token(client)
    form = {"csrf_token": token, "ids": [str(first), str(second)], "survivor": str(first),
            "shown_survivor": str(first), "take-company": str(first), "take-street": str(second),
            "take-house_number": str(second)}

    refreshed = client.post("/m/crm/zusammenfuehren", data={**form, "refresh": "1"})
    assert refreshed.status_code == 303
    again = client.get(refreshed.headers["Location"])
    assert re.search(r'name="take-street" value="%d" checked' % second, again.get_data(as_text=True))
    assert record(host, first)["street"] == "Hauptstraße"  # a refreshed preview changes nothing

    other_survivor = client.post("/m/crm/zusammenfuehren", data={
        **form, "refresh": "1", "shown_survivor": str(first), "survivor": str(second)})
    again = client.get(other_survivor.headers["Location"]).get_data(as_text=True)
    assert re.search(r'name="take-company" value="%d" checked' % second, again)  # preselected afresh

    merged = client.post("/m/crm/zusammenfuehren", data=form)
    assert merged.status_code == 302
    assert (record(host, first)["street"], record(host, first)["house_number"]) == ("Domplatz", "1")


def test_preview_shows_labels_and_german_values(host, client, pair):
    first, second = pair
    text = text_of(client.get(preview_url(first, second)))

    assert "Umsatzsteuer Regelbesteuerung (Inland) Steuerbefreit (Grund im Hinweis)" in text
    assert "Rabatt 0 % 2,5 %" in text and "Geschäftlich/Privat geschäftlich geschäftlich" in text
    assert not {"True", "standard", "exempt", "0.00", "2.50"} & set(text.split())


def test_vat_treatment_and_its_note_are_one_choice(host, client, pair):
    first, second = pair
    html = client.get(preview_url(first, second)).get_data(as_text=True)
    assert 'name="take-vat_treatment"' in html and 'name="take-vat_note"' not in html

    token = csrf_token(client)
    client.post("/m/crm/zusammenfuehren", data={"csrf_token": token, "ids": [str(first), str(second)],
                                                "survivor": str(first), "take-vat_treatment": str(second)})
    assert (record(host, first)["vat_treatment"], record(host, first)["vat_note"]) == (
        "exempt", "Heilberuf, § 4 Nr. 14 UStG")


def test_undo_keeps_a_later_edit_of_a_field_the_merge_did_not_set(host, client, pair):
    first, second = pair
    undo_url = _merge(client, host, first, second)
    with host.session() as session:
        prospects.update(host, session, first, {"street": "Neue Straße"})

    undone = client.post(undo_url, data={"csrf_token": csrf_token(client)}, follow_redirects=True)

    assert flashes(undone)[0].startswith("Zusammenführung rückgängig gemacht")
    assert record(host, first)["street"] == "Neue Straße" and record(host, first)["email"] == ""
    assert record(host, second)["street"] == "Domplatz"


def test_undo_shows_the_conflicts_and_the_user_decides_per_field(host, client, pair):
    first, second = pair
    with host.session() as session:
        merging.merge(host, session, [first, second], choices={"street": second})
    token = csrf_token(client)
    page = client.get(f"/m/crm/{first}")
    undo_url = re.search(r'action="(/m/crm/%d/zusammenfuehrungen/\d+/rueckgaengig)"' % first,
                         page.get_data(as_text=True)).group(1)
    with host.session() as session:
        prospects.update(host, session, first, {"street": "Neue Straße"})

    refused = client.post(undo_url, data={"csrf_token": token})
    assert refused.status_code == 409
    assert ("Feld „Straße“ wurde nach dem Zusammenführen geändert: jetzt „Neue Straße“, vor dem Zusammenführen "
            "„Hauptstraße“.") in text_of(refused)
    html = refused.get_data(as_text=True)
    assert re.search(r'name="decision-street" value="keep"', html)
    assert re.search(r'name="decision-street" value="restore"', html)
    assert record(host, second)["role"] == "merged"

    undone = client.post(undo_url, data={"csrf_token": token, "decision-street": "keep"}, follow_redirects=True)
    assert flashes(undone)[0].startswith("Zusammenführung rückgängig gemacht")
    assert record(host, first)["street"] == "Neue Straße" and record(host, second)["role"] == "prospect"


def test_after_merge_undo_and_deleting_the_other_record_the_survivor_opens(host, client, pair):
    first, second = pair
    undo_url = _merge(client, host, first, second)
    token = csrf_token(client)
    assert client.post(undo_url, data={"csrf_token": token}).status_code == 302
    deleted = run_action(client, token, "delete", [second], confirmed=True)
    assert deleted.status_code in (302, 303)
    assert record(host, first)["company"] == "Schmitz GmbH"

    page = client.get(f"/m/crm/{first}")

    assert page.status_code == 200
    assert "zusammengeführt mit einem gelöschten Datensatz" in text_of(page)
