"""Odd input a careful tester tries gets a German message and a 4xx page or a non-zero exit, never a traceback:
huge ids and page numbers, arguments that are not UTF-8, unsupported database URLs, a file that is not a
database, a damaged or weak secret key."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from host_stub.cli import build_cli
from host_stub.models import Setting
from host_stub.web import SECRET_KEY_ENV, SECRET_KEY_SETTING
from tests.conftest import signed_in_client
from tests.crm.conftest import create
from tests.crm.test_web import form
from tests.test_web import csrf_token, text_of

HUGE = "99999999999999999999"
JUST_TOO_LARGE = str(2**31)  # fits SQLite's integers, not PostgreSQL's INTEGER


@pytest.fixture
def client(host):
    return signed_in_client(host)


def assert_german_refusal(response, *statuses: int) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code in statuses, (response.status_code, text_of(response)[:300])
    assert "Traceback" not in page and "sqlalchemy" not in page.lower() and "Overflow" not in page


# -- web: ids and page numbers -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/kunden", "/m/crm/"])
@pytest.mark.parametrize("number", [HUGE, JUST_TOO_LARGE, "9" * 5000])
def test_a_huge_page_number_shows_a_list_page(host, client, path, number):
    create(host)
    response = client.get(path, query_string={"page": number, "per_page": number})

    assert response.status_code == 200
    assert "Interner Fehler" not in text_of(response)


@pytest.mark.parametrize("path", [f"/m/crm/{HUGE}", f"/m/crm/{JUST_TOO_LARGE}", f"/m/crm/kunde/{HUGE}",
                                  f"/m/crm/kunde/{JUST_TOO_LARGE}", "/m/crm/" + "9" * 5000,
                                  f"/m/crm/1/dokumente/{HUGE}"])
def test_a_huge_id_in_a_url_is_a_german_404(client, path):
    response = client.get(path)

    assert_german_refusal(response, 404)
    assert "Nicht gefunden" in text_of(response)


def test_no_route_with_a_number_in_its_path_fails_on_a_huge_one(host, client):
    """Every rule with an ``<int:…>`` of the shell and the modules, GET or POST, with a number too large."""
    token = csrf_token(client)
    app = client.application
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:\w+>", HUGE, rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in rule.methods & {"GET", "POST"}:
            response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert_german_refusal(response, 404, 405)  # no such page, or not for this method
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("query", [{"ids": ["1", HUGE]}, {"ids": [JUST_TOO_LARGE, "1"]},
                                   {"ids": ["1", "2"], "survivor": HUGE}])
def test_a_huge_id_in_a_merge_selection_is_refused_with_a_message(host, client, query):
    create(host)
    response = client.get("/m/crm/zusammenfuehren", query_string=query)

    assert_german_refusal(response, 400)
    assert "Auswahl ist ungültig" in text_of(response)


def test_a_huge_id_in_a_context_action_is_refused_with_a_message(client):
    response = client.post("/aktion", data={"csrf_token": csrf_token(client), "owner": "crm", "name": "convert",
                                            "entity": "prospect", "ids": [HUGE], "next": "/m/crm/"})

    assert_german_refusal(response, 400)
    assert "Auswahl ist ungültig" in text_of(response)


def test_a_huge_list_id_in_the_overview_filter_is_not_a_500(host, client):
    create(host)
    response = client.get("/m/crm/", query_string={"list": HUGE})

    assert response.status_code < 500
    assert "Interner Fehler" not in text_of(response)


# -- web: the secret key -----------------------------------------------------------------------


@pytest.mark.parametrize("damaged", ["", "x", "nicht hexadezimal " * 4])
def test_a_damaged_secret_key_in_the_settings_is_replaced_and_forms_work(host, damaged):
    with host.session() as session:
        host.settings.set(session, SECRET_KEY_SETTING, damaged)
    client = signed_in_client(host)

    page = client.get("/kunden")
    saved = client.post("/kleinstammdaten/crm_category/neu", data={"csrf_token": csrf_token(client), "label": "Neu"})

    assert page.status_code == 200
    assert saved.status_code == 302
    with host.session() as session:
        assert re.fullmatch(r"[0-9a-f]{64}", host.settings.get(session, SECRET_KEY_SETTING))


def test_a_too_short_secret_key_in_the_environment_is_refused_with_a_message(cli, monkeypatch):
    monkeypatch.setenv(SECRET_KEY_ENV, "geheim")
    assert cli("init").exit_code == 0
    result = cli("serve")

    assert result.exit_code == 1
    assert f"{SECRET_KEY_ENV} ist zu kurz" in result.output and "Traceback" not in result.output


# -- command line: huge ids --------------------------------------------------------------------


@pytest.mark.parametrize("args", [("customers", "delete", HUGE, "--yes"), ("customers", "delete", JUST_TOO_LARGE,
                                                                            "--yes"),
                                  ("customers", "list", "--page", HUGE),
                                  ("crm", "customers-to-prospects", HUGE, "--yes")])
def test_a_huge_number_on_the_command_line_is_a_message_and_exit_1(cli, args):
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    runner = CliRunner()
    result = runner.invoke(build_cli(), list(args))

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert re.search(r"gibt es nicht|passt nicht in die Datenbank", result.output)


# -- command line: arguments that are not UTF-8 ------------------------------------------------


def test_an_argument_that_is_not_utf8_is_a_message_before_anything_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from host_stub.cli import main; main()", b"customers", b"add", b"--company",
         b"B\xe4ckerei"],  # Latin-1, not UTF-8
        capture_output=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path),
                                                "LANG": "C.UTF-8"})
    stderr = result.stderr.decode("utf-8", "replace")

    assert result.returncode == 2
    assert "kein gültiger Text (kein UTF-8)" in stderr and "B\ufffdckerei" in stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []  # no database was opened


@pytest.mark.parametrize("url", ["foo", "postgresql://benutzer@localhost:abc/crm"])
def test_a_malformed_database_url_is_a_clear_error(url):
    result = CliRunner().invoke(build_cli(), ["--db", url, "init"])

    assert result.exit_code == 1
    assert "Ungültige Datenbank-URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_database_url_that_is_not_utf8_is_a_message(monkeypatch):
    monkeypatch.setenv("HOST_STUB_DATABASE_URL", "sqlite:////tmp/b\udce4ckerei.sqlite")
    result = CliRunner().invoke(build_cli(), ["plugins", "list"])

    assert result.exit_code == 1
    assert "Ungültige Datenbank-URL" in result.output


# -- command line: database URLs and files -----------------------------------------------------


@pytest.mark.parametrize("url", ["mysql://benutzer@localhost/crm", "postgresql+psycopg2://benutzer@localhost/crm",
                                 "oracle://benutzer@localhost/crm", "mssql+pyodbc://benutzer@dsn"])
def test_an_unsupported_database_is_a_clear_error(url):
    result = CliRunner().invoke(build_cli(), ["--db", url, "init"])

    assert result.exit_code == 1
    assert "wird nicht unterstützt, nur SQLite und PostgreSQL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_file_that_is_not_a_database_is_a_clear_error_and_stays_unchanged(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Kein SQLite\n" * 200, encoding="utf-8")
    before = readme.read_bytes()

    result = CliRunner().invoke(build_cli(), ["--db", f"sqlite:///{readme}", "init"])

    assert result.exit_code == 1
    assert "ist keine SQLite-Datenbank" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert readme.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["README.md"]


@pytest.mark.parametrize("path", ["/kunden?q=%00", "/m/crm/?q=%00", "/m/crm/?status=%00", "/m/crm/?category=%00",
                                  "/m/crm/?list=%00", "/kunden?sort=%00"])
def test_a_nul_character_in_a_query_is_not_a_500(client, path):
    response = client.get(path)

    assert response.status_code < 500, text_of(response)[:300]
    assert "Interner Fehler" not in text_of(response)


def test_a_nul_character_in_a_pick_list_entry_is_not_a_500(client):
    response = client.post("/kleinstammdaten/crm_category/neu",
                           data={"csrf_token": csrf_token(client), "label": "a\x00b"})

    assert response.status_code < 500, text_of(response)[:300]
    assert "Interner Fehler" not in text_of(response)


@pytest.mark.parametrize("field", [{"contacts-0-id": HUGE, "contacts-0-last_name": "Schmitz"},
                                   {"payment_terms_days": HUGE}, {"expected_volume": HUGE},
                                   {"discount_percent": HUGE}])
def test_a_huge_number_in_the_edit_dialog_is_not_a_500(host, client, field):
    prospect_id = create(host)
    response = client.post(f"/m/crm/{prospect_id}", data=form(csrf_token(client), **field))

    assert response.status_code < 500, text_of(response)[:300]
    assert "Interner Fehler" not in text_of(response)


# -- damaged settings --------------------------------------------------------------------------


def test_damaged_values_in_every_setting_give_no_traceback(host, cli):
    signed_in_client(host).get("/module")  # the settings the host writes by itself
    with host.session() as session:
        # licensing.last_seen is written by write checks only (never by a page): damage it too
        keys = {row.key for row in session.scalars(select(Setting))} | {"licensing.last_seen"}
        for key in keys:
            host.settings.set(session, key, "kaputt{")
    assert {SECRET_KEY_SETTING, "installation.id"} <= keys

    client = signed_in_client(host)
    for path in ("/kunden", "/module", "/m/crm/"):
        response = client.get(path)
        assert response.status_code < 500, (path, text_of(response)[:300])
    for args in (("license", "show"), ("plugins", "list"), ("customers", "list")):
        result = CliRunner().invoke(build_cli(), list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output
