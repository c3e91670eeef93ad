"""The host API: every hook a module may implement.

Hooks that contribute something return small records from ``host_stub.api``; the host
collects them from every *enabled* module and renders them. Event hooks are called by the
host when something happened (or, for ``customer_deleting``, is about to happen).
docs/hooks.md documents each hook with its signature and an example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from host_stub.api import PROJECT_NAME

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    import click
    import flask

    from host_stub.api import ContextAction, DatabaseSchema, Job, MasterDataKind, MenuItem, TaskKind
    from host_stub.host import Host

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


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
def data_timespan(session: Any) -> tuple[datetime | None, datetime | None] | None:
    """Tell licensing the earliest and latest times in the module's own rows (cheap, indexed queries)."""


@hookspec
def demo_data(host: Host, session: Any) -> list[str] | None:
    """Fill the module's demo data for ``host-stub demo``; return lines that say what was added."""


@hookspec
def customer_created(host: Host, session: Any, customer: Any) -> None:
    """React to a new customer, inside the transaction that created it."""


@hookspec
def customer_updated(host: Host, session: Any, customer: Any, changes: dict[str, tuple[Any, Any]]) -> None:
    """React to changed customer fields; ``changes`` maps field name to ``(old, new)``."""


@hookspec
def customer_deleting(host: Host, session: Any, customer: Any) -> str | None:
    """Veto the deletion of a customer by returning a reason; return None to allow it."""


@hookspec
def document_created(host: Host, session: Any, document: Any) -> None:
    """React to a document (letter, offer, invoice, attachment) stored for a party."""


@hookspec
def module_enabled(host: Host, session: Any, module_id: str) -> None:
    """React to a module being enabled in this database (also called for the module itself)."""


@hookspec
def module_disabled(host: Host, session: Any, module_id: str) -> None:
    """React to a module being disabled in this database (also called for the module itself)."""
