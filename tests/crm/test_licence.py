"""After the trial without a licence the CRM is read-only: every write is refused, reading and
exporting still work."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from crm_module import conversion, customfields, history, mailinglists, merging, overview, privacy, prospects
from crm_module.models import CUSTOMER, Party
from crm_module.parties import customer_party
from host_stub.errors import LicenseRefused
from host_stub.host import utc_now
from tests.conftest import signed_in_client
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


# -- the licence gate is complete ------------------------------------------------------------------


def test_pick_lists_of_a_read_only_module_cannot_be_edited(expired):
    host, _ids = expired
    with host.session() as session:
        with pytest.raises(LicenseRefused, match="nicht lizenziert"):
            host.masterdata.add(session, "crm_status", "Wiedervorlage")
        with pytest.raises(LicenseRefused, match="nicht lizenziert"):
            host.masterdata.deactivate(session, "crm_status", "Neu")
    with host.session() as session:
        assert host.masterdata.labels(session, "crm_status")[0] == "Neu"
        assert "Wiedervorlage" not in host.masterdata.labels(session, "crm_status")


def test_pick_lists_of_a_read_only_module_cannot_be_edited_from_the_cli(make_host, clock, cli):
    clock.current = utc_now() - timedelta(days=40)  # the CLI runs on the real clock: the trial is over
    host = make_host()
    for args in (("add", "crm_status", "Wiedervorlage"), ("remove", "crm_status", "Neu")):
        result = cli("masterdata", *args)
        assert result.exit_code == 1
        assert "nicht lizenziert" in result.output
    assert cli("masterdata", "list", "crm_status").output.split()[0] == "Neu"
    with host.session() as session:
        assert "Wiedervorlage" not in host.masterdata.labels(session, "crm_status")


def test_pick_lists_of_a_read_only_module_cannot_be_edited_in_the_web(expired):
    host, _ids = expired
    client = signed_in_client(host)
    page = client.get("/kleinstammdaten?art=crm_status").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    added = client.post("/kleinstammdaten/crm_status/neu", data={"csrf_token": token, "label": "Wiedervorlage"})
    hidden = client.post("/kleinstammdaten/crm_status/ausblenden", data={"csrf_token": token, "label": "Neu"})

    assert (added.status_code, hidden.status_code) == (403, 403)
    assert "nicht lizenziert" in added.get_data(as_text=True)
    with host.session() as session:
        assert host.masterdata.labels(session, "crm_status")[0] == "Neu"


def test_opening_a_customers_crm_record_writes_nothing(host):
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        customer = host.customers.create(session, company="Ohne CRM GmbH", city="Bonn", phone="0228 123456")
        host.set_module_enabled(session, "crm", True)
    client = signed_in_client(host)
    client.get("/kunden")  # the app's own set-up (secret key) is not part of the test
    seen: list[str] = []
    event.listen(host.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: seen.append(statement.lstrip().split()[0].upper()))

    page = client.get(f"/m/crm/kunde/{customer.id}")

    assert page.status_code == 200
    assert "Ohne CRM GmbH" in page.get_data(as_text=True) and "Bonn" in page.get_data(as_text=True)
    assert {"INSERT", "UPDATE", "DELETE"}.isdisjoint(seen)
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(Party)) == 0


def test_a_converted_customer_changed_while_the_crm_was_off_shows_the_change_without_writing(host):
    party_id = create(host, company="Umgewandelt GmbH")
    with host.session() as session:
        customer_id = conversion.convert(host, session, [party_id])[party_id]
        host.set_module_enabled(session, "crm", False)
        host.customers.update(session, customer_id, city="Bonn", postcode="53111")
        host.set_module_enabled(session, "crm", True)
    client = signed_in_client(host)
    client.get("/kunden")
    seen: list[str] = []
    event.listen(host.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: seen.append(statement.lstrip().split()[0].upper()))

    pages = [client.get(f"/m/crm/kunde/{customer_id}"), client.get(f"/m/crm/{party_id}")]

    assert [p.status_code for p in pages] == [200, 200]
    assert all("Bonn" in p.get_data(as_text=True) for p in pages)
    assert {"INSERT", "UPDATE", "DELETE"}.isdisjoint(seen)


def test_a_customers_crm_record_is_created_on_the_first_write(host):
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        customer = host.customers.create(session, company="Später GmbH", city="Bonn")
        host.set_module_enabled(session, "crm", True)
    with host.session() as session:
        assert prospects.for_customer(host, session, customer.id)["company"] == "Später GmbH"
        party_id = prospects.for_customer(host, session, customer.id)["id"]
        assert party_id is None
    with host.session() as session:
        party = customer_party(host, session, customer.id)
        history.record_event(host, session, party.id, "call")
    with host.session() as session:
        record = prospects.for_customer(host, session, customer.id)
        assert record["id"] == party.id and [e["kind"] for e in record["events"]] == ["call"]


def test_disable_delete_customer_enable_does_not_convert_while_the_crm_is_expired(host, clock):
    party_id = create(host, company="Wird gelöscht GmbH")
    with host.session() as session:
        customer_id = conversion.convert(host, session, [party_id])[party_id]
    clock.advance(days=31)
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        host.customers.delete(session, customer_id)
    with host.session() as session:
        host.set_module_enabled(session, "crm", True)
    with host.session() as session:
        party = session.get(Party, party_id)
        assert (party.role, party.customer_id) == (CUSTOMER, None)
        assert overview.count(session) == 0


def test_data_timespan_of_the_crm_tells_licensing_the_earliest_and_latest_times_of_its_rows(host, clock):
    started = clock()
    create(host, company="Erst GmbH")
    clock.advance(days=3)
    party_id = create(host, company="Später GmbH")
    clock.advance(hours=5)
    with host.session() as session:
        history.record_event(host, session, party_id, "call")
    with host.session() as session:
        spans = host.hooks.data_timespan(session=session)
    assert spans == [("crm", (started, clock()))]


def test_no_page_a_user_can_open_writes(host, clock):
    """Every GET of the shell and the CRM, on records whose customer changed while the CRM was off."""
    ids = [create(host, company="Eins GmbH"), create(host, company="Zwei GmbH")]
    with host.session() as session:
        customer_id = conversion.convert(host, session, ids[:1])[ids[0]]
        host.set_module_enabled(session, "crm", False)
        host.customers.update(session, customer_id, city="Bonn", postcode="53111")
        other = host.customers.create(session, company="Ohne CRM GmbH")
        host.set_module_enabled(session, "crm", True)
    client = signed_in_client(host)
    client.get("/kunden")
    clock.advance(hours=3)  # a write check would now record the latest time seen
    seen: list[str] = []
    event.listen(host.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: seen.append(statement.lstrip().split()[0].upper()))
    urls = ["/kunden", "/module", "/kleinstammdaten?art=crm_status", "/m/crm/", "/m/crm/neu", "/m/crm/felder",
            f"/m/crm/{ids[0]}", f"/m/crm/{ids[1]}", f"/m/crm/kunde/{customer_id}", f"/m/crm/kunde/{other.id}",
            f"/m/crm/{ids[1]}/export", f"/m/crm/zusammenfuehren?ids={ids[0]}&ids={ids[1]}"]

    writes = {}
    for url in urls:
        seen.clear()
        assert client.get(url).status_code == 200, url
        writes[url] = [s for s in seen if s in ("INSERT", "UPDATE", "DELETE")]

    assert writes == dict.fromkeys(urls, [])


def test_the_crm_record_of_a_customer_is_made_by_the_button_and_only_with_a_licence(host, clock):
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
        customer, later = (host.customers.create(session, company=name, city="Bonn")
                           for name in ("Knopf GmbH", "Später GmbH"))
        host.set_module_enabled(session, "crm", True)
    client = signed_in_client(host)
    page = client.get(f"/m/crm/kunde/{customer.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    made = client.post(f"/m/crm/kunde/{customer.id}/anlegen", data={"csrf_token": token})
    clock.advance(days=31)
    refused = client.post(f"/m/crm/kunde/{later.id}/anlegen", data={"csrf_token": token})

    with host.session() as session:
        party = session.scalars(select(Party).where(Party.customer_id == customer.id)).one()
        assert session.scalars(select(Party).where(Party.customer_id == later.id)).first() is None
    assert made.status_code == 302 and made.headers["Location"].endswith(f"/m/crm/{party.id}")
    assert refused.status_code == 403 and "nicht lizenziert" in refused.get_data(as_text=True)
