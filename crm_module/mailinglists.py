"""Mailing and newsletter lists and their members (prospects and customers alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from crm_module import MODULE_ID
from crm_module.errors import CrmError, InvalidInput, NotFound
from crm_module.models import MERGED, ListMember, MailingList, Party
from host_stub.api import quoted

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

LIST_KINDS = {"mailing": "Mailing", "newsletter": "Newsletter"}
CHUNK = 5000


def create_list(host: Host, session: Session, name: str, kind: str) -> MailingList:
    host.require_writable(session, MODULE_ID)
    name = " ".join((name or "").split())
    errors = {}
    if not name or len(name) > 120:
        errors["name"] = "Bitte einen Namen mit höchstens 120 Zeichen angeben."
    elif session.scalar(select(MailingList.id).where(func.lower(MailingList.name) == name.lower())):
        errors["name"] = f"Eine Liste {quoted(name)} gibt es schon; bitte einen anderen Namen wählen."
    if kind not in LIST_KINDS:
        errors["kind"] = f"Unbekannte Listenart {quoted(kind)}. Möglich: mailing (Mailing), newsletter (Newsletter)."
    if errors:
        raise InvalidInput(errors, {"name": "Name", "kind": "Art"})
    mailing_list = MailingList(name=name, kind=kind, created_at=host.now())
    session.add(mailing_list)
    session.flush()
    return mailing_list


def get_list(session: Session, list_id: int) -> MailingList:
    mailing_list = session.get(MailingList, list_id)
    if mailing_list is None:
        raise NotFound("Diese Liste gibt es nicht (mehr); vielleicht wurde sie gelöscht.")
    return mailing_list


def _known_parties(session: Session, party_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(party_ids))
    found = {row.id: row for row in session.execute(select(Party.id, Party.role, Party.number)
                                                     .where(Party.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        which = ("Den gewählten Interessenten" if len(ids) == 1
                 else f"{len(missing)} von {len(ids)} gewählten Interessenten")
        raise NotFound(f"{which} gibt es nicht mehr; bitte die Liste neu laden.")
    merged = [found[i].number or "-" for i in ids if found[i].role == MERGED]
    if merged:
        raise CrmError(f"{', '.join(merged)} wurde{'n' if len(merged) > 1 else ''} mit einem anderen Datensatz "
                       "zusammengeführt; bitte den verbliebenen nehmen.")
    return ids


def _chunks(ids: list[int]) -> list[list[int]]:
    """Slices that keep ``IN (...)`` below the databases' limits of bound parameters."""
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def add_members(host: Host, session: Session, list_id: int, party_ids: list[int]) -> int:
    """Put parties on a list (those already on it stay), all or none; returns how many were added."""
    host.require_writable(session, MODULE_ID)
    get_list(session, list_id)
    now, added = host.now(), 0
    for chunk in _chunks(list(dict.fromkeys(party_ids))):
        ids = _known_parties(session, chunk)
        present = set(session.scalars(select(ListMember.party_id).where(
            ListMember.list_id == list_id, ListMember.party_id.in_(ids))))
        new = [i for i in ids if i not in present]
        if new:
            session.execute(insert(ListMember), [{"list_id": list_id, "party_id": i, "added_at": now} for i in new])
        added += len(new)
    return added


def remove_members(host: Host, session: Session, list_id: int, party_ids: list[int]) -> int:
    """Take parties off a list (those not on it are ignored); returns how many were removed."""
    host.require_writable(session, MODULE_ID)
    get_list(session, list_id)
    return sum(session.execute(delete(ListMember).where(ListMember.list_id == list_id,
                                                        ListMember.party_id.in_(chunk))).rowcount
               for chunk in _chunks(list(dict.fromkeys(party_ids))))


def lists(session: Session, count_members: bool = True) -> list[dict[str, Any]]:
    """Every list by name; without ``count_members`` it skips counting (the overview's filter box)."""
    if not count_members:
        return [{"id": m.id, "name": m.name, "kind": m.kind}
                for m in session.scalars(select(MailingList).order_by(MailingList.name))]
    counts = (select(ListMember.list_id, func.count().label("members")).group_by(ListMember.list_id).subquery())
    rows = session.execute(
        select(MailingList, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.list_id == MailingList.id).order_by(MailingList.name)
    )
    return [{"id": m.id, "name": m.name, "kind": m.kind, "members": members} for m, members in rows]


def memberships(session: Session, party_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(MailingList).join(ListMember, ListMember.list_id == MailingList.id)
                           .where(ListMember.party_id == party_id).order_by(MailingList.name))
    return [{"id": m.id, "name": m.name, "kind": m.kind} for m in rows]
