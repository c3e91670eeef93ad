"""``crm prospects``: add, list, show, edit, copy and delete prospects."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from crm_module.cli.common import (
    PROSPECT,
    confirmed,
    crm,
    echo_json,
    german_date,
    german_decimal,
    named,
    resolve_all,
    transaction,
)
from crm_module.fields import FIELDS, SCALAR_FIELDS
from host_stub.api import plural, quoted

# -- record options shared by add and edit -------------------------------------------------

#: The repeatable options of the list fields: field -> option.
_LIST_OPTIONS = {"phones": "--phone", "categories": "--category", "custom": "--custom"}


def record_options(command):
    """The options of the edit dialog's fields, from the field catalogue (name, label, unit, how to
    write a value); an option not given is left as it is. Contact persons come as JSON."""
    command = click.option("--json-input", "json_input", type=click.File("r", encoding="utf-8"),
                           help="Datensatz als JSON (Datei oder -), z. B. mit Ansprechpartnern (contacts).")(command)
    for name, option in reversed(_LIST_OPTIONS.items()):
        command = click.option(option, name, multiple=True, help=FIELDS[name].help)(command)
    for name in reversed(SCALAR_FIELDS):
        if FIELDS[name].type != "business":
            command = click.option(f"--{name.replace('_', '-')}", name, default=None, help=FIELDS[name].help)(command)
    return click.option("--business/--private", "is_business", default=None, help=FIELDS["is_business"].help)(command)


def _record(options: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    source = options.pop("json_input")
    if source is not None:
        try:
            data = json.load(source)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"Die JSON-Eingabe ist nicht lesbar: {exc}") from None
        if not isinstance(data, dict):
            raise click.ClickException("Die JSON-Eingabe muss ein Objekt mit Feldern sein.")
    phones = options.pop("phones")
    if phones:
        data["phones"] = [_phone(text) for text in phones]
    categories = options.pop("categories")
    if categories:
        data["categories"] = list(categories)
    custom = options.pop("custom")
    if custom:
        data.setdefault("custom", {})
        for text in custom:
            key, separator, value = text.partition("=")
            if not separator:
                raise click.ClickException(f"--custom {quoted(text)}: bitte als „Bezeichnung=Wert“ angeben.")
            data["custom"][key.strip()] = value
    data |= {key: value for key, value in options.items() if value is not None}
    return data


def _phone(text: str) -> dict[str, str]:
    from crm_module.schemas import PHONE_KINDS

    kind, separator, number = text.partition(":")
    if separator and kind.strip() in PHONE_KINDS:
        return {"kind": kind.strip(), "number": number.strip()}
    return {"kind": "Telefon", "number": text.strip()}


@crm.group("prospects")
def prospects_group() -> None:
    """Interessenten anlegen, anzeigen, bearbeiten, kopieren, löschen und umwandeln."""


@prospects_group.command("add")
@record_options
@click.pass_obj
def prospects_add(host, **options: Any) -> None:
    """Einen Interessenten anlegen."""
    from crm_module import prospects

    data = _record(options)
    with transaction(host) as session:
        party = prospects.create(host, session, data)
        click.echo(f"Interessent {party.number} angelegt.")


@prospects_group.command("list")
@click.option("--status", help="Nur dieser Status.")
@click.option("--category", help="Nur diese Kategorie.")
@click.option("--list", "list_id", type=int, help="Nur Mitglieder dieser Liste (ID).")
@click.option("--search", default="", help="Suchbegriff (Namensanfang, E-Mail, Telefon, Nummer).")
@click.option("--search-in", default="auto", show_default=True,
              type=click.Choice(["auto", "name", "email", "phone", "city", "number"]))
@click.option("--sort", default="name", show_default=True,
              type=click.Choice(["number", "name", "city", "status", "contacts", "last_contact", "next_followup"]))
@click.option("--desc", "descending", is_flag=True, help="Absteigend sortieren.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--per-page", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--count", "with_count", is_flag=True, help="Auch die Gesamtzahl ermitteln.")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def prospects_list(host, status, category, list_id, search, search_in, sort, descending, page, per_page,
                   with_count, as_json) -> None:
    """Die Interessentenliste, seitenweise."""
    from crm_module import overview

    filters = overview.Filters(status=status, category=category, list_id=list_id, search=search,
                               search_in=search_in)
    with transaction(host) as session:
        result = overview.overview(session, filters, sort=sort, descending=descending, page=page,
                                   per_page=per_page)
        total = overview.count(session, filters) if with_count else None
    if as_json:
        echo_json({"page": result.page, "per_page": result.per_page, "has_next": result.has_next, "total": total,
                   "rows": result.rows})
        return
    if result.rows:
        head = {key: overview.header(key, short=True) for key, _sort in overview.COLUMNS}
        click.echo(f"{head['number']:<8} {head['name']:<36} {head['city']:<20} {head['status']:<14} "
                   f"{head['contact_count']:>3}  {head['last_contact_at']:<10}  {head['next_followup_on']:<10}  "
                   f"{head['lists']}")
    for row in result.rows:
        lists = ", ".join(row["lists"])
        line = (f"{row['number'] or '-':<8} {row['name'][:36]:<36} {row['city'][:20]:<20} {row['status'][:14]:<14} "
                f"{row['contact_count']:>3}  {german_date(row['last_contact_at']):<10}  "
                f"{german_date(row['next_followup_on']):<10}  {f'[{lists}]' if lists else ''}")
        click.echo(line.rstrip())
    if not result.rows:
        click.echo("Keine Interessenten gefunden.")
    footer = f"Seite {result.page}" + (", weitere Seiten folgen" if result.has_next else "")
    click.echo(footer + (f"; {plural(total, 'Interessent', 'Interessenten')} insgesamt" if total is not None else ""))


@prospects_group.command("show")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def prospects_show(host, ref: str, as_json: bool) -> None:
    """Einen Interessenten mit allen Reitern anzeigen."""
    from crm_module import prospects
    from crm_module.parties import resolve

    with transaction(host) as session:
        record = prospects.get(host, session, resolve(session, ref).id)
    if as_json:
        echo_json(record)
        return
    _print_record(record)


def _print_record(r: dict[str, Any]) -> None:
    heading = f"{r['number'] or '-'}  {r['display_name']}  [{r['status'] or '-'}]"
    if r["customer_number"]:
        heading += f"  – Kunde {r['customer_number']}"
    click.echo(heading)
    click.echo("Adresse:")
    person = " ".join(p for p in (r["salutation"], r["title"], r["first_name"], r["last_name"]) if p)
    for line in (r["company"], person, f"{r['street']} {r['house_number']}".strip(), r["address_addition"],
                 f"{r['country']}-{r['postcode']} {r['city']}".strip(" -")):
        if line:
            click.echo(f"  {line}")
    for phone in r["phones"]:
        click.echo(f"  {phone['kind']}: {phone['number']}")
    for key in ("email", "website"):
        if r[key]:
            click.echo(f"  {FIELDS[key].label}: {r[key]}")
    click.echo("Ansprechpartner:")
    for c in r["contacts"]:
        main = " (Hauptansprechpartner)" if c["is_main"] else ""
        click.echo(f"  {' '.join(p for p in (c['salutation'], c['first_name'], c['last_name']) if p)}{main}"
                   + "".join(f", {c[k]}" for k in ("function", "email", "phone", "mobile") if c[k]))
    click.echo(f"Konditionen: Umsatzsteuer {r['vat_treatment']}" + (f" ({r['vat_note']})" if r["vat_note"] else "")
               + f", Zahlungsziel {r['payment_terms_days']} Tage, Rabatt {german_decimal(r['discount_percent'])} %")
    stats = r["statistics"]
    click.echo(f"Statistik: Kategorien {', '.join(r['categories']) or '-'}; Herkunft {r['source'] or '-'}; "
               f"erwartetes Volumen {german_decimal(r['expected_volume'])} €; "
               f"{plural(stats['contact_count'], 'Kontakt', 'Kontakte')}, "
               f"letzter {german_date(stats['last_contact_at'])}, "
               f"nächste Wiedervorlage {german_date(stats['next_followup_on'])}")
    click.echo("Individuelle Felder:")
    for field in r["custom"]:
        value = field["value"]
        shown = ("-" if value is None else "ja" if value is True else "nein" if value is False
                 else german_date(value) if isinstance(value, date) else str(value).replace(".", ",")
                 if field["type"] == "number" else value)
        click.echo(f"  {field['slot']:>2} {field['label']}: {shown}")
    click.echo("Dokumente:")
    for d in r["documents"]:
        click.echo(f"  {d['filename']} ({d['kind']}, {d['size']} Bytes)")
    click.echo("Listen: " + (", ".join(entry["name"] for entry in r["lists"]) or "-"))
    click.echo("Historie:")
    for e in r["events"]:
        click.echo(f"  {german_date(e['occurred_at'], True)} {e['kind_label']}: {e['subject']}")
    for f in r["followups"]:
        state = f"erledigt {german_date(f['done_at'])}" if f["done_at"] else "offen"
        click.echo(f"  Wiedervorlage {german_date(f['due_on'])}: {f['subject']} ({state}, ID {f['id']})")


@prospects_group.command("edit")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@record_options
@click.pass_obj
def prospects_edit(host, ref: str, **options: Any) -> None:
    """Einen Interessenten ändern (nur die angegebenen Felder)."""
    from crm_module import prospects
    from crm_module.parties import resolve

    changes = _record(options)
    with transaction(host) as session:
        party = prospects.update(host, session, resolve(session, ref).id, changes)
        click.echo(f"Interessent {party.number or party.id} gespeichert.")


@prospects_group.command("copy")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.pass_obj
def prospects_copy(host, ref: str) -> None:
    """Einen Interessenten kopieren (ohne Historie, Dokumente und Listen)."""
    from crm_module import prospects
    from crm_module.parties import resolve

    with transaction(host) as session:
        source = resolve(session, ref)
        party = prospects.copy(host, session, source.id)
        click.echo(f"Kopie von {source.number}: {party.number}.")


@prospects_group.command("delete")
@click.argument("refs", nargs=-1, required=True, metavar="INTERESSENT...", type=PROSPECT)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage.")
@click.pass_obj
def prospects_delete(host, refs: tuple[str, ...], yes: bool) -> None:
    """Interessenten mit allen ihren Daten löschen."""
    from crm_module import prospects

    with transaction(host) as session:
        ids = list(dict.fromkeys(resolve_all(session, refs)))
        if not confirmed(yes, f"{named(session, ids, 'Interessent', 'Interessenten')} löschen?"):
            return
        counts = prospects.delete_prospects(host, session, ids)
    click.echo(f"{plural(len(ids), 'Interessent', 'Interessenten')} gelöscht "
               f"({plural(counts['events'], 'Kontakt', 'Kontakte')}, "
               f"{plural(counts['documents'], 'Dokument', 'Dokumente')}).")
