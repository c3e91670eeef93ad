"""Hooks the CRM offers to other modules, called through ``crm_module.hooks`` inside the transaction
of the change (raising rolls it back). Ids are ``crm_parties`` ids ("prospect ids"); a party
keeps its id when it becomes a customer and back.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pluggy

from host_stub.api import PROJECT_NAME

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from crm_module.models import Event
    from host_stub.host import Host

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def crm_prospects_converted(host: Host, session: Session, pairs: dict[int, int]) -> None:
    """Prospects became customers; ``pairs`` maps prospect id to the new customer id."""


@hookspec
def crm_customers_reverted(host: Host, session: Session, pairs: dict[int, int]) -> None:
    """Customers became prospects again (and were deleted); ``pairs`` maps customer id to prospect id."""


@hookspec
def crm_prospects_merged(host: Host, session: Session, survivor_id: int, merged_ids: list[int], merge_id: int) -> None:
    """Duplicates were merged into ``survivor_id``; ``merge_id`` identifies the logged merge."""


@hookspec
def crm_merge_undone(host: Host, session: Session, survivor_id: int, restored_ids: list[int], merge_id: int) -> None:
    """A merge was undone: the records ``restored_ids`` exist on their own again."""


@hookspec
def crm_status_changed(host: Host, session: Session, prospect_id: int, old: str, new: str) -> None:
    """The status of a prospect changed from ``old`` to ``new``."""


@hookspec
def crm_statuses_changed(host: Host, session: Session, prospect_ids: list[int], new: str) -> None:
    """Many prospects got the status ``new`` at once (``prospects.set_status``); their earlier
    statuses are in their status history. Called once, instead of ``crm_status_changed`` per prospect."""


@hookspec
def crm_event_recorded(host: Host, session: Session, event: Event) -> None:
    """A contact event (``event.kind``, ``event.party_id``, ``event.occurred_at``) was recorded."""


@hookspec
def crm_events_recorded(host: Host, session: Session, kind: str, party_ids: list[int], occurred_at: datetime) -> None:
    """The same event (``kind`` at ``occurred_at``) was recorded for many parties at once
    (``history.record_many``). Called once, instead of ``crm_event_recorded`` per event."""


@hookspec
def crm_prospects_deleted(host: Host, session: Session, prospect_ids: list[int], erased: bool) -> None:
    """Prospects were deleted; ``erased`` is True for a data-protection erasure (delete your copies too)."""
