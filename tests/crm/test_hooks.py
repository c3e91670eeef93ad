"""The CRM's own hooks reach another enabled module, with the ids it needs."""

from datetime import datetime

from crm_module import conversion, history, merging, privacy, prospects
from tests.crm.conftest import create


def test_crm_prospects_converted_and_crm_customers_reverted(spy):
    host, recorder = spy
    ids = [create(host, company="A"), create(host, company="B")]
    with host.session() as session:
        pairs = conversion.convert(host, session, ids)
    assert recorder.last("crm_prospects_converted") == {"pairs": pairs}
    with host.session() as session:
        conversion.revert(host, session, [pairs[ids[0]]])
    assert recorder.last("crm_customers_reverted") == {"pairs": {pairs[ids[0]]: ids[0]}}


def test_crm_status_changed_only_when_the_status_changes(spy):
    host, recorder = spy
    party_id = create(host)
    with host.session() as session:
        prospects.update(host, session, party_id, {"city": "Bonn", "postcode": "53111"})
        prospects.update(host, session, party_id, {"status": "Angebot"})
    assert recorder.names().count("crm_status_changed") == 1
    assert recorder.last("crm_status_changed") == {"prospect_id": party_id, "old": "Neu", "new": "Angebot"}


def test_crm_event_recorded(spy):
    host, recorder = spy
    party_id = create(host)
    with host.session() as session:
        history.record_event(host, session, party_id, "credit_check", subject="Bonität gut",
                             occurred_at=datetime(2026, 11, 2, 9, 0))
    assert recorder.last("crm_event_recorded") == {"party_id": party_id, "kind": "credit_check"}


def test_crm_prospects_merged_and_crm_merge_undone(spy):
    host, recorder = spy
    first, second = create(host, company="Doppelt"), create(host, company="Doppelt GmbH")
    with host.session() as session:
        log = merging.merge(host, session, [first, second])
    assert recorder.last("crm_prospects_merged") == {"survivor_id": first, "merged_ids": [second],
                                                     "merge_id": log.id}
    with host.session() as session:
        merging.undo(host, session, log.id)
    assert recorder.last("crm_merge_undone") == {"survivor_id": first, "restored_ids": [second],
                                                 "merge_id": log.id}


def test_crm_prospects_deleted_says_whether_it_was_an_erasure(spy):
    host, recorder = spy
    deleted, erased = create(host, company="Weg"), create(host, company="DSGVO")
    with host.session() as session:
        prospects.delete_prospects(host, session, [deleted])
        privacy.erase(host, session, erased)
    assert [kwargs for name, kwargs in recorder.calls if name == "crm_prospects_deleted"] == [
        {"prospect_ids": [deleted], "erased": False}, {"prospect_ids": [erased], "erased": True}]


def test_hooks_are_not_called_for_a_disabled_module(spy):
    host, recorder = spy
    with host.session() as session:
        host.set_module_enabled(session, "crmspy", False)
    party_id = create(host)
    with host.session() as session:
        history.record_event(host, session, party_id, "call")
    assert "crm_event_recorded" not in recorder.names()
