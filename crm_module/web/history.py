"""A record's history tab: contact events and follow-ups."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import flash, redirect, request

from crm_module import history
from crm_module.web import forms
from crm_module.web.routing import edit_url, route
from host_stub.errors import HostError, NotFound

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


@route("/<int:prospect_id>/ereignisse", methods=("POST",))
def add_event(host: Host, prospect_id: int):
    form = request.form
    try:
        with host.session() as session:
            history.record_event(host, session, prospect_id, form.get("kind", ""), subject=form.get("subject", ""),
                                 text=form.get("text", ""))
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{history.EVENT_KINDS.get(form.get('kind', ''), 'Kontakt')} erfasst.", "success")
    return redirect(edit_url(prospect_id, "statistik"))


@route("/<int:prospect_id>/wiedervorlagen", methods=("POST",))
def add_followup(host: Host, prospect_id: int):
    form = request.form
    try:
        due_on = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        flash("Bitte ein Fälligkeitsdatum angeben.", "error")
        return redirect(edit_url(prospect_id, "statistik"))
    try:
        with host.session() as session:
            history.add_followup(host, session, prospect_id, due_on, form.get("subject", ""), form.get("note", ""))
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Wiedervorlage zum {forms.german_date(due_on)} angelegt.", "success")
    return redirect(edit_url(prospect_id, "statistik"))


@route("/<int:prospect_id>/wiedervorlagen/<int:followup_id>/erledigt", methods=("POST",))
def complete_followup(host: Host, prospect_id: int, followup_id: int):
    try:
        with host.session() as session:
            followup = history.complete_followup(host, session, followup_id)
            subject = followup.subject
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Wiedervorlage „{subject}“ erledigt.", "success")
    return redirect(edit_url(prospect_id, "statistik"))
