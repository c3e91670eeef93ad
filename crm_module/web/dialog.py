"""The tabbed edit dialog of a prospect (or a customer's CRM record): new, show, save.

A save that the services refuse (invalid fields, licence) raises out of the transaction, so
nothing of it is committed, and the dialog is shown again with the user's input and a message
at each field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import flash, redirect, render_template, request

from crm_module import MODULE_ID, conversion, customfields, history, merging, prospects
from crm_module.errors import InvalidInput
from crm_module.fields import CONTACT_PERSON_FIELDS, FIELDS, TABS
from crm_module.parties import get_party, label
from crm_module.schemas import PHONE_KINDS
from crm_module.web import forms
from crm_module.web.routing import back, back_arg, edit_url, route
from host_stub.errors import LicenseRefused

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


def _dialog(host: Host, session, prospect_id: int | None = None) -> dict[str, Any]:
    """What the dialog shows besides the input: the record, today's choices, the licence state."""
    record = prospects.get(host, session, prospect_id) if prospect_id is not None else None
    schema = prospects.schema_for(host, session, [get_party(session, prospect_id)] if record else [])
    context: dict[str, Any] = {
        "record": record, "statuses": schema.statuses, "category_choices": schema.category_choices,
        "sources": schema.sources, "fields": list(schema.custom_fields.values()),
        "licence": host.licensing.status(session, MODULE_ID), "merges": [], "conversions": [],
        "document_kinds": host.documents.kind_labels, "correction_days": host.documents.correction_days,
    }
    if record is not None:
        context["merges"] = merging.merges(session, prospect_id)
        context["conversions"] = conversion.conversions(session, prospect_id)
        if record["merged_into_id"] is not None:
            context["merged_into"] = label(get_party(session, record["merged_into_id"]))
    return context


def _render_dialog(context: dict[str, Any], values: dict[str, Any], errors: dict[str, str] | None = None,
                   refusal: str | None = None, status: int = 200):
    errors = errors or {}
    page = render_template(
        "crm/prospect.html", values=values, errors=forms.field_errors(errors), summary=forms.error_summary(errors),
        error_tabs=forms.error_tabs(errors),
        refusal=refusal, phone_kinds=PHONE_KINDS, event_kinds=history.EVENT_KINDS,
        field_types=customfields.TYPES, catalogue=FIELDS, contact_fields=CONTACT_PERSON_FIELDS, tabs=TABS,
        blank_contact=forms.BLANK_CONTACT,
        back=back(), back_arg=back_arg(), **context)
    return page, status


@route("/neu")
def new_prospect(host: Host):
    with host.session() as session:
        context = _dialog(host, session)
    return _render_dialog(context, forms.blank_values())


@route("/neu", methods=("POST",))
def create_prospect(host: Host):
    data, values = forms.read(request.form)
    context: dict[str, Any] = {}
    try:
        with host.session() as session:
            context = _dialog(host, session)
            party = prospects.create(host, session, data)
            number, prospect_id = party.number, party.id
    except InvalidInput as exc:
        return _render_dialog(context, values, exc.errors, status=422)
    except LicenseRefused as exc:
        return _render_dialog(context, values, refusal=str(exc), status=403)
    flash(f"Interessent {number} angelegt.", "success")
    return redirect(edit_url(prospect_id))


@route("/<int:prospect_id>")
def edit_prospect(host: Host, prospect_id: int):
    with host.session() as session:
        context = _dialog(host, session, prospect_id)
    return _render_dialog(context, forms.record_values(context["record"]))


@route("/<int:prospect_id>", methods=("POST",))
def update_prospect(host: Host, prospect_id: int):
    data, values = forms.read(request.form)
    context: dict[str, Any] = {}
    try:
        with host.session() as session:
            context = _dialog(host, session, prospect_id)
            prospects.update(host, session, prospect_id, data)
    except InvalidInput as exc:
        return _render_dialog(context, values, exc.errors, status=422)
    except LicenseRefused as exc:
        return _render_dialog(context, values, refusal=str(exc), status=403)
    record = context["record"]
    flash(f"{'Kunde' if record['role'] == 'customer' else 'Interessent'} "
          f"{record['customer_number'] or record['number']} gespeichert.", "success")
    return redirect(edit_url(prospect_id))
