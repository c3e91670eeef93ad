"""Who did it: conversions, merges and their undo, and erasures record the acting user; the history names them;
erasure is for administrators only."""

from __future__ import annotations

import pytest

from crm_module import conversion, merging, privacy
from host_stub.api import ADMINISTRATOR, MITARBEITER
from host_stub.errors import Forbidden
from tests.conftest import signed_in_client
from tests.crm.conftest import create, record
from tests.test_web import csrf_token, text_of


def user(host, role=MITARBEITER, login="m.mueller", name="Maria Müller"):
    with host.session() as session, host.users.acting(None):
        return host.users.create(session, login=login, name=name, role=role, password="ein-langes-passwort")


def test_conversion_and_its_reversal_record_who_did_them(host):
    staff = user(host)
    party_id = create(host)
    with host.users.acting(staff), host.session() as session:
        pairs = conversion.convert(host, session, [party_id])
    with host.users.acting(None), host.session() as session:
        conversion.revert(host, session, list(pairs.values()))
    with host.session() as session:
        logged = conversion.conversions(session, party_id)
    assert [(c["direction"], c["converted_by"]) for c in logged] == [("convert", "Maria Müller"), ("revert", "")]


def test_a_merge_and_its_undo_record_who_did_them_and_the_page_names_them(host):
    first, second = create(host, company="Schmitz A"), create(host, company="Schmitz B")
    staff, admin = user(host), user(host, ADMINISTRATOR, "chefin", "Clara Chefin")
    with host.users.acting(staff), host.session() as session:
        log = merging.merge(host, session, [first, second])
    with host.users.acting(admin), host.session() as session:
        merging.undo(host, session, log.id)
    with host.session() as session:
        entry = merging.merges(session, first)[0]
    assert (entry["merged_by"], entry["undone_by"]) == ("Maria Müller", "Clara Chefin")

    page = text_of(signed_in_client(host).get(f"/m/crm/{first}"))
    assert "von Maria Müller" in page and "rückgängig gemacht am 02.11.2026 von Clara Chefin" in page


def test_an_erasure_records_the_administrator_who_erased(host):
    admin = user(host, ADMINISTRATOR, "chefin", "Clara Chefin")
    party_id = create(host)
    with host.users.acting(admin), host.session() as session:
        privacy.erase(host, session, party_id)
    with host.session() as session:
        assert [e["erased_by"] for e in privacy.erasures(session)] == ["Clara Chefin"]


def test_a_mitarbeiter_may_not_erase_and_nothing_is_deleted(host):
    staff = user(host)
    party_id = create(host, company="Bleibt GmbH")
    with pytest.raises(Forbidden, match="nach DSGVO löschen dürfen nur Benutzer mit der Rolle Administrator"), \
            host.users.acting(staff), host.session() as session:
        privacy.erase(host, session, party_id)
    assert record(host, party_id)["company"] == "Bleibt GmbH"


def test_the_erase_page_answers_403_to_a_mitarbeiter_and_offers_no_button(host):
    party_id = create(host, company="Bleibt GmbH")
    client = signed_in_client(host, MITARBEITER)
    assert "Löschen (DSGVO)</button>" not in client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    response = client.post(f"/m/crm/{party_id}/dsgvo-loeschen", data={"csrf_token": csrf_token(client),
                                                                        "confirmed": "1"})
    assert response.status_code == 403 and "Administrator" in text_of(response)
    assert record(host, party_id)["company"] == "Bleibt GmbH"


def test_the_cli_acts_as_the_user_given_with_user(cli, make_host):
    cli("init", "--admin-password", "skript-passwort")
    cli("plugins", "enable", "crm")
    cli("users", "add", "m.mueller", "--name", "Maria Müller", "--password", "ihr-passwort-1")
    added = cli("--user", "m.mueller", "crm", "prospects", "add", "--company", "Bäckerei Schmitz", "--street",
                "Hauptstraße", "--house-number", "1", "--postcode", "50667", "--city", "Köln")
    assert added.exit_code == 0, added.output
    erased = cli("--user", "m.mueller", "crm", "erase", "I10000", "--yes")
    assert erased.exit_code == 1 and "dürfen nur Benutzer mit der Rolle Administrator" in erased.output
    converted = cli("--user", "M.Mueller", "crm", "prospects", "convert", "--all", "--yes")
    assert converted.exit_code == 0, converted.output

    host = make_host(upgrade=False)
    with host.session() as session:
        assert [c["converted_by"] for c in conversion.conversions(session, 1)] == ["Maria Müller"]
