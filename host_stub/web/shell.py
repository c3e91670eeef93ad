"""The host's own pages: customers, modules and licences and Kleinstammdaten (administrators), and running
context actions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from werkzeug.routing import BuildError

from host_stub.api import ADMINISTRATOR
from host_stub.errors import HostError
from host_stub.german import quoted
from host_stub.licensing import MAX_FILE_BYTES
from host_stub.web import current_host, requires_role, safe_next
from host_stub.web.lists import Column, ListState
from host_stub.web.params import id_values

shell = Blueprint("shell", __name__)

CUSTOMER_COLUMNS = (
    Column("number", "Nr.", "number"),
    Column("company", "Firma", "company"),
    Column("person", "Name", "name"),
    Column("postcode", "PLZ", "postcode"),
    Column("city", "Ort", "city"),
    Column("email", "E-Mail"),
    Column("phone", "Telefon"),
)

CONFIRMED_VALUES = ("1", "true", "ja", "yes", "on")


@shell.get("/")
def index():
    return redirect(url_for("shell.customers"))


@shell.get("/kunden")
def customers():
    host = current_host()
    state = ListState.from_request(default_sort="number")
    with host.session() as session:
        found, total = host.customers.page(session, sort=state.sort, descending=state.descending, page=state.page,
                                           per_page=state.per_page, search=state.search)
        rows = [{
            "id": c.id, "number": c.number, "company": c.company,
            "person": " ".join(part for part in (c.first_name, c.last_name) if part),
            "postcode": c.postcode, "city": c.city, "email": c.email, "phone": c.phone,
            "label": f"{quoted(c.company or ' '.join(p for p in (c.first_name, c.last_name) if p))} ({c.number})",
        } for c in found]
        actions = host.context_actions(session, "customer")
    return render_template("shell/customers.html", columns=CUSTOMER_COLUMNS, rows=rows,
                           state=state.with_total(total), actions=actions)


@shell.post("/aktion")
def action():
    """Run a context action on the selected rows, then show its message on the page it names or the list
    (or send the file it answered with)."""
    form = request.form
    back = safe_next(form.get("next"))
    ids = id_values(form.getlist("ids"))
    result = current_host().run_action(form.get("owner", ""), form.get("name", ""), form.get("entity", ""), ids,
                                       form.get("confirmed", "").lower() in CONFIRMED_VALUES)
    if result.download is not None:  # the browser saves the file and stays on the list
        return result.download
    flash(result.message, "success")
    target = None
    if result.redirect_endpoint:
        try:
            target = url_for(result.redirect_endpoint,
                             **{"back": back if result.back else None, **result.redirect_args})
        except BuildError:
            pass
    return redirect(target or back or url_for("shell.index"))


# -- modules and licences ----------------------------------------------------------------------


@shell.get("/module")
@requires_role(ADMINISTRATOR)
def modules():
    host = current_host()
    with host.session() as session:
        rows = host.module_overview(session)
        installation_id = host.licensing.installation_id(session)
    return render_template("shell/modules.html", modules=rows, installation_id=installation_id,
                           problems=host.registry.problems)


@shell.post("/module/<module_id>/status")
@requires_role(ADMINISTRATOR)
def module_state(module_id: str):
    host = current_host()
    enable = request.form.get("enabled") == "1"
    with host.session() as session:
        host.set_module_enabled(session, module_id, enable)
        if enable:
            host.masterdata.seed(session)
            status = host.licensing.status(session, module_id)
        name = host.module(module_id).manifest.name
    if enable:
        flash(f"Modul {name} aktiviert: {status.message}", "success")
    else:
        flash(f"Modul {name} deaktiviert; seine Daten bleiben erhalten.", "success")
    return redirect(url_for("shell.modules"))


@shell.post("/module/lizenz")
@requires_role(ADMINISTRATOR)
def license_install():
    host = current_host()
    upload = request.files.get("license_file")
    if upload is None or not upload.filename:
        raise HostError("Bitte wählen Sie eine Lizenzdatei aus.")
    data = upload.read(MAX_FILE_BYTES + 1)
    with host.session() as session:
        terms = host.licensing.install(session, data)
        status = host.licensing.status(session, terms.module_id)
    flash(f"Lizenz für {terms.module_id} ({terms.licensee}) eingespielt: {status.message}", "success")
    return redirect(url_for("shell.modules"))


# -- Datensicherung ----------------------------------------------------------------------------


@shell.get("/datensicherung")
@requires_role(ADMINISTRATOR)
def backup():
    return render_template("shell/backup.html", database=current_host().engine.dialect.name)


@shell.post("/datensicherung")
@requires_role(ADMINISTRATOR)
def backup_download():
    """The backup archive as a download; it is written to a temporary folder removed after sending."""
    from host_stub.backup import archive_name, create_backup

    host = current_host()
    work = Path(tempfile.mkdtemp(prefix="host-stub-download-"))
    try:
        name = archive_name(host)
        create_backup(host, work / name)
        response = send_file(work / name, mimetype="application/zip", as_attachment=True, download_name=name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    response.headers["Cache-Control"] = "no-store"  # it holds every record: no copy in any cache
    response.call_on_close(lambda: shutil.rmtree(work, ignore_errors=True))
    return response


# -- Kleinstammdaten ---------------------------------------------------------------------------


@shell.get("/kleinstammdaten")
@requires_role(ADMINISTRATOR)
def masterdata():
    host = current_host()
    with host.session() as session:
        kinds = sorted(host.masterdata_kinds(session).items(), key=lambda pair: pair[1][1].label)
        selected = request.args.get("art") or (kinds[0][0] if kinds else None)
        entries = host.masterdata.entries(session, selected, include_inactive=True) if selected else []
        return render_template("shell/masterdata.html", kinds=[(key, kind) for key, (_owner, kind) in kinds],
                               selected=selected, entries=entries)


@shell.post("/kleinstammdaten/<kind>/neu")
@requires_role(ADMINISTRATOR)
def masterdata_add(kind: str):
    host = current_host()
    with host.session() as session:
        entry = host.masterdata.add(session, kind, request.form.get("label", ""))
    flash(f"„{entry.label}“ ist jetzt in der Liste.", "success")
    return redirect(url_for("shell.masterdata", art=kind))


@shell.post("/kleinstammdaten/<kind>/ausblenden")
@requires_role(ADMINISTRATOR)
def masterdata_deactivate(kind: str):
    host = current_host()
    label = request.form.get("label", "")
    with host.session() as session:
        host.masterdata.deactivate(session, kind, label)
    flash(f"„{label}“ wird nicht mehr zur Auswahl angeboten; vorhandene Datensätze behalten den Wert.", "success")
    return redirect(url_for("shell.masterdata", art=kind))
