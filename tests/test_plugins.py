"""Discovery, isolation of broken plugins, enabling per database, and the plugins CLI."""

import json

import pytest

from host_stub.errors import HostError
from host_stub.manifest import Manifest
from host_stub.plugins import PluginRegistry

BROKEN = [
    "tests.broken_plugins.import_error.plugin",
    "tests.broken_plugins.bad_manifest.plugin",
    "tests.broken_plugins.misspelled_hook.plugin",
    "tests.broken_plugins.wrong_api.plugin",
]


def test_crm_module_is_found_through_its_entry_point(registry):
    assert "crm" in registry.modules
    assert registry.modules["crm"].manifest.product.price_label == "3,50 € / Monat"
    assert registry.problems == []


def test_broken_plugins_are_reported_and_skipped_while_the_rest_loads():
    registry = PluginRegistry()
    registry.discover(extra=BROKEN)
    assert set(registry.modules) == {"crm"}
    messages = {p.source: p.message for p in registry.problems}
    assert "No module named 'module_that_does_not_exist'" in messages[f"plugin {BROKEN[0]!r}"]
    assert "product.monthly_price_cents" in messages[f"plugin {BROKEN[1]!r}"]
    assert "unknown hook 'menu_itmes'" in messages["module 'misspelled_hook'"]
    assert "needs host API >=2.0" in messages[f"plugin {BROKEN[3]!r}"]


def test_a_plugin_loaded_twice_is_refused_the_second_time():
    registry = PluginRegistry()
    registry.discover(extra=["tests.third_module.plugin", "tests.third_module.plugin"])
    assert "notes" in registry.modules
    assert any("already loaded" in p.message for p in registry.problems)


def test_host_starts_and_works_with_broken_plugins(make_host):
    registry = PluginRegistry()
    registry.discover(extra=BROKEN)
    host = make_host(registry)
    with host.session() as session:
        customer = host.customers.create(session, company="Trotzdem GmbH")
        assert host.enabled_modules(session) == {"crm"}
    assert customer.number.startswith("K")


def test_enabled_modules_are_remembered_per_database(make_host, database_url):
    host = make_host(enable=())
    with host.session() as session:
        assert host.enabled_modules(session) == set()
        host.set_module_enabled(session, "crm", True)
    second = make_host(upgrade=False)
    assert second.enabled_modules() == {"crm"}
    with second.session() as session:
        second.set_module_enabled(session, "crm", False)
    assert host.enabled_modules() == set()


def test_module_enabled_and_module_disabled_reach_the_enabled_modules_and_the_module_itself(make_host):
    registry = PluginRegistry()
    registry.discover(extra=["tests.third_module.plugin"])
    seen = []

    class Spy:
        from host_stub.api import hookimpl

        @hookimpl
        def module_enabled(self, host, session, module_id):
            seen.append(("enabled", module_id))

        @hookimpl
        def module_disabled(self, host, session, module_id):
            seen.append(("disabled", module_id))

    registry.register(Spy(), Manifest("host_spy", "Spion", "1.0", "", ">=1.0", "tests", "spy_"))
    host = make_host(registry, enable=())
    with host.session() as session:
        host.set_module_enabled(session, "host_spy", True)
        host.set_module_enabled(session, "notes", True)
        host.set_module_enabled(session, "notes", False)
        host.set_module_enabled(session, "host_spy", False)
    assert seen == [("enabled", "host_spy"), ("enabled", "notes"), ("disabled", "notes"), ("disabled", "host_spy")]


def test_unknown_module_cannot_be_enabled(host):
    with host.session() as session, pytest.raises(HostError, match="Unbekanntes Modul 'nope'"):
        host.set_module_enabled(session, "nope", True)


def test_plugins_list_shows_id_name_version_state_licence_and_price(cli):
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    result = cli("plugins", "list", "--json")
    assert result.exit_code == 0
    [row] = json.loads(result.output)
    assert row["id"] == "crm"
    assert row["name"] == "CRM (Interessenten)"
    assert row["version"] == "0.1.0"
    assert row["enabled"] is True
    assert row["license"] == "trial"
    assert row["price"] == "3,50 € / Monat"
    text = cli("plugins", "list").output
    assert "crm" in text and "aktiv" in text and "3,50 € / Monat" in text


def test_plugins_cli_reports_a_broken_plugin_and_still_lists_the_others(cli, monkeypatch, capsys):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", BROKEN[1])
    cli("init")
    result = cli("plugins", "list")
    assert result.exit_code == 0
    warning = capsys.readouterr().err
    assert "Plugin übersprungen" in warning
    assert "bad_manifest/plugin.toml: invalid manifest: field 'product.monthly_price_cents'" in warning
    assert "crm" in result.output and "available" in result.output


def test_enabling_an_unknown_module_exits_non_zero(cli):
    cli("init")
    result = cli("plugins", "enable", "gibtsnicht")
    assert result.exit_code == 1
    assert "Unbekanntes Modul 'gibtsnicht'" in result.output


def test_plugins_list_json_shows_each_skipped_module_with_its_problem(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", ",".join(BROKEN[:3]))
    cli("init")
    result = cli("plugins", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(row["id"], row["problem"]) for row in rows if row["id"] == "crm"] == [("crm", None)]
    skipped = {row["source"]: row for row in rows if row["problem"] is not None}
    assert set(skipped) == {f"plugin {BROKEN[0]!r}", f"plugin {BROKEN[1]!r}", "module 'misspelled_hook'"}
    assert "No module named 'module_that_does_not_exist'" in skipped[f"plugin {BROKEN[0]!r}"]["problem"]
    assert "product.monthly_price_cents" in skipped[f"plugin {BROKEN[1]!r}"]["problem"]
    assert skipped["module 'misspelled_hook'"]["id"] == "misspelled_hook"
    assert "unknown hook 'menu_itmes'" in skipped["module 'misspelled_hook'"]["problem"]
    assert all(row["enabled"] is False for row in skipped.values())
    text = cli("plugins", "list").stdout
    assert "misspelled_hook" in text and "übersprungen" in text
