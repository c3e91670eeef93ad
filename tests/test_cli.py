"""The host-stub command line: set-up, customers, master data, and clear errors."""

import json
import subprocess
import sys

from click.testing import CliRunner

from host_stub.cli import build_cli


def test_help_works_without_a_database(tmp_path):
    result = subprocess.run([sys.executable, "-c", "from host_stub.cli import main; main()", "--help"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0
    for command in ("init", "db", "serve", "demo", "plugins", "license", "customers", "crm"):
        assert f"  {command} " in result.stdout
    assert list(tmp_path.iterdir()) == []  # no database file was created


def test_unreachable_database_is_a_clear_error_with_exit_code_1():
    runner = CliRunner()
    result = runner.invoke(build_cli(), ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "plugins", "list"])
    assert result.exit_code == 1
    assert "ist nicht erreichbar" in result.output and "--db" in result.output


def test_missing_directory_for_sqlite_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(build_cli(), ["--db", f"sqlite:///{tmp_path}/gibtsnicht/x.sqlite", "init"])
    assert result.exit_code == 1
    assert "existiert nicht" in result.output


def test_garbage_url_is_a_clear_error():
    result = CliRunner().invoke(build_cli(), ["--db", "kein url", "init"])
    assert result.exit_code == 1
    assert "Ungültige Datenbank-URL" in result.output


def test_commands_on_a_database_that_was_never_initialised_say_what_to_do(cli):
    result = cli("plugins", "list")
    assert result.exit_code == 1
    assert "host-stub init" in result.output


def test_customers_add_list_and_delete(cli):
    assert cli("init").exit_code == 0
    result = cli("customers", "add", "--company", "Bäckerei Schmitz", "--postcode", "50667", "--city", "Köln")
    assert result.exit_code == 0 and "K10000" in result.output
    listing = json.loads(cli("customers", "list", "--json").output)
    assert listing["total"] == 1
    assert listing["customers"][0]["company"] == "Bäckerei Schmitz"
    customer_id = listing["customers"][0]["id"]
    assert cli("customers", "delete", str(customer_id), input="n\n").output.endswith("Abgebrochen.\n")
    assert cli("customers", "delete", str(customer_id), "--yes").exit_code == 0
    assert json.loads(cli("customers", "list", "--json").output)["total"] == 0
    result = cli("customers", "delete", "999", "--yes")
    assert result.exit_code == 1 and "ID 999 gibt es nicht" in result.output


def test_customer_without_a_name_is_refused(cli):
    cli("init")
    result = cli("customers", "add", "--city", "Köln")
    assert result.exit_code == 1
    assert "Firma oder einen Nachnamen" in result.output


def test_masterdata_commands(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", "tests.spy_module.plugin")
    cli("init")
    cli("plugins", "enable", "spy")
    assert "spy_colour" in cli("masterdata", "list").output
    assert cli("masterdata", "add", "spy_colour", "Gelb").exit_code == 0
    assert cli("masterdata", "list", "spy_colour").output.split() == ["Rot", "Grün", "Gelb"]
    assert cli("masterdata", "remove", "spy_colour", "Rot").exit_code == 0
    assert "Rot" not in cli("masterdata", "list", "spy_colour").output
    result = cli("masterdata", "add", "unbekannt", "X")
    assert result.exit_code == 1 and "Unbekannte Stammdatenart" in result.output


def test_demo_without_serving_fills_the_database_once(cli):
    result = cli("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "Kunden angelegt" in result.output and "Modul crm aktiviert" in result.output
    rows = json.loads(cli("plugins", "list", "--json").output)
    assert rows[0]["enabled"] and rows[0]["license"] == "trial"
    assert "schon vorhanden" in cli("demo", "--no-serve").output
