"""The web shell in real Chromium: menu bar, list selection and context menu, dialogs, banners."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from host_stub.api import ContextAction, hookimpl
from host_stub.licensing import issue_license
from host_stub.manifest import Manifest

pytestmark = pytest.mark.browser


def add_customers(host, *companies: str) -> None:
    with host.session() as session:
        host.customers.create_many(session, [{"company": company, "city": city} for company, city in companies])


def customer_count(host) -> int:
    with host.session() as session:
        return host.customers.page(session)[1]


def rows(page):
    return page.locator(".entity-list tbody tr[data-id]")


def test_customer_list_shows_the_menu_bar_from_the_hooks(page, base_url):
    page.goto("/kunden")

    expect(page.locator(".menubar .menu-title")).to_have_text(["Datei", "Stammdaten", "Office", "Auswertungen"])
    expect(page.get_by_role("link", name="Module und Lizenzen")).to_be_hidden()
    page.get_by_role("button", name="Datei").click()
    page.get_by_role("link", name="Module und Lizenzen").click()
    expect(page.get_by_role("heading", name="Module und Lizenzen")).to_be_visible()

    page.get_by_role("button", name="Stammdaten").hover()
    page.get_by_role("link", name="Kunden", exact=True).click()
    expect(page).to_have_url(f"{base_url}/kunden")
    expect(page.get_by_role("heading", name="Kunden")).to_be_visible()


def test_delete_two_customers_asks_with_their_count_and_respects_nein_and_ja(page, live_host):
    add_customers(live_host, ("Bäckerei Schmitz", "Köln"), ("Café Wolf", "Münster"), ("Autohaus Richter", "Dresden"))
    page.goto("/kunden")

    rows(page).nth(0).click(button="right")
    expect(page.get_by_role("menu")).to_be_visible()
    rows(page).nth(1).click(modifiers=["Control"], position={"x": 12, "y": 8})  # left of the open menu
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(page.locator(".list-selection")).to_have_text("2 markiert")
    rows(page).nth(1).click(button="right")
    expect(page.locator(".context-menu-head")).to_have_text("2 markiert")
    page.get_by_role("menuitem", name="Löschen").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("2 Kunden löschen?")
    dialog.get_by_role("button", name="Nein").click()
    expect(dialog).to_be_hidden()
    expect(rows(page)).to_have_count(3)
    assert customer_count(live_host) == 3

    rows(page).nth(1).click(button="right")
    page.get_by_role("menuitem", name="Löschen").click()
    expect(dialog).to_contain_text("2 Kunden löschen?")
    dialog.get_by_role("button", name="Ja").click()

    expect(page.locator(".flash")).to_have_text("2 Kunden gelöscht.")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Autohaus Richter")
    assert customer_count(live_host) == 1


def test_delete_one_customer_asks_naming_it(page, live_host):
    add_customers(live_host, ("Bäckerei Schmitz", "Köln"), ("Café Wolf", "Münster"))
    page.goto("/kunden")
    rows(page).nth(1).click(button="right")
    page.get_by_role("menuitem", name="Löschen").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Kunde „Café Wolf“ (K10001) löschen?")
    dialog.get_by_role("button", name="Ja").click()
    expect(page.locator(".flash")).to_have_text("1 Kunde gelöscht.")
    assert customer_count(live_host) == 1


class OneRowModule:
    @hookimpl
    def context_actions(self, host, entity):
        return [ContextAction("open", "Öffnen", "customer", lambda host, session, ids: "geöffnet", selection="one")]


def test_action_for_one_row_is_disabled_while_several_are_selected(page, live_host):
    live_host.registry.register(
        OneRowModule(), Manifest("onerow", "Eine Zeile", "1.0", "", ">=1.0,<2", "tests.browser.test_shell", "onerow_"))
    with live_host.session() as session:
        live_host.set_module_enabled(session, "onerow", True)
    add_customers(live_host, ("A", "Aachen"), ("B", "Bonn"), ("C", "Celle"))
    page.goto("/kunden")

    rows(page).nth(0).click()
    rows(page).nth(2).click(modifiers=["Shift"])
    rows(page).nth(2).click(button="right")

    expect(page.locator(".context-menu-head")).to_have_text("3 markiert")
    expect(page.get_by_role("menuitem", name="Öffnen", exact=True)).to_be_disabled()
    expect(page.get_by_role("menuitem", name="Löschen")).to_be_enabled()

    page.keyboard.press("Escape")
    rows(page).nth(1).click()
    rows(page).nth(1).click(button="right")
    page.get_by_role("menuitem", name="Öffnen", exact=True).click()
    expect(page.locator(".flash")).to_have_text("geöffnet")


def test_clicking_a_header_sorts_the_list(page, live_host):
    add_customers(live_host, ("Bäckerei", "München"), ("Café", "Aachen"), ("Druckerei", "Leipzig"))
    page.goto("/kunden")
    city_column = page.locator(".entity-list tbody tr[data-id] td:nth-child(5)")
    expect(city_column).to_have_text(["München", "Aachen", "Leipzig"])

    page.get_by_role("columnheader", name="Ort").get_by_role("link").click()
    expect(city_column).to_have_text(["Aachen", "Leipzig", "München"])

    page.get_by_role("columnheader", name="Ort").get_by_role("link").click()
    expect(city_column).to_have_text(["München", "Leipzig", "Aachen"])


def test_module_overview_shows_price_and_licence_state(page):
    page.goto("/module")

    row = page.locator("tr[data-module=crm]")
    expect(row).to_contain_text("CRM (Interessenten)")
    expect(row.locator(".price")).to_have_text("3,50 € / Monat")
    expect(row.locator(".licence")).to_contain_text("Testzeitraum bis 02.12.2026")


def test_grace_banner_is_visible_after_the_licence_ran_out(page, live_host, clock, signing_key):
    with live_host.session() as session:
        licence = issue_license(signing_key[0], "crm", "Firma", datetime(2026, 10, 1), datetime(2026, 11, 3),
                                datetime(2026, 10, 1), installation_id=live_host.licensing.installation_id(session))
        live_host.licensing.install(session, licence)
    clock.advance(days=4)

    page.goto("/kunden")

    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("CRM (Interessenten): Die Lizenz ist am 03.11.2026 abgelaufen. "
                                   "Bis zum 10.11.2026 können Sie weiterarbeiten")
