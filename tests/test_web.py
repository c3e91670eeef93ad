"""The web shell through Flask's test client: what a user sees and what the server refuses.

A small paid "demo" module (defined below, registered like a discovered one) brings a page, a menu
entry, a broken menu entry, a writing context action, a veto and a master-data kind, so that module
pages, the licence gate and error pages are tested without depending on the CRM module's features.
"""

from __future__ import annotations

import html
import io
import logging
import re
from datetime import datetime

import pytest
from flask import Blueprint, render_template_string

from host_stub.api import ActionResult, ContextAction, MasterDataKind, MenuItem, hookimpl
from host_stub.licensing import issue_license
from host_stub.manifest import Manifest, Product
from host_stub.plugins import PluginRegistry
from host_stub.web import SECRET_KEY_ENV, SECRET_KEY_SETTING, create_app
from tests.conftest import signed_in_client

DEMO_NOTE = "demo.note"


class DemoModule:
    """A paid module with one of each thing the web shell renders."""

    @hookimpl
    def menu_items(self, host):
        return [
            MenuItem("Office", "Demo-Seite", "demo.index", order=10, shortcut="F9"),
            MenuItem("Office", "Kaputter Eintrag", "demo.does_not_exist", order=20),
        ]

    @hookimpl
    def context_actions(self, host, entity):
        if entity != "customer":
            return []
        return [ContextAction("note", "Notiz anlegen", "customer", self.note, writes=True),
                ContextAction("show", "Anzeigen", "customer", self.show)]

    @staticmethod
    def note(host, session, ids):
        host.settings.set(session, DEMO_NOTE, ",".join(map(str, ids)))
        return ActionResult("Notiz angelegt.", redirect_endpoint="demo.index")

    @staticmethod
    def show(host, session, ids):
        return f"Kunde {host.customers.get(session, ids[0]).number}"

    @hookimpl
    def customer_deleting(self, host, session, customer):
        return "Er hat noch offene Demo-Vorgänge." if customer.company == "Gesperrt GmbH" else None

    @hookimpl
    def masterdata_kinds(self):
        return [MasterDataKind("demo_colour", "Farben", ("Rot", "Grün"))]

    @hookimpl
    def web_blueprints(self, host):
        pages = Blueprint("demo", __name__)

        @pages.get("/")
        def index():
            return render_template_string(
                "{% extends 'shell/base.html' %}{% block content %}<h1>Demo-Seite</h1>{% endblock %}")

        @pages.post("/notiz")
        def note():
            with host.session() as session:
                host.settings.set(session, DEMO_NOTE, "per Formular")
            return "gespeichert"

        @pages.get("/kaputt")
        def broken():
            raise RuntimeError("geheime Interna")

        return [pages]


def add_demo_module(registry: PluginRegistry) -> None:
    registry.register(
        DemoModule(),
        Manifest(id="demo", name="Demo-Modul", version="2.1.0", description="Zum Testen der Weboberfläche.",
                 host_api=">=1.0,<2", entry_point="tests.test_web", table_prefix="demo_",
                 product=Product(monthly_price_cents=990, currency="EUR", trial_days=30)),
    )


@pytest.fixture
def demo_host(make_host):
    """A host with the CRM module and the demo module enabled, both in their trial."""
    registry = PluginRegistry()
    registry.discover()
    add_demo_module(registry)
    return make_host(registry, enable=("crm", "demo"))


@pytest.fixture
def client(host):
    return signed_in_client(host)


@pytest.fixture
def demo_client(demo_host):
    return signed_in_client(demo_host)


# -- helpers -----------------------------------------------------------------------------------


def text_of(response) -> str:
    """The page as a user reads it: tags removed, entities decoded, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def csrf_token(client) -> str:
    page = client.get("/kunden").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def customer_numbers(response) -> list[str]:
    """The Nr. column of the list, top to bottom."""
    return re.findall(r'<tr data-id="\d+"[^>]*>\s*<td>([^<]*)</td>', response.get_data(as_text=True))


def flashes(response) -> list[str]:
    found = re.findall(r'class="flash flash-[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return [html.unescape(message) for message in found]


def add_customers(host, *records: dict) -> list[int]:
    with host.session() as session:
        return [c.id for c in host.customers.create_many(session, list(records))]


def customer_count(host) -> int:
    with host.session() as session:
        return host.customers.page(session)[1]


def run_action(client, token, owner, name, ids, confirmed=False, entity="customer", **extra):
    data = {"csrf_token": token, "owner": owner, "name": name, "entity": entity,
            "ids": [str(i) for i in ids], "next": "/kunden", **extra}
    if confirmed:
        data["confirmed"] = "1"
    return client.post("/aktion", data=data)


# -- menu bar ----------------------------------------------------------------------------------


def test_menu_bar_shows_the_workspaces_and_the_hosts_entries(client):
    response = client.get("/kunden")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    workspaces = re.findall(r'class="menu-title">([^<]+)<', page)
    assert workspaces == ["Datei", "Stammdaten", "Office", "Auswertungen"]
    assert re.search(r'<a href="/module">\s*<span>Module und Lizenzen</span>', page)
    assert re.search(r'<a href="/kunden">\s*<span>Kunden</span>', page)
    assert re.search(r'<a href="/kleinstammdaten">\s*<span>Kleinstammdaten</span>', page)


def test_menu_shows_module_entries_with_shortcut_and_skips_unknown_endpoints(demo_client, caplog):
    with caplog.at_level(logging.WARNING, logger="host_stub.web"):
        response = demo_client.get("/kunden")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert re.search(r'<a href="/m/demo/" data-shortcut="F9"[^>]*>\s*<span>Demo-Seite</span><kbd>F9</kbd>', page)
    assert "Kaputter Eintrag" not in page
    assert "demo.does_not_exist" in caplog.text


def test_menu_drops_the_entries_of_a_disabled_module(demo_host, demo_client):
    with demo_host.session() as session:
        demo_host.set_module_enabled(session, "demo", False)

    assert "Demo-Seite" not in demo_client.get("/kunden").get_data(as_text=True)


# -- customer list -----------------------------------------------------------------------------


def test_start_page_leads_to_the_customer_list(client):
    response = client.get("/", follow_redirects=True)

    assert response.request.path == "/kunden"
    assert "Kunden" in text_of(response)


def test_customer_list_sorts_by_the_clicked_header_and_reverses_on_second_click(host, client):
    add_customers(host, {"company": "Bäckerei", "city": "München"}, {"company": "Café", "city": "Aachen"},
                  {"company": "Druckerei", "city": "Leipzig"})

    by_number = client.get("/kunden")
    header = re.search(r'<a href="([^"]+)">Ort</a>', by_number.get_data(as_text=True)).group(1)
    by_city = client.get(html.unescape(header))
    header = re.search(r'<a href="([^"]+)">Ort <span class="sort-mark"[^>]*>▲', by_city.get_data(as_text=True))
    by_city_descending = client.get(html.unescape(header.group(1)))

    assert customer_numbers(by_number) == ["K10000", "K10001", "K10002"]
    assert customer_numbers(by_city) == ["K10001", "K10002", "K10000"]  # Aachen, Leipzig, München
    assert customer_numbers(by_city_descending) == ["K10000", "K10002", "K10001"]
    assert "▼" in by_city_descending.get_data(as_text=True)


def test_customer_list_pages_through_long_lists(host, client):
    add_customers(host, *({"company": f"Firma {i:02d}"} for i in range(60)))

    first = client.get("/kunden")
    next_link = re.search(r'<a rel="next" href="([^"]+)">', first.get_data(as_text=True)).group(1)
    second = client.get(html.unescape(next_link))

    assert len(customer_numbers(first)) == 50
    assert "60 Kunden" in text_of(first) and "Seite 1 von 2" in text_of(first)
    assert customer_numbers(second) == [f"K{10050 + i}" for i in range(10)]
    assert "Seite 2 von 2" in text_of(second) and 'rel="next"' not in second.get_data(as_text=True)


def test_customer_list_search_finds_matching_customers_only(host, client):
    add_customers(host, {"company": "Bäckerei Schmitz", "city": "Köln"}, {"company": "Autohaus", "city": "Bonn"})

    found = client.get("/kunden", query_string={"q": "Köln"})
    nothing = client.get("/kunden", query_string={"q": "Hamburg"})

    assert customer_numbers(found) == ["K10000"]
    assert "1 Kunde" in text_of(found) and 'value="Köln"' in found.get_data(as_text=True)
    assert customer_numbers(nothing) == []
    assert "Nichts gefunden für „Hamburg“." in text_of(nothing)


def test_customer_list_search_keeps_the_sort_order(host, client):
    add_customers(host, {"company": "Bäckerei", "city": "Köln"}, {"company": "Bäckerei", "city": "Aachen"})

    page = client.get("/kunden", query_string={"sort": "city", "dir": "desc"}).get_data(as_text=True)
    search_form = re.search(r'<form class="list-search".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', search_form))
    found = client.get("/kunden", query_string={**fields, "q": "Bäckerei"})

    assert fields == {"sort": "city", "dir": "desc"}
    assert customer_numbers(found) == ["K10000", "K10001"]  # Köln before Aachen


def test_customer_list_escapes_what_users_typed(host, client):
    add_customers(host, {"company": "<script>alert(1)</script>"})

    page = client.get("/kunden").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_customer_list_offers_the_context_actions_of_enabled_modules(demo_client):
    page = demo_client.get("/kunden").get_data(as_text=True)

    actions = re.findall(r'data-owner="(\w+)" data-name="(\w+)"\s+data-selection="(\w+)"', page)
    assert ("host", "delete", "many") in actions and ("demo", "note", "one") in actions
    assert 'data-confirm="{count} Kunden löschen?" data-confirm-one="Kunde {label} löschen?"' in page


# -- context actions ---------------------------------------------------------------------------


def test_confirmed_delete_action_deletes_the_selected_customers(host, client):
    ids = add_customers(host, {"company": "A"}, {"company": "B"}, {"company": "C"})

    response = run_action(client, csrf_token(client), "host", "delete", ids[:2], confirmed=True)
    page = client.get(response.headers["Location"])

    assert response.status_code == 302 and response.headers["Location"] == "/kunden"
    assert flashes(page) == ["2 Kunden gelöscht."]
    assert customer_numbers(page) == ["K10002"]


def test_delete_action_without_confirmation_deletes_nothing(host, client):
    ids = add_customers(host, {"company": "A"}, {"company": "B"})

    response = run_action(client, csrf_token(client), "host", "delete", ids)

    assert response.status_code == 400
    assert "„Löschen“ muss erst mit Ja bestätigt werden." in text_of(response)
    assert customer_count(host) == 2


def test_action_goes_to_the_page_it_names(demo_host, demo_client):
    ids = add_customers(demo_host, {"company": "A"})

    response = run_action(demo_client, csrf_token(demo_client), "demo", "note", ids)

    assert response.headers["Location"] == "/m/demo/"
    assert flashes(demo_client.get("/m/demo/")) == ["Notiz angelegt."]


def test_action_for_one_row_refuses_several(demo_host, demo_client):
    ids = add_customers(demo_host, {"company": "A"}, {"company": "B"})

    response = run_action(demo_client, csrf_token(demo_client), "demo", "show", ids)

    assert response.status_code == 400
    assert "„Anzeigen“ gilt für genau eine Zeile; markiert sind 2." in text_of(response)


def test_unknown_action_answers_404(host, client):
    ids = add_customers(host, {"company": "A"})

    response = run_action(client, csrf_token(client), "host", "shred", ids, confirmed=True)

    assert response.status_code == 404
    assert "Die Aktion host/shred gibt es für customer nicht" in text_of(response)
    assert customer_count(host) == 1


def test_action_of_a_disabled_module_answers_404_and_writes_nothing(demo_host, demo_client):
    ids = add_customers(demo_host, {"company": "A"})
    with demo_host.session() as session:
        demo_host.set_module_enabled(session, "demo", False)

    response = run_action(demo_client, csrf_token(demo_client), "demo", "note", ids)

    assert response.status_code == 404
    assert "(Modul deaktiviert?)" in text_of(response)
    with demo_host.session() as session:
        assert demo_host.settings.get(session, "demo.note") is None


def test_writing_action_of_an_unlicensed_module_is_refused_with_403(demo_host, demo_client, clock):
    ids = add_customers(demo_host, {"company": "A"})
    token = csrf_token(demo_client)
    clock.advance(days=31)

    response = run_action(demo_client, token, "demo", "note", ids)

    assert response.status_code == 403
    assert "Das Modul Demo-Modul ist nicht lizenziert: der Testzeitraum ist abgelaufen." in text_of(response)
    assert 'href="/kunden">Zurück</a>' in response.get_data(as_text=True)
    with demo_host.session() as session:
        assert demo_host.settings.get(session, "demo.note") is None


def test_vetoed_delete_shows_the_reason_with_409(demo_host, demo_client):
    ids = add_customers(demo_host, {"company": "Gesperrt GmbH"}, {"company": "Frei KG"})

    response = run_action(demo_client, csrf_token(demo_client), "host", "delete", ids, confirmed=True)

    assert response.status_code == 409
    assert "Kunde K10000 kann nicht gelöscht werden: Er hat noch offene Demo-Vorgänge." in text_of(response)
    assert customer_count(demo_host) == 2  # one transaction: the other one is kept too


# -- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "falsch"])
def test_post_without_valid_csrf_token_is_refused_and_writes_nothing(host, client, token):
    ids = add_customers(host, {"company": "A"})
    csrf_token(client)  # the browser session has a token; the forged request does not send it

    data = {"owner": "host", "name": "delete", "entity": "customer", "ids": [str(ids[0])], "confirmed": "1"}
    if token:
        data["csrf_token"] = token
    response = client.post("/aktion", data=data)

    assert response.status_code == 400
    assert "Sicherheitsprüfung dieses Formulars ist fehlgeschlagen" in text_of(response)
    assert "Es wurde nichts gespeichert." in text_of(response)
    assert customer_count(host) == 1


def test_csrf_token_in_header_is_accepted_for_scripts(host, client):
    token = csrf_token(client)

    response = client.post("/kleinstammdaten/demo_colour/neu", data={"label": "Blau"},
                           headers={"X-CSRF-Token": "falsch"})
    accepted = client.post("/kunden", headers={"X-CSRF-Token": token})

    assert response.status_code == 400
    assert accepted.status_code == 405  # past the CSRF check; /kunden just takes no POST
    assert "Diese Aktion ist auf dieser Seite nicht möglich." in text_of(accepted)


def test_module_pages_are_csrf_protected_too(demo_host, demo_client):
    refused = demo_client.post("/m/demo/notiz")
    accepted = demo_client.post("/m/demo/notiz", data={"csrf_token": csrf_token(demo_client)})

    assert refused.status_code == 400
    assert accepted.get_data(as_text=True) == "gespeichert"
    with demo_host.session() as session:
        assert demo_host.settings.get(session, "demo.note") == "per Formular"


def test_secret_key_survives_a_restart_so_the_session_stays_valid(host, monkeypatch):
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    ids = add_customers(host, {"company": "A"})
    before = signed_in_client(host)
    token = csrf_token(before)

    after_restart = create_app(host).test_client()  # the signed-in session of before, in a new app
    after_restart.set_cookie("session", before.get_cookie("session").value)
    response = run_action(after_restart, token, "host", "delete", ids, confirmed=True)

    assert response.status_code == 302
    assert customer_count(host) == 0
    with host.session() as session:
        assert len(host.settings.get(session, SECRET_KEY_SETTING)) == 64


def test_secret_key_from_the_environment_signs_the_sessions(host, monkeypatch):
    monkeypatch.setenv(SECRET_KEY_ENV, "aus-der-umgebung-mindestens-32-zeichen")
    ids = add_customers(host, {"company": "A"})
    before = signed_in_client(host)
    token = csrf_token(before)
    with host.session() as session:
        host.settings.set(session, SECRET_KEY_SETTING, "ein-anderer-schluessel")

    after_restart = create_app(host).test_client()  # the signed-in session of before, in a new app
    after_restart.set_cookie("session", before.get_cookie("session").value)
    response = run_action(after_restart, token, "host", "delete", ids, confirmed=True)

    assert response.status_code == 302
    assert customer_count(host) == 0


# -- modules and licences ----------------------------------------------------------------------


def test_module_overview_shows_price_version_and_licence_state(client):
    response = client.get("/module")
    row = re.search(r'<tr data-module="crm">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    row_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())

    assert response.status_code == 200
    assert "Module und Lizenzen" in text_of(response)
    assert "CRM (Interessenten)" in row_text and "0.1.0" in row_text
    assert "3,50 € / Monat" in row_text
    assert "aktiv" in row_text and "Testzeitraum Testzeitraum bis 02.12.2026" in row_text
    assert "Deaktivieren" in row_text


def test_module_can_be_disabled_and_enabled_from_the_overview(host, client):
    token = csrf_token(client)

    disabled = client.post("/module/crm/status", data={"csrf_token": token, "enabled": "0"}, follow_redirects=True)
    assert host.enabled_modules() == set()
    assert flashes(disabled) == ["Modul CRM (Interessenten) deaktiviert; seine Daten bleiben erhalten."]
    assert "inaktiv" in text_of(disabled) and "Aktivieren" in text_of(disabled)

    enabled = client.post("/module/crm/status", data={"csrf_token": token, "enabled": "1"}, follow_redirects=True)
    assert host.enabled_modules() == {"crm"}
    assert flashes(enabled) == ["Modul CRM (Interessenten) aktiviert: Testzeitraum bis 02.12.2026"]


def test_enabling_an_unknown_module_answers_404(client):
    response = client.post("/module/gibtsnicht/status", data={"csrf_token": csrf_token(client), "enabled": "1"})

    assert response.status_code == 404
    assert "Unbekanntes Modul 'gibtsnicht'" in text_of(response)


def test_uploaded_licence_is_installed_and_shown(host, client, signing_key):
    with host.session() as session:
        installation_id = host.licensing.installation_id(session)
    licence = issue_license(signing_key[0], "crm", "Bäckerei Schmitz", datetime(2026, 11, 1), datetime(2026, 12, 1),
                            datetime(2026, 10, 30), installation_id=installation_id)

    response = client.post("/module/lizenz", data={
        "csrf_token": csrf_token(client), "license_file": (io.BytesIO(licence.encode()), "crm.lic"),
    }, follow_redirects=True)

    assert flashes(response) == [
        "Lizenz für crm (Bäckerei Schmitz) eingespielt: lizenziert für Bäckerei Schmitz bis 01.12.2026"]
    assert "lizenziert lizenziert für Bäckerei Schmitz bis 01.12.2026" in text_of(response)


def test_uploaded_file_that_is_no_licence_is_refused_with_403(host, client):
    response = client.post("/module/lizenz", data={
        "csrf_token": csrf_token(client), "license_file": (io.BytesIO(b"hallo"), "notiz.txt")})

    assert response.status_code == 403
    assert "Die Datei ist keine Lizenzdatei (Aufbau unlesbar)." in text_of(response)


def test_grace_banner_warns_on_every_page_after_the_licence_ran_out(host, client, clock, signing_key):
    with host.session() as session:
        licence = issue_license(signing_key[0], "crm", "Firma", datetime(2026, 10, 1), datetime(2026, 11, 3),
                                datetime(2026, 10, 1), installation_id=host.licensing.installation_id(session))
        host.licensing.install(session, licence)
    assert 'class="banner' not in client.get("/kunden").get_data(as_text=True)

    clock.advance(days=4)

    for url in ("/kunden", "/module", "/kleinstammdaten"):
        page = client.get(url)
        assert 'class="banner banner-grace"' in page.get_data(as_text=True)
        assert ("CRM (Interessenten): Die Lizenz ist am 03.11.2026 abgelaufen. Bis zum 10.11.2026 können Sie "
                "weiterarbeiten") in text_of(page)


def test_expired_module_is_warned_about_in_a_banner(demo_client, clock):
    clock.advance(days=31)

    page = demo_client.get("/kunden")

    assert 'class="banner banner-expired"' in page.get_data(as_text=True)
    assert "Demo-Modul: Das Modul Demo-Modul ist nicht lizenziert" in text_of(page)


# -- module pages ------------------------------------------------------------------------------


def test_web_blueprints_are_mounted_under_the_module_id_inside_the_shell_layout(demo_client):
    page = demo_client.get("/m/demo/")

    assert page.status_code == 200
    assert "<h1>Demo-Seite</h1>" in page.get_data(as_text=True)
    assert "Module und Lizenzen" in text_of(page)  # the menu bar of base.html


def test_module_page_answers_404_while_the_module_is_disabled(demo_host, demo_client):
    with demo_host.session() as session:
        demo_host.set_module_enabled(session, "demo", False)

    page = demo_client.get("/m/demo/")

    assert page.status_code == 404
    assert "Das Modul Demo-Modul ist in dieser Datenbank nicht aktiviert." in text_of(page)


def test_crash_in_a_page_shows_500_without_internals(demo_client):
    page = demo_client.get("/m/demo/kaputt")

    assert page.status_code == 500
    assert "Ein interner Fehler ist aufgetreten" in text_of(page)
    assert "geheime Interna" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


# -- error pages -------------------------------------------------------------------------------


def test_host_error_shows_its_message_on_an_error_page(client):
    page = client.get("/kunden", query_string={"sort": "bogus"})

    assert page.status_code == 400
    assert "Ungültige Anfrage (400)" in text_of(page)
    assert "Nach „bogus“ kann nicht sortiert werden. Möglich: number, name, company, city, postcode." in text_of(page)
    assert "Traceback" not in page.get_data(as_text=True)


def test_unknown_page_answers_404_in_german(client):
    page = client.get("/gibt-es-nicht")

    assert page.status_code == 404
    assert "Diese Seite gibt es nicht." in text_of(page)
    assert "Module und Lizenzen" in text_of(page)


# -- Kleinstammdaten ---------------------------------------------------------------------------


def test_masterdata_lists_kinds_and_entries(demo_client):
    page = demo_client.get("/kleinstammdaten", query_string={"art": "demo_colour"})

    assert page.status_code == 200
    assert re.search(r'aria-current="page">Farben<', page.get_data(as_text=True))
    assert re.findall(r"<td>([^<]+)</td>", page.get_data(as_text=True)) == ["Rot", "Grün"]


def test_masterdata_entry_can_be_added_and_hidden(demo_host, demo_client):
    token = csrf_token(demo_client)

    added = demo_client.post("/kleinstammdaten/demo_colour/neu", data={"csrf_token": token, "label": "Blau"},
                             follow_redirects=True)
    hidden = demo_client.post("/kleinstammdaten/demo_colour/ausblenden", data={"csrf_token": token, "label": "Rot"},
                              follow_redirects=True)

    assert flashes(added) == ["„Blau“ ist jetzt in der Liste."]
    assert re.findall(r"<td>([^<]+)</td>", hidden.get_data(as_text=True)) == ["Grün", "Blau"]
    assert "Ausgeblendet Rot" in text_of(hidden)
    with demo_host.session() as session:
        assert demo_host.masterdata.labels(session, "demo_colour") == ["Grün", "Blau"]


def test_masterdata_refuses_a_duplicate_with_its_reason(demo_client):
    page = demo_client.post("/kleinstammdaten/demo_colour/neu", data={"csrf_token": csrf_token(demo_client),
                                                                       "label": "Rot"})

    assert page.status_code == 400
    assert "„Rot“ gibt es in dieser Liste schon." in text_of(page)


def test_masterdata_of_an_unknown_kind_answers_404(client):
    page = client.get("/kleinstammdaten", query_string={"art": "gibtsnicht"})

    assert page.status_code == 404
    assert "Unbekannte Stammdatenart „gibtsnicht“." in text_of(page)
