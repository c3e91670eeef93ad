"""The vendor's licence tool: make the signing key, sign licence files for one installation.

Not part of the product: the quick start does not install it, and it needs the vendor's private
key, which never leaves the vendor. Run it from a checkout (docs/licensing.md):

    python tools/license_vendor.py keygen vendor.pem
    python tools/license_vendor.py issue --private-key vendor.pem --module crm \\
        --licensee "Muster GmbH" --installation-id <ID> --month 2026-12 -o crm.lic
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import click

from host_stub.errors import HostError
from host_stub.licensing import check_installation_id, generate_private_key, issue_license


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def vendor() -> None:
    """Lizenzen signieren (Hersteller-Werkzeug, nicht für Anwender)."""


@vendor.command("keygen")
@click.argument("private_key_file", type=click.Path(dir_okay=False, path_type=Path))
def keygen(private_key_file: Path) -> None:
    """Ein Schlüsselpaar erzeugen; gibt den öffentlichen Schlüssel aus (für VENDOR_PUBLIC_KEY)."""
    if private_key_file.exists():
        raise click.ClickException(f"{private_key_file} gibt es schon; bitte einen anderen Namen wählen.")
    pem, public = generate_private_key()
    private_key_file.touch(mode=0o600)
    private_key_file.write_bytes(pem)
    click.echo(public)


def month_period(value: str) -> tuple[date, date]:
    """The first day of the month ``JJJJ-MM`` and of the month after it."""
    try:
        start = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter("Monat im Format JJJJ-MM angeben, z. B. 2026-12.", param_hint="--month") from None
    if start.year >= 9999:
        raise click.BadParameter(f"Der Monat {value} liegt zu weit in der Zukunft; spätestens 9998-12.",
                                 param_hint="--month")
    return start, date(start.year + start.month // 12, start.month % 12 + 1, 1)


@vendor.command("issue")
@click.option("--private-key", "private_key_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "module_id", required=True)
@click.option("--licensee", required=True, help="Lizenznehmer (Firma).")
@click.option("--installation-id", required=True, help="Installations-ID des Kunden (host-stub license show).")
@click.option("--month", help="Bezahlter Monat JJJJ-MM.")
@click.option("--from", "valid_from", type=click.DateTime(["%Y-%m-%d"]), help="Beginn (statt --month).")
@click.option("--until", "valid_until", type=click.DateTime(["%Y-%m-%d"]), help="Ende, ausschließlich.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (sonst stdout).")
def issue(private_key_file: Path, module_id: str, licensee: str, installation_id: str, month: str | None,
          valid_from: datetime | None, valid_until: datetime | None, output: Path | None) -> None:
    """Eine Lizenzdatei für eine Installation signieren."""
    if month:
        period = month_period(month)
    elif valid_from and valid_until:
        period = (valid_from.date(), valid_until.date())
    else:
        raise click.UsageError("Entweder --month oder --from und --until angeben.")
    try:
        text = issue_license(private_key_file.read_bytes(), module_id, licensee,
                             *(datetime.combine(day, time()) for day in period),
                             datetime.now(UTC).replace(tzinfo=None),
                             installation_id=check_installation_id(installation_id))
    except HostError as exc:
        raise click.ClickException(str(exc)) from None
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Lizenz geschrieben: {output}")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":
    vendor(prog_name="license_vendor.py")
