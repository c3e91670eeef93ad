"""Merging duplicates: two or more prospects (or prospects into a customer) become one record.

Each field keeps the surviving record's value, or, where it is empty, the first filled value
of the others (the user may pick another record per field). Phones and categories are united;
contact persons, events, follow-ups, list memberships and documents are moved to the survivor.
The merged records stay as hidden rows (role ``merged``), and ``crm_merges`` keeps a JSON
snapshot of every record before the merge, so that ``undo`` can restore them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from crm_module import MODULE_ID, customfields
from crm_module.errors import CrmError, NotFound
from crm_module.history import refresh_activity
from crm_module.models import (
    CUSTOMER,
    MERGED,
    ContactPerson,
    Event,
    FollowUp,
    ListMember,
    MailingList,
    Merge,
    Party,
    PartyCategory,
    Phone,
)
from crm_module.parties import (
    CONTACT_FIELDS,
    CUSTOM_COLUMNS,
    SCALAR_FIELDS,
    customer_fields,
    documents_party,
    editable,
    get_party,
    label,
    refresh_keys,
    sync_from_customer,
)
from crm_module.prospects import apply, schema_for
from crm_module.schemas import FIELD_LABELS, load

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

MERGE_FIELDS = SCALAR_FIELDS + CUSTOM_COLUMNS
_DECIMALS = {"discount_percent", "expected_volume"}


def _involved(host: Host, session: Session, party_ids: list[int], survivor_id: int | None) -> tuple[Party, list[Party]]:
    ids = list(dict.fromkeys(party_ids))
    if survivor_id is not None and survivor_id not in ids:
        ids.insert(0, survivor_id)
    if len(ids) < 2:
        raise CrmError("Zum Zusammenführen bitte mindestens zwei Datensätze auswählen.")
    parties = [get_party(session, party_id) for party_id in ids]
    merged = [label(p) for p in parties if p.role == MERGED]
    if merged:
        raise CrmError(f"Schon mit einem anderen Datensatz zusammengeführt: {', '.join(merged)}.")
    customers = [p for p in parties if p.role == CUSTOMER]
    if len(customers) > 1:
        raise CrmError("Zwei Kunden können nicht zusammengeführt werden, nur Interessenten in einen Kunden: "
                       + ", ".join(label(p) for p in customers) + ".")
    for party in customers:
        sync_from_customer(host, session, party, host.customers.get(session, party.customer_id))
    if customers:
        survivor = customers[0]
        if survivor_id is not None and survivor_id != survivor.id:
            raise CrmError(f"Interessenten werden in den Kunden zusammengeführt; {label(survivor)} bleibt erhalten.")
    else:
        survivor = next(p for p in parties if p.id == (survivor_id or ids[0]))
    return survivor, [p for p in parties if p is not survivor]


def _plan(session: Session, survivor: Party, others: list[Party],
          choices: dict[str, int] | None) -> dict[str, tuple[Any, Party]]:
    """field -> (surviving value, record it comes from)."""
    by_id = {p.id: p for p in [survivor, *others]}
    definitions = customfields.definitions(session)
    plan: dict[str, tuple[Any, Party]] = {}
    wanted = {}
    for key, party_id in (choices or {}).items():
        field = key if key in MERGE_FIELDS else f"custom_{customfields.resolve_slot(definitions, key)}"
        if field not in MERGE_FIELDS:
            raise CrmError(f"Das Feld '{key}' gibt es nicht. Möglich: {', '.join(MERGE_FIELDS)}.")
        if party_id not in by_id:
            raise CrmError(f"Der Wert für '{key}' kann nur aus einem der zusammengeführten Datensätze kommen.")
        wanted[field] = by_id[party_id]
    for field in MERGE_FIELDS:
        source = wanted.get(field)
        if source is None:
            source = next((p for p in [survivor, *others] if getattr(p, field) not in (None, "")), survivor)
        plan[field] = (getattr(source, field), source)
    return plan


def _phones(parties: list[Party]) -> list[dict[str, str]]:
    seen, phones = set(), []
    for party in parties:
        for phone in party.phones:
            if phone.search_key not in seen:
                seen.add(phone.search_key)
                phones.append({"kind": phone.kind, "number": phone.number})
    return phones


def preview(host: Host, session: Session, party_ids: list[int], survivor_id: int | None = None,
            choices: dict[str, int] | None = None) -> dict[str, Any]:
    """What a merge would do: each field's surviving value and the record it comes from, the
    united phones and categories, and how much history moves. Changes nothing."""
    survivor, others = _involved(host, session, party_ids, survivor_id)
    plan = _plan(session, survivor, others, choices)
    names = {f"custom_{d.slot}": d.label for d in customfields.definitions(session).values()}
    fields = {}
    for field, (value, source) in plan.items():
        if field in CUSTOM_COLUMNS and field not in names and value is None:
            continue
        fields[field] = {"label": FIELD_LABELS.get(field) or names.get(field, field), "value": value,
                         "from_id": source.id, "from": label(source)}
    everyone = [survivor, *others]
    other_ids = [p.id for p in others]
    return {
        "survivor_id": survivor.id, "survivor": label(survivor),
        "merged_ids": other_ids, "merged": [label(p) for p in others],
        "fields": fields,
        "phones": _phones(everyone),
        "categories": sorted({c for p in everyone for c in p.categories}),
        "moves": {
            "contacts": _count_ids(session, ContactPerson, other_ids),
            "events": _count_ids(session, Event, other_ids),
            "followups": _count_ids(session, FollowUp, other_ids),
            "list_memberships": _count_ids(session, ListMember, other_ids),
            "documents": sum(len(host.documents.for_party(session, *documents_party(p))) for p in others),
        },
    }


def _count_ids(session: Session, model: Any, party_ids: list[int]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.party_id.in_(party_ids))) or 0


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _from_json(field: str, value: Any) -> Any:
    return Decimal(value) if field in _DECIMALS and value is not None else value


def _snapshot(host: Host, session: Session, party: Party) -> dict[str, Any]:
    """Everything about one record before the merge, as JSON."""
    return {
        "role": party.role, "number": party.number, "customer_id": party.customer_id,
        "fields": {field: _json(getattr(party, field)) for field in MERGE_FIELDS},
        "phones": [{"kind": p.kind, "number": p.number, "search_key": p.search_key} for p in party.phones],
        "categories": party.categories,
        "contacts": [{"id": c.id, "position": c.position, **{k: getattr(c, k) for k in CONTACT_FIELDS}}
                     for c in party.contacts],
        "events": list(session.scalars(select(Event.id).where(Event.party_id == party.id))),
        "followups": list(session.scalars(select(FollowUp.id).where(FollowUp.party_id == party.id))),
        "lists": list(session.scalars(select(ListMember.list_id).where(ListMember.party_id == party.id))),
        "documents": [d.id for d in host.documents.for_party(session, *documents_party(party))],
    }


def merge(host: Host, session: Session, party_ids: list[int], survivor_id: int | None = None,
          choices: dict[str, int] | None = None) -> Merge:
    """Merge the records into one (the customer, ``survivor_id`` or the first); logged for ``undo``."""
    host.require_writable(session, MODULE_ID)
    survivor, others = _involved(host, session, party_ids, survivor_id)
    everyone = [survivor, *others]
    plan = _plan(session, survivor, others, choices)
    snapshot = {str(p.id): _snapshot(host, session, p) for p in everyone}
    data = editable(survivor)
    data |= {field: plan[field][0] for field in SCALAR_FIELDS}
    data["custom"] = {int(c.split("_")[1]): plan[c][0] for c in CUSTOM_COLUMNS if plan[c][0] is not None}
    data["phones"] = _phones(everyone)
    data["categories"] = sorted({c for p in everyone for c in p.categories})
    clean = load(schema_for(host, session, everyone), data)
    now = host.now()
    apply(survivor, clean)
    survivor.updated_at = now
    session.flush()
    if survivor.role == CUSTOMER:
        customer = host.customers.get(session, survivor.customer_id)
        host.customers.update(session, customer.id, **{
            k: v for k, v in customer_fields(survivor).items() if getattr(customer, k) != v})
    other_ids = [p.id for p in others]
    added_lists = _move_history(host, session, survivor, others, snapshot)
    for party in others:
        party.role, party.merged_into_id, party.updated_at = MERGED, survivor.id, now
    session.flush()
    refresh_activity(session, [p.id for p in everyone])
    log = Merge(survivor_id=survivor.id, merged_ids=other_ids, merged_at=now,
                snapshot={"parties": snapshot, "added_lists": added_lists})
    session.add(log)
    session.flush()
    for party in everyone:
        session.expire(party)
    host.notify(session, "crm_prospects_merged", survivor_id=survivor.id, merged_ids=other_ids, merge_id=log.id)
    return log


def _move_history(host: Host, session: Session, survivor: Party, others: list[Party],
                  snapshot: dict[str, Any]) -> list[int]:
    """Move contact persons, events, follow-ups, list memberships and documents to the survivor."""
    other_ids = [p.id for p in others]
    keep_main = any(c.is_main for c in survivor.contacts)
    position = len(survivor.contacts)
    for party in others:
        for contact in snapshot[str(party.id)]["contacts"]:
            session.execute(update(ContactPerson).where(ContactPerson.id == contact["id"]).values(
                party_id=survivor.id, position=position, is_main=contact["is_main"] and not keep_main))
            keep_main = keep_main or contact["is_main"]
            position += 1
    for model in (Event, FollowUp):
        session.execute(update(model).where(model.party_id.in_(other_ids)).values(party_id=survivor.id)
                        .execution_options(synchronize_session=False))
    on_survivor = set(snapshot[str(survivor.id)]["lists"])
    added = sorted({list_id for p in others for list_id in snapshot[str(p.id)]["lists"]} - on_survivor)
    session.execute(delete(ListMember).where(ListMember.party_id.in_(other_ids))
                    .execution_options(synchronize_session=False))
    if added:
        session.execute(insert(ListMember), [{"list_id": i, "party_id": survivor.id, "added_at": host.now()}
                                             for i in added])
    target_type, target_id = documents_party(survivor)
    for party in others:
        party_type, party_id = documents_party(party)
        host.documents.reassign(session, party_type, [party_id], target_type, [target_id])
    return added


def undo(host: Host, session: Session, merge_id: int) -> list[int]:
    """Restore the records of a merge as they were before it; returns the restored ids.

    Contact persons, events, follow-ups and documents go back to their records; what was added
    to the survivor after the merge stays with it.
    """
    host.require_writable(session, MODULE_ID)
    log = session.get(Merge, merge_id)
    if log is None:
        raise NotFound(f"Eine Zusammenführung mit der Nummer {merge_id} gibt es nicht.")
    if log.undone_at is not None:
        raise CrmError(f"Die Zusammenführung {merge_id} wurde am {log.undone_at:%d.%m.%Y} schon rückgängig gemacht.")
    later = session.scalar(select(Merge.id).where(Merge.id > log.id, Merge.undone_at.is_(None),
                                                  Merge.survivor_id == log.survivor_id).order_by(Merge.id.desc()))
    if later is not None:
        raise CrmError(f"Machen Sie zuerst die spätere Zusammenführung {later} rückgängig.")
    parties = {int(pid): data for pid, data in log.snapshot["parties"].items()}
    survivor = get_party(session, log.survivor_id)
    if survivor.role != parties[survivor.id]["role"] or survivor.customer_id != parties[survivor.id]["customer_id"]:
        raise CrmError(f"{label(survivor)} wurde seit der Zusammenführung umgewandelt oder zusammengeführt; "
                       "sie kann nicht mehr rückgängig gemacht werden.")
    others = [get_party(session, pid) for pid in log.merged_ids]
    for party in others:
        if party.role != MERGED or party.merged_into_id != survivor.id:
            raise CrmError(f"{label(party)} hat sich seit der Zusammenführung geändert; "
                           "sie kann nicht mehr rückgängig gemacht werden.")
    for party in [survivor, *others]:
        _restore_record(session, party, parties[party.id])
        party.updated_at = host.now()
    session.flush()
    if survivor.role == CUSTOMER:
        customer = host.customers.get(session, survivor.customer_id)
        host.customers.update(session, customer.id, **{
            k: v for k, v in customer_fields(survivor).items() if getattr(customer, k) != v})
    _restore_history(host, session, survivor, others, parties, log.snapshot["added_lists"])
    refresh_activity(session, [survivor.id, *log.merged_ids])
    log.undone_at = host.now()
    log.snapshot = {}  # the copy of the personal data is not needed any more
    session.flush()
    for party in [survivor, *others]:
        session.expire(party)
    host.notify(session, "crm_merge_undone", survivor_id=survivor.id, restored_ids=list(log.merged_ids),
                merge_id=log.id)
    return list(log.merged_ids)


def _restore_record(session: Session, party: Party, data: dict[str, Any]) -> None:
    party.role = data["role"]
    party.merged_into_id = None
    for field, value in data["fields"].items():
        setattr(party, field, _from_json(field, value))
    party.phones = [Phone(position=i, **phone) for i, phone in enumerate(data["phones"])]
    wanted = set(data["categories"])
    party.category_rows = [row for row in party.category_rows if row.category in wanted] + [
        PartyCategory(category=c) for c in sorted(wanted - set(party.categories))]
    refresh_keys(party)


def _restore_history(host: Host, session: Session, survivor: Party, others: list[Party],
                     parties: dict[int, dict[str, Any]], added_lists: list[int]) -> None:
    existing_lists = set(session.scalars(select(MailingList.id)))
    if added_lists:
        session.execute(delete(ListMember).where(ListMember.party_id == survivor.id,
                                                 ListMember.list_id.in_(added_lists)))
    for party in [survivor, *others]:
        data = parties[party.id]
        for contact in data["contacts"]:
            session.execute(update(ContactPerson).where(ContactPerson.id == contact["id"]).values(
                party_id=party.id, position=contact["position"], is_main=contact["is_main"]))
        for model, key in ((Event, "events"), (FollowUp, "followups")):
            if data[key]:
                session.execute(update(model).where(model.id.in_(data[key])).values(party_id=party.id)
                                .execution_options(synchronize_session=False))
        if party is survivor:
            continue
        lists = [i for i in data["lists"] if i in existing_lists]
        if lists:
            session.execute(insert(ListMember), [{"list_id": i, "party_id": party.id, "added_at": host.now()}
                                                 for i in lists])
        host.documents.move(session, data["documents"], *documents_party(party))
    session.flush()


def merges(session: Session, party_id: int | None = None) -> list[dict[str, Any]]:
    """The merge log (newest first), optionally of one surviving record."""
    query = select(Merge).order_by(Merge.id.desc())
    if party_id is not None:
        query = query.where(Merge.survivor_id == party_id)
    return [{"id": m.id, "survivor_id": m.survivor_id, "merged_ids": list(m.merged_ids), "merged_at": m.merged_at,
             "undone_at": m.undone_at} for m in session.scalars(query)]
