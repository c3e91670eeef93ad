"""A record's history tab: contact events and follow-ups."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import flash, redirect, request

from crm_module import history
from crm_module.web import forms
from crm_module.web.routing import edit_url, flashed, route

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


@route("/<int:prospect_id>/ereignisse", methods=("POST",))
def add_event(host: Host, prospect_id: int):
    form = request.form
    with flashed() as outcome:
        with host.session() as session:
            history.record_event(host, session, prospect_id, form.get("kind", ""), subject=form.get("subject", ""),
                                 text=form.get("text", ""))
        outcome.done(f"{history.EVENT_KINDS.get(form.get('kind', ''), 'Kontakt')} erfasst.")
    return redirect(edit_url(prospect_id, "statistik"))


@route("/<int:prospect_id>/wiedervorlagen", methods=("POST",))
def add_followup(host: Host, prospect_id: int):
    form = request.form
    try:
        due_on = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        flash("Bitte ein Fälligkeitsdatum angeben.", "error")
        return redirect(edit_url(prospect_id, "statistik"))
    with flashed() as outcome:
        with host.session() as session:
            history.add_followup(host, session, prospect_id, due_on, form.get("subject", ""), form.get("note", ""))
        outcome.done(f"Wiedervorlage zum {forms.german_date(due_on)} angelegt.")
    return redirect(edit_url(prospect_id, "statistik"))


@route("/<int:prospect_id>/wiedervorlagen/<int:followup_id>/erledigt", methods=("POST",))
def complete_followup(host: Host, prospect_id: int, followup_id: int):
    with flashed() as outcome:
        with host.session() as session:
            followup = history.complete_followup(host, session, followup_id)
            subject = followup.subject
        outcome.done(f"Wiedervorlage „{subject}“ erledigt.")
    return redirect(edit_url(prospect_id, "statistik"))
