"""``host-stub crm``: the CRM's commands. Each gets the Host through ``@click.pass_obj`` and calls
the same services as the web pages; services are imported inside the commands so that
``host-stub --help`` stays quick.

Prospects are given by number (``I10017``) or id (``17``), customers by number (``K10001``) or id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from crm_module import MODULE_ID
from host_stub.api import plural, quoted
from host_stub.cli_support import CUSTOMER, RecordRef, confirm

#: Prospects on the command line: ``I10017`` or the id.
PROSPECT = RecordRef("I", "Interessentennummer")


@contextmanager
def _session(host) -> Iterator[Any]:
    """A transaction, after checking that the CRM is enabled in this database (else: how to enable it)."""
    with host.session() as session:
        host.require_enabled(session, MODULE_ID)
        yield session


def _json(data: Any) -> None:
    from crm_module.privacy import jsonable

    click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def _date(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return "-"
    return value.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def _decimal(value: Any) -> str:
    """German notation: 1234.5 -> '1234,50'."""
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def _resolve(session, refs: tuple[str, ...] | list[str]) -> list[int]:
    from crm_module.parties import resolve

    return [resolve(session, ref).id for ref in refs]


def _named(session, ids: list[int], one: str, many: str) -> str:
    """'Interessent „Bäckerei Schmitz“ (I10004)', or '3 Interessenten (I10004, I10007, I10009)'."""
    from crm_module.parties import get_party, label

    if len(ids) == 1:
        return label(get_party(session, ids[0]))
    numbers = [get_party(session, party_id).number or "-" for party_id in ids[:10]]
    return f"{plural(len(ids), one, many)} ({', '.join(numbers)}{' …' if len(ids) > 10 else ''})"


def _confirm(yes: bool, question: str) -> bool:
    if yes or confirm(question):
        return True
    click.echo("Abgebrochen.")
    return False


# -- record options shared by add and edit -------------------------------------------------

_TEXT_OPTIONS = (
    ("status", "Status (Kleinstammdaten crm_status)"), ("company", "Firma"), ("salutation", "Anrede"),
    ("title", "Titel"), ("first_name", "Vorname"), ("last_name", "Nachname"), ("street", "Straße"),
    ("house_number", "Hausnummer"), ("address_addition", "Adresszusatz"), ("postcode", "Postleitzahl"),
    ("city", "Ort"), ("country", "Land (ISO-Code, z. B. DE, AT, CH, NL)"), ("email", "E-Mail-Adresse"),
    ("website", "Website"), ("vat_treatment", "Umsatzsteuer: standard, reverse_charge, export, exempt"),
    ("vat_note", "Hinweis zur Umsatzsteuer (z. B. USt-IdNr.)"), ("payment_terms_days", "Zahlungsziel in Tagen"),
    ("discount_percent", "Rabatt in Prozent"), ("source", "Herkunft (Kleinstammdaten crm_source)"),
    ("expected_volume", "Erwartetes Volumen in Euro"),
)


def record_options(command):
    """The options of the edit dialog's fields; an option not given is left as it is."""
    command = click.option("--json-input", "json_input", type=click.File("r", encoding="utf-8"),
                           help="Datensatz als JSON (Datei oder -), z. B. mit Ansprechpartnern (contacts).")(command)
    command = click.option("--custom", "custom", multiple=True,
                           help="Individuelles Feld: 'Bezeichnung=Wert' oder 'Nummer=Wert'.")(command)
    command = click.option("--category", "categories", multiple=True, help="Kategorie (ersetzt alle).")(command)
    command = click.option("--phone", "phones", multiple=True,
                           help="Telefonnummer, mit Art: 'Mobil:0171 1234567' (ersetzt alle).")(command)
    for name, help_text in reversed(_TEXT_OPTIONS):
        command = click.option(f"--{name.replace('_', '-')}", name, default=None, help=help_text)(command)
    return click.option("--business/--private", "is_business", default=None,
                        help="Geschäftlich (Firma) oder privat.")(command)


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


# -- the group -------------------------------------------------------------------------------


@click.group("crm")
def crm() -> None:
    """CRM: Interessenten, Umwandlung in Kunden, Dubletten, Datenschutz."""


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
    with _session(host) as session:
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
    with _session(host) as session:
        result = overview.overview(session, filters, sort=sort, descending=descending, page=page,
                                   per_page=per_page)
        total = overview.count(session, filters) if with_count else None
    if as_json:
        _json({"page": result.page, "per_page": result.per_page, "has_next": result.has_next, "total": total,
               "rows": result.rows})
        return
    if result.rows:
        click.echo(f"{'Nr.':<8} {'Name':<36} {'Ort':<20} {'Status':<14} {'Kt.':>3}  {'Letzter K.':<10}  "
                   f"{'Wiedervorl.':<10}  Listen")
    for row in result.rows:
        lists = ", ".join(row["lists"])
        line = (f"{row['number'] or '-':<8} {row['name'][:36]:<36} {row['city'][:20]:<20} {row['status'][:14]:<14} "
                f"{row['contact_count']:>3}  {_date(row['last_contact_at']):<10}  {_date(row['next_followup_on']):<10}"
                f"  {f'[{lists}]' if lists else ''}")
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

    with _session(host) as session:
        record = prospects.get(host, session, resolve(session, ref).id)
    if as_json:
        _json(record)
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
    for key, name in (("email", "E-Mail"), ("website", "Website")):
        if r[key]:
            click.echo(f"  {name}: {r[key]}")
    click.echo("Ansprechpartner:")
    for c in r["contacts"]:
        main = " (Hauptansprechpartner)" if c["is_main"] else ""
        click.echo(f"  {' '.join(p for p in (c['salutation'], c['first_name'], c['last_name']) if p)}{main}"
                   + "".join(f", {c[k]}" for k in ("function", "email", "phone", "mobile") if c[k]))
    click.echo(f"Konditionen: Umsatzsteuer {r['vat_treatment']}" + (f" ({r['vat_note']})" if r["vat_note"] else "")
               + f", Zahlungsziel {r['payment_terms_days']} Tage, Rabatt {_decimal(r['discount_percent'])} %")
    stats = r["statistics"]
    click.echo(f"Statistik: Kategorien {', '.join(r['categories']) or '-'}; Herkunft {r['source'] or '-'}; "
               f"erwartetes Volumen {_decimal(r['expected_volume'])} €; "
               f"{plural(stats['contact_count'], 'Kontakt', 'Kontakte')}, letzter {_date(stats['last_contact_at'])}, "
               f"nächste Wiedervorlage {_date(stats['next_followup_on'])}")
    click.echo("Individuelle Felder:")
    for field in r["custom"]:
        value = field["value"]
        shown = ("-" if value is None else "ja" if value is True else "nein" if value is False
                 else _date(value) if isinstance(value, date) else str(value).replace(".", ",")
                 if field["type"] == "number" else value)
        click.echo(f"  {field['slot']:>2} {field['label']}: {shown}")
    click.echo("Dokumente:")
    for d in r["documents"]:
        click.echo(f"  {d['filename']} ({d['kind']}, {d['size']} Bytes)")
    click.echo("Listen: " + (", ".join(entry["name"] for entry in r["lists"]) or "-"))
    click.echo("Historie:")
    for e in r["events"]:
        click.echo(f"  {_date(e['occurred_at'], True)} {e['kind_label']}: {e['subject']}")
    for f in r["followups"]:
        state = f"erledigt {_date(f['done_at'])}" if f["done_at"] else "offen"
        click.echo(f"  Wiedervorlage {_date(f['due_on'])}: {f['subject']} ({state}, ID {f['id']})")


@prospects_group.command("edit")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@record_options
@click.pass_obj
def prospects_edit(host, ref: str, **options: Any) -> None:
    """Einen Interessenten ändern (nur die angegebenen Felder)."""
    from crm_module import prospects
    from crm_module.parties import resolve

    changes = _record(options)
    with _session(host) as session:
        party = prospects.update(host, session, resolve(session, ref).id, changes)
        click.echo(f"Interessent {party.number or party.id} gespeichert.")


@prospects_group.command("copy")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.pass_obj
def prospects_copy(host, ref: str) -> None:
    """Einen Interessenten kopieren (ohne Historie, Dokumente und Listen)."""
    from crm_module import prospects
    from crm_module.parties import resolve

    with _session(host) as session:
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

    with _session(host) as session:
        ids = list(dict.fromkeys(_resolve(session, refs)))
        if not _confirm(yes, f"{_named(session, ids, 'Interessent', 'Interessenten')} löschen?"):
            return
        counts = prospects.delete_prospects(host, session, ids)
    click.echo(f"{plural(len(ids), 'Interessent', 'Interessenten')} gelöscht "
               f"({plural(counts['events'], 'Kontakt', 'Kontakte')}, "
               f"{plural(counts['documents'], 'Dokument', 'Dokumente')}).")


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
    with _session(host) as session:
        if convert_all:
            ids = overview.matching_ids(session, overview.Filters(status=status, category=category,
                                                                  list_id=list_id))
        else:
            ids = _resolve(session, refs)
        if not ids:
            click.echo("Keine passenden Interessenten.")
            return
        if not _confirm(yes, f"{_named(session, ids, 'Interessent', 'Interessenten')} in Kunden umwandeln?"):
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

    with _session(host) as session:
        customers = list({c.id: c for c in (host.customers.resolve(session, ref) for ref in customer_refs)}.values())
        numbers = {c.id: c.number for c in customers}
        if len(customers) == 1:
            customer = customers[0]
            name = customer.company or f"{customer.first_name} {customer.last_name}".strip()
            question = f"Kunde {quoted(name)} ({customer.number})"
        else:
            question = f"{plural(len(customers), 'Kunde', 'Kunden')} ({', '.join(numbers.values())})"
        if not _confirm(yes, f"{question} in Interessenten umwandeln?"):
            return
        pairs = conversion.revert(host, session, list(numbers))
        lines = [f"  Kunde {numbers[customer_id]} -> {get_party(session, party_id).number}"
                 for customer_id, party_id in pairs.items()]
    click.echo(f"{plural(len(pairs), 'Kunde', 'Kunden')} in Interessenten umgewandelt:")
    click.echo("\n".join(lines))


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

    with _session(host) as session:
        ids = _resolve(session, refs)
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
            _json(plan)
        else:
            _echo_merge_plan(plan, refs)
        if preview or not _confirm(yes, "Zusammenführen?"):
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
        with _session(host) as session:
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

    with _session(host) as session:
        rows = merging.merges(session)
        ids = {party_id for row in rows for party_id in (row["survivor_id"], *row["merged_ids"])}
        found = dict(session.execute(select(Party.id, Party.number).where(Party.id.in_(ids))).all()) if ids else {}
    # a record deleted after the undo of its merge stays in the log, named as deleted
    numbers = {party_id: found[party_id] or "-" if party_id in found else "gelöscht" for party_id in ids}
    if as_json:
        _json(rows)
        return
    for row in rows:
        state = f"rückgängig am {_date(row['undone_at'])}" if row["undone_at"] else "aktiv"
        by = f" von {row['merged_by']}" if row["merged_by"] else ""
        click.echo(f"{row['id']:>4}  {_date(row['merged_at'], True)}{by}  {numbers[row['survivor_id']]} <- "
                   f"{', '.join(numbers[i] for i in row['merged_ids'])}  ({state})")


@crm.command("export")
@click.argument("ref", metavar="INTERESSENT", type=PROSPECT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (sonst stdout).")
@click.pass_obj
def export_command(host, ref: str, output: Path | None) -> None:
    """Alle Daten zu einem Interessenten als JSON (DSGVO-Auskunft, mit Dokumenten)."""
    from crm_module import privacy
    from crm_module.parties import resolve

    with _session(host) as session:
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

    with _session(host) as session:
        party = resolve(session, ref)
        if not _confirm(yes, f"{label(party)} endgültig und mit allen Daten löschen?"):
            return
        counts = privacy.erase(host, session, party.id)
    click.echo(f"Gelöscht: {plural(counts['records'], 'Datensatz', 'Datensätze')}, "
               f"{plural(counts['events'], 'Kontakt', 'Kontakte')}, "
               f"{plural(counts['documents'], 'Dokument', 'Dokumente')}. Ein anonymer Protokolleintrag bleibt.")


# -- custom fields, events, follow-ups, lists -----------------------------------------------


@crm.group("fields")
def fields_group() -> None:
    """Die 20 individuellen Felder einrichten."""


@fields_group.command("list")
@click.pass_obj
def fields_list(host) -> None:
    """Die eingerichteten Felder."""
    from crm_module import customfields

    with _session(host) as session:
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

    with _session(host) as session:
        definition = customfields.configure(host, session, slot, label, field_type, list(options))
    click.echo(f"Feld {definition.slot}: {definition.label} ({definition.type_label}).")


@fields_group.command("remove")
@click.argument("slot", type=int)
@click.option("--discard-values", is_flag=True, help="Auch die gespeicherten Werte löschen.")
@click.pass_obj
def fields_remove(host, slot: int, discard_values: bool) -> None:
    """Ein Feld entfernen."""
    from crm_module import customfields

    with _session(host) as session:
        customfields.remove(host, session, slot, discard_values)
    click.echo(f"Feld {slot} entfernt.")


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

    with _session(host) as session:
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

    with _session(host) as session:
        followup = history.add_followup(host, session, resolve(session, ref).id, due.date(), subject, note)
        click.echo(f"Wiedervorlage am {_date(followup.due_on)} angelegt (ID {followup.id}).")


@followups_group.command("done")
@click.argument("followup_id", type=int)
@click.pass_obj
def followups_done(host, followup_id: int) -> None:
    """Eine Wiedervorlage als erledigt markieren."""
    from crm_module import history

    with _session(host) as session:
        followup = history.complete_followup(host, session, followup_id)
        click.echo(f"Wiedervorlage {quoted(followup.subject)} erledigt.")


@crm.group("lists")
def lists_group() -> None:
    """Mailing- und Newsletter-Listen."""


@lists_group.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lists_show(host, as_json: bool) -> None:
    """Die Listen mit ihrer Mitgliederzahl."""
    from crm_module import mailinglists

    with _session(host) as session:
        rows = mailinglists.lists(session)
    if as_json:
        _json(rows)
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

    with _session(host) as session:
        mailing_list = mailinglists.create_list(host, session, name, kind)
        click.echo(f"Liste {quoted(mailing_list.name)} angelegt (ID {mailing_list.id}).")


@lists_group.command("add")
@click.argument("list_id", type=int)
@click.argument("refs", nargs=-1, required=True, metavar="INTERESSENT...", type=PROSPECT)
@click.pass_obj
def lists_add(host, list_id: int, refs: tuple[str, ...]) -> None:
    """Interessenten auf eine Liste setzen."""
    from crm_module import mailinglists

    with _session(host) as session:
        added = mailinglists.add_members(host, session, list_id, _resolve(session, refs))
    click.echo(f"{plural(added, 'Eintrag', 'Einträge')} hinzugefügt.")


@lists_group.command("remove")
@click.argument("list_id", type=int)
@click.argument("refs", nargs=-1, required=True, metavar="INTERESSENT...", type=PROSPECT)
@click.pass_obj
def lists_remove(host, list_id: int, refs: tuple[str, ...]) -> None:
    """Interessenten von einer Liste nehmen."""
    from crm_module import mailinglists

    with _session(host) as session:
        removed = mailinglists.remove_members(host, session, list_id, _resolve(session, refs))
    click.echo(f"{plural(removed, 'Eintrag', 'Einträge')} entfernt.")

