"""The merge page in real Chromium: choose the remaining record and a value per field, merge,
then undo it and decide the field that was changed since."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm_module import prospects

pytestmark = pytest.mark.browser


def add(host, company: str, street: str, **fields) -> int:
    with host.session() as session:
        return prospects.create(host, session, {"company": company, "street": street, "house_number": "1",
                                                "postcode": "50667", "city": "Köln", **fields}).id


def test_merge_with_a_choice_per_field_and_undo_with_a_decision(page, live_host):
    first = add(live_host, "Schmitz GmbH", "Hauptstraße")
    second = add(live_host, "Bäckerei Schmitz", "Domplatz", email="info@schmitz.example")

    page.goto(f"/m/crm/zusammenfuehren?ids={first}&ids={second}")
    page.get_by_label("Interessent „Bäckerei Schmitz“ (I10001)").check()  # the preview follows at once
    expect(page.get_by_text("Es bleibt Interessent „Bäckerei Schmitz“ (I10001).")).to_be_visible()
    street = page.locator(".merge-plan tr", has=page.get_by_role("rowheader", name="Straße"))
    expect(street.locator("td.taken")).to_have_text("Domplatz")
    street.get_by_label("Hauptstraße").check()
    page.get_by_role("button", name="Zusammenführen").click()

    expect(page.locator(".flash")).to_contain_text("2 Datensätze zusammengeführt.")
    with live_host.session() as session:
        assert prospects.get(live_host, session, second)["street"] == "Hauptstraße"
        prospects.update(live_host, session, second, {"street": "Neue Straße"})

    page.reload()
    page.get_by_role("button", name="Rückgängig machen").click()
    page.get_by_role("dialog").get_by_role("button", name="Ja").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Feld „Straße“ wurde nach dem Zusammenführen geändert: jetzt „Neue Straße“, "
        "vor dem Zusammenführen „Domplatz“.")
    page.get_by_label("jetzigen Wert behalten: „Neue Straße“").check()
    page.get_by_role("button", name="Rückgängig machen").click()

    expect(page.locator(".flash")).to_have_text("Zusammenführung rückgängig gemacht: 1 Datensatz wiederhergestellt.")
    with live_host.session() as session:
        assert prospects.get(live_host, session, second)["street"] == "Neue Straße"
        assert prospects.get(live_host, session, first)["role"] == "prospect"
