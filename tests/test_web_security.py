"""Web hardening: trusted host names (DNS rebinding), cookie flags, security headers and CSP, request size
limit, no debugger from the environment, and ``serve`` refusing a non-loopback address without consent."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import werkzeug.serving

import host_stub.web
from host_stub.web import MAX_REQUEST_BYTES, create_app
from tests.conftest import signed_in_client
from tests.crm.conftest import create
from tests.test_web import csrf_token, text_of

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def client(host):
    return signed_in_client(host)


# -- trusted hosts -----------------------------------------------------------------------------


def test_a_request_for_a_foreign_host_name_is_refused_with_a_german_page(client):
    response = client.get("/kunden", headers={"Host": "attacker.example"})

    assert response.status_code == 400
    assert "„attacker.example“" in text_of(response) and "--trusted-host" in text_of(response)
    assert "Kunden" not in re.sub(r"<title>.*?</title>", "", response.get_data(as_text=True))


def test_a_writing_request_for_a_foreign_host_name_writes_nothing(host, client):
    token = csrf_token(client)
    response = client.post("/kleinstammdaten/crm_category/neu", data={"csrf_token": token, "label": "Böse"},
                           headers={"Host": "attacker.example:5000"})

    assert response.status_code == 400
    with host.session() as session:
        assert "Böse" not in host.masterdata.labels(session, "crm_category")


def get_as(client, name: str):
    """GET /kunden under the host name ``name``, with the signed-in session (the test client keeps cookies per name)."""
    client.set_cookie("session", client.get_cookie("session").value, domain=name.split(":")[0])
    return client.get("/kunden", headers={"Host": name})


# Not "[::1]": werkzeug 3.1.8 admits every IPv6 literal for it, 3.1.9 none (see LOOPBACK_HOSTS).
@pytest.mark.parametrize("name", ["localhost", "localhost:5000", "127.0.0.1:5000"])
def test_loopback_names_are_trusted(client, name):
    assert get_as(client, name).status_code == 200


def test_host_names_given_to_the_app_are_trusted_in_addition(host):
    client = signed_in_client(host, app=create_app(host, trusted_hosts=["buero.example"]))

    assert get_as(client, "buero.example:8080").status_code == 200
    assert client.get("/kunden", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/kunden", headers={"Host": "attacker.example"}).status_code == 400


# -- cookie, headers, CSP ----------------------------------------------------------------------


def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/kunden")  # the page's CSRF token starts the session
    cookie = client.get_cookie("session")

    assert cookie is not None and cookie.http_only
    assert cookie.same_site == "Lax"


@pytest.mark.parametrize("path", ["/kunden", "/gibt-es-nicht", "/static/shell.css", "/m/crm/"])
def test_every_response_carries_the_security_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))

    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_style_or_event_handler_that_the_policy_would_block(host, client):
    with host.session() as session:
        customer = host.customers.create(session, company="Muster GmbH")
    prospect_id = create(host)
    paths = ["/kunden", "/module", "/kleinstammdaten", "/gibt-es-nicht", "/m/crm/", "/m/crm/neu", "/m/crm/felder",
             f"/m/crm/{prospect_id}", f"/m/crm/kunde/{customer.id}"]

    for path in paths:
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], path
        assert "<style" not in page and not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+\s*=", page), path
        assert "javascript:" not in page, path


# -- request size ------------------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """A request body that counts what the server reads of it (it ends after 16 MB to keep tests quick)."""

    def __init__(self, size: int = 16 * 1_048_576) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


def test_a_one_gigabyte_upload_is_refused_with_413_before_its_body_is_read(client):
    token = csrf_token(client)
    body = CountingStream()
    response = client.post("/module/lizenz", content_type="multipart/form-data; boundary=grenze",
                           headers={"X-CSRF-Token": token},
                           environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(2**30)})

    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "zu groß" in text_of(response) and f"{MAX_REQUEST_BYTES // 1_048_576} MB" in text_of(response)


def test_an_upload_within_the_limit_is_still_accepted(client):
    token = csrf_token(client)
    response = client.post("/module/lizenz", data={"csrf_token": token,
                                                   "license_file": (io.BytesIO(b"kein Lizenztext"), "crm.lic")})

    assert response.status_code == 403  # read and refused for what it is, not for its size
    assert "Lizenz" in text_of(response) and "zu groß" not in text_of(response)


# -- no debugger -------------------------------------------------------------------------------


def test_flask_debug_in_the_environment_does_not_turn_on_the_debugger(host, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(host)

    @app.get("/kaputt")
    def broken():
        raise RuntimeError("geheime Interna")

    response = signed_in_client(host, app=app).get("/kaputt")

    assert app.debug is False
    assert response.status_code == 500
    assert "Interner Fehler" in text_of(response)
    assert "geheime Interna" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


# -- serve -------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Capture the server ``serve`` would run (waitress, or with --debug werkzeug's) instead of running it."""
    calls = []

    def production(app, bind, port, threads):
        calls.append({"server": "waitress", "hostname": bind, "port": port, "app": app, "threads": threads})
        return types.SimpleNamespace(run=lambda: None)

    monkeypatch.setattr(host_stub.web, "production_server", production)
    monkeypatch.setattr(werkzeug.serving, "run_simple",
                        lambda hostname, port, application, **options: calls.append(
                            {"server": "werkzeug", "hostname": hostname, "port": port, "app": application,
                             **options}))
    return calls


@pytest.fixture
def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_serve_runs_waitress_on_loopback_without_debugger_even_with_flask_debug_set(cli, served, monkeypatch,
                                                                                     free_port):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert cli("init").exit_code == 0
    result = cli("serve", "--port", free_port, "--threads", "4")

    assert result.exit_code == 0, result.output
    assert "4 Threads" in result.output
    [call] = served
    assert (call["server"], call["hostname"], call["port"], call["threads"]) == ("waitress", "127.0.0.1",
                                                                                 int(free_port), 4)
    assert call["app"].debug is False
    assert set(call["app"].config["TRUSTED_HOSTS"]) >= {"localhost", "127.0.0.1", "[::1]"}


def test_serve_with_debug_runs_the_development_server_still_without_debugger(cli, served, free_port):
    assert cli("init").exit_code == 0
    result = cli("serve", "--port", free_port, "--debug")

    assert result.exit_code == 0, result.output
    assert "Entwicklungsserver" in result.output
    [call] = served
    assert call["server"] == "werkzeug"
    assert not call["use_debugger"] and not call["use_reloader"] and call["app"].debug is False


@pytest.mark.parametrize("threads", ["0", "16"])
def test_serve_refuses_a_thread_count_out_of_range(cli, served, threads):
    result = cli("serve", "--threads", threads)

    assert result.exit_code == 2
    assert "--threads" in result.output and "1<=x<=15" in result.output
    assert served == []


def test_serve_answers_pages_through_waitress(database_url, cli, free_port):
    """The real thing: ``host-stub serve`` in a process of its own, asked for a page over loopback."""
    assert cli("init").exit_code == 0
    env = {**os.environ, "HOST_STUB_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", "from host_stub.cli import main; main()", "serve",
                               "--port", free_port, "--threads", "2"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert "Weboberfläche" in server.stdout.readline()  # printed just before it listens
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/kunden", timeout=5) as response:
                    break
            except urllib.error.URLError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)  # between its message and the listening socket
        assert response.status == 200
        assert response.headers["Server"] == "host-stub"
        assert response.headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::"])
def test_serve_refuses_a_non_loopback_address_without_allow_remote(cli, served, address):
    assert cli("init").exit_code == 0
    result = cli("serve", "--host", address)

    assert result.exit_code != 0
    assert "--allow-remote" in result.output and "Anmeldung" in result.output
    assert served == []


def test_serve_on_all_addresses_with_allow_remote_warns_and_trusts_this_machines_names(cli, served, free_port):
    assert cli("init").exit_code == 0
    result = cli("serve", "--host", "0.0.0.0", "--port", free_port, "--allow-remote", "--trusted-host",
                 "buero.example")

    assert result.exit_code == 0, result.output
    assert "Warnung" in result.output and "Anmeldung" in result.output
    [call] = served
    trusted = call["app"].config["TRUSTED_HOSTS"]
    assert call["hostname"] == "0.0.0.0"
    assert {"buero.example", socket.gethostname(), "localhost"} <= set(trusted)
    assert "0.0.0.0" not in trusted


def test_serve_on_a_lan_address_trusts_that_address(cli, served, monkeypatch):
    monkeypatch.setattr(host_stub.web, "check_can_listen", lambda bind, port: None)  # this machine lacks the address
    assert cli("init").exit_code == 0
    result = cli("serve", "--host", "192.168.1.20", "--allow-remote")

    assert result.exit_code == 0, result.output
    assert "192.168.1.20" in served[0]["app"].config["TRUSTED_HOSTS"]


def test_serve_on_a_port_in_use_says_so_in_german(cli, served):
    assert cli("init").exit_code == 0
    with socket.create_server(("127.0.0.1", 0)) as occupied:
        result = cli("serve", "--port", str(occupied.getsockname()[1]))

    assert result.exit_code == 1
    assert "Port" in result.output and "schon belegt" in result.output
    assert served == []


@pytest.mark.parametrize("port", ["0", "99999"])
def test_serve_on_an_impossible_port_says_so_in_german(cli, served, port):
    assert cli("init").exit_code == 0
    result = cli("serve", "--port", port)

    assert result.exit_code == 1
    assert f"Der Port {port} ist ungültig" in result.output
    assert served == []
