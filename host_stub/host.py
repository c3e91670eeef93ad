"""The Host facade: the one object handed to hooks, offering the host's services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from host_stub import migrate
from host_stub.api import ADMINISTRATOR, ActionResult, ContextAction, MasterDataKind, MenuItem
from host_stub.customers import CustomerService
from host_stub.db import busy_error, create_database_engine, default_database_url, session_factory
from host_stub.documents import DocumentStore
from host_stub.errors import HostError, NotFound
from host_stub.files import FileStore
from host_stub.hooks import HostHooks
from host_stub.jobs import JobService
from host_stub.licensing import Licensing
from host_stub.masterdata import MasterDataService
from host_stub.models import ModuleState
from host_stub.numbers import NumberRanges
from host_stub.plugins import HOST_OWNER, LoadedModule, PluginRegistry
from host_stub.settings import Settings
from host_stub.tasks import TaskService
from host_stub.users import UserService

if TYPE_CHECKING:  # pragma: no cover
    from argon2 import PasswordHasher


#: session.info key under which the enabled modules of the current transaction are kept.
ENABLED_CACHE = "host_stub.enabled_modules"


def utc_now() -> datetime:
    """Naive UTC, the form every timestamp is stored in (same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Host:
    """Database sessions, customers, master data, documents, module files, number ranges, licensing, settings,
    users, modules, background tasks and periodic jobs.

    Services take a session from ``host.session()`` so that a module's writes and the host's
    writes share one transaction. ``license_public_key`` and ``password_hasher`` are for tests
    (their own signing key, a cheap hash); users have no way to set them.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        registry: PluginRegistry | None = None,
        clock: Callable[[], datetime] = utc_now,
        license_public_key: str | None = None,
        password_hasher: PasswordHasher | None = None,
    ) -> None:
        self.database_url = database_url or default_database_url()
        self.engine = create_database_engine(self.database_url)
        self._sessions = session_factory(self.engine)
        if registry is None:
            registry = PluginRegistry()
            registry.discover()
        self.registry = registry
        self.clock = clock
        self.hooks = HostHooks(self)
        self.settings = Settings()
        self.numbers = NumberRanges()
        self.customers = CustomerService(self)
        self.masterdata = MasterDataService(self)
        self.documents = DocumentStore(self)
        self.files = FileStore(self)
        self.licensing = Licensing(self, public_key=license_public_key)
        self.users = UserService(self, password_hasher)
        self.tasks = TaskService(self)
        self.jobs = JobService(self)
        try:
            self._refuse_newer_schemas()
        except HostError:
            self.engine.dispose()
            raise

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises.

        A lock wait that timed out becomes DatabaseBusy (a German message), never a raw driver error.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except DBAPIError as exc:
            busy = busy_error(exc)
            if busy is None:
                raise
            raise busy from None

    def close(self) -> None:
        self.engine.dispose()

    # -- modules -----------------------------------------------------------------------------

    @property
    def modules(self) -> dict[str, LoadedModule]:
        return self.registry.modules

    def module(self, module_id: str) -> LoadedModule:
        try:
            return self.registry.modules[module_id]
        except KeyError:
            known = ", ".join(sorted(self.registry.modules)) or "keine"
            raise NotFound(f"Unbekanntes Modul {module_id!r}. Installierte Module: {known}.") from None

    def enabled_modules(self, session: Session | None = None) -> set[str]:
        """Ids of the installed modules enabled in this database (looked up once per transaction)."""
        if session is None:
            with self.session() as own:
                return self.enabled_modules(own)
        if ENABLED_CACHE in session.info:
            return set(session.info[ENABLED_CACHE])
        try:
            rows = session.scalars(select(ModuleState.module_id).where(ModuleState.enabled)).all()
        except (OperationalError, ProgrammingError):
            raise HostError(
                "Die Datenbank ist noch nicht eingerichtet. Führen Sie 'host-stub init' "
                "(oder 'host-stub db upgrade') aus."
            ) from None
        enabled = {module_id for module_id in rows if module_id in self.registry.modules}
        session.info[ENABLED_CACHE] = frozenset(enabled)
        return enabled

    def set_module_enabled(self, session: Session, module_id: str, enabled: bool) -> None:
        """Enable or disable a module in this database (administrators); the first enabling starts its trial."""
        self.users.require(ADMINISTRATOR, "Module aktivieren oder deaktivieren")
        self.module(module_id)
        state = session.get(ModuleState, module_id)
        now = self.now()
        if state is None:
            state = ModuleState(module_id=module_id, enabled=False, changed_at=now)
            session.add(state)
        if state.enabled == enabled:
            return
        schema = self.schemas().get(module_id)
        if enabled and schema is not None:
            migrate.upgrade(session.connection(), schema)
        state.enabled = enabled
        state.changed_at = now
        session.flush()
        session.info.pop(ENABLED_CACHE, None)
        self.licensing.forget(session)
        if enabled:  # the trial start survives a deleted or edited row: it is derived and kept twice
            state.first_enabled_at = self.licensing.trial_start(session, module_id) or state.first_enabled_at or now
            self.licensing.remember_trial_start(session, module_id, state.first_enabled_at)
        session.flush()
        if enabled:
            self.hooks.module_enabled(session=session, module_id=module_id)
        else:
            self.hooks.module_disabled(session=session, module_id=module_id)

    def module_overview(self, session: Session) -> list[dict[str, Any]]:
        """Each installed module with version, enabled state, licence state and price (plain data)."""
        enabled = self.enabled_modules(session)
        rows = []
        for module_id, module in sorted(self.modules.items()):
            manifest = module.manifest
            status = self.licensing.status(session, module_id)
            rows.append({
                "id": module_id,
                "name": manifest.name,
                "version": manifest.version,
                "description": manifest.description,
                "enabled": module_id in enabled,
                "license": status.state,
                "license_message": status.message,
                "price": manifest.product.price_label if manifest.product else "kostenlos",
            })
        return rows

    def require_enabled(self, session: Session, module_id: str) -> None:
        if module_id not in self.enabled_modules(session):
            raise HostError(
                f"Das Modul {self.module(module_id).manifest.name} ist in dieser Datenbank nicht aktiviert. "
                f"Aktivieren: host-stub plugins enable {module_id}"
            )

    def require_writable(self, session: Session, module_id: str) -> None:
        """The licence gate: raises LicenseRefused (saying how to license) unless writes are allowed."""
        self.require_enabled(session, module_id)
        self.licensing.require_writable(session, module_id)

    # -- hooks ------------------------------------------------------------------------------

    def notify(self, session: Session, hook: str, **kwargs: Any) -> Any:
        """Call an event hook through pluggy on the enabled modules, with ``host`` and ``session``.

        For a module's typed callers of its own hooks (the CRM's ``crm_module.hooks``); the host's
        call sites use ``host.hooks``. Returns pluggy's result: the list of non-None results, or
        the first one for a ``firstresult`` spec.
        """
        return self.registry.call(hook, self.enabled_modules(session), host=self, session=session, **kwargs)

    def menu(self, session: Session) -> dict[str, list[tuple[str, MenuItem]]]:
        """The menu bar of the current user: workspace -> ``(owner, item)`` sorted by order and label."""
        from host_stub.api import WORKSPACES

        bar: dict[str, list[tuple[str, MenuItem]]] = {workspace: [] for workspace in WORKSPACES}
        for owner, item in self.hooks.menu_items(session=session):
            if self.users.may(item.role):
                bar[item.workspace].append((owner, item))
        for items in bar.values():
            items.sort(key=lambda pair: (pair[1].order, pair[1].label))
        return bar

    def context_actions(self, session: Session, entity: str) -> list[tuple[str, ContextAction]]:
        """The context actions of ``entity`` rows the current user may run (``role``)."""
        return [(owner, action) for owner, action in self._context_actions(session, entity)
                if self.users.may(action.role)]

    def _context_actions(self, session: Session, entity: str) -> list[tuple[str, ContextAction]]:
        actions = self.hooks.context_actions(session=session, entity=entity)
        actions = [(owner, action) for owner, action in actions if action.entity == entity]
        return sorted(actions, key=lambda pair: (pair[1].order, pair[1].label))

    def run_action(self, owner: str, name: str, entity: str, ids: list[int], confirmed: bool) -> ActionResult:
        """Run a context action on the selected ids in one transaction, after every check."""
        with self.session() as session:
            matches = [a for o, a in self._context_actions(session, entity) if o == owner and a.name == name]
            if not matches:
                raise NotFound(f"Die Aktion {owner}/{name} gibt es für {entity} nicht (Modul deaktiviert?).")
            action = matches[0]
            self.users.require(action.role, f"„{action.label}“")
            if not ids:
                raise HostError("Bitte markieren Sie mindestens eine Zeile.")
            if action.selection == "one" and len(ids) != 1:
                raise HostError(f"„{action.label}“ gilt für genau eine Zeile; markiert sind {len(ids)}.")
            if action.selection == "several" and len(set(ids)) < 2:
                raise HostError(f"„{action.label}“ braucht mindestens zwei markierte Zeilen; markiert ist eine. "
                                "Bitte weitere Zeilen mit Strg-Klick dazunehmen.")
            if action.confirm and not confirmed:
                raise HostError(f"„{action.label}“ muss erst mit Ja bestätigt werden.")
            if action.writes and owner != HOST_OWNER:
                self.require_writable(session, owner)
            result = action.handler(self, session, ids)
        return result if isinstance(result, ActionResult) else ActionResult(str(result))

    def masterdata_kinds(self, session: Session | None = None) -> dict[str, tuple[str, MasterDataKind]]:
        return {kind.key: (owner, kind) for owner, kind in self.hooks.masterdata_kinds(session=session)}

    # -- schema -----------------------------------------------------------------------------

    def schemas(self) -> dict[str, migrate.Schema]:
        """``declared_schemas`` of this host's plugins."""
        return declared_schemas(self.registry)

    def schema(self, owner: str) -> migrate.Schema:
        schemas = self.schemas()
        if owner not in schemas:
            raise NotFound(f"{owner!r} hat keine Tabellen. Mit Tabellen: {', '.join(schemas)}.")
        return schemas[owner]

    def upgrade(self, owner: str | None = None, revision: str = "head") -> list[str]:
        """Migrate the host and every enabled module (or one owner to a revision); never on import."""
        if owner is not None:
            with self.engine.begin() as connection:
                migrate.upgrade(connection, self.schema(owner), revision)
            return [owner]
        host_schema = self.schema(HOST_OWNER)
        with self.engine.begin() as connection:
            migrate.upgrade(connection, host_schema)
        enabled = self.enabled_modules()
        migrated = [HOST_OWNER]
        for schema in self.schemas().values():
            if schema.owner in enabled:
                with self.engine.begin() as connection:
                    migrate.upgrade(connection, schema)
                migrated.append(schema.owner)
        with self.session() as session:
            self.licensing.ensure_installation_id(session)
            self.masterdata.seed(session)
        return migrated

    def _refuse_newer_schemas(self) -> None:
        """Refuse to work on a database that a newer version migrated (checked once, when the Host is made)."""
        with self.engine.connect() as connection:
            for schema in self.schemas().values():
                migrate.require_known_revision(connection, schema)


def declared_schemas(registry: PluginRegistry) -> dict[str, migrate.Schema]:
    """The host's schema and every loaded module's, checked against the manifest's prefix (no database needed:
    ``restore`` checks an archive's revisions with it before it connects)."""
    found = {}
    for owner, declared in registry.database_schema():
        prefix = "host_" if owner == HOST_OWNER else registry.modules[owner].manifest.table_prefix
        strays = [name for name in declared.metadata.tables if not name.startswith(prefix)]
        if strays:
            raise HostError(f"Modul {owner}: Tabellen ohne das Präfix {prefix!r}: {', '.join(strays)}")
        found[owner] = migrate.Schema(owner, declared.metadata, declared.versions_dir)
    return found
