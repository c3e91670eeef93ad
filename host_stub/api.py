"""The public surface for module authors: the hookimpl marker and the small records hooks return.

A module imports only this (and, for type hints, ``host_stub.host.Host``). Everything else
it needs at run time reaches it through the ``Host`` facade passed to its hooks. ``plural`` and
``quoted`` word messages the way the host does: "3 Notizen", „Bäckerei Schmitz“.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Protocol

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
class Download:
    """A file to hand to the user: an action's or a task's result, or what a page view returns.

    ``data`` is the content, as bytes or as an iterable of bytes (a generator streams a large file
    without holding it in memory). ``filename`` is cleaned before it is sent (path parts, control
    characters), so a name built from user input is safe; umlauts are kept. Give text types their
    charset: ``"text/csv; charset=utf-8"``.
    """

    filename: str
    content_type: str
    data: bytes | Iterable[bytes]


@dataclass(frozen=True)
class ActionResult:
    """What an action (or a background task) reports back: a message, optionally a page or a file.

    ``redirect_args`` are the ``url_for`` arguments of that page (path parameters, or query
    arguments such as the selected ids), e.g. to open the record an action was run on. With
    ``back`` that page also gets ``back``, the address of the list the action was run from.
    With ``download`` the browser receives that file (and stays on its page).
    """

    message: str
    redirect_endpoint: str | None = None
    redirect_args: dict[str, Any] = field(default_factory=dict)
    back: bool = False
    download: Download | None = None


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


class Progress(Protocol):
    """What a background task calls to report how far it is: ``progress(250, 1000, "Zeile 250")``."""

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


@dataclass(frozen=True)
class TaskKind:
    """A kind of background task (hook ``task_kinds``), started with ``host.tasks.start``.

    ``run(host, session, params, progress)`` does the work in a worker thread, inside one
    transaction of its own that the host commits when it returns and rolls back when it raises (or
    when the process dies), so a failed task leaves nothing half-written. ``params`` is the
    JSON-compatible dict given to ``start``; ``progress`` is a ``Progress``. It returns an
    ``ActionResult`` (a message, a page to link, a ``Download``) or a message.
    """

    name: str
    label: str
    run: Callable[[Host, Any, dict[str, Any], Progress], ActionResult | str]


@dataclass(frozen=True)
class Job:
    """A periodic job (hook ``periodic_jobs``): ``run(host, session)`` every ``interval``.

    It runs in one transaction (committed when it returns, rolled back when it raises) and returns
    a short German result text ("3 Erinnerungen verschickt.") or None.
    """

    name: str
    label: str
    interval: timedelta
    run: Callable[[Host, Any], str | None]


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
