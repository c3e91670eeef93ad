"""The vendor's tool ``tools/license_vendor.py``: keys and signed licence files, kept out of the end-user CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tools.license_vendor import vendor

ROOT = Path(__file__).resolve().parent.parent
INSTALLATION = "3f2c1a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c"


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(vendor, list(args))


@pytest.fixture
def key_file(tmp_path, signing_key):
    path = tmp_path / "vendor.pem"
    path.write_bytes(signing_key[0])
    return path


def issue(run, key_file, *extra):
    return run("issue", "--private-key", str(key_file), "--module", "crm", "--licensee", "Elektro Wagner GmbH",
               "--installation-id", INSTALLATION, *extra)


def test_the_tool_runs_as_a_script_and_is_no_installed_command():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "license_vendor.py"), "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "keygen" in result.stdout and "issue" in result.stdout
    assert "license_vendor" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_keygen_writes_a_private_key_and_prints_the_public_one_and_never_overwrites(run, tmp_path):
    key = tmp_path / "new.pem"
    result = run("keygen", str(key))
    assert result.exit_code == 0
    assert len(result.output.strip()) == 44  # base64 of 32 raw bytes
    assert b"PRIVATE KEY" in key.read_bytes()
    assert key.stat().st_mode & 0o077 == 0
    again = run("keygen", str(key))
    assert again.exit_code == 1 and "gibt es schon" in again.output


def test_issue_writes_a_licence_for_a_month_and_an_installation(run, key_file, tmp_path):
    out = tmp_path / "crm.lic"
    result = issue(run, key_file, "--month", "2026-12", "-o", str(out))
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))["payload"]
    assert payload["installation_id"] == INSTALLATION
    assert (payload["valid_from"], payload["valid_until"]) == ("2026-12-01T00:00:00", "2027-01-01T00:00:00")


def test_an_issued_licence_installs_in_the_named_installation(run, key_file, tmp_path, cli, host):
    with host.session() as session:
        installation = host.licensing.installation_id(session)
    out = tmp_path / "crm.lic"
    result = run("issue", "--private-key", str(key_file), "--module", "crm", "--licensee", "Elektro Wagner GmbH",
                 "--installation-id", installation, "--from", "2026-11-01", "--until", "2099-01-01", "-o", str(out))
    assert result.exit_code == 0, result.output
    result = cli("license", "install", str(out))
    assert result.exit_code == 0, result.output
    assert "lizenziert für Elektro Wagner GmbH bis 01.01.2099" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("--month", "9999-12"), "Der Monat 9999-12 liegt zu weit in der Zukunft"),
    (("--month", "12/2026"), "Monat im Format JJJJ-MM angeben, z. B. 2026-12."),
    (("--from", "2026-12-01"), "Entweder --month oder --from und --until angeben."),
    (("--from", "2026-12-01", "--until", "2026-11-01"), "Das Ende der Laufzeit muss nach ihrem Beginn liegen."),
])
def test_bad_periods_get_a_clear_message_and_a_non_zero_exit(run, key_file, args, message):
    result = issue(run, key_file, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_installation_id_that_is_no_uuid_is_refused(run, key_file):
    result = run("issue", "--private-key", str(key_file), "--module", "crm", "--licensee", "X",
                 "--installation-id", "meine-firma", "--month", "2026-12")
    assert result.exit_code != 0
    assert "Installations-ID" in result.output
