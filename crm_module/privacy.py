"""Data protection (DSGVO): export everything held on a person, and erase it.

Both work with an expired licence too: export is reading, and erasure is a duty the licence
does not gate. Erasure is for administrators only, and its entry names who erased. Erasure deletes the prospect with everything personal (phones, contact persons,
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

EXPORT_FORMAT = "crm-export/1"


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
    record = prospects.get(host, session, party_id)
    party = get_party(session, party_id)
    documents = [
        {**document, "content_base64": base64.b64encode(host.documents.content(session, document["id"])).decode()}
        for document in record.pop("documents")
    ]
    merged_rows = session.scalars(select(Party).where(Party.merged_into_id == party.id).order_by(Party.id))
    logs = {m.id: m.snapshot for m in session.scalars(select(Merge).where(Merge.survivor_id == party.id))}
    return jsonable({
        "format": EXPORT_FORMAT,
        "exported_at": host.now(),
        "record": record,
        "documents": documents,
        "merged_records": [{"id": p.id, "number": p.number, **editable(p)} for p in merged_rows],
        "merges": [{**entry, "snapshot": logs[entry["id"]]} for entry in merges(session, party.id)],
    })


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
