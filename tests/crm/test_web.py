"""The CRM's pages through Flask's test client: what a user sees on them and what they change."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime

import pytest

from crm_module import customfields, history, mailinglists, overview, prospects
from tests.conftest import signed_in_client
from tests.crm.conftest import create, record
from tests.test_web import csrf_token, flashes, text_of

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture
def client(host):
    return signed_in_client(host)


@pytest.fixture
def fields(host):
    """Custom fields 1-4: Branche (text), Mitarbeiter (number), Newsletter (yes/no), Größe (choice)."""
    with host.session() as session:
        customfields.configure(host, session, 1, "Branche", "text")
        customfields.configure(host, session, 2, "Mitarbeiter", "number")
        customfields.configure(host, session, 3, "Newsletter", "bool")
        customfields.configure(host, session, 4, "Größe", "choice", ["klein", "groß"])
    return host


def form(token: str, **fields: str | list[str]) -> dict:
    """A complete, valid edit dialog as the browser posts it; keyword arguments replace inputs."""
    data = {
        "csrf_token": token, "status": "Neu", "is_business": "1", "company": "Bäckerei Schmitz GmbH",
        "salutation": "", "title": "", "first_name": "", "last_name": "", "street": "Hauptstraße",
        "house_number": "12", "address_addition": "", "postcode": "50667", "city": "Köln", "country": "DE",
        "email": "info@schmitz.example", "website": "", "phones-0-kind": "Telefon", "phones-0-number": "0221 1234567",
        "contacts-0-id": "", "contacts-0-last_name": "", "vat_treatment": "standard", "vat_note": "",
        "payment_terms_days": "14", "discount_percent": "0", "source": "", "expected_volume": "",
    }
    return data | fields


def overview_names(response) -> list[str]:
    """The Name column of the overview, top to bottom."""
    rows = re.findall(r'<tr data-id="\d+"[^>]*>\s*<td>[^<]*</td><td>([^<]*)</td>', response.get_data(as_text=True))
    return [row.replace("&amp;", "&") for row in rows]


def count(host) -> int:
    with host.session() as session:
        return overview.count(session)


def run_action(client, token, name, ids, entity="prospect", confirmed=False, next="/m/crm/"):
    data = {"csrf_token": token, "owner": "crm", "name": name, "entity": entity, "ids": [str(i) for i in ids],
            "next": next}
    if confirmed:
        data["confirmed"] = "1"
    return client.post("/aktion", data=data)


# -- overview ----------------------------------------------------------------------------------


def test_menu_leads_to_the_overview_with_its_columns_and_the_new_button(host, client):
    menu = client.get("/kunden").get_data(as_text=True)
    assert re.search(r'<a href="/m/crm/">\s*<span>Interessenten</span>', menu)

    response = client.get("/m/crm/")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    headers = re.findall(r'<th scope="col"[^>]*>\s*(?:<a [^>]*>)?([^<]+)', page)
    assert [h.strip() for h in headers] == ["Nr.", "Name", "Ort", "Status", "Kontakte", "Letzter Kontakt",
                                            "Nächste Wiedervorlage", "Listen"]
    assert re.search(r'<a class="button-link primary list-new" href="/m/crm/neu\?back=/m/crm/"[^>]*>Neu <kbd>F10</kbd>',
                     page)
    assert "Keine Interessenten vorhanden." in text_of(response)


def test_overview_row_shows_contacts_follow_up_and_lists(host, client):
    party_id = create(host)
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Erstgespräch",
                             occurred_at=datetime(2026, 10, 20, 9, 30))
        history.add_followup(host, session, party_id, date(2026, 11, 20), "Nachfassen")
        newsletter = mailinglists.create_list(host, session, "Newsletter Frühjahr", "newsletter")
        mailinglists.add_members(host, session, newsletter.id, [party_id])

    row = re.search(r'<tr data-id="%d".*?</tr>' % party_id, client.get("/m/crm/").get_data(as_text=True), re.S)

    cells = [cell.strip() for cell in re.findall(r"<td>([^<]*)</td>", row.group(0))]
    assert cells == ["I10000", "Bäckerei Schmitz GmbH", "Köln", "Neu", "1", "20.10.2026", "20.11.2026",
                     "Newsletter Frühjahr"]


@pytest.fixture
def several(host):
    """Five prospects in different cities, statuses, categories; two on a mailing list."""
    ids = {}
    for name, city, postcode, status, category in [
        ("Autohaus Richter", "Dresden", "01067", "Neu", "Händler"),
        ("Bäckerei Schmitz", "Köln", "50667", "Angebot", "Handwerk"),
        ("Café Wolf", "Münster", "48143", "Neu", "Endkunde"),
        ("Druckerei Lange", "Bonn", "53111", "In Kontakt", "Handwerk"),
        ("Elektro Becker", "Aachen", "52062", "Neu", "Handwerk"),
    ]:
        ids[name] = create(host, company=name, city=city, postcode=postcode, status=status, categories=[category],
                           email=f"info@{name.split()[1].lower()}.example",
                           phones=[{"kind": "Telefon", "number": f"+49 221 98765{len(ids)}"}])
    with host.session() as session:
        mailing = mailinglists.create_list(host, session, "Hausmesse", "mailing")
        mailinglists.add_members(host, session, mailing.id, [ids["Café Wolf"], ids["Bäckerei Schmitz"]])
    return ids, mailing.id


def test_overview_sorts_by_the_clicked_header_and_reverses_on_the_second_click(several, client):
    assert overview_names(client.get("/m/crm/")) == ["Autohaus Richter", "Bäckerei Schmitz", "Café Wolf",
                                                     "Druckerei Lange", "Elektro Becker"]
    page = client.get("/m/crm/").get_data(as_text=True)
    city_link = re.search(r'<th scope="col" data-sort="city"[^>]*>\s*<a href="([^"]+)"', page).group(1)

    by_city = client.get(city_link.replace("&amp;", "&"))
    assert overview_names(by_city) == ["Elektro Becker", "Druckerei Lange", "Autohaus Richter", "Bäckerei Schmitz",
                                       "Café Wolf"]
    reverse_link = re.search(r'data-sort="city"[^>]*>\s*<a href="([^"]+)"', by_city.get_data(as_text=True)).group(1)
    assert overview_names(client.get(reverse_link.replace("&amp;", "&")))[0] == "Café Wolf"


def test_overview_filters_by_status_category_and_list(several, client):
    _ids, list_id = several
    assert overview_names(client.get("/m/crm/?status=Neu")) == ["Autohaus Richter", "Café Wolf", "Elektro Becker"]
    assert overview_names(client.get("/m/crm/?category=Handwerk")) == ["Bäckerei Schmitz", "Druckerei Lange",
                                                                       "Elektro Becker"]
    assert overview_names(client.get(f"/m/crm/?list={list_id}")) == ["Bäckerei Schmitz", "Café Wolf"]
    both = client.get("/m/crm/?status=Neu&category=Handwerk")
    assert overview_names(both) == ["Elektro Becker"]
    assert "1 Interessent" in text_of(both)
    page = both.get_data(as_text=True)
    assert re.search(r'<option selected>Neu</option>', page) and re.search(r'<option selected>Handwerk</option>', page)


def test_overview_search_finds_by_name_email_phone_and_city(several, client):
    assert overview_names(client.get("/m/crm/?q=caf")) == ["Café Wolf"]
    assert overview_names(client.get("/m/crm/?q=info@lange.example")) == ["Druckerei Lange"]
    assert overview_names(client.get("/m/crm/?q=0221 987653")) == ["Druckerei Lange"]
    assert overview_names(client.get("/m/crm/?q=köln&in=city")) == ["Bäckerei Schmitz"]
    nothing = client.get("/m/crm/?q=Zylinder")
    assert overview_names(nothing) == [] and "Nichts gefunden für „Zylinder“." in text_of(nothing)


def test_overview_pages_and_keeps_the_filters_in_the_links(several, client):
    first = client.get("/m/crm/?status=Neu&per_page=2")
    assert overview_names(first) == ["Autohaus Richter", "Café Wolf"]
    assert "3 Interessenten" in text_of(first) and "Seite 1 von 2" in text_of(first)
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert "status=Neu" in next_link

    second = client.get(next_link)
    assert overview_names(second) == ["Elektro Becker"] and "Seite 2 von 2" in text_of(second)


def test_overview_offers_the_context_actions(host, client):
    page = client.get("/m/crm/").get_data(as_text=True)
    context_menu = re.search(r'<ul class="context-menu".*?</ul>', page, re.S).group(0)
    labels = re.findall(r'role="menuitem" data-owner="crm" data-name="[^"]+"[^>]*>([^<]+)<', context_menu)
    assert labels == ["Bearbeiten", "Kopieren", "Löschen", "In Kunden umwandeln", "Zusammenführen",
                      "Zu Liste hinzufügen …", "Von Liste entfernen …"]


# -- the edit dialog ---------------------------------------------------------------------------


def test_new_dialog_has_the_tabs_and_the_configured_custom_fields_only(fields, client):
    response = client.get("/m/crm/neu")
    page = response.get_data(as_text=True)

    assert re.findall(r'role="tab"[^>]*>([^<]+)<', page) == ["Adresse", "Ansprechpartner", "Konditionen", "Statistik",
                                                             "Individuelle Felder", "Dokumente"]
    assert 'id="f-number" value="" placeholder="wird vergeben" readonly' in page
    assert re.search(r'<input type="text" inputmode="decimal" id="f-custom-2" name="custom-2"', page)
    assert re.search(r'<input type="checkbox" id="f-custom-3" name="custom-3" value="1"', page)
    assert re.search(r'<select id="f-custom-4" name="custom-4">\s*<option value="">–</option>\s*<option>klein</option>',
                     page)
    assert "custom-5" not in page
    for category in ("Endkunde", "Handwerk"):
        assert f'name="categories" value="{category}"' in page


def test_create_with_valid_input_saves_every_tab_and_opens_the_record(fields, client):
    token = csrf_token(client)
    response = client.post("/m/crm/neu", data=form(
        token, **{"phones-1-kind": "Mobil", "phones-1-number": "0171 2345678",
                  "contacts-0-salutation": "Frau", "contacts-0-first_name": "Anna", "contacts-0-last_name": "Schmitz",
                  "contacts-0-email": "anna@schmitz.example", "contacts-1-last_name": "Weber", "contacts-main": "1",
                  "vat_treatment": "standard", "payment_terms_days": "30", "discount_percent": "2,5",
                  "categories": ["Handwerk", "Händler"], "source": "Messe", "expected_volume": "12.500,00",
                  "custom-1": "Lebensmittel", "custom-2": "12", "custom-3": ["0", "1"], "custom-4": "klein"}))

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert flashes(page) == ["Interessent I10000 angelegt."]
    assert "Interessent I10000" in text_of(page)
    [party_id] = [int(re.search(r"/m/crm/(\d+)", response.headers["Location"]).group(1))]
    saved = record(fields, party_id)
    assert [(p["kind"], p["number"]) for p in saved["phones"]] == [("Telefon", "+49 221 1234567"),
                                                                  ("Mobil", "+49 171 2345678")]
    assert [(c["last_name"], c["is_main"]) for c in saved["contacts"]] == [("Schmitz", False), ("Weber", True)]
    assert (saved["payment_terms_days"], str(saved["discount_percent"]), str(saved["expected_volume"])) == (
        30, "2.50", "12500.00")
    assert saved["categories"] == ["Handwerk", "Händler"] and saved["source"] == "Messe"
    assert {f["label"]: f["value"] for f in saved["custom"]} == {
        "Branche": "Lebensmittel", "Mitarbeiter": 12, "Newsletter": True, "Größe": "klein"}


def test_invalid_input_is_shown_at_each_field_with_the_input_kept_and_nothing_saved(fields, client):
    token = csrf_token(client)
    response = client.post("/m/crm/neu", data=form(
        token, email="info(at)schmitz", postcode="5066", **{"custom-2": "viele", "contacts-0-last_name": "Schmitz",
                                                             "contacts-0-email": "anna@"}))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte korrigieren Sie die markierten Felder; es wurde nichts gespeichert." in text_of(response)
    assert re.search(r'name="email" value="info\(at\)schmitz" aria-invalid="true" aria-describedby="error-email">\s*'
                     r'<p class="field-error" id="error-email">„info\(at\)schmitz“ ist keine gültige E-Mail-Adresse',
                     page)
    assert re.search(r'name="postcode" value="5066"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="error-postcode">[^<]*5 Ziffern', page)
    assert re.search(r'name="custom-2" value="viele" aria-invalid="true"[^>]*>\s*'
                     r'<p class="field-error" id="error-custom-2">Mitarbeiter: „viele“ ist keine Zahl', page)
    assert re.search(r'id="error-contacts-0-email">', page)
    assert 'value="Bäckerei Schmitz GmbH"' in page and 'value="Schmitz"' in page
    tabs_with_errors = re.findall(r'role="tab" id="tab-(\w+)"[^>]*class="tab has-error"', page)
    assert tabs_with_errors == ["adresse", "ansprechpartner", "felder"]
    assert count(fields) == 0


def test_edit_shows_the_record_and_saves_changes(host, client):
    party_id = create(host)
    page = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert 'id="f-number" value="I10000" placeholder="wird vergeben" readonly' in page
    assert 'name="city" value="Köln"' in page and 'name="phones-0-number" value="+49 221 1234567"' in page

    response = client.post(f"/m/crm/{party_id}", data=form(csrf_token(client), city="Bonn", postcode="53111",
                                                           status="Angebot"), follow_redirects=True)

    assert flashes(response) == ["Interessent I10000 gespeichert."]
    assert 'name="city" value="Bonn"' in response.get_data(as_text=True)
    assert (record(host, party_id)["city"], record(host, party_id)["status"]) == ("Bonn", "Angebot")


def test_invalid_edit_keeps_the_saved_record_unchanged(host, client):
    party_id = create(host)
    response = client.post(f"/m/crm/{party_id}", data=form(csrf_token(client), city="Bonn", company=""))

    assert response.status_code == 422
    assert "Ein geschäftlicher Interessent braucht eine Firma." in text_of(response)
    assert 'name="city" value="Bonn"' in response.get_data(as_text=True)
    assert record(host, party_id)["city"] == "Köln"


def test_contact_persons_are_added_changed_and_removed(host, client):
    party_id = create(host, contacts=[{"last_name": "Schmitz", "first_name": "Anna"},
                                      {"last_name": "Weber", "function": "Einkauf"}])
    contacts = record(host, party_id)["contacts"]
    page = client.get(f"/m/crm/{party_id}#ansprechpartner").get_data(as_text=True)
    assert re.search(r'name="contacts-main" value="0" checked', page)
    assert 'name="contacts-1-function" value="Einkauf"' in page

    token = csrf_token(client)
    client.post(f"/m/crm/{party_id}", data=form(token, **{
        "contacts-0-id": "", "contacts-0-last_name": "",  # the blank row a user did not fill
        "contacts-1-id": str(contacts[1]["id"]), "contacts-1-last_name": "Weber", "contacts-1-function": "Leitung",
        "contacts-2-last_name": "Neumann", "contacts-2-email": "neumann@schmitz.example", "contacts-main": "2"}))

    saved = record(host, party_id)["contacts"]
    assert [(c["last_name"], c["function"], c["is_main"]) for c in saved] == [("Weber", "Leitung", False),
                                                                            ("Neumann", "", True)]
    assert saved[0]["id"] == contacts[1]["id"]


def test_documents_of_any_format_are_uploaded_listed_and_downloaded(host, client):
    party_id = create(host)
    token = csrf_token(client)
    response = client.post(f"/m/crm/{party_id}/dokumente", data={
        "csrf_token": token, "kind": "offer",
        "files": [(io.BytesIO(PNG), "Plan.png"), (io.BytesIO("Angebot für Müller".encode()), "Angebot Müller.txt")],
    }, content_type="multipart/form-data")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/m/crm/{party_id}#dokumente")
    page = client.get(response.headers["Location"])
    assert flashes(page) == ["2 Dokumente abgelegt: Plan.png, Angebot Müller.txt."]
    links = re.findall(r'<a href="(/m/crm/%d/dokumente/\d+)" download>([^<]+)</a>' % party_id,
                       page.get_data(as_text=True))
    assert [name for _url, name in links] == ["Plan.png", "Angebot Müller.txt"]
    assert "Angebot" in text_of(page)

    download = client.get(links[0][0])
    assert download.data == PNG and download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "Plan.png" in download.headers["Content-Disposition"]
    assert client.get(links[1][0]).data == "Angebot für Müller".encode()


def test_a_document_is_only_downloaded_through_its_own_record(host, client):
    first, second = create(host), create(host, company="Andere GmbH")
    with host.session() as session:
        document = prospects.add_document(host, session, first, "geheim.txt", b"nur fuer den ersten")

    response = client.get(f"/m/crm/{second}/dokumente/{document.id}")

    assert response.status_code == 404 and b"nur fuer" not in response.data


def test_events_and_follow_ups_are_recorded_from_the_statistics_tab(host, client):
    party_id = create(host)
    token = csrf_token(client)
    client.post(f"/m/crm/{party_id}/ereignisse", data={"csrf_token": token, "kind": "call", "subject": "Rückruf",
                                                       "text": "Wünscht Angebot"})
    response = client.post(f"/m/crm/{party_id}/wiedervorlagen", data={
        "csrf_token": token, "due_on": "2026-11-20", "subject": "Angebot nachfassen"}, follow_redirects=True)

    assert flashes(response) == ["Anruf erfasst.", "Wiedervorlage zum 20.11.2026 angelegt."]
    text = text_of(response)
    assert "02.11.2026 09:00 Anruf Rückruf Wünscht Angebot" in text
    assert "20.11.2026 Angebot nachfassen" in text
    assert record(host, party_id)["statistics"]["contact_count"] == 1


# -- conversion and the customer's CRM record --------------------------------------------------


def test_convert_two_prospects_from_the_context_menu(host, client):
    ids = [create(host, company="Eins GmbH"), create(host, company="Zwei GmbH"), create(host, company="Drei GmbH")]
    token = csrf_token(client)

    refused = run_action(client, token, "to_customers", ids[:2])
    assert refused.status_code == 400 and "muss erst mit Ja bestätigt werden" in text_of(refused)

    response = run_action(client, token, "to_customers", ids[:2], confirmed=True)
    assert response.headers["Location"] == "/m/crm/"
    after = client.get("/m/crm/")
    assert flashes(after) == ["2 Interessenten in Kunden umgewandelt."]
    assert overview_names(after) == ["Drei GmbH"]
    customers = text_of(client.get("/kunden"))
    assert "Eins GmbH" in customers and "Zwei GmbH" in customers


def test_customer_crm_record_shows_what_came_along_from_the_prospect(fields, client):
    host = fields
    party_id = create(host, contacts=[{"first_name": "Anna", "last_name": "Schmitz", "function": "Inhaberin"}],
                      categories=["Handwerk"], custom={"Branche": "Lebensmittel", "Newsletter": "ja"})
    with host.session() as session:
        history.record_event(host, session, party_id, "call", subject="Erstgespräch auf der Messe",
                             occurred_at=datetime(2026, 10, 5, 14, 0))
        history.add_followup(host, session, party_id, date(2026, 12, 1), "Jahresgespräch")
        newsletter = mailinglists.create_list(host, session, "Newsletter", "newsletter")
        mailinglists.add_members(host, session, newsletter.id, [party_id])
        prospects.add_document(host, session, party_id, "Visitenkarte.pdf", b"%PDF-1.4")
    token = csrf_token(client)
    run_action(client, token, "to_customers", [party_id], confirmed=True)
    with host.session() as session:
        [customer_id] = [c.id for c in host.customers.page(session)[0]]

    opened = run_action(client, token, "open_record", [customer_id], entity="customer", next="/kunden")

    assert opened.headers["Location"] == f"/m/crm/kunde/{customer_id}"
    page = client.get(opened.headers["Location"])
    text = text_of(page)
    assert page.status_code == 200 and "CRM-Akte: Kunde K10000 Bäckerei Schmitz GmbH" in text
    assert "Früher Interessent I10000" in text
    assert "Anna Schmitz Hauptansprechpartner Inhaberin" in text
    assert "Kategorien Handwerk" in text
    assert "Branche Lebensmittel" in text and "Newsletter ja" in text
    assert "05.10.2026 14:00 Anruf Erstgespräch auf der Messe" in text
    assert "01.12.2026 Jahresgespräch" in text
    assert "Listen Newsletter (Newsletter)" in text
    assert "Visitenkarte.pdf" in text


def test_customer_context_menu_offers_the_crm_record_and_it_does_not_write(host, client):
    page = client.get("/kunden").get_data(as_text=True)
    assert re.search(r'data-owner="crm" data-name="open_record"\s+data-selection="one">CRM-Akte öffnen<', page)
    with host.session() as session:
        action = {a.name: a for o, a in host.context_actions(session, "customer") if o == "crm"}["open_record"]
    assert not action.writes and action.confirm is None


def test_edit_action_opens_the_dialog_of_the_selected_prospect(host, client):
    party_id = create(host)

    response = run_action(client, csrf_token(client), "edit", [party_id])

    assert response.headers["Location"] == f"/m/crm/{party_id}?back=/m/crm/"


# -- merging -----------------------------------------------------------------------------------


def test_merge_preview_merge_and_undo(host, client):
    first = create(host, company="Schmitz GmbH", email="", website="www.schmitz.example")
    second = create(host, company="Bäckerei Schmitz", email="info@schmitz.example", city="Köln",
                    phones=[{"kind": "Mobil", "number": "0171 2345678"}])
    token = csrf_token(client)

    opened = run_action(client, token, "merge", [first, second])
    assert opened.headers["Location"] == f"/m/crm/zusammenfuehren?ids={first}&ids={second}"
    preview = client.get(opened.headers["Location"])
    text = text_of(preview)
    assert "Es bleibt Interessent „Schmitz GmbH“ (I10000)" in text
    assert "Firma Schmitz GmbH Bäckerei Schmitz" in text
    assert "E-Mail – info@schmitz.example" in text
    assert "Mobil: +49 171 2345678" in text

    chosen = client.get(f"/m/crm/zusammenfuehren?ids={first}&ids={second}&survivor={second}")
    assert "Es bleibt Interessent „Bäckerei Schmitz“ (I10001)" in text_of(chosen)
    assert "Firma Bäckerei Schmitz Schmitz GmbH" in text_of(chosen)
    assert re.search(r'name="survivor" value="%d"' % second, chosen.get_data(as_text=True))

    merged = client.post("/m/crm/zusammenfuehren", data={"csrf_token": token, "ids": [str(first), str(second)],
                                                         "survivor": str(second)}, follow_redirects=True)
    assert flashes(merged) == ["2 Datensätze zusammengeführt. Unter „Zusammenführungen“ können Sie das rückgängig "
                               "machen."]
    assert count(host) == 1 and record(host, second)["website"] == "https://www.schmitz.example"
    undo_url = re.search(r'action="(/m/crm/%d/zusammenfuehrungen/\d+/rueckgaengig)"' % second,
                         merged.get_data(as_text=True)).group(1)
    assert "zusammengeführt mit Interessent „Schmitz GmbH“ (I10000)" in text_of(merged)

    undone = client.post(undo_url, data={"csrf_token": token}, follow_redirects=True)

    assert flashes(undone) == ["Zusammenführung rückgängig gemacht: 1 Datensatz wiederhergestellt."]
    assert "rückgängig gemacht am 02.11.2026" in text_of(undone)
    assert count(host) == 2 and record(host, second)["website"] == ""


def test_merge_needs_two_prospects(host, client):
    response = run_action(client, csrf_token(client), "merge", [create(host)])

    assert response.status_code == 400 and "braucht mindestens zwei markierte Zeilen" in text_of(response)


# -- data protection ---------------------------------------------------------------------------


def test_export_downloads_everything_as_json(host, client):
    party_id = create(host, contacts=[{"last_name": "Schmitz"}])
    with host.session() as session:
        prospects.add_document(host, session, party_id, "Brief.txt", b"Hallo")
    page = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert f'href="/m/crm/{party_id}/export" download>Daten exportieren' in page

    response = client.get(f"/m/crm/{party_id}/export")

    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="crm-export-I10000.json"'
    data = json.loads(response.data)
    assert data["record"]["company"] == "Bäckerei Schmitz GmbH"
    assert [c["last_name"] for c in data["record"]["contacts"]] == ["Schmitz"]
    assert [d["filename"] for d in data["documents"]] == ["Brief.txt"]


def test_erase_after_confirmation_removes_the_prospect(host, client):
    party_id = create(host)
    token = csrf_token(client)
    assert 'data-confirm="Bäckerei Schmitz GmbH mit allen' in client.get(f"/m/crm/{party_id}").get_data(as_text=True)

    unconfirmed = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": token}, follow_redirects=True)
    assert "muss erst mit Ja bestätigt werden" in flashes(unconfirmed)[0] and count(host) == 1

    erased = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": token, "confirmed": "1"},
                         follow_redirects=True)

    assert erased.request.path == "/m/crm/"
    assert flashes(erased)[0].startswith("Interessent „Bäckerei Schmitz GmbH“ (I10000) wurde nach DSGVO gelöscht, "
                                         "mit 0 Kontaktereignissen, 0 Ansprechpartnern und 0 Dokumenten.")
    assert count(host) == 0
    assert client.get(f"/m/crm/{party_id}").status_code == 404


def test_erase_is_refused_while_invoices_must_be_kept(host, client):
    party_id = create(host)
    with host.session() as session:
        prospects.add_document(host, session, party_id, "Rechnung-1.pdf", b"%PDF", kind="invoice")

    response = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": csrf_token(client),
                                                                      "confirmed": "1"}, follow_redirects=True)

    assert response.request.path == f"/m/crm/{party_id}"
    assert "Rechnung-1.pdf" in flashes(response)[0] and "aufbewahrt" in flashes(response)[0]
    assert count(host) == 1


# -- custom fields -----------------------------------------------------------------------------


def test_custom_fields_are_configured_on_their_page(host, client):
    token = csrf_token(client)
    response = client.post("/m/crm/felder/3", data={"csrf_token": token, "label": "Größe", "type": "choice",
                                                    "options": "klein\nmittel\ngroß"}, follow_redirects=True)

    assert flashes(response) == ["Feld 3 „Größe“ (Auswahl) gespeichert."]
    assert re.search(r'id="label-3" name="label" value="Größe"', response.get_data(as_text=True))
    assert re.search(r'<option value="choice" selected>Auswahl</option>', response.get_data(as_text=True))
    assert re.search(r'<select id="f-custom-3" name="custom-3">\s*<option value="">–</option>\s*<option>klein</option>'
                     r'\s*<option>mittel</option>', client.get("/m/crm/neu").get_data(as_text=True))

    refused = client.post("/m/crm/felder/4", data={"csrf_token": token, "label": "", "type": "choice", "options": ""})
    assert refused.status_code == 422
    assert "Die Bezeichnung darf nicht leer" in text_of(refused)
    assert "Ein Auswahlfeld braucht mindestens eine Auswahlmöglichkeit." in text_of(refused)


def test_removing_a_custom_field_with_values_needs_discarding_them(fields, client):
    create(fields, custom={"Branche": "Bau"})
    token = csrf_token(client)

    kept = client.post("/m/crm/felder/1/entfernen", data={"csrf_token": token}, follow_redirects=True)
    assert "„Werte verwerfen“ ankreuzen" in flashes(kept)[0] and "--" not in flashes(kept)[0]

    removed = client.post("/m/crm/felder/1/entfernen", data={"csrf_token": token, "discard": "1"},
                          follow_redirects=True)
    assert flashes(removed) == ["Feld 1 entfernt."]
    assert 'name="custom-1"' not in client.get("/m/crm/neu").get_data(as_text=True)


# -- licence -----------------------------------------------------------------------------------


def test_expired_licence_shows_and_exports_data_but_refuses_writing(host, client, clock):
    party_id = create(host)
    token = csrf_token(client)
    clock.advance(days=31)

    listing = client.get("/m/crm/")
    assert listing.status_code == 200 and overview_names(listing) == ["Bäckerei Schmitz GmbH"]
    dialog = client.get(f"/m/crm/{party_id}")
    assert "Nur Lesen: Das Modul CRM (Interessenten) ist nicht lizenziert" in text_of(dialog)
    assert re.search(r'<button type="submit" class="primary" disabled>Speichern', dialog.get_data(as_text=True))
    assert json.loads(client.get(f"/m/crm/{party_id}/export").data)["record"]["city"] == "Köln"

    refused = client.post(f"/m/crm/{party_id}", data=form(token, city="Bonn", postcode="53111"))

    assert refused.status_code == 403
    assert re.search(r'class="flash flash-error crm-refusal" role="alert">Das Modul CRM \(Interessenten\) ist nicht '
                     r'lizenziert', refused.get_data(as_text=True))
    assert 'name="city" value="Bonn"' in refused.get_data(as_text=True)
    assert record(host, party_id)["city"] == "Köln"
    assert client.post("/m/crm/neu", data=form(token)).status_code == 403
    assert count(host) == 1
    converted = run_action(client, token, "to_customers", [party_id], confirmed=True)
    assert converted.status_code == 403 and "nicht lizenziert" in text_of(converted)


def test_pages_answer_404_while_the_module_is_disabled(host, client):
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)

    response = client.get("/m/crm/")

    assert response.status_code == 404 and "nicht aktiviert" in text_of(response)


def _link(response, text: str) -> str:
    return re.search(rf'<a (?:rel="\w+" )?href="([^"]+)">{text}', response.get_data(as_text=True)).group(1) \
        .replace("&amp;", "&")


def test_overview_pages_by_sort_key_to_the_last_page_and_back(several, client):
    first = client.get("/m/crm/?status=Neu&per_page=2")
    last = client.get(_link(first, "Letzte »"))
    assert overview_names(last) == ["Elektro Becker"] and "Seite 2 von 2" in text_of(last)
    back = client.get(_link(last, "‹ Zurück"))
    assert overview_names(back) == ["Autohaus Richter", "Café Wolf"] and "Seite 1 von 2" in text_of(back)
    beyond = client.get("/m/crm/?status=Neu&per_page=2&page=99")
    assert overview_names(beyond) == ["Elektro Becker"] and "Seite 2 von 2" in text_of(beyond)
    assert client.get("/m/crm/?after=kaputt").status_code == 400


def test_overview_counts_no_further_than_the_cap(several, client, monkeypatch):
    from crm_module import overview

    monkeypatch.setattr(overview, "COUNT_CAP", 3)
    first = client.get("/m/crm/?status=Neu&per_page=2")
    assert "mehr als 2 Interessenten" in text_of(first) and "Seite 1" in text_of(first)
    last = client.get(_link(first, "Letzte »"))
    assert overview_names(last) == ["Café Wolf", "Elektro Becker"] and "Letzte Seite" in text_of(last)
