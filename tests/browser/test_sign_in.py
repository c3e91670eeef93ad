"""Sign-in in real Chromium: a visitor lands on the form, a wrong password is explained, the right one leads
to the page first asked for, and Abmelden in the menu bar ends the session."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LIVE_LOGIN
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_leads_to_the_page_asked_for_and_abmelden_ends_it(anonymous_page):
    page = anonymous_page
    page.goto("/m/crm/")
    assert "/anmelden" in page.url

    page.fill("input[name=login]", LIVE_LOGIN)
    page.fill("input[name=password]", "falsches-passwort")
    page.click("button[type=submit]")
    assert "Login oder Passwort ist falsch" in page.inner_text("main")

    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/m/crm/")
    assert "Browser-Test" in page.inner_text(".menu-user")

    page.click(".menu-user button")
    page.wait_for_url("**/anmelden")
    assert "Sie sind abgemeldet." in page.inner_text("main")
    page.goto("/kunden")
    assert "/anmelden" in page.url
