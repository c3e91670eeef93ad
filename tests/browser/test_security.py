"""The Content-Security-Policy in real Chromium: no page of the shell or the CRM breaks a rule of it, and a
page refuses to be shown in a frame."""

from __future__ import annotations

import pytest

from tests.crm.conftest import create

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__violations.push(event.violatedDirective + " " + event.blockedURI));
"""


def test_no_page_violates_the_content_security_policy(page, live_host):
    prospect_id = create(live_host)
    with live_host.session() as session:
        customer_id = live_host.customers.create(session, company="Muster GmbH").id
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))

    for path in ["/kunden", "/module", "/kleinstammdaten", "/m/crm/", "/m/crm/neu", "/m/crm/felder",
                 f"/m/crm/{prospect_id}", f"/m/crm/kunde/{customer_id}", "/gibt-es-nicht"]:
        page.goto(path)
        page.locator(".menubar").wait_for()
        page.keyboard.press("Tab")  # let deferred scripts run and react once
        assert page.evaluate("window.__violations") == [], path

    assert [text for text in console if "Content Security Policy" in text] == []


def test_a_page_is_not_shown_inside_a_frame_of_another_page(page, base_url):
    page.goto("/kunden")
    page.set_content(f'<iframe src="{base_url}/kunden"></iframe>')
    frame = page.frames[1]

    frame.wait_for_load_state()
    assert "Kunden" not in frame.content()
