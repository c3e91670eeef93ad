"""Sign-in, logout, the own password, and the users administration (Datei › Benutzer, administrators)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from host_stub.api import ADMINISTRATOR, ROLES
from host_stub.errors import HostError, SignInRefused
from host_stub.german import quoted
from host_stub.web import EPOCH_KEY, current_host, current_user, requires_role, safe_next, sign_in_session

users = Blueprint("users", __name__)


@users.route("/anmelden", methods=("GET", "POST"))
def sign_in():
    """The sign-in form; after sign-in the page first asked for (a path on this site only)."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("shell/sign_in.html", next=target, login="", error=None)
    login = request.form.get("login", "")
    try:
        user = current_host().users.sign_in(login, request.form.get("password", ""))
    except SignInRefused as exc:
        return render_template("shell/sign_in.html", next=target, login=login, error=str(exc)), exc.status
    sign_in_session(user)
    return redirect(target or url_for("shell.index"), 303)


@users.post("/abmelden")
def sign_out():
    """Log out here and in every other browser of this user."""
    host = current_host()
    with host.session() as db_session:
        host.users.end_sessions(db_session, current_user().id)
    session.clear()
    flash("Sie sind abgemeldet.", "success")
    return redirect(url_for("users.sign_in"), 303)


@users.route("/passwort", methods=("GET", "POST"))
def password():
    """Change the own password; the other sessions of the user end, this one continues."""
    if request.method == "GET":
        return render_template("shell/password.html")
    form = request.form
    if form.get("new_password", "") != form.get("repeat_password", ""):
        raise HostError("Das neue Passwort und die Wiederholung stimmen nicht überein. Es wurde nichts geändert.")
    host = current_host()
    with host.session() as db_session:
        user = host.users.change_password(db_session, current_user().id, form.get("current_password", ""),
                                          form.get("new_password", ""))
    session[EPOCH_KEY] = user.session_epoch
    flash("Ihr Passwort ist geändert; in anderen Browsern sind Sie jetzt abgemeldet.", "success")
    return redirect(url_for("shell.index"), 303)


# -- administration ----------------------------------------------------------------------------


@users.get("/benutzer")
@requires_role(ADMINISTRATOR)
def user_list():
    host = current_host()
    with host.session() as db_session:
        rows = host.users.list(db_session)
    return render_template("shell/users.html", users=rows, roles=ROLES)


@users.post("/benutzer/neu")
@requires_role(ADMINISTRATOR)
def user_add():
    host = current_host()
    form = request.form
    with host.session() as db_session:
        user = host.users.create(db_session, login=form.get("login", ""), name=form.get("name", ""),
                                 email=form.get("email", ""), role=form.get("role", ""),
                                 password=form.get("password", ""))
    flash(f"Benutzer {quoted(user.name)} (Login {user.login}, {user.role}) angelegt.", "success")
    return redirect(url_for("users.user_list"), 303)


@users.post("/benutzer/<int:user_id>/aktiv")
@requires_role(ADMINISTRATOR)
def user_active(user_id: int):
    host = current_host()
    active = request.form.get("active") == "1"
    with host.session() as db_session:
        user = host.users.set_active(db_session, user_id, active)
    state = "aktiviert" if active else "deaktiviert; seine Sitzungen sind beendet"
    flash(f"Benutzer {quoted(user.name)} ist {state}.", "success")
    return redirect(url_for("users.user_list"), 303)


@users.post("/benutzer/<int:user_id>/rolle")
@requires_role(ADMINISTRATOR)
def user_role(user_id: int):
    host = current_host()
    with host.session() as db_session:
        user = host.users.set_role(db_session, user_id, request.form.get("role", ""))
    flash(f"{quoted(user.name)} hat jetzt die Rolle {user.role}.", "success")
    return redirect(url_for("users.user_list"), 303)


@users.post("/benutzer/<int:user_id>/passwort")
@requires_role(ADMINISTRATOR)
def user_password(user_id: int):
    host = current_host()
    with host.session() as db_session:
        user = host.users.set_password(db_session, user_id, request.form.get("password", ""))
    flash(f"Neues Passwort für {quoted(user.name)} gesetzt; seine Sitzungen sind beendet.", "success")
    return redirect(url_for("users.user_list"), 303)
