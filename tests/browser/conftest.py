"""Fixtures for tests that drive real headless Chromium against a live web shell.

``live_host`` is a migrated Host on a SQLite file with every discovered module enabled (the clock
is the ``clock`` fixture, licences are checked against ``signing_key``); ``live_server`` serves
``create_app(live_host)`` from a thread on a free 127.0.0.1 port; ``base_url`` is its address and
``page`` a fresh Playwright page (own browser context) whose relative ``goto("/kunden")`` goes there.

Debian's Chromium is used (``/usr/bin/chromium``); without it the tests are skipped. Playwright's
own browser downloads are never used, and neither are pytest-playwright's fixtures (``page`` and
``base_url`` here replace them). The page is signed in as an administrator created in ``live_host``
(``LIVE_LOGIN`` with the tests' password); ``anonymous_page`` is one that is not. Mark browser test
modules with ``pytestmark = pytest.mark.browser`` so that ``-m "not browser"`` leaves them out.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from host_stub.api import ADMINISTRATOR
from host_stub.host import Host
from host_stub.plugins import PluginRegistry
from host_stub.web import create_app, production_server
from tests.conftest import CHEAP_HASHER, TEST_PASSWORD

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEBIAN_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 10_000
LIVE_LOGIN = "browser"


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian Chromium for the whole test session."""
    path = chromium_path()
    if path is None:
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("Playwright's sync API cannot run inside an asyncio event loop; run browser tests without one")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def live_registry() -> PluginRegistry:
    """The plugins of the live host: everything discovered. Override to add test modules."""
    registry = PluginRegistry()
    registry.discover()
    return registry


@pytest.fixture
def live_host(tmp_path, live_registry, clock, signing_key) -> Iterator[Host]:
    """A migrated host on a SQLite file with every module of ``live_registry`` enabled (in its trial) and an
    administrator ``LIVE_LOGIN``."""
    host = Host(f"sqlite:///{tmp_path / 'browser.sqlite'}", registry=live_registry, clock=clock,
                license_public_key=signing_key[1], password_hasher=CHEAP_HASHER)
    host.upgrade()
    with host.session() as session:
        for module_id in sorted(live_registry.modules):
            host.set_module_enabled(session, module_id, True)
        host.masterdata.seed(session)
        host.users.create(session, login=LIVE_LOGIN, name="Browser-Test", role=ADMINISTRATOR, password=TEST_PASSWORD)
    yield host
    host.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: Host
    app: Flask


@pytest.fixture
def live_server(live_host) -> Iterator[LiveServer]:
    """``create_app(live_host)`` served by the production server (waitress, as ``host-stub serve``) from
    a background thread until the test ends."""
    app = create_app(live_host)
    server = production_server(app, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", live_host, app)
    finally:
        server.close()  # the loop ends once the browser's connections are closed too
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def anonymous_page(chromium_browser, base_url):
    """A new page in its own browser context (own cookies), German locale, relative URLs to ``base_url``."""
    context = chromium_browser.new_context(base_url=base_url, locale="de-DE", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(anonymous_page):
    """``anonymous_page`` after signing in through the form as ``LIVE_LOGIN``."""
    anonymous_page.goto("/anmelden")
    anonymous_page.fill("input[name=login]", LIVE_LOGIN)
    anonymous_page.fill("input[name=password]", TEST_PASSWORD)
    anonymous_page.click("button[type=submit]")
    anonymous_page.wait_for_url("**/kunden")
    return anonymous_page
