"""The CRM pages in real Chromium: create a prospect in the tabbed dialog, find it, convert it from
the context menu, and follow it to the customer list and its CRM record."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from crm_module import customfields, history, prospects

pytestmark = pytest.mark.browser


def rows(page):
    return page.locator(".entity-list tbody tr[data-id]")


def add_prospect(host, company: str, city: str = "Münster", postcode: str = "48143") -> int:
    with host.session() as session:
        return prospects.create(host, session, {"company": company, "street": "Marktplatz", "house_number": "3",
                                                "postcode": postcode, "city": city}).id


def test_new_prospect_is_found_converted_with_another_and_keeps_its_history_as_customer(page, live_host):
    with live_host.session() as session:
        customfields.configure(live_host, session, 1, "Branche", "text")
    other = add_prospect(live_host, "Café Wolf")
    with live_host.session() as session:
        history.record_event(live_host, session, other, "email", subject="Preisliste gesendet",
                             occurred_at=datetime(2026, 10, 28, 11, 0))

    page.goto("/m/crm/")
    page.get_by_role("link", name="Neu").click()
    expect(page.get_by_role("heading", name="Neuer Interessent")).to_be_visible()
    address = page.locator("#adresse")
    address.get_by_label("Firma").fill("Bäckerei Schmitz GmbH")
    address.get_by_label("Straße").fill("Hauptstraße")
    address.get_by_label("Hausnummer").fill("12")
    address.get_by_label("PLZ").fill("50667")
    address.get_by_label("Ort").fill("Köln")
    address.get_by_label("E-Mail").fill("info@schmitz.example")
    address.get_by_label("Telefonnummer 1", exact=True).fill("0221 1234567")

    page.get_by_role("tab", name="Ansprechpartner").click()
    contacts = page.locator("#ansprechpartner .contact-row")
    contacts.nth(0).get_by_label("Vorname").fill("Anna")
    contacts.nth(0).get_by_label("Nachname").fill("Schmitz")
    page.get_by_role("button", name="+ Ansprechpartner").click()
    contacts.nth(1).get_by_label("Nachname").fill("Weber")
    contacts.nth(1).get_by_label("Funktion").fill("Einkauf")
    contacts.nth(1).get_by_label("Hauptansprechpartner").check()
    expect(contacts.nth(0).get_by_label("Hauptansprechpartner")).not_to_be_checked()

    page.get_by_role("tab", name="Individuelle Felder").click()
    page.get_by_label("Branche").fill("Lebensmittel")
    expect(page.locator("#adresse")).to_be_hidden()
    page.get_by_role("button", name="Speichern").click()

    expect(page.locator(".flash")).to_have_text("Interessent I10001 angelegt.")
    page.get_by_role("tab", name="Ansprechpartner").click()
    expect(page.locator("#ansprechpartner").get_by_label("Nachname").nth(1)).to_have_value("Weber")
    expect(page.locator("#ansprechpartner").get_by_label("Hauptansprechpartner").nth(1)).to_be_checked()
    page.get_by_role("tab", name="Statistik").click()
    page.get_by_label("Art des Kontakts").select_option("Anruf")
    page.get_by_label("Betreff des Kontakts").fill("Erstgespräch auf der Messe")
    page.get_by_role("button", name="Kontakt erfassen").click()
    expect(page.locator(".flash")).to_have_text("Anruf erfasst.")
    expect(page.locator("#statistik table.history")).to_contain_text("Erstgespräch auf der Messe")

    page.get_by_role("link", name="Zur Übersicht").click()
    page.get_by_label("Suchen", exact=True).fill("bäckerei")
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Bäckerei Schmitz GmbH")
    page.get_by_role("link", name="Alle zeigen").click()
    expect(rows(page)).to_have_count(2)

    rows(page).nth(0).click()
    rows(page).nth(1).click(modifiers=["Control"])
    rows(page).nth(1).click(button="right")
    expect(page.locator(".context-menu-head")).to_have_text("2 markiert")
    page.get_by_role("menuitem", name="In Kunden umwandeln").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("2 Interessenten in Kunden umwandeln?")
    dialog.get_by_role("button", name="Ja").click()

    expect(page.locator(".flash")).to_have_text("2 Interessenten in Kunden umgewandelt.")
    expect(page.get_by_text("Keine Interessenten vorhanden.")).to_be_visible()

    page.get_by_role("button", name="Stammdaten").hover()
    page.get_by_role("link", name="Kunden", exact=True).click()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).filter(has_text="Bäckerei Schmitz GmbH")).to_have_count(1)
    expect(rows(page).filter(has_text="Café Wolf")).to_have_count(1)

    rows(page).filter(has_text="Café Wolf").click(button="right")
    page.get_by_role("menuitem", name="CRM-Akte öffnen").click()
    expect(page.get_by_role("heading", name=re.compile(r"CRM-Akte: Kunde K\d+ Café Wolf"))).to_be_visible()
    expect(page.locator("table.history")).to_contain_text("28.10.2026 11:00")
    expect(page.locator("table.history")).to_contain_text("Preisliste gesendet")

    page.go_back()
    rows(page).filter(has_text="Bäckerei Schmitz GmbH").click(button="right")
    page.get_by_role("menuitem", name="CRM-Akte öffnen").click()
    expect(page.locator("table.history")).to_contain_text("Erstgespräch auf der Messe")
    expect(page.locator("table.contacts")).to_contain_text("Weber Hauptansprechpartner Einkauf")
    expect(page.locator("table.contacts")).to_contain_text("Anna Schmitz")
    expect(page.get_by_text("Lebensmittel")).to_be_visible()


def test_f10_opens_the_new_prospect_dialog(page):
    page.goto("/m/crm/")
    expect(page.get_by_role("link", name="Neu")).to_contain_text("F10")

    page.keyboard.press("F10")

    expect(page.get_by_role("heading", name="Neuer Interessent")).to_be_visible()
    expect(page.get_by_role("tab", name="Adresse")).to_have_attribute("aria-selected", "true")


def test_invalid_field_opens_its_tab_with_the_message_and_keeps_the_input(page, live_host):
    with live_host.session() as session:
        customfields.configure(live_host, session, 2, "Mitarbeiter", "number")
    page.goto("/m/crm/neu")
    page.locator("#adresse").get_by_label("Firma").fill("Druckerei Lange")
    page.get_by_role("tab", name="Individuelle Felder").click()
    page.get_by_label("Mitarbeiter").fill("viele")
    page.get_by_role("tab", name="Adresse").click()
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("tab", name=re.compile("Individuelle Felder"))).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Mitarbeiter")).to_have_value("viele")
    expect(page.get_by_label("Mitarbeiter")).to_be_focused()
    expect(page.locator("#error-custom-2")).to_have_text("Mitarbeiter: „viele“ ist keine Zahl (Beispiel: 1234,50).")
    page.get_by_role("tab", name="Adresse").click()
    expect(page.locator("#adresse").get_by_label("Firma")).to_have_value("Druckerei Lange")


def test_an_invoice_filed_by_mistake_gets_another_kind_after_ja_and_a_list_takes_the_selection(page, live_host):
    party_id = add_prospect(live_host, "Bäckerei Schmitz GmbH")
    add_prospect(live_host, "Café Wolf")
    with live_host.session() as session:
        prospects.add_document(live_host, session, party_id, "Visitenkarte.pdf", b"%PDF", "invoice")

    page.goto(f"/m/crm/{party_id}#dokumente")
    page.get_by_role("tab", name="Dokumente").click()
    page.get_by_label("Art von Visitenkarte.pdf").select_option(label="Anhang")
    page.get_by_role("button", name="Art ändern").click()
    dialog = page.locator("dialog.crm-confirm")
    expect(dialog).to_contain_text("Die Art von „Visitenkarte.pdf“ ändern?")
    dialog.get_by_role("button", name="Ja").click()
    expect(page.locator(".flash")).to_have_text("„Visitenkarte.pdf“ ist jetzt als Anhang abgelegt.")

    page.get_by_role("button", name="Stammdaten").hover()
    page.get_by_role("link", name="Mailing-Listen").click()
    page.get_by_label("Name").fill("Hausmesse")
    page.get_by_role("button", name="Anlegen").click()
    expect(page.locator(".flash")).to_have_text("Liste „Hausmesse“ angelegt.")

    page.goto("/m/crm/")
    rows(page).nth(0).click()
    rows(page).nth(1).click(modifiers=["Control"])
    rows(page).nth(1).click(button="right")
    page.get_by_role("menuitem", name="Zu Liste hinzufügen …").click()
    page.get_by_role("button", name="Auf die Liste setzen").click()
    expect(page.locator(".flash")).to_have_text("2 Interessenten auf die Liste „Hausmesse“ gesetzt.")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("Hausmesse")
