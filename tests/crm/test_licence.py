"""After the trial without a licence the CRM is read-only: every write is refused, reading and
exporting still work."""

from datetime import date

import pytest

from crm_module import conversion, customfields, history, mailinglists, merging, overview, privacy, prospects
from host_stub.errors import LicenseRefused
from tests.crm.conftest import create, prospect_data, record

WRITES = {
    "create": lambda host, s, ids: prospects.create(host, s, prospect_data()),
    "update": lambda host, s, ids: prospects.update(host, s, ids[0], {"city": "Bonn", "postcode": "53111"}),
    "copy": lambda host, s, ids: prospects.copy(host, s, ids[0]),
    "delete": lambda host, s, ids: prospects.delete_prospects(host, s, ids[:1]),
    "convert": lambda host, s, ids: conversion.convert(host, s, ids[:1]),
    "merge": lambda host, s, ids: merging.merge(host, s, ids),
    "event": lambda host, s, ids: history.record_event(host, s, ids[0], "call"),
    "followup": lambda host, s, ids: history.add_followup(host, s, ids[0], date(2027, 1, 4), "Anrufen"),
    "list": lambda host, s, ids: mailinglists.create_list(host, s, "Neu", "mailing"),
    "field": lambda host, s, ids: customfields.configure(host, s, 1, "Branche", "text"),
    "document": lambda host, s, ids: prospects.add_document(host, s, ids[0], "a.txt", b"a"),
}


@pytest.fixture
def expired(host, clock):
    ids = [create(host, company="Alt A"), create(host, company="Alt B")]
    clock.advance(days=31)
    return host, ids


@pytest.mark.parametrize("write", sorted(WRITES))
def test_writes_are_refused_after_the_trial_saying_how_to_license(expired, write):
    host, ids = expired
    with pytest.raises(LicenseRefused, match="nicht lizenziert.*Lizenz"), host.session() as session:
        WRITES[write](host, session, ids)


def test_reading_and_exporting_still_work_after_the_trial(expired):
    host, ids = expired
    with host.session() as session:
        assert overview.count(session) == 2
        assert {r["name"] for r in overview.overview(session).rows} == {"Alt A", "Alt B"}
        assert privacy.export(host, session, ids[0])["record"]["company"] == "Alt A"
        assert merging.preview(host, session, ids)["survivor_id"] == ids[0]
    assert record(host, ids[1])["company"] == "Alt B"


def test_the_host_keeps_working_with_customers_when_the_crm_is_read_only(expired):
    host, ids = expired
    with host.session() as session:
        customer = host.customers.create(session, company="Host GmbH")
        host.customers.update(session, customer.id, city="Köln")
        assert prospects.for_customer(host, session, customer.id)["city"] == "Köln"
