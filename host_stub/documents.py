"""The document store: files for a party, with content hash, size limit and safe names."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from host_stub.errors import HostError, NotFound, Vetoed
from host_stub.models import Document, DocumentBlob

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Document kinds and how the pages name them.
KIND_LABELS = {"attachment": "Anhang", "letter": "Brief", "offer": "Angebot", "invoice": "Rechnung"}
KINDS = tuple(KIND_LABELS)
#: Kinds the law says must be kept, and for how many years after the end of the year they were filed
#: (§ 147 Abs. 3 AO, GoBD: invoices are Buchungsbelege, 8 years since 2025). While one is kept, the
#: party it refers to cannot be deleted or erased.
RETENTION_YEARS = {"invoice": 8}
RETAINED_KINDS = tuple(RETENTION_YEARS)
#: Days after filing in which a document of a retained kind may still be deleted or given another
#: kind, so that a file filed as "Rechnung" by mistake has a way out. Bookkeeping has to record a
#: non-cash transaction within ten days (GoBD); until then the invoice cannot be part of the books.
CORRECTION_DAYS = 10
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def check_filename(filename: str) -> str:
    """Return the name as stored (NFC), or refuse one that is path-like, reserved or too long."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise HostError("Der Dateiname fehlt.")
    if len(name) > 200:
        raise HostError(f"Der Dateiname ist {len(name)} Zeichen lang; erlaubt sind höchstens 200.")
    if _FORBIDDEN.search(name) or name in {".", ".."} or name.startswith("."):
        raise HostError(
            f"Der Dateiname „{filename}“ ist nicht erlaubt: keine Pfade (/ oder \\), keine Steuerzeichen "
            'und keines von < > : " | ? *, und er darf nicht mit einem Punkt beginnen.'
        )
    if name.split(".")[0].upper() in _RESERVED:
        raise HostError(f"Der Dateiname „{filename}“ ist unter Windows reserviert; bitte umbenennen.")
    return name


def retained_until(document: Document) -> date:
    return date(document.created_at.year + RETENTION_YEARS[document.kind], 12, 31)


def retention_notice(documents: list[Document]) -> str:
    """Why the documents stop a deletion, and until when: what the user reads in the refusal."""
    names = ", ".join(f"„{d.filename}“" for d in documents)
    until = max(retained_until(d) for d in documents).strftime("%d.%m.%Y")
    if len(documents) == 1:
        return (f"Die Rechnung {names} muss nach § 147 AO (GoBD) bis zum {until} aufbewahrt werden; "
                "so lange bleibt auch der Datensatz, zu dem sie gehört.")
    return (f"Die {len(documents)} Rechnungen {names} müssen nach § 147 AO (GoBD) aufbewahrt werden, die "
            f"letzte bis zum {until}; so lange bleibt auch der Datensatz, zu dem sie gehören.")


class DocumentStore:
    kind_labels = KIND_LABELS
    correction_days = CORRECTION_DAYS

    def __init__(self, host: Host, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.host = host
        self.max_bytes = max_bytes

    def add(self, session: Session, party_type: str, party_id: int, filename: str, data: bytes,
            kind: str = "attachment", content_type: str | None = None) -> Document:
        """Store a file for a party and call ``document_created``; refuses bad names and sizes."""
        name = check_filename(filename)
        if kind not in KINDS:
            raise HostError(f"Unbekannte Dokumentart „{kind}“. Möglich: {', '.join(KINDS)}.")
        if len(data) > self.max_bytes:
            raise HostError(
                f"Die Datei „{name}“ ist {len(data) / 1_048_576:.1f} MB groß; erlaubt sind höchstens "
                f"{self.max_bytes / 1_048_576:.0f} MB."
            )
        digest = hashlib.sha256(data).hexdigest()
        if session.get(DocumentBlob, digest) is None:
            session.add(DocumentBlob(sha256=digest, data=data))
            session.flush()  # the blob row must exist before the document that refers to it
        document = Document(
            party_type=party_type, party_id=party_id, kind=kind, filename=name,
            content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=len(data), sha256=digest, created_at=self.host.now(),
        )
        session.add(document)
        session.flush()
        self.host.hooks.document_created(session=session, document=document)
        return document

    def get(self, session: Session, document_id: int) -> Document:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound("Dieses Dokument gibt es nicht (mehr); vielleicht wurde es gelöscht.")
        return document

    def content(self, session: Session, document_id: int) -> bytes:
        return session.get(DocumentBlob, self.get(session, document_id).sha256).data

    def for_party(self, session: Session, party_type: str, party_id: int) -> list[Document]:
        query = select(Document).where(Document.party_type == party_type, Document.party_id == party_id)
        return list(session.scalars(query.order_by(Document.created_at, Document.id)))

    def reassign(self, session: Session, party_type: str, party_ids: list[int], new_type: str,
                 new_ids: list[int]) -> None:
        """Move the documents of each party to its new party (conversions and merges), in one statement."""
        pairs = [{"old_id": old, "new_id": new} for old, new in zip(party_ids, new_ids, strict=True)]
        if not pairs:
            return
        table = Document.__table__
        session.connection().execute(
            update(table)
            .where(table.c.party_type == party_type, table.c.party_id == bindparam("old_id"))
            .values(party_type=new_type, party_id=bindparam("new_id")),
            pairs,
        )
        for loaded in [obj for obj in session.identity_map.values() if isinstance(obj, Document)]:
            session.expire(loaded)  # it may hold the old party

    def move(self, session: Session, document_ids: list[int], party_type: str, party_id: int) -> None:
        """Move single documents to a party (undoing a merge puts each back where it was)."""
        if document_ids:
            session.execute(
                update(Document).where(Document.id.in_(document_ids)).values(party_type=party_type, party_id=party_id)
            )

    def correctable_until(self, document: Document) -> datetime | None:
        """Until when a retained document may be deleted or reclassified; None for other kinds (always)."""
        if document.kind not in RETAINED_KINDS:
            return None
        return document.created_at + timedelta(days=CORRECTION_DAYS)

    def _require_correctable(self, document: Document, action: str) -> None:
        until = self.correctable_until(document)
        if until is not None and self.host.now() >= until:
            raise HostError(
                f"„{document.filename}“ ist seit dem {document.created_at:%d.%m.%Y} als "
                f"{KIND_LABELS[document.kind]} abgelegt und muss aufbewahrt werden (GoBD, § 147 AO). {action} "
                f"geht nur in den ersten {CORRECTION_DAYS} Tagen nach dem Ablegen, also bis {until:%d.%m.%Y}."
            )

    def delete(self, session: Session, document_id: int) -> Document:
        """Delete one document; a retained one (an invoice) only within ``CORRECTION_DAYS`` of filing."""
        document = self.get(session, document_id)
        self._require_correctable(document, "Löschen")
        session.delete(document)
        session.flush()
        self._drop_unused_blobs(session, {document.sha256})
        return document

    def change_kind(self, session: Session, document_id: int, kind: str) -> str:
        """Give a document another kind and return the old one; taking a retained kind away (an
        invoice filed by mistake) is allowed only within ``CORRECTION_DAYS`` of filing."""
        document = self.get(session, document_id)
        if kind not in KINDS:
            raise HostError(f"Unbekannte Dokumentart „{kind}“. Möglich: {', '.join(KIND_LABELS.values())}.")
        old = document.kind
        if kind != old:
            self._require_correctable(document, "Die Art ändern")
            document.kind = kind
            session.flush()
        return old

    def _drop_unused_blobs(self, session: Session, digests: set[str]) -> None:
        """Delete the contents no document refers to any more (contents are shared by hash)."""
        for digest in digests:
            if session.scalar(select(Document.id).where(Document.sha256 == digest).limit(1)) is None:
                session.delete(session.get(DocumentBlob, digest))
        session.flush()

    def retained(self, session: Session, party_type: str, party_id: int) -> list[Document]:
        """The party's documents that must be kept (invoices): they block erasing or removing the party."""
        return [d for d in self.for_party(session, party_type, party_id) if d.kind in RETAINED_KINDS]

    def delete_for_party(self, session: Session, party_type: str, party_id: int) -> int:
        """Delete a party's documents and the stored files no other document shares (deleting or
        erasing the party); refuses while one of them must be retained."""
        documents = self.for_party(session, party_type, party_id)
        retained = [d for d in documents if d.kind in RETAINED_KINDS]
        if retained:
            raise Vetoed(retention_notice(retained))
        if not documents:
            return 0
        session.execute(delete(Document).where(Document.id.in_([d.id for d in documents])))
        digests = {d.sha256 for d in documents}
        shared = set(session.scalars(select(Document.sha256).where(Document.sha256.in_(digests))))
        session.execute(delete(DocumentBlob).where(DocumentBlob.sha256.in_(digests - shared)))
        return len(documents)
