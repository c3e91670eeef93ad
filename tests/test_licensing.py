"""Licence states of a paid module and every way a licence file can be refused."""

import json
import uuid
from datetime import datetime

import pytest
from sqlalchemy import delete, func, select, update

from host_stub.errors import HostError, LicenseRefused
from host_stub.licensing import generate_private_key, issue_license
from host_stub.models import License, ModuleState, Setting
from tests.conftest import signed_in_client
from tests.crm.conftest import create

DECEMBER = (datetime(2026, 12, 1), datetime(2027, 1, 1))


def installation(host) -> str:
    with host.session() as session:
        return host.licensing.installation_id(session)


@pytest.fixture
def licence(host, signing_key):
    """A licence file for the test host's installation (arguments change module, period, key, ...)."""

    def make(module_id="crm", period=DECEMBER, key=None, issued_at=datetime(2026, 11, 1), installation_id=None):
        return issue_license(key or signing_key[0], module_id, "Bäckerei Schmitz", *period, issued_at,
                             installation_id=installation_id or installation(host))

    return make


def state(host):
    with host.session() as session:
        return host.licensing.status(session, "crm")


def test_trial_runs_for_the_manifest_days_after_first_enabling(host, clock):
    assert state(host).state == "trial"
    assert state(host).writable
    clock.advance(days=29, hours=23)
    assert state(host).state == "trial"
    clock.advance(hours=2)
    status = state(host)
    assert status.state == "expired"
    assert "Testzeitraum ist abgelaufen" in status.message
    assert "host-stub license install" in status.message
    assert "3,50 € / Monat" in status.message


def test_disabling_and_enabling_again_does_not_restart_the_trial(host, clock):
    clock.advance(days=31)
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        host.set_module_enabled(session, "crm", True)
    assert state(host).state == "expired"


def test_installed_licence_makes_the_module_active_for_its_month(host, clock, licence):
    clock.advance(days=35)  # 7 Dec: trial over
    with host.session() as session:
        terms = host.licensing.install(session, licence())
    assert terms.licensee == "Bäckerei Schmitz"
    status = state(host)
    assert status.state == "active"
    assert status.message == "lizenziert für Bäckerei Schmitz bis 01.01.2027"


def test_grace_week_after_expiry_warns_but_allows_writes_then_expires(host, clock, licence):
    with host.session() as session:
        host.licensing.install(session, licence())
    clock.current = datetime(2027, 1, 3)
    status = state(host)
    assert status.state == "grace"
    assert status.writable and status.warning
    assert "am 01.01.2027 abgelaufen" in status.message and "08.01.2027" in status.message
    clock.current = datetime(2027, 1, 8, 0, 1)
    status = state(host)
    assert status.state == "expired"
    assert not status.writable
    assert "die Lizenz ist am 01.01.2027 abgelaufen" in status.message


def test_expired_module_refuses_writes_with_instructions(host, clock):
    clock.advance(days=31)
    with host.session() as session:
        with pytest.raises(LicenseRefused, match="Lizenz.*host-stub license install"):
            host.require_writable(session, "crm")


def test_the_licence_gate_also_refuses_a_disabled_module_in_its_trial(host):
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        assert host.licensing.status(session, "crm").state == "trial"
        with pytest.raises(HostError, match="nicht aktiviert. Aktivieren: host-stub plugins enable crm"):
            host.require_writable(session, "crm")


def test_tampered_licence_is_refused(host, licence):
    document = json.loads(licence())
    document["payload"]["valid_until"] = "2036-01-01T00:00:00"
    with host.session() as session, pytest.raises(LicenseRefused, match="verändert"):
        host.licensing.install(session, json.dumps(document))


def test_licence_signed_by_another_key_is_refused(host, licence):
    other_private, _public = generate_private_key()
    with host.session() as session, pytest.raises(LicenseRefused, match="anderen Schlüssel"):
        host.licensing.install(session, licence(key=other_private))


def test_licence_for_another_module_is_refused(host, licence):
    with host.session() as session:
        with pytest.raises(LicenseRefused, match="für das Modul 'crm', nicht für 'notes'"):
            host.licensing.install(session, licence(), module_id="notes")
        with pytest.raises(LicenseRefused, match="'lager', das hier nicht installiert ist"):
            host.licensing.install(session, licence(module_id="lager"))


def test_garbage_is_not_a_licence(host):
    with host.session() as session, pytest.raises(LicenseRefused, match="keine Lizenzdatei"):
        host.licensing.install(session, "hello")


def test_clock_set_back_behind_the_last_time_seen_is_refused(host, clock, licence):
    with host.session() as session:
        host.licensing.install(session, licence())
    clock.current = datetime(2026, 12, 10)
    with host.session() as session:
        host.require_writable(session, "crm")  # a write check records the latest time seen
    clock.current = datetime(2026, 12, 5)
    status = state(host)
    assert status.state == "clock"
    assert "Systemuhr" in status.message and not status.writable
    with host.session() as session, pytest.raises(LicenseRefused, match="Systemuhr"):
        host.require_writable(session, "crm")
    clock.current = datetime(2026, 12, 10, 1)
    assert state(host).state == "active"


def test_licence_issued_in_the_future_of_the_clock_is_refused(host, licence):
    with host.session() as session, pytest.raises(LicenseRefused, match="Systemuhr"):
        host.licensing.install(session, licence(issued_at=datetime(2027, 3, 1)))


def test_a_licence_row_edited_in_the_database_does_not_count(host, clock, licence):
    from host_stub.models import License

    with host.session() as session:
        host.licensing.install(session, licence())
        session.query(License).update({License.valid_until: datetime(2036, 1, 1)})
    clock.current = datetime(2027, 2, 1)
    assert state(host).state == "expired"


def test_cli_installs_and_shows_a_licence(cli, tmp_path, host, licence):
    licence_file = tmp_path / "crm.lic"
    licence_file.write_text(licence(period=(datetime(2026, 11, 1), datetime(2099, 1, 1))), encoding="utf-8")
    result = cli("license", "install", str(licence_file))
    assert result.exit_code == 0, result.output
    assert "Bäckerei Schmitz" in result.output
    shown = json.loads(cli("license", "show", "--json").output)
    assert shown["installation_id"] == installation(host)
    assert shown["modules"][0]["id"] == "crm" and shown["modules"][0]["price"] == "3,50 € / Monat"


def test_cli_refuses_a_tampered_file_with_exit_code_1(cli, tmp_path, licence):
    document = json.loads(licence())
    document["payload"]["licensee"] = "Jemand anders"
    path = tmp_path / "tampered.lic"
    path.write_text(json.dumps(document))
    result = cli("license", "install", str(path))
    assert result.exit_code == 1
    assert "verändert" in result.output


def test_cli_refuses_a_binary_file_with_a_message(cli, host, tmp_path):
    path = tmp_path / "bild.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 10)
    result = cli("license", "install", str(path))
    assert result.exit_code == 1
    assert "Die Datei ist keine Lizenzdatei (kein Text in UTF-8)." in result.output
    assert "Traceback" not in result.output


# -- the vendor key is built in ------------------------------------------------------------------


def test_a_key_of_ones_own_in_the_environment_does_not_make_self_issued_licences_valid(
        database_url, tmp_path, monkeypatch):
    """The old recipe: HOST_STUB_LICENSE_PUBLIC_KEY=<own key>, license keygen, license issue => active."""
    from click.testing import CliRunner

    from host_stub.cli import build_cli
    from tools.license_vendor import vendor

    monkeypatch.setenv("HOST_STUB_DATABASE_URL", database_url)
    runner = CliRunner()
    assert runner.invoke(build_cli(), ["init"]).exit_code == 0
    assert runner.invoke(build_cli(), ["plugins", "enable", "crm"]).exit_code == 0
    assert runner.invoke(build_cli(), ["license", "keygen", str(tmp_path / "own.pem")]).exit_code == 2
    assert runner.invoke(build_cli(), ["license", "issue", "--help"]).exit_code == 2
    public = runner.invoke(vendor, ["keygen", str(tmp_path / "own.pem")]).output.strip()
    monkeypatch.setenv("HOST_STUB_LICENSE_PUBLIC_KEY", public)
    shown = json.loads(runner.invoke(build_cli(), ["license", "show", "--json"]).output)
    result = runner.invoke(vendor, ["issue", "--private-key", str(tmp_path / "own.pem"), "--module", "crm",
                                    "--licensee", "Ich selbst", "--installation-id", shown["installation_id"],
                                    "--month", "2099-01", "-o", str(tmp_path / "own.lic")])
    assert result.exit_code == 0, result.output

    result = runner.invoke(build_cli(), ["license", "install", str(tmp_path / "own.lic")])

    assert result.exit_code == 1
    assert "mit einem anderen Schlüssel signiert" in result.output
    shown = json.loads(runner.invoke(build_cli(), ["license", "show", "--json"]).output)
    assert shown["modules"][0]["license"] == "trial"


# -- licences bound to an installation -----------------------------------------------------------


def test_each_database_gets_its_own_installation_id_at_init_and_keeps_it(tmp_path, signing_key):
    from host_stub.host import Host

    hosts = [Host(f"sqlite:///{tmp_path / name}", license_public_key=signing_key[1]) for name in ("a.db", "b.db")]
    ids = []
    for host in hosts:
        host.upgrade()
        ids.append(installation(host))
        host.upgrade()
        assert installation(host) == ids[-1]
        host.close()
    assert [str(uuid.UUID(i)) for i in ids] == ids
    assert ids[0] != ids[1]


def test_cli_init_and_license_show_name_the_installation(cli):
    assert cli("init").exit_code == 0
    shown = json.loads(cli("license", "show", "--json").output)
    assert str(uuid.UUID(shown["installation_id"])) == shown["installation_id"]
    assert f"Installations-ID: {shown['installation_id']}" in cli("license", "show").output


def test_licence_for_another_installation_is_refused_saying_what_to_do(host, licence):
    other = str(uuid.uuid4())
    with host.session() as session, pytest.raises(LicenseRefused) as refused:
        host.licensing.install(session, licence(installation_id=other))
    message = str(refused.value)
    assert message.startswith("Lizenz gehört zu einer anderen Installation")
    assert other in message and installation(host) in message
    assert "Installations-ID" in message and "Hersteller" in message
    assert state(host).state == "trial"


def test_a_licence_copied_into_the_database_of_another_installation_does_not_count(host, clock, licence):
    text = licence(installation_id=str(uuid.uuid4()))
    with host.session() as session:
        session.add(License(module_id="crm", licensee="X", valid_from=DECEMBER[0], valid_until=DECEMBER[1],
                            issued_at=datetime(2026, 11, 1), signed_text=text, installed_at=clock()))
    clock.current = datetime(2026, 12, 15)
    assert state(host).state == "expired"


def test_the_same_licence_file_installed_twice_is_stored_once(host, clock, licence):
    text = licence()
    for _ in range(2):
        with host.session() as session:
            host.licensing.install(session, text)
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(License)) == 1
    clock.current = datetime(2026, 12, 15)
    assert state(host).state == "active"


# -- trial and clock state that one deleted row cannot reset --------------------------------------


def enable_again(host):
    with host.session() as session:
        host.set_module_enabled(session, "crm", True)


def test_deleting_the_module_row_does_not_start_a_new_trial(host, clock):
    create(host, company="Früh GmbH")
    clock.advance(days=31)
    with host.session() as session:
        session.execute(delete(ModuleState))
    enable_again(host)
    assert state(host).state == "expired"


def test_editing_first_enabled_at_does_not_start_a_new_trial(host, clock):
    create(host, company="Früh GmbH")
    clock.advance(days=31)
    with host.session() as session:
        session.execute(update(ModuleState).values(first_enabled_at=clock()))
    assert state(host).state == "expired"


def test_without_any_stored_trial_start_the_modules_own_rows_still_date_the_trial(host, clock):
    create(host, company="Früh GmbH")
    clock.advance(days=31)
    with host.session() as session:
        session.execute(delete(ModuleState))
        session.execute(delete(Setting).where(Setting.key.like("licensing.%")))
    enable_again(host)
    status = state(host)
    assert status.state == "expired" and "Testzeitraum ist abgelaufen" in status.message


def test_deleting_the_last_time_seen_does_not_undo_the_clock_check(host, clock, licence):
    with host.session() as session:
        host.licensing.install(session, licence())
    clock.current = datetime(2026, 12, 10)
    with host.session() as session:
        host.customers.create(session, company="Neu am 10. GmbH")
        host.require_writable(session, "crm")
    clock.current = datetime(2026, 12, 5)
    with host.session() as session:
        session.execute(delete(Setting).where(Setting.key.like("licensing.%")))
    assert state(host).state == "clock"


def test_a_forward_clock_glitch_ends_with_a_fresh_vendor_licence(host, clock, licence):
    with host.session() as session:
        host.licensing.install(session, licence())
    clock.current = datetime(2037, 1, 1)  # the clock jumps ahead ...
    with host.session() as session:
        host.customers.create(session, company="Aus der Zukunft GmbH")
        with pytest.raises(LicenseRefused):
            host.require_writable(session, "crm")
    clock.current = datetime(2026, 12, 3)  # ... and back
    assert state(host).state == "clock"
    with host.session() as session:  # the old file again is no way out
        host.licensing.install(session, licence())
    assert state(host).state == "clock"

    with host.session() as session:
        host.licensing.install(session, licence(issued_at=datetime(2026, 12, 3)))

    assert state(host).state == "active"
    with host.session() as session:
        host.require_writable(session, "crm")
    clock.current = datetime(2026, 12, 4)
    with host.session() as session:
        host.require_writable(session, "crm")
    clock.current = datetime(2026, 12, 3, 12)  # setting it back after the fresh start is caught again
    assert state(host).state == "clock"


def test_the_modules_page_shows_the_installation_id(host):

    page = signed_in_client(host).get("/module").get_data(as_text=True)
    assert f"Installations-ID: <code>{installation(host)}</code>" in page
