"""``crm merge``, ``crm undo-merge`` and ``crm merges``: duplicates, their undo and the log."""

from __future__ import annotations

from typing import Any

import click

from crm_module.cli.common import confirmed, crm, echo_json, german_date, resolve_all, transaction
from host_stub.api import plural
from host_stub.cli_support import CUSTOMER


@crm.command("merge")
@click.argument("refs", nargs=-1)
@click.option("--into", "into", help="Dieser Interessent bleibt erhalten (sonst der erste).")
@click.option("--into-customer", "into_customer", type=CUSTOMER,
              help="In diesen Kunden (Kundennummer oder ID) zusammenführen.")
@click.option("--take", "takes", multiple=True, help="Wert eines Feldes von einem Datensatz: 'city=I10003'.")
@click.option("--preview", is_flag=True, help="Nur zeigen, welche Werte bleiben.")
@click.option("--json", "as_json", is_flag=True, help="Vorschau als JSON.")
@click.option("--yes", is_flag=True, help="Ohne Rückfrage.")
@click.pass_obj
def merge_command(host, refs, into, into_customer, takes, preview, as_json, yes) -> None:
    """Dubletten zusammenführen (rückgängig mit 'crm undo-merge')."""
    from crm_module import merging
    from crm_module.parties import customer_party, get_party, resolve

    with transaction(host) as session:
        ids = resolve_all(session, refs)
        survivor = resolve(session, into).id if into else None
        if into_customer is not None:
            survivor = customer_party(host, session, host.customers.resolve(session, into_customer).id).id
        choices = {}
        for text in takes:
            field, separator, ref = text.partition("=")
            if not separator:
                raise click.ClickException(f"--take '{text}': bitte als 'feld=Interessent' angeben.")
            choices[field.strip()] = resolve(session, ref).id
        plan = merging.preview(host, session, ids, survivor, choices)
        refs = {party_id: get_party(session, party_id).number or f"ID {party_id}"
                for party_id in [plan["survivor_id"], *plan["merged_ids"]]}
        if as_json:
            echo_json(plan)
        else:
            _echo_merge_plan(plan, refs)
        if preview or not confirmed(yes, "Zusammenführen?"):
            return
        log = merging.merge(host, session, ids, survivor, choices)
        click.echo(f"Zusammengeführt (Nr. {log.id}); rückgängig: host-stub crm undo-merge {log.id}")


def _echo_merge_plan(plan: dict[str, Any], refs: dict[int, str]) -> None:
    """The preview: every record's value where they differ (the one that stays marked), else the value."""
    click.echo(f"Bleibt: {plan['survivor']}; aufgenommen: {', '.join(plan['merged'])}")
    example = None
    for name, field in plan["fields"].items():
        label = field["label"]
        if field["differs"] and field["group"] != name:
            label += f" (kommt mit „{plan['fields'][field['group']]['label']}“)"
        if field["differs"]:
            example = example or (name, next(v["id"] for v in field["values"] if v["id"] != field["from_id"]))
            shown = " | ".join(f"{v['value']} ({refs[v['id']]}{', bleibt' if v['id'] == field['from_id'] else ''})"
                               for v in field["values"])
        elif field["display"] != "–":
            shown = field["display"]
        else:
            continue
        click.echo(f"  {label}: {shown}")
    click.echo("  Telefonnummern: " + ("; ".join(f"{p['kind']}: {p['number']}" for p in plan["phones"]) or "–"))
    click.echo("  Kategorien: " + (", ".join(plan["categories"]) or "–"))
    moves = plan["moves"]
    click.echo(f"  Übernommen: {plural(moves['contacts'], 'Ansprechpartner', 'Ansprechpartner')}, "
               f"{plural(moves['events'], 'Kontakt', 'Kontakte')}, "
               f"{plural(moves['followups'], 'Wiedervorlage', 'Wiedervorlagen')}, "
               f"{plural(moves['list_memberships'], 'Listeneintrag', 'Listeneinträge')}, "
               f"{plural(moves['documents'], 'Dokument', 'Dokumente')}")
    if example:
        click.echo(f"Anderen Wert übernehmen: --take feld=Nummer, z. B. --take {example[0]}={refs[example[1]]}")


@crm.command("undo-merge")
@click.argument("merge_id", type=int)
@click.option("--keep", "keep", multiple=True, metavar="FELD",
              help="Nach dem Zusammenführen geänderten Wert dieses Feldes behalten.")
@click.option("--restore", "restore", multiple=True, metavar="FELD",
              help="Wert dieses Feldes von vor dem Zusammenführen wiederherstellen.")
@click.pass_obj
def undo_merge(host, merge_id: int, keep: tuple[str, ...], restore: tuple[str, ...]) -> None:
    """Eine Zusammenführung rückgängig machen."""
    from crm_module import merging

    decisions = {field: merging.KEEP for field in keep} | {field: merging.RESTORE for field in restore}
    try:
        with transaction(host) as session:
            restored = merging.undo(host, session, merge_id, decisions)
    except merging.MergeConflict as conflict:
        hints = [f"  --keep {c['field']} (jetzt „{c['current']}“) oder --restore {c['field']} "
                 f"(vorher „{c['before']}“)" for c in conflict.conflicts]
        raise click.ClickException(f"{conflict}\nBitte je Feld entscheiden:\n" + "\n".join(hints)) from None
    click.echo(f"Zusammenführung {merge_id} rückgängig gemacht; "
               f"{plural(len(restored), 'Datensatz', 'Datensätze')} wiederhergestellt.")


@crm.command("merges")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def merges_list(host, as_json: bool) -> None:
    """Das Protokoll der Zusammenführungen."""
    from sqlalchemy import select

    from crm_module import merging
    from crm_module.models import Party

    with transaction(host) as session:
        rows = merging.merges(session)
        ids = {party_id for row in rows for party_id in (row["survivor_id"], *row["merged_ids"])}
        found = dict(session.execute(select(Party.id, Party.number).where(Party.id.in_(ids))).all()) if ids else {}
    # a record deleted after the undo of its merge stays in the log, named as deleted
    numbers = {party_id: found[party_id] or "-" if party_id in found else "gelöscht" for party_id in ids}
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = f"rückgängig am {german_date(row['undone_at'])}" if row["undone_at"] else "aktiv"
        by = f" von {row['merged_by']}" if row["merged_by"] else ""
        click.echo(f"{row['id']:>4}  {german_date(row['merged_at'], True)}{by}  {numbers[row['survivor_id']]} <- "
                   f"{', '.join(numbers[i] for i in row['merged_ids'])}  ({state})")
