"""``crm export`` and ``crm erase``: data protection (DSGVO)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crm_module.cli.common import PROSPECT, confirmed, crm, transaction
from host_stub.api import plural


@crm.command("export")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (sonst stdout).")
@click.pass_obj
def export_command(host, ref: str, output: Path | None) -> None:
    """Alle Daten zu einem Interessenten als JSON (DSGVO-Auskunft, mit Dokumenten)."""
    from crm_module import privacy
    from crm_module.parties import resolve

    with transaction(host) as session:
        data = privacy.export(host, session, resolve(session, ref).id)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Export geschrieben: {output}")


@crm.command("erase")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage.")
@click.pass_obj
def erase_command(host, ref: str, yes: bool) -> None:
    """Einen Interessenten mit allen personenbezogenen Daten löschen (DSGVO)."""
    from crm_module import privacy
    from crm_module.parties import label, resolve

    with transaction(host) as session:
        party = resolve(session, ref)
        if not confirmed(yes, f"{label(party)} endgültig und mit allen Daten löschen?"):
            return
        counts = privacy.erase(host, session, party.id)
    click.echo(f"Gelöscht: {plural(counts['records'], 'Datensatz', 'Datensätze')}, "
               f"{plural(counts['events'], 'Kontakt', 'Kontakte')}, "
               f"{plural(counts['documents'], 'Dokument', 'Dokumente')}. Ein anonymer Protokolleintrag bleibt.")
