"""The overview's button bar and menu entries, and the way back from the edit dialog to the list as it was
(Flask's test client; what happens inside the page is in tests/browser/test_dialog.py)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.crm.conftest import create, record
from tests.crm.test_web import client, form, run_action  # noqa: F401 (fixture)
from tests.test_web import csrf_token, flashes, text_of

LIST_URL = "/m/crm/?sort=city&dir=desc&page=2&per_page=2&status=Neu"


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def link_hrefs(page: str, label: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'<a [^>]*href="([^"]*)"[^>]*>\s*{label}\s*<', page)]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def three(host) -> list[int]:
    return [create(host, company=name) for name in ("Autohaus Richter", "Bäckerei Schmitz", "Café Wolf")]


# -- the button bar and the Stammdaten menu -----------------------------------------------------


def test_overview_button_bar_has_the_main_actions_and_the_rest_under_further_functions(host, client):
    page = client.get("/m/crm/").get_data(as_text=True)
    bar = re.search(r'<div class="list-buttons".*?</div>\s*</div>', page, re.S).group(0)

    assert re.findall(r'class="button-link[^"]*"[^>]*>\s*([^<]+?)\s*<', bar)[0] == "Neu"
    buttons = re.findall(r'<button type="button" class="list-button"[^>]*data-name="([^"]+)"[^>]*>([^<]+)<', bar)
    assert [label for _, label in buttons] == ["Bearbeiten", "Kopieren", "Löschen", "In Kunden umwandeln"]
    assert "Weitere Funktionen" in bar
    further = re.findall(r'role="menuitem" data-owner="crm" data-name="([^"]+)"[^>]*>([^<]+)<',
                         re.search(r'<ul class="list-more-menu".*?</ul>', bar, re.S).group(0))
    assert further == [("merge", "Zusammenführen"), ("add_to_list", "Zu Liste hinzufügen …"),
                       ("remove_from_list", "Von Liste entfernen …")]
    # the context menu still has every action, from the same declaration
    context = re.search(r'<ul class="context-menu".*?</ul>', page, re.S).group(0)
    assert re.findall(r'role="menuitem" data-owner="crm" data-name="[^"]+"[^>]*>([^<]+)<', context) == [
        "Bearbeiten", "Kopieren", "Löschen", "In Kunden umwandeln", "Zusammenführen", "Zu Liste hinzufügen …",
        "Von Liste entfernen …"]


def test_merge_needs_two_rows_and_says_so_on_the_button(host, client):
    page = client.get("/m/crm/").get_data(as_text=True)
    merge = re.search(r'<button [^>]*data-name="merge"[^>]*>', page).group(0)
    assert attribute(merge, "data-selection") == "several"


def test_stammdaten_menu_offers_the_prospect_actions_below_the_overview_entry(host, client):
    page = client.get("/kunden").get_data(as_text=True)
    menu = re.search(r'<ul class="menu-items" aria-label="Stammdaten">.*?</ul>', page, re.S).group(0)
    entries = [(html.unescape(href), re.sub(r"<[^>]+>", "", label).strip())
               for href, label in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', menu, re.S)]
    labels = [label for _, label in entries]
    start = labels.index("Neuer Interessent")
    assert labels[start:start + 9] == ["Neuer Interessent", "Interessenten", "Bearbeiten", "Kopieren", "Löschen",
                                       "In Kunden umwandeln", "Zusammenführen", "Zu Liste hinzufügen …",
                                       "Von Liste entfernen …"]
    actions = re.findall(r'<a href="/m/crm/" data-entity="prospect" data-owner="crm" data-action="([^"]+)"', menu)
    assert actions == ["edit", "copy", "delete", "to_customers", "merge", "add_to_list", "remove_from_list"]
    assert ("/m/crm/neu", "Neuer Interessent") in entries


def test_merge_with_one_row_answers_a_german_message_and_leads_back_to_the_list(host, client, three):
    response = run_action(client, csrf_token(client), "merge", three[:1], next=LIST_URL)

    assert response.status_code == 400
    assert ("„Zusammenführen“ braucht mindestens zwei markierte Zeilen; markiert ist eine. "
            "Bitte weitere Zeilen mit Strg-Klick dazunehmen.") in text_of(response)
    assert link_hrefs(response.get_data(as_text=True), "Zurück") == [LIST_URL]


def test_copy_opens_the_copy_with_a_new_number_and_the_same_data(host, client, three):
    token = csrf_token(client)
    response = run_action(client, token, "copy", three[1:2], next=LIST_URL)

    target = response.headers["Location"]
    copy_id = int(re.match(r"/m/crm/(\d+)\?", target).group(1))
    assert copy_id not in three and query(target)["back"] == [LIST_URL]
    original, copy = record(host, three[1]), record(host, copy_id)
    assert copy["number"] != original["number"]
    assert flashes(client.get(target)) == [f"Kopie {copy['number']} von {original['number']} angelegt."]
    for key in ("company", "street", "postcode", "city", "email", "status"):
        assert copy[key] == original[key]
    assert "Kopie" not in " ".join(str(value) for value in copy.values())


# -- back to the list as it was ----------------------------------------------------------------


def test_rows_open_the_dialog_with_the_way_back_to_this_list(host, client, three):
    page = client.get("/m/crm/?sort=city&dir=desc").get_data(as_text=True)
    row = re.search(rf'<tr data-id="{three[0]}"[^>]*>', page).group(0)
    assert urlsplit(attribute(row, "data-open")).path == f"/m/crm/{three[0]}"
    assert query(attribute(row, "data-open"))["back"] == ["/m/crm/?sort=city&dir=desc"]
    new = link_hrefs(page, "Neu")[0]
    assert query(new)["back"] == ["/m/crm/?sort=city&dir=desc"]


def test_edit_action_opens_the_dialog_with_the_way_back(host, client, three):
    response = run_action(client, csrf_token(client), "edit", three[:1], next=LIST_URL)
    assert urlsplit(response.headers["Location"]).path == f"/m/crm/{three[0]}"
    assert query(response.headers["Location"])["back"] == [LIST_URL]


def test_overview_and_cancel_lead_back_to_the_list_with_its_sort_filters_and_page(host, client, three):
    page = client.get(f"/m/crm/{three[0]}", query_string={"back": LIST_URL}).get_data(as_text=True)

    assert link_hrefs(page, "Zur Übersicht") == [LIST_URL]
    assert link_hrefs(page, "Abbrechen") == [LIST_URL]
    save = re.search(r'<form id="prospect-form"[^>]*>', page).group(0)
    assert query(attribute(save, "action"))["back"] == [LIST_URL]
    for form_id in ("upload-form", "event-form", "followup-form"):
        tag = re.search(rf'<form id="{form_id}"[^>]*>', page).group(0)
        assert query(attribute(tag, "action"))["back"] == [LIST_URL], form_id


def test_the_way_back_survives_saving_and_adding_a_contact(host, client, three):
    token = csrf_token(client)
    saved = client.post(f"/m/crm/{three[0]}", query_string={"back": LIST_URL},
                        data=form(token, company="Autohaus Richter KG"))
    assert saved.status_code == 302 and query(saved.headers["Location"])["back"] == [LIST_URL]
    assert link_hrefs(client.get(saved.headers["Location"]).get_data(as_text=True), "Zur Übersicht") == [LIST_URL]

    event = client.post(f"/m/crm/{three[0]}/ereignisse", query_string={"back": LIST_URL},
                        data={"csrf_token": token, "kind": "call", "subject": "Rückruf"})
    assert query(event.headers["Location"])["back"] == [LIST_URL]
    assert urlsplit(event.headers["Location"]).fragment == "statistik"

    created = client.post("/m/crm/neu", query_string={"back": LIST_URL}, data=form(token, company="Neu GmbH"))
    assert query(created.headers["Location"])["back"] == [LIST_URL]


@pytest.mark.parametrize("back", ["https://attacker.example/m/crm/", "//attacker.example/m/crm/", "/kunden",
                                  "/m/crm/5", "javascript:alert(1)", "/m/crm/\\..", "/m/crm/?q=\r\nX: 1"])
def test_a_way_back_that_is_not_the_overview_is_ignored(host, client, three, back):
    page = client.get(f"/m/crm/{three[0]}", query_string={"back": back}).get_data(as_text=True)

    assert link_hrefs(page, "Zur Übersicht") == ["/m/crm/"]
    assert "attacker" not in page and "javascript:" not in page


def test_dialog_marks_its_form_for_the_unsaved_input_question(host, client, three):
    page = client.get(f"/m/crm/{three[0]}").get_data(as_text=True)
    tag = re.search(r'<form id="prospect-form"[^>]*>', page).group(0)
    assert attribute(tag, "data-unsaved-guard") == "Ungespeicherte Änderungen verwerfen?"
    assert "Ungespeicherte Änderungen" not in text_of(client.get(f"/m/crm/{three[0]}"))

    refused = client.post(f"/m/crm/{three[0]}", data=form(csrf_token(client), email="kein-at"))
    tag = re.search(r'<form id="prospect-form"[^>]*>', refused.get_data(as_text=True)).group(0)
    assert attribute(tag, "data-unsaved") == "1"  # what the user typed is on screen but not saved
