"""Mailing and newsletter lists: the lists page and putting prospects on a list or taking them off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for

from crm_module import MODULE_ID, mailinglists, overview
from crm_module.errors import InvalidInput
from crm_module.parties import get_party, label
from crm_module.web import forms
from crm_module.web.routing import flashed, route
from host_stub.api import plural
from host_stub.errors import LicenseRefused, NotFound
from host_stub.web.params import id_values

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


def _render_lists(host: Host, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status: int = 200):
    with host.session() as session:
        rows = mailinglists.lists(session)
        licence = host.licensing.status(session, MODULE_ID)
    return render_template("crm/lists.html", lists=rows, list_kinds=mailinglists.LIST_KINDS, licence=licence,
                           values=values or {"name": "", "kind": "mailing"}, errors=errors or {}), status


@route("/listen")
def mailing_lists(host: Host):
    return _render_lists(host)


@route("/listen", methods=("POST",))
def create_mailing_list(host: Host):
    values = {"name": request.form.get("name", ""), "kind": request.form.get("kind", "")}
    try:
        with host.session() as session:
            name = mailinglists.create_list(host, session, values["name"], values["kind"]).name
    except InvalidInput as exc:
        return _render_lists(host, values, exc.errors, status=422)
    except LicenseRefused as exc:
        flash(str(exc), "error")
        return _render_lists(host, values, status=403)
    flash(f"Liste „{name}“ angelegt.", "success")
    return redirect(url_for("crm.mailing_lists"))


#: What the list assignment page does: add to or remove from a list.
LIST_MODES = {"add": "Auf die Liste setzen", "remove": "Von der Liste nehmen"}


def _assignment(session, args) -> tuple[list[int], bool]:
    """The prospects the assignment page is about: the selected ids, or all matching the overview's filters."""
    if args.get("alle") == "1":
        return overview.matching_ids(session, forms.overview_filters(args)), True
    return id_values(args.getlist("ids")), False


@route("/listen/zuordnen")
def list_assignment(host: Host):
    """Choose the list for prospects picked on the overview (a selection, or all that match its filters)."""
    mode = request.args.get("aktion", "add")
    if mode not in LIST_MODES:
        raise NotFound(f"Unbekannte Aktion „{mode}“.")
    with host.session() as session:
        ids, matching = _assignment(session, request.args)
        named = [label(get_party(session, party_id)) for party_id in ids[:10]]
        rows = mailinglists.lists(session, count_members=False)
        licence = host.licensing.status(session, MODULE_ID)
    return render_template("crm/list_assign.html", mode=mode, modes=LIST_MODES, ids=ids, matching=matching,
                           named=named, lists=rows, list_kinds=mailinglists.LIST_KINDS, licence=licence,
                           filters=forms.filter_args(request.args), search=request.args.get("q", ""),
                           chosen=request.args.get("list", type=int))


@route("/listen/zuordnen", methods=("POST",))
def assign_list(host: Host):
    form = request.form
    mode = form.get("aktion", "")
    list_id = form.get("list_id", type=int)
    back = url_for("crm.list_assignment", **{key: form.getlist(key) for key in form if key != "csrf_token"})
    if mode not in LIST_MODES or list_id is None:
        flash("Bitte eine Liste wählen; es wurde nichts geändert.", "error")
        return redirect(back)
    with flashed() as outcome:
        with host.session() as session:
            ids, _matching = _assignment(session, form)
            name = mailinglists.get_list(session, list_id).name
            if mode == "add":
                count = mailinglists.add_members(host, session, list_id, ids)
            else:
                count = mailinglists.remove_members(host, session, list_id, ids)
    if outcome.refused:
        return redirect(back)
    counted = plural(count, "Interessent", "Interessenten")
    if mode == "add":
        message = f"{counted} auf die Liste „{name}“ gesetzt"
        if count < len(ids):
            message += f"; {plural(len(ids) - count, 'weiterer stand', 'weitere standen')} schon darauf"
    else:
        message = f"{counted} von der Liste „{name}“ genommen"
    flash(message + ".", "success")
    return redirect(url_for("crm.prospects", list=list_id))
