"""A record's documents: upload, download, delete, change their kind."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from flask import flash, redirect, request, send_file

from crm_module import prospects
from crm_module.web.routing import confirmed, edit_url, flashed, route
from host_stub.api import plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


@route("/<int:prospect_id>/dokumente", methods=("POST",))
def upload_documents(host: Host, prospect_id: int):
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        flash("Bitte wählen Sie mindestens eine Datei aus.", "error")
        return redirect(edit_url(prospect_id, "dokumente"))
    kind = request.form.get("kind", "attachment")
    with flashed() as outcome:
        with host.session() as session:
            for upload in files:
                prospects.add_document(host, session, prospect_id, upload.filename, upload.read(), kind)
        names = ", ".join(f.filename for f in files)
        outcome.done(f"{plural(len(files), 'Dokument', 'Dokumente')} abgelegt: {names}.")
    return redirect(edit_url(prospect_id, "dokumente"))


@route("/<int:prospect_id>/dokumente/<int:document_id>")
def download_document(host: Host, prospect_id: int, document_id: int):
    with host.session() as session:
        document = prospects.document(host, session, prospect_id, document_id)
        filename, content_type = document.filename, document.content_type
        content = host.documents.content(session, document_id)
    return send_file(io.BytesIO(content), mimetype=content_type, as_attachment=True,
                     download_name=filename)


@route("/<int:prospect_id>/dokumente/<int:document_id>/loeschen", methods=("POST",))
def delete_document(host: Host, prospect_id: int, document_id: int):
    if not confirmed():
        flash("Das Löschen eines Dokuments muss erst mit Ja bestätigt werden; es wurde nichts gelöscht.", "error")
        return redirect(edit_url(prospect_id, "dokumente"))
    with flashed() as outcome:
        with host.session() as session:
            filename = prospects.delete_document(host, session, prospect_id, document_id)
        outcome.done(f"Dokument „{filename}“ gelöscht.")
    return redirect(edit_url(prospect_id, "dokumente"))


@route("/<int:prospect_id>/dokumente/<int:document_id>/art", methods=("POST",))
def change_document_kind(host: Host, prospect_id: int, document_id: int):
    if not confirmed():
        flash("Das Ändern der Dokumentart muss erst mit Ja bestätigt werden; es wurde nichts geändert.", "error")
        return redirect(edit_url(prospect_id, "dokumente"))
    with flashed() as outcome:
        with host.session() as session:
            document = prospects.change_document_kind(host, session, prospect_id, document_id,
                                                      request.form.get("kind", ""))
            filename, kind = document.filename, host.documents.kind_labels[document.kind]
        outcome.done(f"„{filename}“ ist jetzt als {kind} abgelegt.")
    return redirect(edit_url(prospect_id, "dokumente"))
