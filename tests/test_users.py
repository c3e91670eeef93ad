"""Users and sign-in: passwords, lock-out, sessions, roles in the web and the CLI, and who installed a licence."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from host_stub.api import ADMINISTRATOR, MITARBEITER, ContextAction, MenuItem, hookimpl
from host_stub.errors import Forbidden, HostError, SignInRefused
from host_stub.licensing import issue_license
from host_stub.manifest import Manifest
from host_stub.models import License, MasterDataEntry, Setting, User
from host_stub.plugins import PluginRegistry
from host_stub.users import LOCK_AFTER, REFUSED
from host_stub.validation import InvalidFields
from host_stub.web import create_app
from tests.conftest import TEST_PASSWORD, sign_in, signed_in_client
from tests.test_web import csrf_token, flashes, text_of


def add_user(host, login="m.mueller", role=MITARBEITER, password=TEST_PASSWORD, name="Maria Müller"):
    with host.session() as session, host.users.acting(None):
        return host.users.create(session, login=login, name=name, role=role, password=password)


def licence_for(host, signing_key) -> str:
    with host.session() as session:
        installation_id = host.licensing.installation_id(session)
    return issue_license(signing_key[0], "crm", "Bäckerei Schmitz", datetime(2026, 11, 1), datetime(2027, 1, 1),
                         datetime(2026, 11, 1), installation_id=installation_id)


def licence_count(host) -> int:
    with host.session() as session:
        return session.scalar(select(func.count()).select_from(License))


# -- service: passwords and lock-out -----------------------------------------------------------


def test_sign_in_takes_the_login_in_any_case_and_the_right_password(host):
    user = add_user(host, login="M.Mueller")
    assert user.login == "m.mueller"
    assert host.users.sign_in("M.MUELLER", TEST_PASSWORD).id == user.id


def test_wrong_password_unknown_login_and_inactive_user_get_the_same_answer(host):
    staff = add_user(host)
    add_user(host, login="chefin", role=ADMINISTRATOR, name="Chefin")
    with host.session() as session:
        host.users.set_active(session, staff.id, False)
    answers = []
    for login, password in (("chefin", "falsches-passwort"), ("niemand", TEST_PASSWORD), ("m.mueller", TEST_PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            host.users.sign_in(login, password)
        answers.append(str(refused.value))
    assert answers == [REFUSED] * 3
    assert "Login oder Passwort ist falsch" in REFUSED


def test_repeated_wrong_passwords_lock_the_login_until_a_time_then_it_works_again(host, clock):
    add_user(host)
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInRefused, match="falsch"):
            host.users.sign_in("m.mueller", "falsches-passwort")
    with pytest.raises(SignInRefused, match=r"bis 09:15 Uhr \(UTC\) gesperrt"):
        host.users.sign_in("m.mueller", TEST_PASSWORD)  # the right password too, while locked
    clock.advance(minutes=16)
    assert host.users.sign_in("m.mueller", TEST_PASSWORD).login == "m.mueller"


def test_an_unknown_login_is_locked_alike_so_the_lock_tells_nothing(host):
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInRefused):
            host.users.sign_in("niemand", "falsches-passwort")
    with pytest.raises(SignInRefused, match="„niemand“ ist bis"):
        host.users.sign_in("niemand", "falsches-passwort")


def test_a_password_reset_by_an_administrator_lifts_the_lock(host):
    staff = add_user(host)
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInRefused):
            host.users.sign_in("m.mueller", "falsches-passwort")
    with host.session() as session:
        host.users.set_password(session, staff.id, "ganz-neues-passwort")
    assert host.users.sign_in("m.mueller", "ganz-neues-passwort").id == staff.id


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(host):
    add_user(host)
    stronger = PasswordHasher(time_cost=2, memory_cost=64, parallelism=1)
    host.users.hasher = stronger  # the parameters of a newer version; the stored hash is the cheap one of the tests
    host.users.sign_in("m.mueller", TEST_PASSWORD)
    with host.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.login == "m.mueller"))
    assert not stronger.check_needs_rehash(stored)
    assert host.users.sign_in("m.mueller", TEST_PASSWORD).login == "m.mueller"


def test_bad_user_input_is_refused_field_by_field_and_nothing_is_stored(host):
    add_user(host)
    with pytest.raises(InvalidFields) as refused, host.session() as session:
        host.users.create(session, login="M.Mueller", name="", role="Chef", password="kurz")
    assert set(refused.value.errors) == {"login", "name", "role", "password"}
    assert "gibt es schon" in refused.value.errors["login"]
    with host.session() as session:
        assert len(host.users.list(session)) == 1


def test_the_last_active_administrator_can_neither_be_deactivated_nor_demoted(host):
    admin = add_user(host, login="chefin", role=ADMINISTRATOR)
    with host.session() as session:
        with pytest.raises(HostError, match="letzte aktive Administrator"):
            host.users.set_active(session, admin.id, False)
        with pytest.raises(HostError, match="letzte aktive Administrator"):
            host.users.set_role(session, admin.id, MITARBEITER)
        assert host.users.get(session, admin.id).active


# -- service: roles and who did it -------------------------------------------------------------


def test_a_mitarbeiter_may_not_install_licences_enable_modules_or_edit_kleinstammdaten(host, signing_key):
    staff = add_user(host)
    text = licence_for(host, signing_key)
    with host.users.acting(staff):
        with pytest.raises(Forbidden, match="Lizenzen einspielen dürfen nur Benutzer mit der Rolle Administrator"), \
                host.session() as session:
            host.licensing.install(session, text)
        with pytest.raises(Forbidden), host.session() as session:
            host.set_module_enabled(session, "crm", False)
        with pytest.raises(Forbidden), host.session() as session:
            host.masterdata.add(session, "crm_category", "Großhandel")
    assert licence_count(host) == 0
    with host.session() as session:
        assert "crm" in host.enabled_modules(session)
        assert not session.scalar(select(MasterDataEntry.id).where(MasterDataEntry.label == "Großhandel"))


def test_a_licence_install_records_who_installed_it(host, signing_key):
    admin = add_user(host, login="chefin", role=ADMINISTRATOR, name="Clara Chefin")
    with host.users.acting(admin), host.session() as session:
        host.licensing.install(session, licence_for(host, signing_key))
    with host.session() as session:
        row = session.scalars(select(License)).one()
    assert (row.installed_by_id, row.installed_by_name) == (admin.id, "Clara Chefin")


class AuditModule:
    """A module that declares an administrators' action and menu entry, as a module author would."""

    @staticmethod
    def _close_year(host, session, ids):
        host.settings.set(session, "audit.closed", "ja")
        return "Jahr abgeschlossen."

    @hookimpl
    def context_actions(self, host, entity):
        return [ContextAction("close_year", "Jahr abschließen", "customer", self._close_year, role=ADMINISTRATOR)]

    @hookimpl
    def menu_items(self, host):
        return [MenuItem("Auswertungen", "Prüfprotokoll", "shell.customers", role=ADMINISTRATOR)]


@pytest.fixture
def audit_host(make_host):
    registry = PluginRegistry()
    registry.discover()
    registry.register(AuditModule(), Manifest("audit", "Prüfung", "1.0", "", ">=1.0", "tests", "audit_"))
    return make_host(registry, enable=("crm", "audit"))


def test_a_module_action_declared_for_administrators_is_hidden_from_and_refused_to_a_mitarbeiter(audit_host):
    staff, admin = add_user(audit_host), add_user(audit_host, login="chefin", role=ADMINISTRATOR)
    with audit_host.session() as session:
        customer = audit_host.customers.create(session, company="Kunde GmbH")
    with audit_host.users.acting(staff):
        with audit_host.session() as session:
            assert "close_year" not in [a.name for _, a in audit_host.context_actions(session, "customer")]
            assert "Prüfprotokoll" not in [i.label for _, i in audit_host.menu(session)["Auswertungen"]]
        with pytest.raises(Forbidden, match="„Jahr abschließen“ dürfen nur"):
            audit_host.run_action("audit", "close_year", "customer", [customer.id], confirmed=True)
    with audit_host.session() as session:
        assert session.get(Setting, "audit.closed") is None
    with audit_host.users.acting(admin):
        assert audit_host.run_action("audit", "close_year", "customer", [customer.id], True).message == \
            "Jahr abgeschlossen."


# -- web ---------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_sign_in_and_then_back_to_the_page(host):
    add_user(host)
    client = create_app(host).test_client()

    response = client.get("/kunden?sort=city")
    assert response.status_code == 303
    assert response.headers["Location"] == "/anmelden?next=/kunden?sort%3Dcity"
    assert "Anmelden" in text_of(client.get(response.headers["Location"]))

    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    signed_in = client.post("/anmelden", data={"csrf_token": "t", "login": "m.mueller", "password": TEST_PASSWORD,
                                               "next": "/kunden?sort=city"})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/kunden?sort=city"
    page = client.get("/kunden?sort=city")
    assert page.status_code == 200 and "Maria Müller" in text_of(page)


def test_sign_in_never_leads_to_another_site(host):
    add_user(host)
    client = create_app(host).test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    response = client.post("/anmelden", data={"csrf_token": "t", "login": "m.mueller", "password": TEST_PASSWORD,
                                              "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_wrong_password_in_the_web_shows_the_form_again_and_signs_nobody_in(host):
    add_user(host)
    client = create_app(host).test_client()
    response = sign_in(client, "m.mueller", "falsches-passwort")

    assert response.status_code == 401
    assert "Login oder Passwort ist falsch" in text_of(response)
    assert client.get("/kunden").status_code == 303


def test_the_sign_in_form_is_csrf_protected(host):
    add_user(host)
    client = create_app(host).test_client()
    response = client.post("/anmelden", data={"login": "m.mueller", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/kunden").status_code == 303


def test_logout_ends_this_and_every_other_session_of_the_user(host):
    client = signed_in_client(host)
    other_browser = create_app(host).test_client()
    other_browser.set_cookie("session", client.get_cookie("session").value)
    assert other_browser.get("/kunden").status_code == 200

    response = client.post("/abmelden", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/anmelden"
    assert client.get("/kunden").status_code == 303
    ended = other_browser.get("/kunden")
    assert ended.status_code == 303
    assert "Ihre Sitzung ist beendet" in " ".join(flashes(other_browser.get(ended.headers["Location"])))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(host):
    client = signed_in_client(host)
    other_browser = create_app(host).test_client()
    other_browser.set_cookie("session", client.get_cookie("session").value)

    response = client.post("/passwort", data={"csrf_token": csrf_token(client), "current_password": TEST_PASSWORD,
                                              "new_password": "mein-neues-passwort",
                                              "repeat_password": "mein-neues-passwort"})
    assert response.status_code == 303
    assert client.get("/kunden").status_code == 200
    assert other_browser.get("/kunden").status_code == 303
    assert host.users.sign_in(client.user.login, "mein-neues-passwort").id == client.user.id


def test_a_wrong_current_password_changes_nothing(host):
    client = signed_in_client(host)
    response = client.post("/passwort", data={"csrf_token": csrf_token(client), "current_password": "falsch-falsch",
                                              "new_password": "mein-neues-passwort",
                                              "repeat_password": "mein-neues-passwort"})
    assert response.status_code == 401 and "bisherige Passwort stimmt nicht" in text_of(response)
    assert host.users.sign_in(client.user.login, TEST_PASSWORD).id == client.user.id


def test_a_deactivated_user_is_signed_out(host):
    staff = signed_in_client(host, MITARBEITER)
    admin = signed_in_client(host)
    response = admin.post(f"/benutzer/{staff.user.id}/aktiv", data={"csrf_token": csrf_token(admin), "active": "0"})
    assert response.status_code == 303
    assert staff.get("/kunden").status_code == 303


def test_the_menu_bar_shows_the_user_and_a_mitarbeiter_no_administration(host):
    staff = signed_in_client(host, MITARBEITER)
    page = text_of(staff.get("/kunden"))
    assert staff.user.name in page and "Abmelden" in page
    assert "Benutzer" not in page and "Module und Lizenzen" not in page and "Kleinstammdaten" not in page
    assert "Benutzer" in text_of(signed_in_client(host).get("/kunden"))


def test_one_server_shows_each_user_the_menu_of_their_role(host):
    from host_stub.web import create_app

    app = create_app(host)
    admin, staff = signed_in_client(host, app=app), signed_in_client(host, MITARBEITER, app=app)
    for _ in range(2):  # whoever comes first, the other still gets their own menu
        assert "Datensicherung" in text_of(admin.get("/kunden"))
        assert "Datensicherung" not in text_of(staff.get("/kunden"))


@pytest.mark.parametrize("path", ["/benutzer", "/module", "/kleinstammdaten"])
def test_a_mitarbeiter_gets_a_german_403_page_on_administration_pages(host, path):
    response = signed_in_client(host, MITARBEITER).get(path)
    assert response.status_code == 403
    assert "dürfen nur Benutzer mit der Rolle Administrator" in text_of(response)


def test_a_mitarbeiter_adding_a_user_or_a_licence_gets_403_and_nothing_is_written(host, signing_key):
    import io

    staff = signed_in_client(host, MITARBEITER)
    token = csrf_token(staff)
    added = staff.post("/benutzer/neu", data={"csrf_token": token, "login": "boese", "name": "Böse",
                                              "role": ADMINISTRATOR, "password": "ein-langes-passwort"})
    uploaded = staff.post("/module/lizenz", data={
        "csrf_token": token, "license_file": (io.BytesIO(licence_for(host, signing_key).encode()), "crm.lic")})
    assert (added.status_code, uploaded.status_code) == (403, 403)
    with host.session() as session:
        assert "boese" not in [user.login for user in host.users.list(session)]
    assert licence_count(host) == 0


def test_an_administrator_adds_users_gives_roles_and_resets_passwords(host):
    admin = signed_in_client(host)
    token = csrf_token(admin)
    admin.post("/benutzer/neu", data={"csrf_token": token, "login": "K.Klein", "name": "Karl Klein",
                                      "email": "k.klein@firma.example", "role": MITARBEITER,
                                      "password": "erstes-passwort"})
    with host.session() as session:
        karl = host.users.by_login(session, "k.klein")
    admin.post(f"/benutzer/{karl.id}/rolle", data={"csrf_token": token, "role": ADMINISTRATOR})
    reset = admin.post(f"/benutzer/{karl.id}/passwort", data={"csrf_token": token, "password": "zweites-passwort"})

    assert "Neues Passwort für „Karl Klein“ gesetzt" in " ".join(flashes(admin.get(reset.headers["Location"])))
    page = text_of(admin.get("/benutzer"))
    assert "Karl Klein k.klein k.klein@firma.example" in page
    assert host.users.sign_in("k.klein", "zweites-passwort").role == ADMINISTRATOR


# -- CLI ---------------------------------------------------------------------------------------


def test_init_creates_the_first_administrator_and_prints_a_generated_password(cli, make_host):
    result = cli("init")
    assert result.exit_code == 0, result.output
    password = re.search(r"Erster Administrator angelegt: Login admin, Passwort (\S+) ", result.output).group(1)
    again = cli("init")
    assert again.exit_code == 0 and "Administrator angelegt" not in again.output

    host = make_host(upgrade=False)
    assert host.users.sign_in("admin", password).role == ADMINISTRATOR


def test_init_takes_the_administrator_from_options_for_scripts(cli, make_host):
    result = cli("init", "--admin-login", "chefin", "--admin-name", "Clara Chefin",
                 "--admin-password", "skript-passwort")
    assert result.exit_code == 0 and "Login chefin." in result.output and "skript-passwort" not in result.output
    assert make_host(upgrade=False).users.sign_in("chefin", "skript-passwort").name == "Clara Chefin"


def test_demo_prints_how_to_sign_in(cli, make_host):
    result = cli("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    password = re.search(r"Anmelden mit Login demo und Passwort (\S+) ", result.output).group(1)
    assert make_host(upgrade=False).users.sign_in("demo", password).role == ADMINISTRATOR


def test_cli_users_commands_add_list_reset_deactivate_activate(cli):
    cli("init", "--admin-password", "skript-passwort")
    added = cli("users", "add", "M.Mueller", "--name", "Maria Müller", "--password", "ihr-passwort-1")
    assert added.exit_code == 0 and "Benutzer m.mueller (Mitarbeiter) angelegt." in added.output
    assert cli("users", "set-password", "m.mueller").exit_code == 0  # no terminal: a generated one is shown
    assert cli("users", "deactivate", "m.mueller").output.strip() == "Benutzer m.mueller deaktiviert."
    listed = json.loads(cli("users", "list", "--json").output)
    assert [(u["login"], u["role"], u["active"]) for u in listed] == [
        ("admin", ADMINISTRATOR, True), ("m.mueller", MITARBEITER, False)]
    assert cli("users", "activate", "m.mueller").exit_code == 0
    unknown = cli("users", "deactivate", "niemand")
    assert unknown.exit_code == 1 and "Einen Benutzer mit dem Login „niemand“ gibt es nicht" in unknown.output


def test_cli_as_a_mitarbeiter_refuses_administrator_commands_with_exit_1_and_writes_nothing(cli, tmp_path):
    cli("init", "--admin-password", "skript-passwort")
    cli("users", "add", "m.mueller", "--name", "Maria Müller", "--password", "ihr-passwort-1")
    added = cli("--user", "m.mueller", "users", "add", "boese", "--name", "Böse", "--password", "langes-passwort")
    disabled = cli("--user", "m.mueller", "plugins", "disable", "crm")
    assert (added.exit_code, disabled.exit_code) == (1, 1)
    assert "Benutzer anlegen dürfen nur Benutzer mit der Rolle Administrator" in added.output
    assert "Traceback" not in added.output + disabled.output
    assert [u["login"] for u in json.loads(cli("users", "list", "--json").output)] == ["admin", "m.mueller"]


def test_cli_user_that_does_not_exist_is_refused(cli):
    cli("init", "--admin-password", "skript-passwort")
    result = cli("--user", "niemand", "customers", "list")
    assert result.exit_code == 1 and "Den Benutzer „niemand“ gibt es nicht" in result.output


def test_init_at_a_terminal_asks_for_the_password_twice_and_does_not_print_it(cli, make_host, monkeypatch):
    monkeypatch.setattr("host_stub.cli._at_terminal", lambda: True)
    result = cli("init", input="am-terminal-getippt\nam-terminal-getippt\n")
    assert result.exit_code == 0, result.output
    assert "Erster Administrator angelegt: Login admin." in result.output
    assert "am-terminal-getippt" not in result.output
    assert make_host(upgrade=False).users.sign_in("admin", "am-terminal-getippt").role == ADMINISTRATOR


def test_init_refuses_a_too_short_password_and_creates_no_user(cli, make_host):
    result = cli("init", "--admin-password", "kurz")
    assert result.exit_code == 1 and "Passwort: Bitte mindestens 10 Zeichen." in result.output
    with make_host(upgrade=False).session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
