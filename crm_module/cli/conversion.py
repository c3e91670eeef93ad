"""``crm prospects convert`` and ``crm customers-to-prospects``: prospect to customer and back."""

from __future__ import annotations

import click

from crm_module.cli.common import PROSPECT, confirmed, crm, named, resolve_all, transaction
from crm_module.cli.prospects import prospects_group
from host_stub.api import plural, quoted
from host_stub.cli_support import CUSTOMER


@prospects_group.command("convert")
@click.argument("refs", nargs=-1, metavar="[INTERESSENT...]", type=PROSPECT)
@click.option("--all", "convert_all", is_flag=True, help="Alle Interessenten (mit --status/--category/--list).")
@click.option("--status", help="Mit --all: nur dieser Status.")
@click.option("--category", help="Mit --all: nur diese Kategorie.")
@click.option("--list", "list_id", type=int, help="Mit --all: nur Mitglieder dieser Liste.")
@click.option("--yes", is_flag=True, help="Ohne Rückfrage.")
@click.pass_obj
def prospects_convert(host, refs, convert_all, status, category, list_id, yes) -> None:
    """Interessenten in Kunden umwandeln (alle oder keiner)."""
    from crm_module import conversion, overview

    if bool(refs) == convert_all:
        raise click.UsageError("Interessenten angeben oder --all, nicht beides.")
    with transaction(host) as session:
        if convert_all:
            ids = overview.matching_ids(session, overview.Filters(status=status, category=category,
                                                                  list_id=list_id))
        else:
            ids = resolve_all(session, refs)
        if not ids:
            click.echo("Keine passenden Interessenten.")
            return
        if not confirmed(yes, f"{named(session, ids, 'Interessent', 'Interessenten')} in Kunden umwandeln?"):
            return
        pairs = conversion.convert(host, session, ids)
        lines = conversion.describe(host, session, pairs)
    click.echo(f"{plural(len(pairs), 'Interessent', 'Interessenten')} in Kunden umgewandelt:")
    for line in lines[:50]:
        click.echo(f"  {line}")
    if len(lines) > 50:
        click.echo(f"  … und {len(lines) - 50} weitere")


@crm.command("customers-to-prospects")
@click.argument("customer_refs", nargs=-1, required=True, metavar="KUNDE...", type=CUSTOMER)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage.")
@click.pass_obj
def customers_to_prospects(host, customer_refs: tuple[str, ...], yes: bool) -> None:
    """Kunden (Kundennummer oder ID) wieder in Interessenten umwandeln; der Kunde wird dabei gelöscht."""
    from crm_module import conversion
    from crm_module.parties import get_party

    with transaction(host) as session:
        customers = list({c.id: c for c in (host.customers.resolve(session, ref) for ref in customer_refs)}.values())
        numbers = {c.id: c.number for c in customers}
        if len(customers) == 1:
            customer = customers[0]
            name = customer.company or f"{customer.first_name} {customer.last_name}".strip()
            question = f"Kunde {quoted(name)} ({customer.number})"
        else:
            question = f"{plural(len(customers), 'Kunde', 'Kunden')} ({', '.join(numbers.values())})"
        if not confirmed(yes, f"{question} in Interessenten umwandeln?"):
            return
        pairs = conversion.revert(host, session, list(numbers))
        lines = [f"  Kunde {numbers[customer_id]} -> {get_party(session, party_id).number}"
                 for customer_id, party_id in pairs.items()]
    click.echo(f"{plural(len(pairs), 'Kunde', 'Kunden')} in Interessenten umgewandelt:")
    click.echo("\n".join(lines))
