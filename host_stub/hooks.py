"""Typed calls of the host's hooks: ``host.hooks.customer_created(session=s, customer=c)``.

One method per hook of ``host_stub.hookspecs`` with its arguments spelt out (minus ``host``, which
the facade adds), so that a misspelt hook or a wrong argument fails at type-check and test time
instead of silently calling nothing. tests/test_hook_docs.py checks that the methods match the specs.
``cli_commands`` is on the ``PluginRegistry``: the CLI is built before there is a Host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    import flask
    from sqlalchemy.orm import Session

    from host_stub.api import ContextAction, Job, MasterDataKind, MenuItem, TaskKind
    from host_stub.host import Host
    from host_stub.models import Customer, Document


class HostHooks:
    """Event hooks go through pluggy (host and enabled modules); contributing hooks return ``(owner, item)``."""

    def __init__(self, host: Host) -> None:
        self._host = host

    # -- events ------------------------------------------------------------------------------

    def customer_created(self, *, session: Session, customer: Customer) -> None:
        self._host.notify(session, "customer_created", customer=customer)

    def customer_updated(self, *, session: Session, customer: Customer,
                         changes: dict[str, tuple[object, object]]) -> None:
        self._host.notify(session, "customer_updated", customer=customer, changes=changes)

    def customer_deleting(self, *, session: Session, customer: Customer) -> list[str]:
        """The vetoes: each module's reason not to delete the customer."""
        return self._host.notify(session, "customer_deleting", customer=customer)

    def document_created(self, *, session: Session, document: Document) -> None:
        self._host.notify(session, "document_created", document=document)

    def module_enabled(self, *, session: Session, module_id: str) -> None:
        """Called for the enabled modules and the module itself."""
        enabled = self._host.enabled_modules(session) | {module_id}
        self._host.registry.call("module_enabled", enabled, host=self._host, session=session, module_id=module_id)

    def module_disabled(self, *, session: Session, module_id: str) -> None:
        """Called for the enabled modules and the module itself (now disabled)."""
        enabled = self._host.enabled_modules(session) | {module_id}
        self._host.registry.call("module_disabled", enabled, host=self._host, session=session, module_id=module_id)

    def demo_data(self, *, session: Session) -> list[list[str]]:
        """Each module's lines saying what it added."""
        return self._host.notify(session, "demo_data")

    # -- contributions -----------------------------------------------------------------------

    def menu_items(self, *, session: Session | None = None) -> list[tuple[str, MenuItem]]:
        return self._host.registry.collect("menu_items", self._host.enabled_modules(session), host=self._host)

    def context_actions(self, *, session: Session | None = None, entity: str) -> list[tuple[str, ContextAction]]:
        return self._host.registry.collect("context_actions", self._host.enabled_modules(session), host=self._host,
                                           entity=entity)

    def web_blueprints(self) -> list[tuple[str, flask.Blueprint]]:
        """Every loaded module's blueprints: the shell mounts them all and answers 404 while one is disabled."""
        return self._host.registry.collect("web_blueprints", set(self._host.modules), host=self._host)

    def masterdata_kinds(self, *, session: Session | None = None) -> list[tuple[str, MasterDataKind]]:
        return self._host.registry.collect("masterdata_kinds", self._host.enabled_modules(session))

    def data_timespan(self, *, session: Session) -> list[tuple[str, tuple[datetime | None, datetime | None]]]:
        return self._host.registry.collect("data_timespan", self._host.enabled_modules(session), session=session)

    def task_kinds(self, *, session: Session | None = None) -> list[tuple[str, TaskKind]]:
        """The enabled modules' task kinds."""
        return self._host.registry.collect("task_kinds", self._host.enabled_modules(session))

    def task_kinds_of_every_module(self) -> list[tuple[str, TaskKind]]:
        """Also a disabled module's task kinds: a task started before the module was disabled runs to its end."""
        return self._host.registry.collect("task_kinds", set(self._host.modules))

    def periodic_jobs(self) -> list[tuple[str, Job]]:
        """Every loaded module's jobs (also a disabled module's: the list says why they do not run)."""
        return self._host.registry.collect("periodic_jobs", set(self._host.modules))
