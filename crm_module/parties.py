"""The CRM's party rows: finding them, naming them in messages, and mirroring host customers.

A party is a prospect, a customer the CRM knows (its address and conditions mirror the host
customer, which stays the source of truth) or a record merged into another.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_module import normalise
from crm_module.errors import CrmError, NotFound
from crm_module.fields import CONTACT_PERSON_FIELDS, HOST_FIELDS, SCALAR_FIELDS
from crm_module.models import CUSTOM_FIELD_SLOTS, CUSTOMER, MERGED, Event, Party, Phone
from host_stub.api import quoted

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

STATUS_KIND = "crm_status"
CATEGORY_KIND = "crm_category"
SOURCE_KIND = "crm_source"
NUMBER_RANGE = "crm_prospect"
NUMBER_PREFIX = "I"
#: ``party_type`` of a prospect's documents in the host's document store; a customer's are "customer".
PROSPECT_DOCUMENTS = "crm_prospect"
CUSTOMER_DOCUMENTS = "customer"

CUSTOM_COLUMNS = tuple(f"custom_{slot}" for slot in range(1, CUSTOM_FIELD_SLOTS + 1))
CONTACT_FIELDS = ("is_main", *CONTACT_PERSON_FIELDS)


#: Ids per IN (...) list of a bulk statement; well below SQLite's and PostgreSQL's parameter limits.
CHUNK = 5000


def chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _end(column, order):
    return select(column).order_by(order).limit(1).scalar_subquery()


#: First party's creation; last party's creation and change; last event's creation (built once).
_TIMESPAN = select(_end(Party.created_at, Party.id), _end(Party.created_at, Party.id.desc()),
                   _end(Party.updated_at, Party.id.desc()), _end(Event.created_at, Event.id.desc()))


def data_timespan(session: Session) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest times in the CRM's rows, for licensing (trial start, clock check).

    The first and last row by primary key are found through the index, so this stays cheap at a
    million rows; the last row's ``updated_at`` and the last event are the newest times seen.
    """
    first, *latest = session.execute(_TIMESPAN).one()
    return first, max((t for t in latest if t is not None), default=None)


def get_party(session: Session, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("Diesen Interessenten gibt es nicht (mehr); vielleicht wurde er gelöscht.")
    return party


def resolve(session: Session, ref: int | str) -> Party:
    """A party by id (``17``) or by prospect number (``I10017``)."""
    text = str(ref).strip()
    if text.isdigit():
        party = session.get(Party, int(text))
        if party is None:
            raise NotFound(f"Einen Interessenten mit der ID {text} gibt es nicht; Interessentennummern "
                           "beginnen mit I, z. B. I10001.")
        return party
    party = session.scalars(select(Party).where(Party.number == text.upper())).first()
    if party is None:
        raise NotFound(f"Einen Interessenten mit der Nummer {quoted(text)} gibt es nicht.")
    return party


def label(party: Party) -> str:
    """How messages name a party: 'Interessent „Bäckerei Schmitz“ (I10001)' (its number, never its id);
    a customer keeps its prospect number only as where it came from."""
    if party.role == CUSTOMER:
        return f"Kunde {quoted(party.display_name)}" + (f" (früher Interessent {party.number})" if party.number else "")
    return f"Interessent {quoted(party.display_name)}" + (f" ({party.number})" if party.number else "")


def require_prospect(session: Session, party: Party, action: str) -> None:
    """Refuse ``action`` on a party that is not a prospect, saying what it is instead."""
    if party.role == CUSTOMER:
        raise CrmError(f"{label(party)} ist schon Kunde; {quoted(action)} gilt nur für Interessenten.")
    if party.role == MERGED:
        survivor = session.get(Party, party.merged_into_id)
        raise CrmError(f"{label(party)} wurde mit {label(survivor) if survivor else 'einem anderen Datensatz'} "
                       f"zusammengeführt; {quoted(action)} ist dort möglich.")


def require_active(session: Session, party: Party, action: str) -> None:
    """Refuse ``action`` on a record that was merged into another."""
    if party.role == MERGED:
        require_prospect(session, party, action)


def documents_party(party: Party) -> tuple[str, int]:
    """Where the party's documents are in the host's store: ``(party_type, party_id)``."""
    if party.role == CUSTOMER and party.customer_id is not None:
        return CUSTOMER_DOCUMENTS, party.customer_id
    return PROSPECT_DOCUMENTS, party.id


def retained_documents(host: Host, session: Session, party: Party) -> list[str]:
    """File names of the party's documents that must be kept."""
    return [d.filename for d in host.documents.retained(session, *documents_party(party))]


def editable(party: Party) -> dict[str, Any]:
    """The party as the edit dialog holds it (the input ``create`` and ``update`` take)."""
    data = {name: getattr(party, name) for name in SCALAR_FIELDS}
    data["phones"] = [{"kind": p.kind, "number": p.number} for p in party.phones]
    data["contacts"] = [{"id": c.id, **{k: getattr(c, k) for k in CONTACT_FIELDS}} for c in party.contacts]
    data["categories"] = party.categories
    data["custom"] = {slot: party.custom(slot) for slot in range(1, CUSTOM_FIELD_SLOTS + 1)
                      if party.custom(slot) is not None}
    return data


def refresh_keys(party: Party) -> None:
    """Recompute the sort and search keys after names, city or e-mail changed."""
    party.sort_name = normalise.sort_name(party.is_business, party.company, party.last_name, party.first_name)
    party.city_key = normalise.fold(party.city)[:100]
    party.email_key = normalise.fold(party.email)[:254]


def take_numbers(host: Host, session: Session, count: int) -> list[str]:
    return host.numbers.take(session, NUMBER_RANGE, count, prefix=NUMBER_PREFIX)


# -- host customers ------------------------------------------------------------------------


def customer_fields(party: Party) -> dict[str, Any]:
    """The host customer's fields as the party has them (its first phone is the customer's phone)."""
    fields = {name: getattr(party, name) for name in HOST_FIELDS}
    fields["phone"] = party.phones[0].number if party.phones else ""
    return fields


def _phone(number: str, country: str) -> tuple[str, str]:
    """A customer's phone as the CRM keeps it: formatted (as typed when it cannot be) and its search key."""
    formatted, search_key, problem = normalise.phone(number, country)
    if problem:
        return number, normalise.phone_search_key(number)
    return formatted, search_key


def set_primary_phone(party: Party, number: str) -> bool:
    """Make the party's first phone the customer's ``phone``; True when that changed anything."""
    number = (number or "").strip()
    first = party.phones[0] if party.phones else None
    if first is not None and first.number == number:
        return False
    if not number:
        if first is None:
            return False
        party.phones = party.phones[1:]
    else:
        formatted, search_key = _phone(number, party.country)
        if first is not None and first.number == formatted:
            return False
        if first is not None:
            first.number, first.search_key = formatted, search_key
        else:
            party.phones = [Phone(position=0, kind="Telefon", number=formatted, search_key=search_key)]
    for position, phone in enumerate(party.phones):
        phone.position = position
    return True


def sync_from_customer(host: Host, session: Session, party: Party, customer: Any) -> bool:
    """Copy the host customer's fields to its CRM row; True when anything changed."""
    changed = False
    for name in HOST_FIELDS:
        value = getattr(customer, name)
        if getattr(party, name) != value:
            setattr(party, name, value)
            changed = True
    changed |= set_primary_phone(party, customer.phone)
    if changed:
        refresh_keys(party)
        party.updated_at = host.now()
        session.flush()
    return changed


def mirrored(party: Party, customer: Any) -> dict[str, Any]:
    """The party as ``editable`` gives it, with the host customer's current fields; changes nothing."""
    data = editable(party) | {name: getattr(customer, name) for name in HOST_FIELDS}
    number = (customer.phone or "").strip()
    phones = data["phones"]
    if not number:
        data["phones"] = phones[1:]
    elif not phones or phones[0]["number"] != number:
        first = {"kind": phones[0]["kind"] if phones else "Telefon", "number": _phone(number, customer.country)[0]}
        data["phones"] = [first, *phones[1:]]
    return data


def unsaved_customer_party(host: Host, customer: Any) -> Party:
    """The CRM row a host customer gets (no prospect number, no status), not yet in the session."""
    now = host.now()
    party = Party(role=CUSTOMER, customer_id=customer.id, status="", contact_count=0, created_at=now,
                  updated_at=now, source="", **{name: getattr(customer, name) for name in HOST_FIELDS})
    set_primary_phone(party, customer.phone)
    refresh_keys(party)
    return party


def new_customer_party(host: Host, session: Session, customer: Any) -> Party:
    """The CRM row of a host customer the CRM has not seen yet."""
    party = unsaved_customer_party(host, customer)
    session.add(party)
    session.flush()
    return party


def customer_party(host: Host, session: Session, customer_id: int) -> Party:
    """The CRM row of a host customer, created on first use and brought up to date with the customer."""
    customer = host.customers.get(session, customer_id)
    party = session.scalars(select(Party).where(Party.customer_id == customer_id)).first()
    if party is None:
        return new_customer_party(host, session, customer)
    sync_from_customer(host, session, party, customer)
    return party
