"""Data protection (DSGVO): export everything held on a person, and erase it.

Both work with an expired licence too: export is reading, and erasure is a duty the licence
does not gate. Erasure is for administrators only, and its entry names who erased. Erasure deletes
the prospect with everything personal (phones, contact persons,
history, list memberships, merged records and their snapshots, documents and their files) and
leaves only an anonymous entry: when, and how much. On SQLite no copy stays in the file or its
write-ahead log; what PostgreSQL keeps is in docs/privacy.md.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_module import prospects
from crm_module.merging import merges
from crm_module.models import Erasure, Merge, Party
from crm_module.parties import editable, get_party, require_prospect
from host_stub.api import ADMINISTRATOR

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: The DSGVO export's format. Its keys are fixed here, apart from the field catalogue and the
#: dialog: a renamed label or a new field changes nothing in it; a new field joins it with format 2.
EXPORT_FORMAT = "crm-dsgvo-export/1"
RECORD_KEYS = (
    "id", "number", "role", "customer_number", "created_at", "updated_at",
    "is_business", "status", "company", "salutation", "title", "first_name", "last_name", "street", "house_number",
    "address_addition", "postcode", "city", "country", "email", "website", "phones", "contacts",
    "vat_treatment", "vat_note", "payment_terms_days", "discount_percent", "categories", "source", "expected_volume",
    "custom", "statistics", "events", "followups", "lists",
)
#: The keys of the record's lists and of the documents.
ENTRY_KEYS = {
    "phones": ("kind", "number"),
    "contacts": ("id", "is_main", "salutation", "title", "first_name", "last_name", "function", "email", "phone",
                 "mobile"),
    "custom": ("slot", "label", "type", "value"),
    "statistics": ("contact_count", "last_contact_at", "next_followup_on", "events_by_kind"),
    "events": ("id", "kind", "occurred_at", "subject", "text"),
    "followups": ("id", "due_on", "subject", "note", "done_at"),
    "lists": ("id", "name", "kind"),
    "documents": ("id", "filename", "kind", "size", "content_type", "created_at"),
}
#: A merged duplicate: what it held when it was merged (its custom fields as slot -> value).
MERGED_KEYS = (
    "id", "number", "is_business", "status", "company", "salutation", "title", "first_name", "last_name", "street",
    "house_number", "address_addition", "postcode", "city", "country", "email", "website", "phones", "contacts",
    "vat_treatment", "vat_note", "payment_terms_days", "discount_percent", "categories", "source", "expected_volume",
    "custom",
)


def jsonable(value: Any) -> Any:
    """Plain JSON values: Decimal and dates as strings, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def export(host: Host, session: Session, party_id: int) -> dict[str, Any]:
    """Everything the CRM and the document store hold on one prospect (or customer), as JSON values."""
    shown = prospects.get(host, session, party_id)
    party = get_party(session, party_id)
    record = {key: _entries(key, shown[key]) for key in RECORD_KEYS}
    documents = [
        {**_pick(document, ENTRY_KEYS["documents"]),
         "content_base64": base64.b64encode(host.documents.content(session, document["id"])).decode()}
        for document in shown["documents"]
    ]
    merged_rows = session.scalars(select(Party).where(Party.merged_into_id == party.id).order_by(Party.id))
    logs = {m.id: m.snapshot for m in session.scalars(select(Merge).where(Merge.survivor_id == party.id))}
    return jsonable({
        "format": EXPORT_FORMAT,
        "exported_at": host.now(),
        "record": record,
        "documents": documents,
        "merged_records": [
            {key: _entries(key, value) for key, value in
             _pick({"id": p.id, "number": p.number, **editable(p)}, MERGED_KEYS).items()}
            for p in merged_rows
        ],
        "merges": [{**entry, "snapshot": logs[entry["id"]]} for entry in merges(session, party.id)],
    })


def _pick(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: values[key] for key in keys}


def _entries(key: str, value: Any) -> Any:
    """A value of the record in the export's format: lists and figures with their fixed keys."""
    if key in ENTRY_KEYS and isinstance(value, list):
        return [_pick(entry, ENTRY_KEYS[key]) for entry in value]
    return _pick(value, ENTRY_KEYS[key]) if key == "statistics" else value


def erase(host: Host, session: Session, party_id: int) -> dict[str, int]:
    """Erase a prospect and everything personal; refused while documents must be kept (invoices).

    Returns what was erased (the numbers also go into the anonymous ``crm_erasures`` entry).
    """
    host.users.require(ADMINISTRATOR, "Personendaten nach DSGVO löschen")
    party = get_party(session, party_id)
    require_prospect(session, party, "Löschen nach DSGVO")
    counts = prospects.delete_prospects(host, session, [party_id], erased=True)
    erased_by_id, erased_by_name = host.users.actor()
    session.add(Erasure(erased_at=host.now(), erased_by_id=erased_by_id, erased_by_name=erased_by_name, counts=counts))
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        event.listen(session, "after_commit", lambda _session: _empty_wal(host), once=True)
    return counts


def _empty_wal(host: Host) -> None:
    """After the erasure's commit: move the write-ahead log into the database file and empty it.

    SQLite overwrites deleted rows in the file (``secure_delete``, on for every connection), but
    the log still holds earlier versions of those pages until a checkpoint.
    """
    with host.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def erasures(session: Session) -> list[dict[str, Any]]:
    return [{"id": e.id, "erased_at": e.erased_at, "erased_by": e.erased_by_name, "counts": e.counts}
            for e in session.scalars(select(Erasure).order_by(Erasure.id))]
