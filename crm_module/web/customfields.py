"""The setup of the 20 custom fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import redirect, render_template, request, url_for

from crm_module import MODULE_ID, customfields
from crm_module.errors import InvalidInput
from crm_module.models import CUSTOM_FIELD_SLOTS
from crm_module.web.routing import flashed, route

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


def _render_fields(host: Host, errors: dict[int, dict[str, str]] | None = None,
                   posted: dict[int, dict[str, str]] | None = None, status: int = 200):
    with host.session() as session:
        definitions = customfields.definitions(session)
        licence = host.licensing.status(session, MODULE_ID)
    slots = []
    for slot in range(1, CUSTOM_FIELD_SLOTS + 1):
        definition = definitions.get(slot)
        saved = {"label": definition.label, "type": definition.type, "options": "\n".join(definition.options)} \
            if definition else {"label": "", "type": "text", "options": ""}
        slots.append({"slot": slot, "configured": definition is not None,
                      "input": (posted or {}).get(slot, saved), "errors": (errors or {}).get(slot, {})})
    return render_template("crm/fields.html", slots=slots, types=customfields.TYPES, licence=licence), status


@route("/felder")
def custom_fields(host: Host):
    return _render_fields(host)


@route("/felder/<int:slot>", methods=("POST",))
def configure_field(host: Host, slot: int):
    form = request.form
    posted = {"label": form.get("label", ""), "type": form.get("type", ""), "options": form.get("options", "")}
    with flashed() as outcome:
        try:
            with host.session() as session:
                definition = customfields.configure(host, session, slot, posted["label"], posted["type"],
                                                    posted["options"].splitlines())
        except InvalidInput as exc:
            return _render_fields(host, {slot: exc.errors}, {slot: posted}, status=422)
        outcome.done(f"Feld {slot} „{definition.label}“ ({definition.type_label}) gespeichert.")
    return redirect(url_for("crm.custom_fields", _anchor=f"feld-{slot}"))


@route("/felder/<int:slot>/entfernen", methods=("POST",))
def remove_field(host: Host, slot: int):
    with flashed() as outcome:
        with host.session() as session:
            customfields.remove(host, session, slot, discard_values=request.form.get("discard") == "1")
        outcome.done(f"Feld {slot} entfernt.")
    return redirect(url_for("crm.custom_fields", _anchor=f"feld-{slot}"))
