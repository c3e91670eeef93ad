"""Bulk write paths: one event for many parties, one status for many prospects; a few statements,
one licence check, nothing half-written."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from crm_module import history, merging, overview, prospects
from crm_module.errors import CrmError, InvalidInput
from crm_module.models import Event, StatusChange
from tests.crm.conftest import create, record


@pytest.fixture
def licence_checks(monkeypatch):
    """Counts ``host.require_writable`` calls of a host."""
    def counting(host):
        calls = []
        check = host.require_writable
        monkeypatch.setattr(host, "require_writable", lambda *a, **k: (calls.append(a), check(*a, **k))[1])
        return calls
    return counting


def test_crm_events_recorded_once_for_a_mailing_to_many(spy, licence_checks):
    host, recorder = spy
    ids = [create(host, company=f"Firma {i}") for i in range(3)]
    with host.session() as session:
        history.record_event(host, session, ids[0], "call", occurred_at=datetime(2026, 12, 24, 9, 0))
    checks = licence_checks(host)
    with host.session() as session:
        count = history.record_many(host, session, [*ids, ids[1]], "mailing", subject="Weihnachtsgruß",
                                    occurred_at=datetime(2026, 12, 1, 8, 0))
    assert count == 3 and len(checks) == 1
    assert recorder.last("crm_events_recorded") == {
        "kind": "mailing", "party_ids": ids, "occurred_at": datetime(2026, 12, 1, 8, 0)}
    assert recorder.names().count("crm_event_recorded") == 1  # the call before, not one per recipient
    with host.session() as session:
        rows = {row["id"]: row for row in overview.overview(session, overview.Filters()).rows}
    assert [rows[i]["contact_count"] for i in ids] == [2, 1, 1]
    # the earlier call on 24.12. stays the last contact; the others' last contact is the mailing
    assert [rows[i]["last_contact_at"] for i in ids] == [datetime(2026, 12, 24, 9, 0), *[datetime(2026, 12, 1, 8)] * 2]
    assert [e["subject"] for e in record(host, ids[2])["events"]] == ["Weihnachtsgruß"]


def test_record_many_refuses_a_merged_or_deleted_recipient_and_records_nothing(host):
    first, second, third = (create(host, company=name) for name in ("A", "B", "C"))
    with host.session() as session:
        merging.merge(host, session, [first, second])
    with host.session() as session, pytest.raises(CrmError, match="1 gewählter Datensatz ist gelöscht oder"):
        history.record_many(host, session, [first, second, third], "newsletter")
    with host.session() as session, pytest.raises(InvalidInput, match="Unbekannte Art"):
        history.record_many(host, session, [first], "fax")
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_crm_statuses_changed_once_with_the_history_of_each(spy, licence_checks):
    host, recorder = spy
    ids = [create(host, company=f"Firma {i}") for i in range(4)]
    with host.session() as session:
        prospects.update(host, session, ids[0], {"status": "Angebot"})
    checks = licence_checks(host)
    with host.session() as session:
        assert prospects.set_status(host, session, "Angebot", party_ids=ids[:3]) == 2
    assert len(checks) == 1
    assert recorder.last("crm_statuses_changed") == {"prospect_ids": ids[1:3], "new": "Angebot"}
    with host.session() as session:
        changed = prospects.set_status(host, session, "Verhandlung",
                                       filters=overview.Filters(status="Angebot"))
    assert changed == 3 and [record(host, i)["status"] for i in ids] == ["Verhandlung"] * 3 + ["Neu"]
    with host.session() as session:
        history_rows = session.execute(select(StatusChange.party_id, StatusChange.old_status, StatusChange.new_status)
                                       .order_by(StatusChange.id)).all()
    assert [tuple(row) for row in history_rows] == [
        (ids[0], "Neu", "Angebot"), (ids[1], "Neu", "Angebot"), (ids[2], "Neu", "Angebot"),
        *sorted((i, "Angebot", "Verhandlung") for i in ids[:3])]


def test_set_status_refuses_an_unknown_status_or_a_customer_and_changes_nothing(host):
    from crm_module import conversion

    prospect, customer = create(host, company="A"), create(host, company="B")
    with host.session() as session:
        conversion.convert(host, session, [customer])
    with host.session() as session, pytest.raises(InvalidInput, match="Unbekannter Status „Gold“"):
        prospects.set_status(host, session, "Gold", party_ids=[prospect])
    with host.session() as session, pytest.raises(CrmError, match="1 gewählter Datensatz ist kein Interessent"):
        prospects.set_status(host, session, "Angebot", party_ids=[prospect, customer])
    assert record(host, prospect)["status"] == "Neu"
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(StatusChange)) == 0
