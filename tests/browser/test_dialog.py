"""The overview and the edit dialog in real Chromium: the button bar, keys and menu entries, the question
before typed input is dropped, and messages that stay in view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm_module import prospects

pytestmark = pytest.mark.browser

LIST = "/m/crm/?sort=city&dir=desc"


def add(host, *companies: str) -> list[int]:
    with host.session() as session:
        return [prospects.create(host, session, {"company": company, "city": city}).id
                for company, city in zip(companies, ("Aachen", "Bonn", "Celle", "Dresden"), strict=False)]


def rows(page):
    return page.locator(".entity-list tbody tr[data-id]")


def test_typed_input_is_dropped_only_after_asking(page, live_host):
    [party_id] = add(live_host, "Autohaus Richter")
    page.goto(f"/m/crm/{party_id}?back=/m/crm/%3Fsort%3Dcity%26dir%3Ddesc")
    question = page.locator("dialog.leave-dialog")

    # input of the small forms alone is no unsaved change of the record: no question
    page.get_by_role("tab", name="Statistik").click()
    page.get_by_label("Betreff des Kontakts").fill("Rückruf")
    page.get_by_role("button", name="Kontakt erfassen").click()
    expect(page.locator(".flash")).to_have_text("Anruf erfasst.")

    page.get_by_role("tab", name="Adresse").click()
    company = page.locator("#adresse").get_by_label("Firma")
    company.fill("Autohaus Richter & Söhne")

    def click_and_say_no(tab, click):
        if tab:
            page.get_by_role("tab", name=tab).click()
        url = page.url
        click()
        expect(question).to_be_visible()
        expect(question).to_contain_text("Ungespeicherte Änderungen verwerfen?")
        question.get_by_role("button", name="Nein").click()
        expect(question).to_be_hidden()
        assert page.url == url
        expect(company).to_have_value("Autohaus Richter & Söhne")

    click_and_say_no("Statistik", lambda: page.get_by_role("button", name="Kontakt erfassen").click())
    click_and_say_no("Statistik", lambda: page.get_by_role("button", name="Wiedervorlage anlegen").click())
    click_and_say_no("Dokumente", lambda: page.get_by_role("button", name="Hochladen").click())
    click_and_say_no(None, lambda: page.get_by_role("link", name="Abbrechen").click())
    click_and_say_no(None, lambda: page.get_by_role("link", name="Zur Übersicht").click())

    def menu_entry():
        page.get_by_role("button", name="Stammdaten").hover()
        page.locator(".menubar").get_by_role("link", name="Kunden", exact=True).click()

    click_and_say_no(None, menu_entry)

    seen = []
    page.once("dialog", lambda dialog: (seen.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)  # the browser's own navigation asks too
    page.wait_for_timeout(300)
    assert seen == ["beforeunload"]


def test_answer_yes_leaves_for_the_list_as_it_was(page, live_host):
    [party_id] = add(live_host, "Autohaus Richter")
    page.goto(f"/m/crm/{party_id}?back=/m/crm/%3Fsort%3Dcity%26dir%3Ddesc")
    page.locator("#adresse").get_by_label("Firma").fill("Anders")

    page.get_by_role("link", name="Zur Übersicht").click()
    page.locator("dialog.leave-dialog").get_by_role("button", name="Ja").click()

    expect(page).to_have_url(re.compile(re.escape(LIST) + "$"))
    expect(rows(page).first).to_contain_text("Autohaus Richter")  # nothing was saved


def test_button_bar_keys_and_menu_entries_act_on_the_selected_rows(page, live_host):
    ids = add(live_host, "Autohaus Richter", "Bäckerei Schmitz", "Café Wolf")
    page.goto(LIST)
    bar = page.get_by_role("toolbar", name="Aktionen")
    more = page.get_by_role("menu", name="Weitere Funktionen")
    expect(bar.get_by_role("button", name="Bearbeiten")).to_be_disabled()

    rows(page).nth(0).click()
    expect(bar.get_by_role("button", name="Bearbeiten")).to_be_enabled()
    bar.get_by_role("button", name="Weitere Funktionen").click()
    expect(more.get_by_role("menuitem", name="Zusammenführen")).to_be_disabled()
    page.keyboard.press("Escape")

    page.keyboard.press("Control+a")
    expect(page.locator(".list-selection")).to_have_text("3 markiert")
    expect(bar.get_by_role("button", name="Bearbeiten")).to_be_disabled()
    bar.get_by_role("button", name="Weitere Funktionen").click()
    expect(more.get_by_role("menuitem", name="Zusammenführen")).to_be_enabled()
    page.keyboard.press("Escape")

    rows(page).nth(1).click()  # Bäckerei Schmitz (Bonn) in the middle
    page.get_by_role("button", name="Stammdaten").hover()
    page.locator(".menubar").get_by_role("link", name="Bearbeiten").click()
    expect(page).to_have_url(re.compile(rf"/m/crm/{ids[1]}\?back="))
    page.get_by_role("link", name="Zur Übersicht").click()
    expect(page).to_have_url(re.compile(re.escape(LIST) + "$"))

    rows(page).nth(2).click()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/m/crm/{ids[0]}\?back="))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Autohaus Richter")


def test_message_after_saving_a_field_is_in_view_below_the_menu_bar(page, live_host):
    page.goto("/m/crm/felder")
    slot = page.locator("#feld-18")
    slot.get_by_label("Bezeichnung").fill("Kundennummer beim Lieferanten")
    slot.get_by_role("button", name="Einrichten").click()

    message = page.locator(".flash")
    expect(message).to_have_text("Feld 18 „Kundennummer beim Lieferanten“ (Text) gespeichert.")
    menubar = page.locator(".menubar").bounding_box()
    box = message.bounding_box()
    assert box["y"] >= menubar["y"] + menubar["height"] and box["y"] + box["height"] <= 800
    saved = page.locator("#feld-18").bounding_box()
    assert box["y"] + box["height"] <= saved["y"] < 800  # the saved field is in view too, not under the message
