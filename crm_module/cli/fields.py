"""``crm fields``: the 20 custom fields."""

from __future__ import annotations

import click

from crm_module.cli.common import crm, transaction


@crm.group("fields")
def fields_group() -> None:
    """Die 20 individuellen Felder einrichten."""


@fields_group.command("list")
@click.pass_obj
def fields_list(host) -> None:
    """Die eingerichteten Felder."""
    from crm_module import customfields

    with transaction(host) as session:
        definitions = customfields.definitions(session)
    if not definitions:
        click.echo("Noch keine individuellen Felder eingerichtet.")
    for d in definitions.values():
        options = f" ({', '.join(d.options)})" if d.options else ""
        click.echo(f"{d.slot:>2}  {d.label}  [{d.type_label}]{options}")


@fields_group.command("set")
@click.argument("slot", type=int)
@click.argument("label")
@click.option("--type", "field_type", default="text", show_default=True,
              type=click.Choice(["text", "number", "date", "bool", "choice"]))
@click.option("--option", "options", multiple=True, help="Auswahlmöglichkeit (bei --type choice).")
@click.pass_obj
def fields_set(host, slot: int, label: str, field_type: str, options: tuple[str, ...]) -> None:
    """Ein Feld (1–20) einrichten oder ändern."""
    from crm_module import customfields

    with transaction(host) as session:
        definition = customfields.configure(host, session, slot, label, field_type, list(options))
    click.echo(f"Feld {definition.slot}: {definition.label} ({definition.type_label}).")


@fields_group.command("remove")
@click.argument("slot", type=int)
@click.option("--discard-values", is_flag=True, help="Auch die gespeicherten Werte löschen.")
@click.pass_obj
def fields_remove(host, slot: int, discard_values: bool) -> None:
    """Ein Feld entfernen."""
    from crm_module import customfields
    from crm_module.errors import FieldInUse

    try:
        with transaction(host) as session:
            customfields.remove(host, session, slot, discard_values)
    except FieldInUse as exc:
        raise click.ClickException(f"{exc} Zum Entfernen mit den Werten: --discard-values.") from None
    click.echo(f"Feld {slot} entfernt.")
