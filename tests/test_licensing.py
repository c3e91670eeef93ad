"""Licence states of a paid module and every way a licence file can be refused."""

import json
from datetime import datetime

import pytest

from host_stub.errors import LicenseRefused
from host_stub.licensing import generate_private_key, issue_license

DECEMBER = (datetime(2026, 12, 1), datetime(2027, 1, 1))


@pytest.fixture
def licence(signing_key):
    def make(module_id="crm", period=DECEMBER, key=None, issued_at=datetime(2026, 11, 1)):
        return issue_license(key or signing_key[0], module_id, "Bäckerei Schmitz", *period, issued_at)

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
    assert state(host).state == "active"
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


def test_cli_issues_installs_and_shows_a_licence(cli, tmp_path, signing_key):
    key_file = tmp_path / "vendor.pem"
    key_file.write_bytes(signing_key[0])
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    licence_file = tmp_path / "crm.lic"
    result = cli("license", "issue", "--private-key", str(key_file), "--module", "crm",
                 "--licensee", "Elektro Wagner GmbH", "--month", "2099-01", "-o", str(licence_file))
    assert result.exit_code == 0, result.output
    result = cli("license", "install", str(licence_file))
    assert result.exit_code == 0, result.output
    assert "Elektro Wagner GmbH" in result.output
    rows = json.loads(cli("license", "show", "--json").output)
    assert rows[0]["id"] == "crm" and rows[0]["price"] == "3,50 € / Monat"


def test_cli_refuses_a_tampered_file_with_exit_code_1(cli, tmp_path, licence):
    cli("init")
    document = json.loads(licence())
    document["payload"]["licensee"] = "Jemand anders"
    path = tmp_path / "tampered.lic"
    path.write_text(json.dumps(document))
    result = cli("license", "install", str(path))
    assert result.exit_code == 1
    assert "verändert" in result.output


def test_cli_keygen_writes_a_key_that_signs_licences(cli, tmp_path):
    key_file = tmp_path / "new.pem"
    result = cli("license", "keygen", str(key_file))
    assert result.exit_code == 0
    assert len(result.output.strip()) == 44  # base64 of 32 raw bytes
    assert b"PRIVATE KEY" in key_file.read_bytes()
    assert cli("license", "keygen", str(key_file)).exit_code == 1
