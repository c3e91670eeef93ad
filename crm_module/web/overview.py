"""The prospect overview: one page of the list with its filters, search and keyset paging."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from flask import render_template, request, url_for

from crm_module import mailinglists, overview
from crm_module.parties import CATEGORY_KIND, STATUS_KIND
from crm_module.web import forms
from crm_module.web.routing import route
from host_stub.web.lists import Column, ListState

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host


COLUMNS = tuple(Column(key, overview.header(key), sort) for key, sort in overview.COLUMNS)
#: Where the search looks; "auto" tells e-mail, number and phone by their shape, else the name.
SEARCH_IN = {"auto": "Name/E-Mail/Tel./Nr.", "name": "nur Name", "email": "nur E-Mail", "phone": "nur Telefon",
             "city": "nur Ort", "number": "nur Nr."}


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
