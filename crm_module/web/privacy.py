"""Data protection (DSGVO): the export download and the erasure."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Response, flash, redirect, request

from crm_module import privacy
from crm_module.parties import get_party, label
from crm_module.web.routing import back, edit_url, flashed, route
from host_stub.api import plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


@route("/<int:prospect_id>/export")
def export(host: Host, prospect_id: int):
    """Everything held on the person as a JSON download (reading: works with an expired licence too)."""
    with host.session() as session:
        data = privacy.export(host, session, prospect_id)
    reference = data["record"]["number"] or f"ID{prospect_id}"
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="crm-export-{reference}.json"'})


@route("/<int:prospect_id>/dsgvo-loeschen", methods=("POST",))
def erase(host: Host, prospect_id: int):
    if request.form.get("confirmed") != "1":
        flash("Das Löschen nach DSGVO muss erst mit Ja bestätigt werden; es wurde nichts gelöscht.", "error")
        return redirect(edit_url(prospect_id))
    with flashed() as outcome:
        with host.session() as session:
            name = label(get_party(session, prospect_id))
            counts = privacy.erase(host, session, prospect_id)
        outcome.done(f"{name} wurde nach DSGVO gelöscht, mit "
                     f"{plural(counts['events'], 'Kontaktereignis', 'Kontaktereignissen')}, "
                     f"{plural(counts['contacts'], 'Ansprechpartner', 'Ansprechpartnern')} und "
                     f"{plural(counts['documents'], 'Dokument', 'Dokumenten')}. Es bleibt nur ein anonymer Vermerk.")
    return redirect(edit_url(prospect_id) if outcome.refused else back())
