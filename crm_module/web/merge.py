"""Merging duplicates: the preview with a choice per field, the merge and its undo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import flash, redirect, render_template, request, url_for

from crm_module import MODULE_ID, merging
from crm_module.web.routing import edit_url, flashed, route
from host_stub.api import plural
from host_stub.web.params import id_value, id_values

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


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
    return redirect(edit_url(survivor_id, "zusammenfuehrungen"))


@route("/<int:prospect_id>/zusammenfuehrungen/<int:merge_id>/rueckgaengig", methods=("POST",))
def undo_merge(host: Host, prospect_id: int, merge_id: int):
    decisions = {key.removeprefix("decision-"): value for key, value in request.form.items()
                 if key.startswith("decision-")}
    with flashed() as outcome:
        try:
            with host.session() as session:
                restored = merging.undo(host, session, merge_id, decisions)
        except merging.MergeConflict as conflict:
            conflicts = [{**c, "text": merging.conflict_text(c)} for c in conflict.conflicts]
            return render_template("crm/merge_undo.html", conflicts=conflicts, merge_id=merge_id,
                                   prospect_id=prospect_id, decisions=decisions), 409
        outcome.done(f"Zusammenführung rückgängig gemacht: {plural(len(restored), 'Datensatz', 'Datensätze')} "
                     "wiederhergestellt.")
    return redirect(edit_url(prospect_id, "zusammenfuehrungen"))
