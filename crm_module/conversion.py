"""Prospects become customers and back, and the CRM follows the host's customers.

Converting keeps the party row: it is linked to the new customer (``customer_id``), so every
CRM-owned thing on it (phones, contact persons, categories, custom fields, events, follow-ups,
list memberships, merges) stays where it is and is found from the customer. Only the host's
documents move (``host.documents.reassign``). Many prospects convert in one go with bulk
statements; a claim ``UPDATE ... WHERE role = 'prospect'`` makes a prospect that another session
converted meanwhile fail the whole conversion instead of giving a second customer.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from crm_module import MODULE_ID, hooks
from crm_module.errors import CrmError, NotFound
from crm_module.fields import HOST_FIELDS
from crm_module.models import CUSTOMER, PROSPECT, Conversion, Event, FollowUp, Party, Phone
from crm_module.parties import (
    CUSTOMER_DOCUMENTS,
    PROSPECT_DOCUMENTS,
    STATUS_KIND,
    chunks,
    customer_party,
    new_customer_party,
    sync_from_customer,
    take_numbers,
)
from host_stub.api import plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: Set in ``session.info`` while the CRM creates customers itself, so ``customer_created`` does
#: not add a second CRM row for them.
CONVERTING = "crm.converting"
_SHOWN = 10


def _listing(names: list[str]) -> str:
    more = f" und {len(names) - _SHOWN} weitere" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def convert(host: Host, session: Session, party_ids: list[int]) -> dict[int, int]:
    """Turn prospects into host customers (with customer numbers), all or none.

    Returns prospect id -> customer id and calls ``crm_prospects_converted``.
    """
    host.require_writable(session, MODULE_ID)
    ids = list(dict.fromkeys(party_ids))
    if not ids:
        raise CrmError("Bitte mindestens einen Interessenten auswählen.")
    rows: dict[int, Any] = {}
    for chunk in chunks(ids):
        query = select(Party.id, Party.role, Party.number, Party.street, Party.postcode, Party.city,
                       Party.customer_id).where(Party.id.in_(chunk))
        rows |= {row.id: row for row in session.execute(query)}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFound(f"{plural(len(missing), 'gewählten Interessenten', 'der gewählten Interessenten')} gibt es "
                       "nicht mehr; bitte die Liste neu laden. Es wurde nichts umgewandelt.")
    taken = [rows[i].number or "ohne Nummer" for i in ids if rows[i].role != PROSPECT]
    if taken:
        raise CrmError(f"Schon Kunde oder zusammengeführt, daher nicht umwandelbar: {_listing(taken)}. "
                       "Es wurde nichts umgewandelt.")
    incomplete = [rows[i].number for i in ids if not (rows[i].street and rows[i].postcode and rows[i].city)]
    if incomplete:
        raise CrmError(f"Kunden brauchen eine vollständige Anschrift (Straße, PLZ und Ort); unvollständig bei "
                       f"{_listing(incomplete)}. Es wurde nichts umgewandelt.")
    _claim(session, ids)
    pairs = _create_customers(host, session, ids)
    _link(session, pairs, host.now())
    _expire_loaded(session, pairs)
    host.documents.reassign(session, PROSPECT_DOCUMENTS, ids, CUSTOMER_DOCUMENTS, list(pairs.values()))
    _log(host, session, "convert", pairs.items())
    hooks.crm_prospects_converted(host, session, pairs=pairs)
    return pairs


def _link(session: Session, pairs: dict[int, int], now: Any) -> None:
    """Point the parties at their new customers, without loading them into the session.

    PostgreSQL: one UPDATE from two arrays (``unnest``); an executemany of 10,000 single-row
    UPDATEs took 1.4 s there. SQLite: the executemany, a loop in the driver without round trips."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "UPDATE crm_parties SET customer_id = pairs.customer, updated_at = :now "
            "FROM unnest(CAST(:parties AS integer[]), CAST(:customers AS integer[])) AS pairs (party, customer) "
            "WHERE crm_parties.id = pairs.party"),
            {"now": now, "parties": list(pairs), "customers": list(pairs.values())})
        return
    table = Party.__table__
    session.execute(update(table).where(table.c.id == bindparam("party")).values(
        customer_id=bindparam("customer"), updated_at=now),
        [{"party": party_id, "customer": customer_id} for party_id, customer_id in pairs.items()])


def _log(host: Host, session: Session, direction: str, parties_and_customers: Any) -> None:
    """One ``crm_conversions`` row per record, with the acting user (one executemany)."""
    by_id, by_name = host.users.actor()
    session.execute(insert(Conversion), [
        {"party_id": party_id, "customer_id": customer_id, "direction": direction, "converted_at": host.now(),
         "converted_by_id": by_id, "converted_by_name": by_name}
        for party_id, customer_id in parties_and_customers])


def conversions(session: Session, party_id: int) -> list[dict[str, Any]]:
    """The conversions of a record to a customer and back, oldest first, with who did them."""
    rows = session.scalars(select(Conversion).where(Conversion.party_id == party_id).order_by(Conversion.id))
    return [{"direction": c.direction, "customer_id": c.customer_id, "converted_at": c.converted_at,
             "converted_by": c.converted_by_name} for c in rows]


def _create_customers(host: Host, session: Session, ids: list[int]) -> dict[int, int]:
    """Host customers with the prospects' fields (their first phone as ``phone``): prospect id -> customer id."""
    values: dict[int, Any] = {}
    phones: dict[int, str] = {}
    for chunk in chunks(ids):
        query = select(Party.id, *(getattr(Party, name) for name in HOST_FIELDS)).where(Party.id.in_(chunk))
        values |= {row.id: row for row in session.execute(query)}
        phones |= dict(session.execute(select(Phone.party_id, Phone.number)
                                       .where(Phone.party_id.in_(chunk), Phone.position == 0)).all())
    records = [{name: getattr(values[i], name) for name in HOST_FIELDS} | {"phone": phones.get(i, "")} for i in ids]
    session.info[CONVERTING] = True
    try:
        customers = host.customers.create_many(session, records)
    finally:
        session.info.pop(CONVERTING, None)
    return {party_id: customer.id for party_id, customer in zip(ids, customers, strict=True)}


def _expire_loaded(session: Session, party_ids: Container[int]) -> None:
    """Make rows changed by Core statements reload when the session has them loaded."""
    for key in [key for key in session.identity_map.keys() if key[0] is Party and key[1][0] in party_ids]:
        session.expire(session.identity_map[key])


def _claim(session: Session, ids: list[int]) -> None:
    """Mark the prospects as customers, or fail when another session got one of them first.

    The conditional UPDATE locks the rows (PostgreSQL) or the database (SQLite); a concurrent
    conversion of the same prospect waits, then matches fewer rows and rolls back.
    """
    claimed = 0
    for chunk in chunks(ids):
        result = session.execute(
            update(Party).where(Party.id.in_(chunk), Party.role == PROSPECT, Party.customer_id.is_(None))
            .values(role=CUSTOMER).execution_options(synchronize_session=False)
        )
        claimed += result.rowcount
    if claimed != len(ids):
        raise CrmError(
            f"{len(ids) - claimed} der {len(ids)} Interessenten wurden inzwischen (von einem anderen Benutzer) "
            "umgewandelt, zusammengeführt oder gelöscht. Es wurde nichts umgewandelt; bitte die Liste neu laden."
        )


def revert(host: Host, session: Session, customer_ids: list[int]) -> dict[int, int]:
    """Turn host customers back into prospects, all or none: the customer is deleted, its CRM
    row becomes a prospect again (with its old prospect number, or a new one) and its documents
    move along. Refused for a customer with invoices, which must stay with the customer.

    Returns customer id -> prospect id and calls ``crm_customers_reverted``.
    """
    host.require_writable(session, MODULE_ID)
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        raise CrmError("Bitte mindestens einen Kunden auswählen.")
    customers = [host.customers.get(session, customer_id) for customer_id in ids]
    with_invoices = [c.number for c in customers if host.documents.retained(session, CUSTOMER_DOCUMENTS, c.id)]
    if with_invoices:
        raise CrmError(f"Kunden mit Rechnungen bleiben Kunden (Rechnungen müssen beim Kunden aufbewahrt werden): "
                       f"{_listing(with_invoices)}. Es wurde nichts umgewandelt.")
    parties = [customer_party(host, session, customer.id) for customer in customers]
    _make_prospects(host, session, parties)
    pairs = {customer.id: party.id for customer, party in zip(customers, parties, strict=True)}
    host.documents.reassign(session, CUSTOMER_DOCUMENTS, ids, PROSPECT_DOCUMENTS, list(pairs.values()))
    for customer_id in ids:
        host.customers.delete(session, customer_id)
    _log(host, session, "revert", ((party_id, customer_id) for customer_id, party_id in pairs.items()))
    hooks.crm_customers_reverted(host, session, pairs=pairs)
    return pairs


# -- following the host's customers (hookimpls delegate here) ---------------------------------


def on_customer_created(host: Host, session: Session, customer: Any) -> None:
    """Give a new host customer its CRM row (not for the customers a conversion creates)."""
    if session.info.get(CONVERTING):
        return
    new_customer_party(host, session, customer)


def on_customer_updated(host: Host, session: Session, customer: Any) -> None:
    """Keep the CRM row's copy of the customer's address and conditions up to date."""
    party = session.scalars(select(Party).where(Party.customer_id == customer.id)).first()
    if party is None:
        new_customer_party(host, session, customer)
    else:
        sync_from_customer(host, session, party, customer)


def on_crm_enabled(host: Host, session: Session) -> None:
    """Records of customers deleted while the CRM was disabled become prospects again (with their
    history), instead of hanging on without a customer; customers changed meanwhile are copied to
    their CRM rows, so that pages can show those rows without writing. Not while the CRM is read-only: then they
    wait, unchanged, for the next enabling with a licence or in the trial."""
    if not host.licensing.status(session, MODULE_ID).writable:
        return
    orphans = list(session.scalars(select(Party).where(Party.role == CUSTOMER, Party.customer_id.is_(None))))
    if orphans:
        _make_prospects(host, session, orphans)
    for party in session.scalars(select(Party).where(Party.role == CUSTOMER, Party.customer_id.is_not(None))):
        sync_from_customer(host, session, party, host.customers.get(session, party.customer_id))


def _make_prospects(host: Host, session: Session, parties: list[Party]) -> None:
    """Turn customer rows into prospects: their old prospect number (or a new one) and a status."""
    numbers = iter(take_numbers(host, session, sum(1 for p in parties if p.number is None)))
    default_status = (host.masterdata.labels(session, STATUS_KIND) or [""])[0]
    for party in parties:
        party.role, party.customer_id = PROSPECT, None
        party.number = party.number or next(numbers)
        party.status = party.status or default_status
        party.updated_at = host.now()
    session.flush()


def on_customer_deleting(host: Host, session: Session, customer: Any) -> str | None:
    """Veto when the customer has a CRM history (events, follow-ups); otherwise remove its CRM row.

    A history is kept, not silently lost: turning the customer back into a prospect keeps it,
    and that prospect can then be deleted or erased on purpose.
    """
    party = session.scalars(select(Party).where(Party.customer_id == customer.id)).first()
    if party is None:
        return None
    events = session.scalar(select(func.count()).select_from(Event).where(Event.party_id == party.id)) or 0
    followups = session.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.party_id == party.id)) or 0
    if events or followups:
        return (f"Im CRM gibt es zu diesem Kunden {plural(events, 'Kontaktereignis', 'Kontaktereignisse')} und "
                f"{plural(followups, 'Wiedervorlage', 'Wiedervorlagen')}. "
                "Wandeln Sie ihn in einen Interessenten um („In Interessenten umwandeln“), dann bleibt diese "
                "Historie erhalten und der Interessent kann bei Bedarf gelöscht werden.")
    session.delete(party)
    session.flush()
    return None


def describe(host: Host, session: Session, pairs: dict[int, int]) -> list[str]:
    """Lines like 'I10001 -> K10005 (Bäckerei Schmitz)' for messages and the CLI."""
    lines = []
    for party_id, customer_id in pairs.items():
        party = session.get(Party, party_id)
        lines.append(f"{party.number or party.id} -> {host.customers.get(session, customer_id).number} "
                     f"({party.display_name})")
    return lines
