"""Fixtures of the CRM tests: sample prospects, a spy module for the CRM's own hooks."""

from __future__ import annotations

from typing import Any

import pytest

from crm_module import prospects
from host_stub.api import hookimpl
from host_stub.manifest import Manifest
from host_stub.plugins import PluginRegistry


def prospect_data(**overrides: Any) -> dict[str, Any]:
    """A valid business prospect in Köln; keyword arguments replace fields."""
    data = {
        "company": "Bäckerei Schmitz GmbH", "street": "Hauptstraße", "house_number": "12",
        "postcode": "50667", "city": "Köln", "country": "DE", "email": "info@schmitz.example",
        "phones": [{"kind": "Telefon", "number": "+49 221 1234567"}],
    }
    return data | overrides


def create(host, **overrides: Any) -> int:
    """Create a prospect in its own transaction; returns its id."""
    with host.session() as session:
        return prospects.create(host, session, prospect_data(**overrides)).id


def record(host, party_id: int) -> dict[str, Any]:
    with host.session() as session:
        return prospects.get(host, session, party_id)


class CrmSpy:
    """A third module that follows the CRM's hooks, as another module author would write it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def last(self, name: str) -> dict[str, Any]:
        return [kwargs for called, kwargs in self.calls if called == name][-1]

    @hookimpl
    def crm_prospects_converted(self, host, session, pairs):
        self.calls.append(("crm_prospects_converted", {"pairs": dict(pairs)}))

    @hookimpl
    def crm_customers_reverted(self, host, session, pairs):
        self.calls.append(("crm_customers_reverted", {"pairs": dict(pairs)}))

    @hookimpl
    def crm_prospects_merged(self, host, session, survivor_id, merged_ids, merge_id):
        self.calls.append(("crm_prospects_merged", {"survivor_id": survivor_id, "merged_ids": merged_ids,
                                                    "merge_id": merge_id}))

    @hookimpl
    def crm_merge_undone(self, host, session, survivor_id, restored_ids, merge_id):
        self.calls.append(("crm_merge_undone", {"survivor_id": survivor_id, "restored_ids": restored_ids,
                                                "merge_id": merge_id}))

    @hookimpl
    def crm_status_changed(self, host, session, prospect_id, old, new):
        self.calls.append(("crm_status_changed", {"prospect_id": prospect_id, "old": old, "new": new}))

    @hookimpl
    def crm_event_recorded(self, host, session, event):
        self.calls.append(("crm_event_recorded", {"party_id": event.party_id, "kind": event.kind}))

    @hookimpl
    def crm_statuses_changed(self, host, session, prospect_ids, new):
        self.calls.append(("crm_statuses_changed", {"prospect_ids": sorted(prospect_ids), "new": new}))

    @hookimpl
    def crm_events_recorded(self, host, session, kind, party_ids, occurred_at):
        self.calls.append(("crm_events_recorded", {"kind": kind, "party_ids": party_ids, "occurred_at": occurred_at}))

    @hookimpl
    def crm_prospects_deleted(self, host, session, prospect_ids, erased):
        self.calls.append(("crm_prospects_deleted", {"prospect_ids": prospect_ids, "erased": erased}))


@pytest.fixture
def spy(make_host):
    """``(host, spy)``: a host with the CRM and an enabled module that records the CRM's hooks."""
    registry = PluginRegistry()
    registry.discover()
    recorder = CrmSpy()
    registry.register(recorder, Manifest("crmspy", "CRM-Spion", "1.0", "", ">=1.0", "tests", "crmspy_"))
    return make_host(registry, enable=("crm", "crmspy")), recorder
