"""plugin.toml: validation naming the field, and that it reaches an installed wheel."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from host_stub.errors import HostError
from host_stub.manifest import parse_manifest

ROOT = Path(__file__).resolve().parent.parent
VALID = (ROOT / "plugin.toml").read_text(encoding="utf-8")


def test_project_manifest_is_valid_and_describes_the_paid_crm_module():
    manifest = parse_manifest(VALID, "plugin.toml")
    assert manifest.id == "crm"
    assert manifest.table_prefix == "crm_"
    assert manifest.product.monthly_price_cents == 350
    assert manifest.product.trial_days > 0
    assert manifest.product.price_label == "3,50 € / Monat"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('id = "crm"', 'id = "CRM Modul"'), "field 'id'"),
        (('version = "0.1.0"', 'version = "neu"'), "field 'version'"),
        (('host_api = ">=1.0,<2"', 'host_api = "eins"'), "field 'host_api'"),
        (('table_prefix = "crm_"', 'table_prefix = "crm"'), "field 'table_prefix'"),
        (("monthly_price_cents = 350", "monthly_price_cents = -1"), "field 'product.monthly_price_cents'"),
        (("trial_days = 30", 'trial_days = "30"'), "field 'product.trial_days'"),
        (('currency = "EUR"', 'currency = "USD"'), "field 'product.currency'"),
        (('id = "crm"', 'id = "crm"\ncolour = "blau"'), "field 'colour'"),
        (('name = "CRM (Interessenten)"\n', ""), "field 'name': Missing data for required field."),
    ],
)
def test_invalid_manifest_names_the_field(change, field):
    old, new = change
    assert old in VALID
    with pytest.raises(HostError, match="invalid manifest") as error:
        parse_manifest(VALID.replace(old, new, 1), "x/plugin.toml")
    assert field in str(error.value)
    assert str(error.value).startswith("x/plugin.toml: ")


def test_manifest_that_is_not_toml_is_refused():
    with pytest.raises(HostError, match="not valid TOML"):
        parse_manifest("id = ", "plugin.toml")


def running_site_packages() -> list[str]:
    """The site-packages directories of the running interpreter: its virtualenv's and, when that
    sees them, the base interpreter's; never the source tree (PYTHONPATH, editable installs)."""
    return [entry for entry in sys.path if Path(entry).name in ("site-packages", "dist-packages")]


def test_manifest_is_found_when_installed_from_a_built_wheel(tmp_path):
    """Build the wheel, install it (without dependencies) into a fresh virtualenv, load the manifest.

    The dependencies come from the running environment (inside a virtualenv too, where the base
    interpreter lacks them): its site-packages are appended to the new one's by a .pth file, after
    the wheel, so no network is needed and the wheel's copy of the code is the one imported.
    """
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # Install by unpacking with pip of the running interpreter into the venv's site-packages.
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", site, str(wheel)],
                   check=True, capture_output=True)
    (Path(site) / "running_environment.pth").write_text("\n".join(running_site_packages()) + "\n")
    script = (
        "import crm_module, importlib.resources, sys\n"
        "from host_stub.plugins import PluginRegistry\n"
        "assert crm_module.__file__.startswith(sys.prefix), crm_module.__file__\n"
        "r = PluginRegistry(); r._load('wheel', 'crm_module.plugin')\n"
        "print(r.modules['crm'].manifest.product.price_label, r.problems)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([python, "-I", "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3,50 € / Monat []"
