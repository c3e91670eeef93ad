"""Prospects: read, create, change, copy and delete, with validation and the licence gate.

Services take the Host facade, a session and plain values. A prospect's id is the id of its
``crm_parties`` row; it stays the same when the prospect becomes a customer and back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, String, delete, func, insert, literal, select
from sqlalchemy import update as update_rows
from sqlalchemy.orm import Session

from crm_module import MODULE_ID, customfields, history, hooks, mailinglists, overview
from crm_module.errors import CrmError, InvalidInput, NotFound
from crm_module.fields import SCALAR_FIELDS
from crm_module.models import (
    CUSTOM_FIELD_SLOTS,
    CUSTOMER,
    PROSPECT,
    ContactPerson,
    Event,
    FollowUp,
    ListMember,
    Party,
    PartyCategory,
    Phone,
    StatusChange,
)
from crm_module.parties import (
    CATEGORY_KIND,
    CONTACT_FIELDS,
    SOURCE_KIND,
    STATUS_KIND,
    chunks,
    customer_fields,
    customer_party,
    documents_party,
    editable,
    get_party,
    label,
    mirrored,
    refresh_keys,
    require_active,
    require_prospect,
    retained_documents,
    sync_from_customer,
    take_numbers,
    unsaved_customer_party,
)
from crm_module.schemas import ProspectSchema, field_label, load
from host_stub.api import plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


# -- reading ---------------------------------------------------------------------------------


def get(host: Host, session: Session, party_id: int) -> dict[str, Any]:
    """Everything the edit dialog's tabs show, as plain values (also for a converted prospect).

    Reading never writes: a customer's fields are shown from the host customer (the source of
    truth); its CRM row catches up on the next write."""
    party = get_party(session, party_id)
    customer = None
    if party.role == CUSTOMER and party.customer_id is not None:
        customer = host.customers.get(session, party.customer_id)
    return _record(host, session, party, customer)


def for_customer(host: Host, session: Session, customer_id: int) -> dict[str, Any]:
    """The CRM record of a host customer: what its CRM tabs show. A customer the CRM has no row
    for yet is shown from its host fields (``id`` None); the row is made on the first write."""
    customer = host.customers.get(session, customer_id)
    party = session.scalars(select(Party).where(Party.customer_id == customer_id)).first()
    return _record(host, session, party or unsaved_customer_party(host, customer), customer)


def create_customer_record(host: Host, session: Session, customer_id: int) -> Party:
    """Give a host customer its CRM row now (a write: behind the licence gate)."""
    host.require_writable(session, MODULE_ID)
    return customer_party(host, session, customer_id)


def _record(host: Host, session: Session, party: Party, customer: Any | None) -> dict[str, Any]:
    data = mirrored(party, customer) if customer is not None else editable(party)
    data["custom"] = [
        {"slot": d.slot, "label": d.label, "type": d.type, "options": list(d.options),
         "value": customfields.typed(d, party.custom(d.slot))}
        for d in customfields.definitions(session).values()
    ]
    data |= {
        "id": party.id, "number": party.number, "role": party.role, "customer_id": party.customer_id,
        "customer_number": customer.number if customer is not None else None,
        "merged_into_id": party.merged_into_id,
        "display_name": customer.display_name if customer is not None else party.display_name,
        "created_at": party.created_at, "updated_at": party.updated_at,
        "statistics": history.statistics(session, party),
        "events": history.events(session, party.id) if party.id is not None else [],
        "followups": history.followups(session, party.id) if party.id is not None else [],
        "lists": mailinglists.memberships(session, party.id) if party.id is not None else [],
        "documents": [
            {"id": d.id, "filename": d.filename, "kind": d.kind, "size": d.size, "content_type": d.content_type,
             "created_at": d.created_at, "correctable": _correctable(host, d)}
            for d in host.documents.for_party(session, *documents_party(party))
        ],
    }
    return data


def _correctable(host: Host, document: Any) -> bool:
    """Whether the document may still be deleted or given another kind (invoices only shortly after filing)."""
    until = host.documents.correctable_until(document)
    return until is None or host.now() < until


# -- writing ---------------------------------------------------------------------------------


def _choices(host: Host, session: Session, kind: str, current: list[str]) -> list[str]:
    """The active entries of a master-data kind, plus the values the record already has."""
    active = host.masterdata.labels(session, kind)
    return active + [value for value in current if value and value not in active]


def schema_for(host: Host, session: Session, parties: list[Party] = ()) -> ProspectSchema:
    """The schema with today's choices (and the values the given records already have)."""
    return ProspectSchema(
        statuses=_choices(host, session, STATUS_KIND, [p.status for p in parties]),
        categories=_choices(host, session, CATEGORY_KIND, [c for p in parties for c in p.categories]),
        sources=_choices(host, session, SOURCE_KIND, [p.source for p in parties]),
        custom_fields=customfields.definitions(session),
    )


def create(host: Host, session: Session, data: dict[str, Any]) -> Party:
    """A new prospect with the next prospect number; ``data`` has the keys ``editable`` returns."""
    return create_many(host, session, [data])[0]


def create_many(host: Host, session: Session, records: list[dict[str, Any]]) -> list[Party]:
    """New prospects with consecutive numbers, all or none (an invalid record refuses all)."""
    host.require_writable(session, MODULE_ID)
    schema = schema_for(host, session)
    cleaned = []
    for index, data in enumerate(records, 1):
        try:
            cleaned.append(load(schema, data))
        except InvalidInput as exc:
            if len(records) == 1:
                raise
            raise InvalidInput({f"{index}.{field}": message for field, message in exc.errors.items()}, {
                f"{index}.{field}": f"Datensatz {index}, {field_label(field)}" for field in exc.errors
            }) from None
    now = host.now()
    parties = []
    for number, clean in zip(take_numbers(host, session, len(cleaned)), cleaned, strict=True):
        party = Party(role=PROSPECT, number=number, contact_count=0, created_at=now, updated_at=now)
        apply(party, clean)
        parties.append(party)
    session.add_all(parties)
    session.flush()
    return parties


def update(host: Host, session: Session, party_id: int, changes: dict[str, Any]) -> Party:
    """Change some fields; lists (phones, contacts, categories) are replaced as a whole, custom
    fields one by one. A customer's address and conditions are changed on the host customer too.
    """
    host.require_writable(session, MODULE_ID)
    party = get_party(session, party_id)
    require_active(session, party, "Bearbeiten")
    customer = None
    if party.role == CUSTOMER and party.customer_id is not None:
        customer = host.customers.get(session, party.customer_id)
        sync_from_customer(host, session, party, customer)
    candidate = editable(party)
    definitions = customfields.definitions(session)
    custom_changes = {customfields.resolve_slot(definitions, key) or key: value
                      for key, value in (changes.get("custom") or {}).items()}
    candidate |= {key: value for key, value in changes.items() if key != "custom"}
    candidate["custom"] = candidate["custom"] | custom_changes
    clean = load(schema_for(host, session, [party]), candidate)
    old_status = party.status
    if apply(party, clean):
        party.updated_at = host.now()
    session.flush()
    if customer is not None:
        host.customers.update(session, customer.id, **{
            key: value for key, value in customer_fields(party).items() if getattr(customer, key) != value})
    if party.status != old_status:
        session.add(StatusChange(party_id=party.id, old_status=old_status, new_status=party.status,
                                 changed_at=host.now()))
        hooks.crm_status_changed(host, session, prospect_id=party.id, old=old_status, new=party.status)
    return party


def set_status(host: Host, session: Session, status: str, *, party_ids: list[int] | None = None,
               filters: overview.Filters | None = None) -> int:
    """Give many prospects (the ids, or all that match the overview's ``filters``) the status
    ``status`` at once; returns how many changed and calls ``crm_statuses_changed`` once.

    One licence check; per selection (the ids in chunks) one INSERT … SELECT into the status history
    and one UPDATE … WHERE, so that a million prospects change without one of them loaded as an
    object. Prospects that already have the status are left as they are.
    """
    host.require_writable(session, MODULE_ID)
    statuses = host.masterdata.labels(session, STATUS_KIND)
    if status not in statuses:
        raise InvalidInput({"status": f"Unbekannter Status „{status}“. Möglich: {', '.join(statuses)}."},
                           {"status": field_label("status")})
    if (party_ids is None) == (filters is None):
        raise TypeError("set_status takes either party_ids or filters")
    if party_ids is None:
        selections = [overview.conditions(session, filters)]
    else:
        id_chunks = chunks(list(dict.fromkeys(party_ids)))
        for chunk in id_chunks:
            found = session.scalar(select(func.count()).select_from(Party).where(
                Party.id.in_(chunk), Party.role == PROSPECT))
            if found != len(chunk):
                missing = plural(len(chunk) - found, "gewählter Datensatz ist", "gewählte Datensätze sind")
                raise CrmError(f"{missing} kein Interessent (mehr); es wurde kein Status geändert.")
        selections = [[Party.id.in_(chunk)] for chunk in id_chunks]
    now = host.now()
    changed: list[int] = []
    for where in selections:
        where = [*where, Party.role == PROSPECT, Party.status != status]
        session.execute(insert(StatusChange).from_select(
            ["party_id", "old_status", "new_status", "changed_at"],
            select(Party.id, Party.status, literal(status, String), literal(now, DateTime)).where(*where)))
        changed += session.scalars(update_rows(Party).where(*where).values(status=status, updated_at=now)
                                   .returning(Party.id).execution_options(synchronize_session=False))
    if changed:
        hooks.crm_statuses_changed(host, session, prospect_ids=changed, new=status)
    return len(changed)


def apply(party: Party, clean: dict[str, Any]) -> bool:
    """Put validated values on the party and its rows; True when anything changed."""
    changed = False
    for name in SCALAR_FIELDS:
        if getattr(party, name) != clean[name]:
            setattr(party, name, clean[name])
            changed = True
    for slot in range(1, CUSTOM_FIELD_SLOTS + 1):
        value = clean["custom"].get(slot)
        if party.custom(slot) != value:
            setattr(party, f"custom_{slot}", value)
            changed = True
    changed |= _apply_phones(party, clean["phones"])
    changed |= _apply_contacts(party, clean["contacts"])
    changed |= _apply_categories(party, clean["categories"])
    refresh_keys(party)
    return changed


def _apply_phones(party: Party, phones: list[dict[str, str]]) -> bool:
    if [(p.kind, p.number) for p in party.phones] == [(p["kind"], p["number"]) for p in phones]:
        return False
    party.phones = [Phone(position=i, kind=p["kind"], number=p["number"], search_key=p["search_key"])
                    for i, p in enumerate(phones)]
    return True


def _apply_contacts(party: Party, contacts: list[dict[str, Any]]) -> bool:
    existing = {c.id: c for c in party.contacts}
    unknown = [str(c["id"]) for c in contacts if c.get("id") is not None and c["id"] not in existing]
    if unknown:
        raise CrmError(f"Ansprechpartner mit der ID {', '.join(unknown)} gehört nicht zu {label(party)}.")
    kept, changed = [], False
    for position, data in enumerate(contacts):
        contact = existing.get(data.get("id")) or ContactPerson()
        for key, value in {"position": position, **{k: data[k] for k in CONTACT_FIELDS}}.items():
            if getattr(contact, key) != value:
                setattr(contact, key, value)
                changed = True
        kept.append(contact)
    if changed or len(kept) != len(existing):
        party.contacts = kept
        return True
    return False


def _apply_categories(party: Party, categories: list[str]) -> bool:
    wanted, current = set(categories), set(party.categories)
    if wanted == current:
        return False
    party.category_rows = [row for row in party.category_rows if row.category in wanted] + [
        PartyCategory(category=c) for c in sorted(wanted - current)]
    return True


def copy(host: Host, session: Session, party_id: int) -> Party:
    """A new prospect with the same address, phones, contact persons, conditions and statistics fields.

    The history (events, follow-ups), documents and list memberships stay with the original.
    """
    source = get_party(session, party_id)
    require_prospect(session, source, "Kopieren")
    data = editable(source)
    data["contacts"] = [{k: v for k, v in c.items() if k != "id"} for c in data["contacts"]]
    return create(host, session, data)


def delete_prospects(host: Host, session: Session, party_ids: list[int], *, erased: bool = False) -> dict[str, int]:
    """Delete prospects with everything the CRM holds on them and their documents.

    Refused as a whole when one is a customer or has documents that must be kept (invoices).
    Returns the counts of what was deleted. An erasure (Art. 17 DSGVO) is a duty, not a feature
    of the licence: it works while the module is read-only.
    """
    if erased:
        host.require_enabled(session, MODULE_ID)
    else:
        host.require_writable(session, MODULE_ID)
    ids = list(dict.fromkeys(party_ids))
    parties = [get_party(session, party_id) for party_id in ids]
    for party in parties:
        require_prospect(session, party, "Löschen")
        retained = retained_documents(host, session, party)
        if retained:
            raise CrmError(f"{label(party)} kann nicht gelöscht werden: die Dokumente {', '.join(retained)} müssen "
                           "aufbewahrt werden (GoBD, § 147 AO). Es wurde nichts gelöscht.")
    merged = list(session.scalars(select(Party.id).where(Party.merged_into_id.in_(ids))))
    every = ids + merged
    counts = {
        "records": len(every),
        "contacts": _count(session, ContactPerson, every),
        "phones": _count(session, Phone, every),
        "events": _count(session, Event, every),
        "followups": _count(session, FollowUp, every),
        "list_memberships": _count(session, ListMember, every),
        "documents": sum(host.documents.delete_for_party(session, *documents_party(p)) for p in parties),
    }
    # Bulk DELETEs; the database cascades to phones, contacts, events, ... (merged records first).
    session.execute(delete(Party).where(Party.id.in_(merged)))
    session.execute(delete(Party).where(Party.id.in_(ids)))
    hooks.crm_prospects_deleted(host, session, prospect_ids=ids, erased=erased)
    return counts


def _count(session: Session, model: Any, party_ids: list[int]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.party_id.in_(party_ids))) or 0


def document(host: Host, session: Session, party_id: int, document_id: int) -> Any:
    """One of the party's documents; refuses a document of another record (ids in URLs can be edited)."""
    party = get_party(session, party_id)
    found = host.documents.get(session, document_id)
    if (found.party_type, found.party_id) != documents_party(party):
        raise NotFound("Dieses Dokument gehört nicht zu diesem Datensatz.")
    return found


def delete_document(host: Host, session: Session, party_id: int, document_id: int) -> str:
    """Delete one of the party's documents (an invoice only shortly after filing, see the host's
    ``CORRECTION_DAYS``); the history keeps a note of it. Returns the file name."""
    host.require_writable(session, MODULE_ID)
    require_active(session, get_party(session, party_id), "Dokument löschen")
    deleted = host.documents.delete(session, document(host, session, party_id, document_id).id)
    history.record_event(host, session, party_id, "note", subject="Dokument gelöscht",
                         text=f"„{deleted.filename}“ ({host.documents.kind_labels[deleted.kind]}) gelöscht.")
    return deleted.filename


def change_document_kind(host: Host, session: Session, party_id: int, document_id: int, kind: str) -> Any:
    """Give one of the party's documents another kind (an invoice filed by mistake only shortly after
    filing); the history keeps a note of the change. Returns the document."""
    host.require_writable(session, MODULE_ID)
    require_active(session, get_party(session, party_id), "Dokumentart ändern")
    changed = document(host, session, party_id, document_id)
    old = host.documents.change_kind(session, changed.id, kind)
    if old != changed.kind:
        labels = host.documents.kind_labels
        history.record_event(host, session, party_id, "note", subject="Dokumentart geändert",
                             text=f"„{changed.filename}“: {labels[old]} → {labels[changed.kind]}.")
    return changed


def add_document(host: Host, session: Session, party_id: int, filename: str, data: bytes,
                 kind: str = "attachment") -> Any:
    """Store a file of any format for a prospect (or customer) in the host's document store."""
    host.require_writable(session, MODULE_ID)
    party = get_party(session, party_id)
    require_active(session, party, "Dokument ablegen")
    return host.documents.add(session, *documents_party(party), filename, data, kind)
