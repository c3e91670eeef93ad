"""Merging duplicates: two or more prospects (or prospects into a customer) become one record.

Each field keeps the surviving record's value, or, where it is empty, the first filled value
of the others (the user may pick another record per field). Phones and categories are united;
contact persons, events, follow-ups, list memberships and documents are moved to the survivor.
Fields that belong together (VAT treatment and its note, see ``fields.GROUPS``) come from one record.
The merged records stay as hidden rows (role ``merged``), and ``crm_merges`` keeps a JSON
snapshot of every record before the merge and the values the merge gave the survivor, so that
``undo`` restores the merged records and, on the survivor, only what the merge changed: a value
the user changed since is a conflict the user decides.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from crm_module import MODULE_ID, customfields, fields, hooks
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
    customer_fields,
    documents_party,
    editable,
    get_party,
    label,
    refresh_keys,
    sync_from_customer,
)
from crm_module.prospects import apply, schema_for
from crm_module.schemas import load

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

MERGE_FIELDS = fields.SCALAR_FIELDS + CUSTOM_COLUMNS
#: What a merge takes from one record: a group of fields that belong together, or one field.
UNITS = tuple(dict.fromkeys(fields.group_of(field) for field in MERGE_FIELDS))
_DECIMALS = {f.name for f in fields.FIELDS.values() if f.type in ("percent", "money")}
#: ``undo`` decisions for a field the user changed after the merge.
KEEP, RESTORE = "keep", "restore"


def _involved(host: Host, session: Session, party_ids: list[int], survivor_id: int | None, *,
              sync: bool) -> tuple[Party, list[Party]]:
    """The survivor and the others; ``sync`` (a merge, which writes anyway) first copies a
    customer's current host fields to its CRM row. The preview reads only: the row is kept in step
    by the customer hooks and when the CRM is enabled."""
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
    for party in customers if sync else ():
        sync_from_customer(host, session, party, host.customers.get(session, party.customer_id))
    if customers:
        survivor = customers[0]
        if survivor_id is not None and survivor_id != survivor.id:
            raise CrmError(f"Interessenten werden in den Kunden zusammengeführt; {label(survivor)} bleibt erhalten.")
    else:
        survivor = next(p for p in parties if p.id == (survivor_id or ids[0]))
    return survivor, [p for p in parties if p is not survivor]


def _field(definitions: dict[int, customfields.FieldDefinition], key: str) -> str:
    """The column of a field named by the user: its name (``city``, ``custom_3``), its German
    label ("Ort") or a custom field's label."""
    if key in MERGE_FIELDS:
        return key
    by_label = {fields.LABELS[f].casefold(): f for f in fields.SCALAR_FIELDS}
    if key.casefold() in by_label:
        return by_label[key.casefold()]
    field = f"custom_{customfields.resolve_slot(definitions, key)}"
    if field not in MERGE_FIELDS:
        raise CrmError(f"Das Feld „{key}“ gibt es nicht. Möglich: {', '.join(fields.SCALAR_FIELDS)} oder die "
                       "Bezeichnung eines individuellen Feldes.")
    return field


def _label(definitions: dict[int, customfields.FieldDefinition], field: str) -> str:
    if field in CUSTOM_COLUMNS:
        slot = int(field.removeprefix("custom_"))
        return definitions[slot].label if slot in definitions else f"Individuelles Feld {slot}"
    return fields.LABELS[field]


def _shown(definitions: dict[int, customfields.FieldDefinition], field: str, value: Any) -> str:
    """A column value as the user reads it (a custom field by its configured type)."""
    if field in CUSTOM_COLUMNS and value is not None:
        definition = definitions.get(int(field.removeprefix("custom_")))
        return fields.display(field, customfields.typed(definition, value) if definition else value)
    return fields.display(field, value)


def _plan(session: Session, survivor: Party, others: list[Party],
          choices: dict[str, int] | None) -> dict[str, tuple[Any, Party]]:
    """field -> (surviving value, record it comes from); the fields of a group come from one record."""
    everyone = [survivor, *others]
    by_id = {p.id: p for p in everyone}
    definitions = customfields.definitions(session)
    wanted: dict[tuple[str, ...], Party] = {}
    for key, party_id in (choices or {}).items():
        unit = fields.group_of(_field(definitions, key))
        if party_id not in by_id:
            raise CrmError(f"Der Wert für „{key}“ kann nur aus einem der zusammengeführten Datensätze kommen.")
        if wanted.setdefault(unit, by_id[party_id]) is not by_id[party_id]:
            names = " und ".join(f"„{_label(definitions, f)}“" for f in unit)
            raise CrmError(f"{names} gehören zusammen; bitte beide aus demselben Datensatz übernehmen.")
    plan: dict[str, tuple[Any, Party]] = {}
    for unit in UNITS:
        source = wanted.get(unit) or next(
            (p for p in everyone if any(getattr(p, f) not in (None, "") for f in unit)), survivor)
        plan |= {field: (getattr(source, field), source) for field in unit}
    return {field: plan[field] for field in MERGE_FIELDS}


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
    """What a merge would do: each field's surviving value, the record it comes from and every
    record's value (as the user reads it), whether the records differ in it (per group: the first
    field of a group is the one to choose), the united phones and categories, and how much history
    moves. Changes nothing."""
    survivor, others = _involved(host, session, party_ids, survivor_id, sync=False)
    plan = _plan(session, survivor, others, choices)
    definitions = customfields.definitions(session)
    everyone = [survivor, *others]
    differs = {unit: any(len({getattr(p, f) for p in everyone}) > 1 for f in unit) for unit in UNITS}
    shown = {}
    for field, (value, source) in plan.items():
        if field in CUSTOM_COLUMNS and int(field.removeprefix("custom_")) not in definitions and value is None:
            continue
        unit = fields.group_of(field)
        shown[field] = {
            "label": _label(definitions, field), "value": value, "display": _shown(definitions, field, value),
            "from_id": source.id, "from": label(source), "group": unit[0], "differs": differs[unit],
            "values": [{"id": p.id, "value": _shown(definitions, field, getattr(p, field))} for p in everyone],
        }
    other_ids = [p.id for p in others]
    return {
        "survivor_id": survivor.id, "survivor": label(survivor),
        "merged_ids": other_ids, "merged": [label(p) for p in others],
        "fields": shown,
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
    survivor, others = _involved(host, session, party_ids, survivor_id, sync=True)
    everyone = [survivor, *others]
    plan = _plan(session, survivor, others, choices)
    snapshot = {str(p.id): _snapshot(host, session, p) for p in everyone}
    data = editable(survivor)
    data |= {field: plan[field][0] for field in fields.SCALAR_FIELDS}
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
    result = {field: _json(getattr(survivor, field)) for field in MERGE_FIELDS}
    merged_by_id, merged_by_name = host.users.actor()
    log = Merge(survivor_id=survivor.id, merged_ids=other_ids, merged_at=now, merged_by_id=merged_by_id,
                merged_by_name=merged_by_name,
                snapshot={"parties": snapshot, "added_lists": added_lists, "result": result})
    session.add(log)
    session.flush()
    for party in everyone:
        session.expire(party)
    hooks.crm_prospects_merged(host, session, survivor_id=survivor.id, merged_ids=other_ids, merge_id=log.id)
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


class MergeConflict(CrmError):
    """``undo`` needs the user's decision: fields the merge set on the survivor were changed since.

    ``conflicts`` lists them: ``{"field", "label", "current", "before"}`` (values as the user reads
    them); ``undo`` takes a decision per ``field``: ``KEEP`` the current value or ``RESTORE`` the old one.
    """

    status = 409

    def __init__(self, merge_id: int, conflicts: list[dict[str, str]]) -> None:
        self.merge_id, self.conflicts = merge_id, conflicts
        lines = [conflict_text(c) for c in conflicts]
        super().__init__(f"Die Zusammenführung {merge_id} kann nur mit Ihrer Entscheidung rückgängig gemacht "
                         "werden, je Feld: den jetzigen Wert behalten oder den Wert von vor dem Zusammenführen "
                         "wiederherstellen.\n" + "\n".join(f"- {line}" for line in lines))


def conflict_text(conflict: dict[str, str]) -> str:
    return (f"Feld „{conflict['label']}“ wurde nach dem Zusammenführen geändert: jetzt „{conflict['current']}“, "
            f"vor dem Zusammenführen „{conflict['before']}“.")


#: A merged value that is not known (merges logged before the merged values were kept): every
#: later change of such a field is the user's to decide.
_UNKNOWN = object()


def undo(host: Host, session: Session, merge_id: int, decisions: dict[str, str] | None = None) -> list[int]:
    """Restore the merged records as they were before the merge; returns their ids.

    On the survivor only what the merge changed goes back: a field the merge set returns to its
    old value while it still has the merged value; one the user changed since is a conflict, and
    ``undo`` raises ``MergeConflict`` unless ``decisions`` says for it ``KEEP`` or ``RESTORE``.
    Phones and categories the merge brought leave; contact persons, events, follow-ups, list
    memberships and documents go back to their records. What was added after the merge stays.
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
    if survivor.role == CUSTOMER:  # the customer may have been changed in the host since
        sync_from_customer(host, session, survivor, host.customers.get(session, survivor.customer_id))
    definitions = customfields.definitions(session)
    restore = _survivor_fields(log, survivor, parties[survivor.id]["fields"], definitions,
                               _decisions(definitions, decisions or {}))
    for field, value in restore.items():
        setattr(survivor, field, value)
    _remove_merged_rows(survivor, parties[survivor.id], [parties[p.id] for p in others])
    refresh_keys(survivor)
    for party in others:
        _restore_record(session, party, parties[party.id])
    for party in [survivor, *others]:
        party.updated_at = host.now()
    session.flush()
    if survivor.role == CUSTOMER:
        customer = host.customers.get(session, survivor.customer_id)
        host.customers.update(session, customer.id, **{
            k: v for k, v in customer_fields(survivor).items() if getattr(customer, k) != v})
    _restore_history(host, session, survivor, others, parties, log.snapshot["added_lists"])
    refresh_activity(session, [survivor.id, *log.merged_ids])
    log.undone_at = host.now()
    log.undone_by_id, log.undone_by_name = host.users.actor()
    log.snapshot = {}  # the copy of the personal data is not needed any more
    session.flush()
    for party in [survivor, *others]:
        session.expire(party)
    hooks.crm_merge_undone(host, session, survivor_id=survivor.id, restored_ids=list(log.merged_ids),
                           merge_id=log.id)
    return list(log.merged_ids)


def _decisions(definitions: dict[int, customfields.FieldDefinition], decisions: dict[str, str]) -> dict[str, str]:
    """The user's decisions by the first field of each group (a field is named by name or label)."""
    by_unit = {}
    for key, decision in decisions.items():
        field = _field(definitions, key)
        if decision not in (KEEP, RESTORE):
            raise CrmError(f"Für das Feld „{_label(definitions, field)}“ ist „{decision}“ keine Entscheidung; "
                           f"möglich sind „{KEEP}“ (jetzigen Wert behalten) und „{RESTORE}“ (Wert von vor dem "
                           "Zusammenführen wiederherstellen).")
        by_unit[fields.group_of(field)[0]] = decision
    return by_unit


def _survivor_fields(log: Merge, survivor: Party, before: dict[str, Any],
                     definitions: dict[int, customfields.FieldDefinition],
                     decisions: dict[str, str]) -> dict[str, Any]:
    """The survivor's fields to set back (field -> value before the merge); raises
    ``MergeConflict`` for a group the user changed since the merge and has not decided on."""
    merged = log.snapshot.get("result", {})
    restore, conflicts = {}, []
    for unit in UNITS:
        old = {f: _from_json(f, before[f]) for f in unit}
        new = {f: _from_json(f, merged[f]) if f in merged else _UNKNOWN for f in unit}
        now = {f: getattr(survivor, f) for f in unit}
        if old == now or old == new:
            continue  # nothing to restore, or the merge did not change it
        if now == new or decisions.get(unit[0]) == RESTORE:
            restore |= old
        elif decisions.get(unit[0]) != KEEP:
            conflicts.append({
                "field": unit[0], "label": " und ".join(_label(definitions, f) for f in unit),
                "current": "; ".join(_shown(definitions, f, now[f]) for f in unit),
                "before": "; ".join(_shown(definitions, f, old[f]) for f in unit),
            })
    if conflicts:
        raise MergeConflict(log.id, conflicts)
    return restore


def _remove_merged_rows(survivor: Party, before: dict[str, Any], others: list[dict[str, Any]]) -> None:
    """Take the phones and categories the merge brought from the other records off the survivor."""
    own_phones = {p["search_key"] for p in before["phones"]}
    brought_phones = {p["search_key"] for data in others for p in data["phones"]} - own_phones
    survivor.phones = [p for p in survivor.phones if p.search_key not in brought_phones]
    for position, phone in enumerate(survivor.phones):
        phone.position = position
    brought_categories = {c for data in others for c in data["categories"]} - set(before["categories"])
    survivor.category_rows = [row for row in survivor.category_rows if row.category not in brought_categories]


def _restore_record(session: Session, party: Party, data: dict[str, Any]) -> None:
    """A merged record as it was before the merge (it could not be changed while merged)."""
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
    """Give the merged records back their contact persons, history, lists and documents."""
    existing_lists = set(session.scalars(select(MailingList.id)))
    if added_lists:
        session.execute(delete(ListMember).where(ListMember.party_id == survivor.id,
                                                 ListMember.list_id.in_(added_lists)))
    for party in others:
        data = parties[party.id]
        for contact in data["contacts"]:
            session.execute(update(ContactPerson).where(ContactPerson.id == contact["id"]).values(
                party_id=party.id, position=contact["position"], is_main=contact["is_main"]))
        for model, key in ((Event, "events"), (FollowUp, "followups")):
            if data[key]:
                session.execute(update(model).where(model.id.in_(data[key])).values(party_id=party.id)
                                .execution_options(synchronize_session=False))
        lists = [i for i in data["lists"] if i in existing_lists]
        if lists:
            session.execute(insert(ListMember), [{"list_id": i, "party_id": party.id, "added_at": host.now()}
                                                 for i in lists])
        host.documents.move(session, data["documents"], *documents_party(party))
    session.flush()
    session.expire(survivor, ["contacts"])
    if survivor.contacts and not any(c.is_main for c in survivor.contacts):
        survivor.contacts[0].is_main = True  # the main contact went back to its record
        session.flush()


def merges(session: Session, party_id: int | None = None) -> list[dict[str, Any]]:
    """The merge log (newest first), optionally of one surviving record, with the names of the
    merged records (a record deleted after the undo of its merge is named as such)."""
    query = select(Merge).order_by(Merge.id.desc())
    if party_id is not None:
        query = query.where(Merge.survivor_id == party_id)
    logs = list(session.scalars(query))
    ids = {i for m in logs for i in m.merged_ids}
    names = {p.id: label(p) for p in session.scalars(select(Party).where(Party.id.in_(ids)))} if ids else {}
    return [{"id": m.id, "survivor_id": m.survivor_id, "merged_ids": list(m.merged_ids),
             "merged": [names.get(i, "einem gelöschten Datensatz") for i in m.merged_ids],
             "merged_at": m.merged_at, "merged_by": m.merged_by_name, "undone_at": m.undone_at,
             "undone_by": m.undone_by_name} for m in logs]
