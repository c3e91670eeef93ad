"""The CRM's pages: prospect overview, the tabbed edit dialog, documents, data protection,
merging, a customer's CRM record and the custom-field setup.

Views stay thin: one transaction per request (``with host.session() as session:``), the CRM
service functions do the work, the templates render plain values. A save that the services
refuse (invalid fields, licence) raises out of the transaction, so nothing of it is committed,
and the dialog is shown again with the user's input and a message at each field.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for

from crm_module import (
    MODULE_ID, conversion, customfields, history, mailinglists, merging, overview, privacy, prospects,
)
from crm_module.errors import InvalidInput
from crm_module.models import CUSTOM_FIELD_SLOTS
from crm_module.parties import CATEGORY_KIND, STATUS_KIND, get_party, label
from crm_module.schemas import PHONE_KINDS, VAT_TREATMENTS
from crm_module.web import forms
from host_stub.api import plural
from host_stub.errors import Forbidden, HostError, LicenseRefused, NotFound
from host_stub.web import safe_next
from host_stub.web.lists import Column, ListState
from host_stub.web.params import id_value, id_values

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

COLUMNS = (
    Column("number", "Nr.", "number"),
    Column("name", "Name", "name"),
    Column("city", "Ort", "city"),
    Column("status", "Status", "status"),
    Column("contacts", "Kontakte", "contacts"),
    Column("last_contact", "Letzter Kontakt", "last_contact"),
    Column("next_followup", "Wiedervorlage", "next_followup"),
    Column("lists", "Listen"),
)
#: Where the search looks; "auto" tells e-mail, number and phone by their shape, else the name.
SEARCH_IN = {"auto": "Name/E-Mail/Tel./Nr.", "name": "nur Name", "email": "nur E-Mail", "phone": "nur Telefon",
             "city": "nur Ort", "number": "nur Nr."}
LIST_KINDS = mailinglists.LIST_KINDS

_ROUTES: list[tuple[str, str | None, Callable[..., Any], tuple[str, ...]]] = []


def route(rule: str, methods: tuple[str, ...] = ("GET",), endpoint: str | None = None):
    """Register a view ``view(host, **path_parameters)``; ``build_blueprint`` binds the host.
    The endpoint is the function's name unless given."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        _ROUTES.append((rule, endpoint, view, methods))
        return view

    return register


def build_blueprint(host: Host) -> Blueprint:
    """The blueprint ``crm`` for ``host``: every view gets the host as its first argument."""
    pages = Blueprint("crm", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static")
    for rule, endpoint, view, methods in _ROUTES:
        bound = functools.update_wrapper(functools.partial(view, host), view)
        pages.add_url_rule(rule, endpoint or view.__name__, bound, methods=list(methods))
    pages.add_app_template_filter(forms.german_date, "crm_date")
    pages.add_app_template_filter(functools.partial(forms.german_date, with_time=True), "crm_datetime")
    pages.add_app_template_filter(forms.german_number, "crm_number")
    pages.add_app_template_filter(forms.readable, "crm_readable")
    return pages


def _back_arg() -> str | None:
    """The overview as the user left it (``back``: sort, filters, page), if it is a path of the overview.

    Only the overview's own path on this site is accepted, so ``back`` cannot lead elsewhere."""
    target = safe_next(request.args.get("back"))
    if target and target.isprintable() and urlsplit(target).path == url_for("crm.prospects"):
        return target
    return None


def _back() -> str:
    """Where "Zur Übersicht" and "Abbrechen" lead."""
    return _back_arg() or url_for("crm.prospects")


def _edit_url(prospect_id: int, tab: str | None = None) -> str:
    return url_for("crm.edit_prospect", prospect_id=prospect_id, back=_back_arg(), _anchor=tab)


# -- overview ----------------------------------------------------------------------------------


@route("/", endpoint="prospects")
def prospects_list(host: Host):
    state = ListState.from_request(default_sort="name")
    filters = forms.overview_filters(request.args)
    after, before = request.args.get("after") or None, request.args.get("before") or None
    with host.session() as session:
        found = overview.overview(
            session, filters, sort=state.sort, descending=state.descending, per_page=state.per_page,
            page=state.page if "page" in request.args or not (after or before) else None,
            after=after, before=before, last=request.args.get("last") == "1")
        total = overview.count(session, filters, cap=overview.COUNT_CAP)
        actions = host.context_actions(session, "prospect")
        choices = {"statuses": host.masterdata.labels(session, STATUS_KIND),
                   "categories": host.masterdata.labels(session, CATEGORY_KIND),
                   "lists": mailinglists.lists(session, count_members=False)}
    state = state.with_total(total)
    return render_template("crm/prospects.html", columns=COLUMNS, rows=[forms.overview_row(r) for r in found.rows],
                           state=state, actions=actions, filters=filters, paging=_paging(found, state, total),
                           filter_args=forms.filter_args(request.args), search_in=SEARCH_IN, **choices)


def _paging(found: overview.OverviewPage, state: ListState, total: int) -> dict[str, Any]:
    """The count and the links to the first, previous, next and last page (keyset paging: the
    links carry the sort key of the first or last row shown)."""
    link = functools.partial(url_for, "crm.prospects", **forms.filter_args(request.args))
    known = total < overview.COUNT_CAP
    pages = state.pages if known else None
    number = found.page
    if number is None and not found.has_next and pages is not None:
        number = pages
    if number is not None and pages is not None:
        position = f"Seite {number} von {pages}"
    else:
        position = f"Seite {number}" if number is not None else "Letzte Seite" if not found.has_next else ""
    previous = None
    if found.has_previous:
        previous = link(**state.args(page=1)) if number == 2 else \
            link(**state.args(page=number - 1 if number else 1), before=found.first)
    return {
        "count": forms.count_text(total, overview.COUNT_CAP - 1, ("Interessent", "Interessenten")),
        "position": position, "previous": previous,
        "first": link(**state.args(page=1)) if found.has_previous else None,
        "next": link(**state.args(page=number + 1 if number else 1), after=found.last) if found.has_next else None,
        "last": link(**state.args(page=1), last="1") if found.has_next else None,
    }


# -- the edit dialog ---------------------------------------------------------------------------


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
        refusal=refusal, vat_treatments=VAT_TREATMENTS, phone_kinds=PHONE_KINDS, event_kinds=history.EVENT_KINDS,
        field_types=customfields.TYPES, back=_back(), back_arg=_back_arg(), **context)
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
    return redirect(_edit_url(prospect_id))


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
    return redirect(_edit_url(prospect_id))


# -- documents ---------------------------------------------------------------------------------


@route("/<int:prospect_id>/dokumente", methods=("POST",))
def upload_documents(host: Host, prospect_id: int):
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        flash("Bitte wählen Sie mindestens eine Datei aus.", "error")
        return redirect(_edit_url(prospect_id, "dokumente"))
    kind = request.form.get("kind", "attachment")
    try:
        with host.session() as session:
            for upload in files:
                prospects.add_document(host, session, prospect_id, upload.filename, upload.read(), kind)
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{plural(len(files), 'Dokument', 'Dokumente')} abgelegt: {', '.join(f.filename for f in files)}.",
              "success")
    return redirect(_edit_url(prospect_id, "dokumente"))


@route("/<int:prospect_id>/dokumente/<int:document_id>")
def download_document(host: Host, prospect_id: int, document_id: int):
    with host.session() as session:
        document = prospects.document(host, session, prospect_id, document_id)
        filename, content_type = document.filename, document.content_type
        content = host.documents.content(session, document_id)
    return send_file(io.BytesIO(content), mimetype=content_type, as_attachment=True,
                     download_name=filename)


def _confirmed() -> bool:
    return request.form.get("confirmed") == "1"


@route("/<int:prospect_id>/dokumente/<int:document_id>/loeschen", methods=("POST",))
def delete_document(host: Host, prospect_id: int, document_id: int):
    if not _confirmed():
        flash("Das Löschen eines Dokuments muss erst mit Ja bestätigt werden; es wurde nichts gelöscht.", "error")
        return redirect(_edit_url(prospect_id, "dokumente"))
    try:
        with host.session() as session:
            filename = prospects.delete_document(host, session, prospect_id, document_id)
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Dokument „{filename}“ gelöscht.", "success")
    return redirect(_edit_url(prospect_id, "dokumente"))


@route("/<int:prospect_id>/dokumente/<int:document_id>/art", methods=("POST",))
def change_document_kind(host: Host, prospect_id: int, document_id: int):
    if not _confirmed():
        flash("Das Ändern der Dokumentart muss erst mit Ja bestätigt werden; es wurde nichts geändert.", "error")
        return redirect(_edit_url(prospect_id, "dokumente"))
    try:
        with host.session() as session:
            document = prospects.change_document_kind(host, session, prospect_id, document_id,
                                                      request.form.get("kind", ""))
            filename, kind = document.filename, host.documents.kind_labels[document.kind]
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"„{filename}“ ist jetzt als {kind} abgelegt.", "success")
    return redirect(_edit_url(prospect_id, "dokumente"))


# -- history: contact events and follow-ups ----------------------------------------------------


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
    return redirect(_edit_url(prospect_id, "statistik"))


@route("/<int:prospect_id>/wiedervorlagen", methods=("POST",))
def add_followup(host: Host, prospect_id: int):
    form = request.form
    try:
        due_on = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        flash("Bitte ein Fälligkeitsdatum angeben.", "error")
        return redirect(_edit_url(prospect_id, "statistik"))
    try:
        with host.session() as session:
            history.add_followup(host, session, prospect_id, due_on, form.get("subject", ""), form.get("note", ""))
    except NotFound:
        raise
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Wiedervorlage zum {forms.german_date(due_on)} angelegt.", "success")
    return redirect(_edit_url(prospect_id, "statistik"))


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
    return redirect(_edit_url(prospect_id, "statistik"))


# -- data protection ---------------------------------------------------------------------------


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
        return redirect(_edit_url(prospect_id))
    try:
        with host.session() as session:
            name = label(get_party(session, prospect_id))
            counts = privacy.erase(host, session, prospect_id)
    except (NotFound, Forbidden):  # their own error pages: 404, 403 for a Mitarbeiter
        raise
    except HostError as exc:
        flash(str(exc), "error")
        return redirect(_edit_url(prospect_id))
    flash(f"{name} wurde nach DSGVO gelöscht, mit {plural(counts['events'], 'Kontaktereignis', 'Kontaktereignissen')}, "
          f"{plural(counts['contacts'], 'Ansprechpartner', 'Ansprechpartnern')} und "
          f"{plural(counts['documents'], 'Dokument', 'Dokumenten')}. "
          "Es bleibt nur ein anonymer Vermerk.", "success")
    return redirect(_back())


# -- merging -----------------------------------------------------------------------------------


def _takes(values: Any) -> dict[str, int]:
    """The per-field choices of the merge preview: ``take-<field>=<record id>``."""
    takes = {key.removeprefix("take-"): value for key, value in values.items() if key.startswith("take-")}
    return dict(zip(takes, id_values(list(takes.values())), strict=True))


@route("/zusammenfuehren")
def merge_preview(host: Host):
    ids = id_values(request.args.getlist("ids"))
    survivor = id_value(request.args.get("survivor"))
    with host.session() as session:
        plan = merging.preview(host, session, ids, survivor, _takes(request.args))
        licence = host.licensing.status(session, MODULE_ID)
    columns = list(zip([plan["survivor_id"], *plan["merged_ids"]], [plan["survivor"], *plan["merged"]], strict=True))
    names = dict(columns)
    fields = [{"name": name, **entry, "group_label": plan["fields"][entry["group"]]["label"]}
              for name, entry in plan["fields"].items()
              if entry["differs"] or any(value["value"] != "–" for value in entry["values"])]
    return render_template("crm/merge.html", plan=plan, fields=fields, columns=columns,
                           candidates=[(i, names[i]) for i in dict.fromkeys([*ids, plan["survivor_id"]])],
                           licence=licence)


@route("/zusammenfuehren", methods=("POST",))
def merge(host: Host):
    ids = id_values(request.form.getlist("ids"))
    survivor = id_value(request.form.get("survivor"))
    takes = _takes(request.form)
    if request.form.get("refresh"):  # "Vorschau aktualisieren": show the preview of these choices
        if survivor != request.form.get("shown_survivor", type=int):
            takes = {}  # another remaining record: its values are preselected afresh
        arguments = {"ids": ids, "survivor": survivor, **{f"take-{field}": i for field, i in takes.items()}}
        return redirect(url_for("crm.merge_preview", **arguments), 303)
    with host.session() as session:
        log = merging.merge(host, session, ids, survivor, takes)
        survivor_id, count = log.survivor_id, len(log.merged_ids) + 1
    flash(f"{count} Datensätze zusammengeführt. Unter „Zusammenführungen“ können Sie das rückgängig machen.",
          "success")
    return redirect(_edit_url(survivor_id, "zusammenfuehrungen"))


@route("/<int:prospect_id>/zusammenfuehrungen/<int:merge_id>/rueckgaengig", methods=("POST",))
def undo_merge(host: Host, prospect_id: int, merge_id: int):
    decisions = {key.removeprefix("decision-"): value for key, value in request.form.items()
                 if key.startswith("decision-")}
    try:
        with host.session() as session:
            restored = merging.undo(host, session, merge_id, decisions)
    except NotFound:
        raise
    except merging.MergeConflict as conflict:
        conflicts = [{**c, "text": merging.conflict_text(c)} for c in conflict.conflicts]
        return render_template("crm/merge_undo.html", conflicts=conflicts, merge_id=merge_id,
                               prospect_id=prospect_id, decisions=decisions), 409
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Zusammenführung rückgängig gemacht: {plural(len(restored), 'Datensatz', 'Datensätze')} "
              "wiederhergestellt.", "success")
    return redirect(_edit_url(prospect_id, "zusammenfuehrungen"))


# -- mailing lists -----------------------------------------------------------------------------


def _render_lists(host: Host, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status: int = 200):
    with host.session() as session:
        rows = mailinglists.lists(session)
        licence = host.licensing.status(session, MODULE_ID)
    return render_template("crm/lists.html", lists=rows, list_kinds=LIST_KINDS, licence=licence,
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
                           named=named, lists=rows, list_kinds=LIST_KINDS, licence=licence,
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
    try:
        with host.session() as session:
            ids, _matching = _assignment(session, form)
            name = mailinglists.get_list(session, list_id).name
            if mode == "add":
                count = mailinglists.add_members(host, session, list_id, ids)
            else:
                count = mailinglists.remove_members(host, session, list_id, ids)
    except HostError as exc:
        flash(str(exc), "error")
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


# -- a customer's CRM record -------------------------------------------------------------------


@route("/kunde/<int:customer_id>")
def customer_record(host: Host, customer_id: int):
    """What the CRM holds on a host customer, including everything that came along from the prospect."""
    with host.session() as session:
        record = prospects.for_customer(host, session, customer_id)
        conversions = conversion.conversions(session, record["id"]) if record["id"] is not None else []
    return render_template("crm/customer.html", record=record, conversions=conversions,
                           event_kinds=history.EVENT_KINDS,
                           document_kinds=host.documents.kind_labels, vat_treatments=VAT_TREATMENTS,
                           list_kinds=LIST_KINDS)


@route("/kunde/<int:customer_id>/anlegen", methods=("POST",))
def create_customer_record(host: Host, customer_id: int):
    """The CRM row of a customer the CRM has none for yet: made here, never by opening the page."""
    with host.session() as session:
        party_id = prospects.create_customer_record(host, session, customer_id).id
    return redirect(_edit_url(party_id))


# -- custom fields -----------------------------------------------------------------------------


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
    try:
        with host.session() as session:
            definition = customfields.configure(host, session, slot, posted["label"], posted["type"],
                                                posted["options"].splitlines())
    except InvalidInput as exc:
        return _render_fields(host, {slot: exc.errors}, {slot: posted}, status=422)
    except HostError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Feld {slot} „{definition.label}“ ({definition.type_label}) gespeichert.", "success")
    return redirect(url_for("crm.custom_fields", _anchor=f"feld-{slot}"))


@route("/felder/<int:slot>/entfernen", methods=("POST",))
def remove_field(host: Host, slot: int):
    try:
        with host.session() as session:
            customfields.remove(host, session, slot, discard_values=request.form.get("discard") == "1")
    except HostError as exc:
        flash(str(exc).replace("(--discard-values)", "(„Werte verwerfen“ ankreuzen)"), "error")
    else:
        flash(f"Feld {slot} entfernt.", "success")
    return redirect(url_for("crm.custom_fields", _anchor=f"feld-{slot}"))
