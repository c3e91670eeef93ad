"""What the CRM's command groups share: the ``crm`` group itself, the transaction that checks the
module is enabled, the way records are named, dates and numbers printed and questions asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import click

from crm_module import MODULE_ID
from host_stub.api import plural
from host_stub.cli_support import RecordRef, confirm

#: Prospects on the command line: ``I10017`` or the id.
PROSPECT = RecordRef("I", "Interessentennummer")


@contextmanager
def transaction(host) -> Iterator[Any]:
    """A transaction, after checking that the CRM is enabled in this database (else: how to enable it)."""
    with host.session() as session:
        host.require_enabled(session, MODULE_ID)
        yield session


def echo_json(data: Any) -> None:
    from crm_module.privacy import jsonable

    click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def german_date(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return "-"
    return value.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def german_decimal(value: Any) -> str:
    """German notation: 1234.5 -> '1234,50'."""
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def resolve_all(session, refs: tuple[str, ...] | list[str]) -> list[int]:
    from crm_module.parties import resolve

    return [resolve(session, ref).id for ref in refs]


def named(session, ids: list[int], one: str, many: str) -> str:
    """'Interessent „Bäckerei Schmitz“ (I10004)', or '3 Interessenten (I10004, I10007, I10009)'."""
    from crm_module.parties import get_party, label

    if len(ids) == 1:
        return label(get_party(session, ids[0]))
    numbers = [get_party(session, party_id).number or "-" for party_id in ids[:10]]
    return f"{plural(len(ids), one, many)} ({', '.join(numbers)}{' …' if len(ids) > 10 else ''})"


def confirmed(yes: bool, question: str) -> bool:
    if yes or confirm(question):
        return True
    click.echo("Abgebrochen.")
    return False


@click.group("crm")
def crm() -> None:
    """CRM: Interessenten, Umwandlung in Kunden, Dubletten, Datenschutz."""

