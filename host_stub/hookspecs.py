"""The host API: every hook a module may implement.

Hooks that contribute something (``CONTRIBUTING``) return small records from ``host_stub.api``;
the host collects them from every *enabled* module, with their owner, and renders them. Event
hooks are called through pluggy (``host_stub.hooks.HostHooks``) when something happened (or, for
``customer_deleting``, is about to happen).
docs/hooks.md documents each hook with its signature and an example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from host_stub.api import PROJECT_NAME

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    import click
    import flask
    from sqlalchemy.orm import Session

    from host_stub.api import ContextAction, DatabaseSchema, Job, MasterDataKind, MenuItem, TaskKind
    from host_stub.host import Host
    from host_stub.models import Customer, Document

hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Hooks whose results the host collects per module, each with its owner (menu entries, pages, ...);
#: the others are event hooks, called through pluggy (``wrapper=True`` and monitoring work there).
CONTRIBUTING = frozenset({"database_schema", "menu_items", "context_actions", "web_blueprints", "cli_commands",
                          "masterdata_kinds", "data_timespan", "task_kinds", "periodic_jobs"})


@hookspec
def database_schema() -> DatabaseSchema | None:
    """Declare the module's tables (own MetaData, table prefix from the manifest) and migrations."""


@hookspec
def menu_items(host: Host) -> list[MenuItem]:
    """Add entries to the menu bar's workspaces (Datei, Stammdaten, Office, Auswertungen)."""


@hookspec
def context_actions(host: Host, entity: str) -> list[ContextAction]:
    """Add actions to the right-click menu of a list of ``entity`` rows, e.g. ``"customer"``."""


@hookspec
def web_blueprints(host: Host) -> list[flask.Blueprint]:
    """Add pages: Flask blueprints, mounted under ``/m/<module id>/``."""


@hookspec
def cli_commands() -> list[click.Command]:
    """Add subcommands to ``host-stub`` (a module usually adds one group named after itself)."""


@hookspec
def masterdata_kinds() -> list[MasterDataKind]:
    """Register kinds of small lookup lists ("Kleinstammdaten") that users edit."""


@hookspec
def task_kinds() -> list[TaskKind]:
    """Declare kinds of background tasks (long work with progress) the module starts with ``host.tasks.start``."""


@hookspec
def periodic_jobs() -> list[Job]:
    """Declare jobs that run every interval (``host-stub jobs run``, and ``host-stub serve`` meanwhile)."""


@hookspec
def data_timespan(session: Session) -> tuple[datetime | None, datetime | None] | None:
    """Tell licensing the earliest and latest times in the module's own rows (cheap, indexed queries)."""


@hookspec
def demo_data(host: Host, session: Session) -> list[str] | None:
    """Fill the module's demo data for ``host-stub demo``; return lines that say what was added."""


@hookspec
def customer_created(host: Host, session: Session, customer: Customer) -> None:
    """React to a new customer, inside the transaction that created it."""


@hookspec
def customer_updated(
    host: Host, session: Session, customer: Customer, changes: dict[str, tuple[object, object]]
) -> None:
    """React to changed customer fields; ``changes`` maps field name to ``(old, new)``."""


@hookspec
def customer_deleting(host: Host, session: Session, customer: Customer) -> str | None:
    """Veto the deletion of a customer by returning a reason; return None to allow it."""


@hookspec
def document_created(host: Host, session: Session, document: Document) -> None:
    """React to a document (letter, offer, invoice, attachment) stored for a party."""


@hookspec
def module_enabled(host: Host, session: Session, module_id: str) -> None:
    """React to a module being enabled in this database (also called for the module itself)."""


@hookspec
def module_disabled(host: Host, session: Session, module_id: str) -> None:
    """React to a module being disabled in this database (also called for the module itself)."""
