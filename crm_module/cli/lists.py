"""``crm lists``: mailing and newsletter lists."""

from __future__ import annotations

import click

from crm_module.cli.common import PROSPECT, crm, echo_json, resolve_all, transaction
from host_stub.api import plural, quoted


@crm.group("lists")
def lists_group() -> None:
    """Mailing- und Newsletter-Listen."""


@lists_group.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lists_show(host, as_json: bool) -> None:
    """Die Listen mit ihrer Mitgliederzahl."""
    from crm_module import mailinglists

    with transaction(host) as session:
        rows = mailinglists.lists(session)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        kind = mailinglists.LIST_KINDS[row["kind"]]
        click.echo(f"{row['id']:>4}  {row['name']}  ({kind}, {row['members']} Mitglieder)")


@lists_group.command("create")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["mailing", "newsletter"]))
@click.pass_obj
def lists_create(host, name: str, kind: str) -> None:
    """Eine Liste anlegen."""
    from crm_module import mailinglists

    with transaction(host) as session:
        mailing_list = mailinglists.create_list(host, session, name, kind)
        click.echo(f"Liste {quoted(mailing_list.name)} angelegt (ID {mailing_list.id}).")


@lists_group.command("add")
@click.argument("list_id", type=int)
@click.argument("refs", nargs=-1, required=True, metavar="INTERESSENT...", type=PROSPECT)
@click.pass_obj
def lists_add(host, list_id: int, refs: tuple[str, ...]) -> None:
    """Interessenten auf eine Liste setzen."""
    from crm_module import mailinglists

    with transaction(host) as session:
        added = mailinglists.add_members(host, session, list_id, resolve_all(session, refs))
    click.echo(f"{plural(added, 'Eintrag', 'Einträge')} hinzugefügt.")


@lists_group.command("remove")
@click.argument("list_id", type=int)
@click.argument("refs", nargs=-1, required=True, metavar="INTERESSENT...", type=PROSPECT)
@click.pass_obj
def lists_remove(host, list_id: int, refs: tuple[str, ...]) -> None:
    """Interessenten von einer Liste nehmen."""
    from crm_module import mailinglists

    with transaction(host) as session:
        removed = mailinglists.remove_members(host, session, list_id, resolve_all(session, refs))
    click.echo(f"{plural(removed, 'Eintrag', 'Einträge')} entfernt.")
