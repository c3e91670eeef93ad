"""Typed calls of the CRM's own hooks (``crm_module.hookspecs``): ``hooks.crm_status_changed(host, session, ...)``.

One function per hook, its arguments spelt out, so that a misspelt hook or a wrong argument fails at
type-check and test time; tests/test_hook_docs.py checks that they match the specs. Each goes through
``host.notify``: pluggy's calling, on the enabled modules only, inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from crm_module.models import Event
    from host_stub.host import Host


def crm_prospects_converted(host: Host, session: Session, *, pairs: dict[int, int]) -> None:
    host.notify(session, "crm_prospects_converted", pairs=pairs)


def crm_customers_reverted(host: Host, session: Session, *, pairs: dict[int, int]) -> None:
    host.notify(session, "crm_customers_reverted", pairs=pairs)


def crm_prospects_merged(host: Host, session: Session, *, survivor_id: int, merged_ids: list[int],
                         merge_id: int) -> None:
    host.notify(session, "crm_prospects_merged", survivor_id=survivor_id, merged_ids=merged_ids, merge_id=merge_id)


def crm_merge_undone(host: Host, session: Session, *, survivor_id: int, restored_ids: list[int],
                     merge_id: int) -> None:
    host.notify(session, "crm_merge_undone", survivor_id=survivor_id, restored_ids=restored_ids, merge_id=merge_id)


def crm_status_changed(host: Host, session: Session, *, prospect_id: int, old: str, new: str) -> None:
    host.notify(session, "crm_status_changed", prospect_id=prospect_id, old=old, new=new)


def crm_event_recorded(host: Host, session: Session, *, event: Event) -> None:
    host.notify(session, "crm_event_recorded", event=event)


def crm_statuses_changed(host: Host, session: Session, *, prospect_ids: list[int], new: str) -> None:
    host.notify(session, "crm_statuses_changed", prospect_ids=prospect_ids, new=new)


def crm_events_recorded(host: Host, session: Session, *, kind: str, party_ids: list[int],
                        occurred_at: datetime) -> None:
    host.notify(session, "crm_events_recorded", kind=kind, party_ids=party_ids, occurred_at=occurred_at)


def crm_prospects_deleted(host: Host, session: Session, *, prospect_ids: list[int], erased: bool) -> None:
    host.notify(session, "crm_prospects_deleted", prospect_ids=prospect_ids, erased=erased)
