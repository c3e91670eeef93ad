"""Kleinstammdaten: small lookup lists of kinds that modules register and users edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from host_stub.api import ADMINISTRATOR
from host_stub.errors import HostError, NotFound
from host_stub.models import MasterDataEntry
from host_stub.plugins import HOST_OWNER

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


class MasterDataService:
    def __init__(self, host: Host) -> None:
        self.host = host

    def _kind(self, session: Session, kind: str) -> str:
        """The owner of a registered kind (``host`` or a module id)."""
        kinds = self.host.masterdata_kinds(session)
        if kind not in kinds:
            raise NotFound(f"Unbekannte Stammdatenart „{kind}“. Vorhanden: {', '.join(sorted(kinds)) or 'keine'}.")
        return kinds[kind][0]

    def _writable_kind(self, session: Session, kind: str) -> None:
        """Administrators edit the lists; a module's lists are its data: editing them needs its licence too."""
        self.host.users.require(ADMINISTRATOR, "Kleinstammdaten ändern")
        owner = self._kind(session, kind)
        if owner != HOST_OWNER:
            self.host.require_writable(session, owner)

    def seed(self, session: Session) -> None:
        """Give each registered kind its default entries, once (a kind with entries is left alone)."""
        for key, (_owner, kind) in self.host.masterdata_kinds(session).items():
            if session.scalar(select(func.count()).where(MasterDataEntry.kind == key)):
                continue
            session.add_all(MasterDataEntry(kind=key, label=label, position=i) for i, label in enumerate(kind.defaults))
        session.flush()

    def entries(self, session: Session, kind: str, include_inactive: bool = False) -> list[MasterDataEntry]:
        self._kind(session, kind)
        query = select(MasterDataEntry).where(MasterDataEntry.kind == kind)
        if not include_inactive:
            query = query.where(MasterDataEntry.active)
        return list(session.scalars(query.order_by(MasterDataEntry.position, MasterDataEntry.label)))

    def labels(self, session: Session, kind: str) -> list[str]:
        """The active entries' labels in their order (the choices of a form: no entry objects loaded)."""
        self._kind(session, kind)
        query = select(MasterDataEntry.label).where(MasterDataEntry.kind == kind, MasterDataEntry.active)
        return list(session.scalars(query.order_by(MasterDataEntry.position, MasterDataEntry.label)))

    def add(self, session: Session, kind: str, label: str) -> MasterDataEntry:
        self._writable_kind(session, kind)
        label = label.strip()
        if not label or len(label) > 120:
            raise HostError("Die Bezeichnung darf nicht leer und höchstens 120 Zeichen lang sein.")
        existing = session.scalars(
            select(MasterDataEntry).where(MasterDataEntry.kind == kind, MasterDataEntry.label == label)
        ).first()
        if existing is not None:
            if existing.active:
                raise HostError(f"„{label}“ gibt es in dieser Liste schon.")
            existing.active = True
            return existing
        position = session.scalar(select(func.coalesce(func.max(MasterDataEntry.position), -1) + 1)
                                  .where(MasterDataEntry.kind == kind))
        entry = MasterDataEntry(kind=kind, label=label, position=position)
        session.add(entry)
        session.flush()
        return entry

    def deactivate(self, session: Session, kind: str, label: str) -> None:
        """Hide an entry from choices; records that use it keep their value."""
        self._writable_kind(session, kind)
        entry = next((e for e in self.entries(session, kind) if e.label == label), None)
        if entry is None:
            raise NotFound(f"„{label}“ steht nicht in der Liste „{kind}“.")
        entry.active = False
        session.flush()
