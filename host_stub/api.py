"""The public surface for module authors: the hookimpl marker and the small records hooks return.

A module imports only this (and, for type hints, ``host_stub.host.Host``). Everything else
it needs at run time reaches it through the ``Host`` facade passed to its hooks. ``plural`` and
``quoted`` word messages the way the host does: "3 Notizen", „Bäckerei Schmitz“.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal

import pluggy

from host_stub.german import plural, quoted  # noqa: F401 (re-exported for modules)
from host_stub.validation import country_code, unstorable_character  # noqa: F401  (input checks modules share)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Column, MetaData

    from host_stub.host import Host

PROJECT_NAME = "host_stub"
HOST_API_VERSION = "1.0"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: The workspaces of the menu bar, in the order they are shown.
WORKSPACES = ("Datei", "Stammdaten", "Office", "Auswertungen")

#: The roles of users: an Administrator may do everything (licences, modules, users, Kleinstammdaten,
#: erasure), a Mitarbeiter the daily work. ``role=ADMINISTRATOR`` on a MenuItem or ContextAction limits it.
ADMINISTRATOR = "Administrator"
MITARBEITER = "Mitarbeiter"
ROLES = (ADMINISTRATOR, MITARBEITER)


def _check_role(role: str | None) -> None:
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


@dataclass(frozen=True)
class DatabaseSchema:
    """A module's tables and the folder of its Alembic revisions (``versions/``)."""

    metadata: MetaData
    versions_dir: Path


@dataclass(frozen=True)
class MenuItem:
    """One entry of the menu bar. ``endpoint`` is a Flask endpoint name, ``shortcut`` a key hint.

    ``entity``: the page at ``endpoint`` lists rows of that entity; the menu then offers the list's
    context actions below the entry too (run on the rows selected there). ``role``: only users of
    that role see the entry (``ADMINISTRATOR``); the page itself must check too (``requires_role``).
    """

    workspace: str
    label: str
    endpoint: str
    order: int = 100
    shortcut: str | None = None
    entity: str | None = None
    role: str | None = None

    def __post_init__(self) -> None:
        if self.workspace not in WORKSPACES:
            raise ValueError(f"unknown workspace {self.workspace!r}; use one of {', '.join(WORKSPACES)}")
        _check_role(self.role)


@dataclass(frozen=True)
class ActionResult:
    """What an action reports back: a message for the user, optionally a page to go to.

    ``redirect_args`` are the ``url_for`` arguments of that page (path parameters, or query
    arguments such as the selected ids), e.g. to open the record an action was run on. With
    ``back`` that page also gets ``back``, the address of the list the action was run from.
    """

    message: str
    redirect_endpoint: str | None = None
    redirect_args: dict[str, Any] = field(default_factory=dict)
    back: bool = False


@dataclass(frozen=True)
class ContextAction:
    """An entry of the right-click menu of a list of ``entity`` rows (for example ``"customer"``).

    ``handler(host, session, ids)`` runs inside one transaction that the host commits when it
    returns and rolls back when it raises. ``selection`` says whether it applies to exactly
    one row (``"one"``), to one or more (``"many"``) or to two or more (``"several"``); ``confirm``
    is the Ja/Nein question asked first (``{count}`` is replaced by the number of selected rows);
    ``confirm_one`` is the question when one row is selected, naming it: ``{label}`` is replaced by
    the row's ``label`` value (for example „Bäckerei Schmitz“ (I10004)); ``writes`` puts it behind
    the licence gate. ``button`` gives it a button of its own in the list's button bar; the others
    are there under "Weitere Funktionen". ``role=ADMINISTRATOR``: only administrators see and run
    it; anyone else gets 403 and nothing runs.
    """

    name: str
    label: str
    entity: str
    handler: Callable[[Host, Any, list[int]], ActionResult | str]
    selection: Literal["one", "many", "several"] = "one"
    confirm: str | None = None
    confirm_one: str | None = None
    writes: bool = False
    order: int = 100
    button: bool = False
    role: str | None = None

    def __post_init__(self) -> None:
        _check_role(self.role)


@dataclass(frozen=True)
class MasterDataKind:
    """A small lookup list ("Kleinstammdaten") users edit, with the entries a new database starts with."""

    key: str
    label: str
    defaults: tuple[str, ...] = field(default_factory=tuple)


def host_column(dotted: str) -> Column:
    """A column of a host table (``"host_customers.id"``) for a ForeignKey from a module's own MetaData.

    A module's tables live in their own MetaData, where a ForeignKey given as a string cannot
    find the host's tables; pointing it at the Column object works across both. Give the
    ForeignKey an ``ondelete`` ("CASCADE" or "SET NULL") unless your rows should stop the host
    from deleting the row they refer to (docs/hooks.md, "What happens to your rows ...").
    """
    from host_stub.models import HostBase

    table, column = dotted.split(".")
    return HostBase.metadata.tables[table].c[column]
