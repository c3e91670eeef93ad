"""``crm events`` and ``crm followups``: a party's contact history and follow-ups."""

from __future__ import annotations

from datetime import datetime

import click

from crm_module.cli.common import PROSPECT, crm, german_date, transaction
from host_stub.api import quoted


@crm.group("events")
def events_group() -> None:
    """Kontakte (Anrufe, E-Mails, Notizen, ...) erfassen und anzeigen."""


@events_group.command("add")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("--type", "kind", required=True,
              type=click.Choice(["call", "email", "mailing", "newsletter", "note", "credit_check"]))
@click.option("--subject", default="")
@click.option("--text", default="")
@click.option("--at", "occurred_at", type=click.DateTime(["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y"]),
              help="Zeitpunkt (sonst jetzt).")
@click.pass_obj
def events_add(host, ref: str, kind: str, subject: str, text: str, occurred_at: datetime | None) -> None:
    """Einen Kontakt erfassen."""
    from crm_module import history
    from crm_module.parties import resolve

    with transaction(host) as session:
        event = history.record_event(host, session, resolve(session, ref).id, kind, subject=subject, text=text,
                                     occurred_at=occurred_at)
        click.echo(f"{history.EVENT_KINDS[event.kind]} erfasst.")


@crm.group("followups")
def followups_group() -> None:
    """Wiedervorlagen anlegen und erledigen."""


@followups_group.command("add")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("--due", required=True, type=click.DateTime(["%d.%m.%Y", "%Y-%m-%d"]), help="Fällig am.")
@click.option("--subject", required=True)
@click.option("--note", default="")
@click.pass_obj
def followups_add(host, ref: str, due: datetime, subject: str, note: str) -> None:
    """Eine Wiedervorlage anlegen."""
    from crm_module import history
    from crm_module.parties import resolve

    with transaction(host) as session:
        followup = history.add_followup(host, session, resolve(session, ref).id, due.date(), subject, note)
        click.echo(f"Wiedervorlage am {german_date(followup.due_on)} angelegt (ID {followup.id}).")


@followups_group.command("done")
@click.argument("followup_id", type=int)
@click.pass_obj
def followups_done(host, followup_id: int) -> None:
    """Eine Wiedervorlage als erledigt markieren."""
    from crm_module import history

    with transaction(host) as session:
        followup = history.complete_followup(host, session, followup_id)
        click.echo(f"Wiedervorlage {quoted(followup.subject)} erledigt.")
