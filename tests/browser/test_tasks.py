"""The task page in real Chromium: progress while the task runs, then (without a manual reload) its result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from host_stub.plugins import PluginRegistry
from tests.work_module import plugin as work

pytestmark = pytest.mark.browser


@pytest.fixture
def live_registry() -> PluginRegistry:
    registry = PluginRegistry()
    registry.discover(extra=["tests.work_module.plugin"])
    return registry


def test_task_page_polls_the_progress_and_shows_the_result_when_the_task_has_finished(page, live_server):
    host = live_server.host
    work.CONTROL.__init__()
    work.CONTROL.go_on.clear()
    with host.session() as session:
        task_id = host.tasks.start(session, "work", "add_customers", {"count": 4})
    assert work.CONTROL.halfway.wait(5)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"/aufgaben/{task_id}")
    expect(page.get_by_role("heading", name="Kunden anlegen")).to_be_visible()
    expect(page.locator(".task-progress")).to_have_text("2 von 4 (50 %)")
    expect(page.locator(".task-state")).to_have_text("läuft")
    work.CONTROL.go_on.set()
    expect(page.locator(".task-result")).to_have_text("4 Kunden angelegt.")
    page.get_by_role("link", name="Zum Ergebnis").click()
    expect(page.locator(".entity-list tbody tr[data-id]")).to_have_count(4)
    assert errors == []
