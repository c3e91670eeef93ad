"""A host customer's CRM record, including everything that came along from the prospect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import redirect, render_template

from crm_module import conversion, history, mailinglists, prospects
from crm_module.fields import FIELDS
from crm_module.web.routing import edit_url, route

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


@route("/kunde/<int:customer_id>")
def customer_record(host: Host, customer_id: int):
    """What the CRM holds on a host customer, including everything that came along from the prospect."""
    with host.session() as session:
        record = prospects.for_customer(host, session, customer_id)
        conversions = conversion.conversions(session, record["id"]) if record["id"] is not None else []
    return render_template("crm/customer.html", record=record, conversions=conversions,
                           event_kinds=history.EVENT_KINDS,
                           document_kinds=host.documents.kind_labels, catalogue=FIELDS,
                           list_kinds=mailinglists.LIST_KINDS)


@route("/kunde/<int:customer_id>/anlegen", methods=("POST",))
def create_customer_record(host: Host, customer_id: int):
    """The CRM row of a customer the CRM has none for yet: made here, never by opening the page."""
    with host.session() as session:
        party_id = prospects.create_customer_record(host, session, customer_id).id
    return redirect(edit_url(party_id))
