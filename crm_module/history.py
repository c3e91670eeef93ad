"""A party's history: contact events and follow-ups ("Wiedervorlagen"), and the overview's
activity columns (number of contacts, last contact, next follow-up) derived from them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, String, Text, case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from crm_module import MODULE_ID, hooks
from crm_module.errors import CrmError, InvalidInput, NotFound
from crm_module.models import MERGED, Event, FollowUp, Party
from crm_module.parties import chunks, get_party, require_active
from host_stub.api import plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

EVENT_KINDS = {
    "call": "Anruf", "email": "E-Mail", "mailing": "Mailing", "newsletter": "Newsletter", "note": "Notiz",
    "credit_check": "Bonitätsprüfung",
}
#: Events in which the business was in touch with the party; they count as contacts in the overview.
CONTACT_KINDS = ("call", "email", "mailing", "newsletter")


def refresh_activity(session: Session, party_ids: list[int]) -> None:
    """Recompute contact count, last contact and next open follow-up of these parties (one UPDATE)."""
    if not party_ids:
        return
    contacts = select(Event).where(Event.party_id == Party.id, Event.kind.in_(CONTACT_KINDS))
    session.execute(
        update(Party)
        .where(Party.id.in_(party_ids))
        .values(
            contact_count=contacts.with_only_columns(func.count()).scalar_subquery(),
            last_contact_at=contacts.with_only_columns(func.max(Event.occurred_at)).scalar_subquery(),
            next_followup_on=select(func.min(FollowUp.due_on))
            .where(FollowUp.party_id == Party.id, FollowUp.done_at.is_(None)).scalar_subquery(),
        )
        .execution_options(synchronize_session="fetch")
    )


def record_event(host: Host, session: Session, party_id: int, kind: str, *, subject: str = "", text: str = "",
                 occurred_at: datetime | None = None) -> Event:
    """Add an event to a prospect's (or customer's) history and call ``crm_event_recorded``."""
    host.require_writable(session, MODULE_ID)
    party = get_party(session, party_id)
    require_active(session, party, "Kontakt erfassen")
    subject = _checked(kind, subject)
    event = Event(party_id=party.id, kind=kind, occurred_at=occurred_at or host.now(), subject=subject,
                  text=(text or "").strip(), created_at=host.now())
    session.add(event)
    session.flush()
    refresh_activity(session, [party.id])
    hooks.crm_event_recorded(host, session, event=event)
    return event


def _checked(kind: str, subject: str) -> str:
    """The subject as stored; refuses an unknown kind or a subject too long."""
    errors = {}
    if kind not in EVENT_KINDS:
        errors["kind"] = f"Unbekannte Art „{kind}“. Möglich: " + ", ".join(f"{k} ({v})" for k, v in EVENT_KINDS.items())
    subject = " ".join((subject or "").split())
    if len(subject) > 200:
        errors["subject"] = f"Höchstens 200 Zeichen (es sind {len(subject)})."
    if errors:
        raise InvalidInput(errors, {"kind": "Art", "subject": "Betreff"})
    return subject


def record_many(host: Host, session: Session, party_ids: list[int], kind: str, *, subject: str = "",
                text: str = "", occurred_at: datetime | None = None) -> int:
    """Add the same event to many parties' histories at once (a mailing to 10,000 recipients);
    returns how many were recorded and calls ``crm_events_recorded`` once.

    One licence check; per chunk of ids one count that all exist and none was merged, one
    INSERT … SELECT of the events and, for a contact, one UPDATE of the overview's columns (one
    more contact, the last contact no earlier than this one): no row is loaded as an object.
    """
    host.require_writable(session, MODULE_ID)
    subject = _checked(kind, subject)
    ids = list(dict.fromkeys(party_ids))
    now = host.now()
    occurred = occurred_at or now
    for chunk in chunks(ids):
        found = session.scalar(select(func.count()).select_from(Party).where(
            Party.id.in_(chunk), Party.role != MERGED))
        if found != len(chunk):
            missing = plural(len(chunk) - found, "gewählter Datensatz ist", "gewählte Datensätze sind")
            raise CrmError(f"{missing} gelöscht oder mit einem anderen zusammengeführt; es wurde nichts erfasst.")
        values = select(Party.id, literal(kind, String), literal(occurred, DateTime), literal(subject, String),
                        literal((text or "").strip(), Text), literal(now, DateTime)).where(Party.id.in_(chunk))
        session.execute(insert(Event).from_select(
            ["party_id", "kind", "occurred_at", "subject", "text", "created_at"], values))
        if kind in CONTACT_KINDS:
            session.execute(update(Party).where(Party.id.in_(chunk)).values(
                contact_count=Party.contact_count + 1,
                last_contact_at=case((Party.last_contact_at > occurred, Party.last_contact_at), else_=occurred),
            ).execution_options(synchronize_session=False))
    if ids:
        hooks.crm_events_recorded(host, session, kind=kind, party_ids=ids, occurred_at=occurred)
    return len(ids)


def add_followup(host: Host, session: Session, party_id: int, due_on: date, subject: str, note: str = "") -> FollowUp:
    """Plan something to do for a party by ``due_on``; the overview shows the next one."""
    host.require_writable(session, MODULE_ID)
    party = get_party(session, party_id)
    require_active(session, party, "Wiedervorlage anlegen")
    subject = " ".join((subject or "").split())
    if not subject or len(subject) > 200:
        raise InvalidInput({"subject": "Bitte einen Betreff mit höchstens 200 Zeichen angeben."},
                           {"subject": "Betreff"})
    followup = FollowUp(party_id=party.id, due_on=due_on, subject=subject, note=(note or "").strip(),
                        created_at=host.now())
    session.add(followup)
    session.flush()
    refresh_activity(session, [party.id])
    return followup


def complete_followup(host: Host, session: Session, followup_id: int) -> FollowUp:
    """Mark a follow-up as done; the next open one becomes the party's next follow-up."""
    host.require_writable(session, MODULE_ID)
    followup = session.get(FollowUp, followup_id)
    if followup is None:
        raise NotFound(f"Eine Wiedervorlage mit der ID {followup_id} gibt es nicht.")
    if followup.done_at is not None:
        raise CrmError(f"Die Wiedervorlage „{followup.subject}“ ist seit {followup.done_at:%d.%m.%Y} erledigt.")
    followup.done_at = host.now()
    session.flush()
    refresh_activity(session, [followup.party_id])
    return followup


def events(session: Session, party_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(Event).where(Event.party_id == party_id).order_by(Event.occurred_at, Event.id))
    return [{"id": e.id, "kind": e.kind, "kind_label": EVENT_KINDS[e.kind], "occurred_at": e.occurred_at,
             "subject": e.subject, "text": e.text} for e in rows]


def followups(session: Session, party_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(FollowUp).where(FollowUp.party_id == party_id)
                           .order_by(FollowUp.due_on, FollowUp.id))
    return [{"id": f.id, "due_on": f.due_on, "subject": f.subject, "note": f.note, "done_at": f.done_at}
            for f in rows]


def statistics(session: Session, party: Party) -> dict[str, Any]:
    """The Statistik tab's figures: contacts, last contact, next follow-up, events per kind."""
    counts = dict(session.execute(
        select(Event.kind, func.count()).where(Event.party_id == party.id).group_by(Event.kind)).all())
    return {
        "contact_count": party.contact_count,
        "last_contact_at": party.last_contact_at,
        "next_followup_on": party.next_followup_on,
        "events_by_kind": {kind: counts.get(kind, 0) for kind in EVENT_KINDS},
    }
