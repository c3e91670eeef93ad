"""How the CRM's page modules register their views and what they share: the way back to the
overview as the user left it, the link to a record's dialog, and how a refused action is shown
(``flashed``).

Views stay thin: one transaction per request (``with host.session() as session:``), the CRM
service functions do the work, the templates render plain values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, request, url_for

from crm_module.errors import FieldInUse
from crm_module.fields import display
from crm_module.web import forms
from host_stub.errors import Forbidden, HostError, NotFound
from host_stub.web import safe_next

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

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
    from crm_module.web import customer, customfields, dialog, documents, history, lists, merge, overview, privacy  # noqa: F401  (their views register themselves)

    pages = Blueprint("crm", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static")
    for rule, endpoint, view, methods in _ROUTES:
        bound = functools.update_wrapper(functools.partial(view, host), view)
        pages.add_url_rule(rule, endpoint or view.__name__, bound, methods=list(methods))
    pages.add_app_template_filter(forms.german_date, "crm_date")
    pages.add_app_template_filter(functools.partial(forms.german_date, with_time=True), "crm_datetime")
    pages.add_app_template_filter(forms.german_number, "crm_number")
    pages.add_app_template_filter(forms.readable, "crm_readable")
    pages.add_app_template_filter(lambda value, name: display(name, value), "crm_field")
    return pages


def back_arg() -> str | None:
    """The overview as the user left it (``back``: sort, filters, page), if it is a path of the overview.

    Only the overview's own path on this site is accepted, so ``back`` cannot lead elsewhere."""
    target = safe_next(request.args.get("back"))
    if target and target.isprintable() and urlsplit(target).path == url_for("crm.prospects"):
        return target
    return None


def back() -> str:
    """Where "Zur Übersicht" and "Abbrechen" lead."""
    return back_arg() or url_for("crm.prospects")


def edit_url(prospect_id: int, tab: str | None = None) -> str:
    return url_for("crm.edit_prospect", prospect_id=prospect_id, back=back_arg(), _anchor=tab)


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


@dataclass
class Outcome:
    """What ``flashed`` knows of the work: the success message to show, and whether it was refused."""

    message: str | None = None
    refused: bool = False

    def done(self, message: str) -> None:
        self.message = message


@contextmanager
def flashed() -> Iterator[Outcome]:
    """Run a writing view's work: a refusal (``HostError``) is worded for the page and flashed as the
    error, and the view goes on to its redirect (``outcome.refused`` tells it); otherwise the message
    given to ``outcome.done`` is flashed. ``NotFound`` and ``Forbidden`` propagate, so that the host
    shows its 404 or 403 page (a Mitarbeiter calling an administrator's action).
    """
    outcome = Outcome()
    try:
        yield outcome
    except (NotFound, Forbidden):
        raise
    except HostError as exc:
        outcome.refused = True
        flash(refusal(exc), "error")
    else:
        if outcome.message:
            flash(outcome.message, "success")


def refusal(exc: HostError) -> str:
    """A service's refusal as the pages word it: where an error needs a decision of the user, say
    which control makes it."""
    if isinstance(exc, FieldInUse):
        return f"{exc} Zum Entfernen mit den Werten „Werte verwerfen“ ankreuzen."
    return str(exc)
