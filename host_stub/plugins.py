"""Plugin discovery, manifest check, isolation and typed calls of the hooks.

Modules are found through the ``host_stub.plugins`` entry-point group (and, for tests and
local development, dotted module paths in ``HOST_STUB_EXTRA_PLUGINS``). Each is loaded on
its own: one that fails to import, has a bad manifest or implements a hook nobody specified
is recorded in ``problems`` and skipped; the host starts regardless.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.resources
import logging
import os
from collections.abc import Callable, Collection, Generator, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from host_stub import core_plugin, hookspecs
from host_stub.api import PROJECT_NAME
from host_stub.errors import HostError, LicenseRefused
from host_stub.manifest import Manifest, read_manifest

if TYPE_CHECKING:  # pragma: no cover
    import click

    from host_stub.api import DatabaseSchema

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "host_stub.plugins"
EXTRA_PLUGINS_ENV = "HOST_STUB_EXTRA_PLUGINS"
HOST_OWNER = "host"


@dataclass(frozen=True)
class LoadedModule:
    manifest: Manifest
    plugin: ModuleType | object


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be loaded, and why; ``module_id`` where it is known (entry point, manifest)."""

    source: str
    message: str
    module_id: str | None = None


class PluginRegistry:
    """The host's plugin manager: the built-in core plugin plus every loadable module."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.pm.register(core_plugin, name=HOST_OWNER)
        self.modules: dict[str, LoadedModule] = {}
        self.problems: list[PluginProblem] = []

    # -- discovery ---------------------------------------------------------------------------

    def discover(self, extra: list[str] | None = None) -> None:
        """Load every entry-point plugin and every extra dotted path, then check the hook names."""
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            self._load(f"entry point {entry_point.name!r}", entry_point.value, expected_id=entry_point.name)
        env_extra = [p for p in os.environ.get(EXTRA_PLUGINS_ENV, "").split(",") if p.strip()]
        for dotted in [*(extra or []), *env_extra]:
            self._load(f"plugin {dotted.strip()!r}", dotted.strip())
        self._check_pending()

    def _load(self, source: str, dotted: str, expected_id: str | None = None) -> None:
        try:
            plugin = importlib.import_module(dotted)
            package = plugin.__package__ or plugin.__name__
            manifest = read_manifest(importlib.resources.files(package) / "plugin.toml")
        except HostError as exc:
            self._problem(source, str(exc), expected_id)
            return
        except Exception as exc:  # a broken plugin must never take the host down
            self._problem(source, f"cannot be imported: {type(exc).__name__}: {exc}", expected_id)
            return
        if expected_id is not None and manifest.id != expected_id:
            self._problem(source, f"manifest id {manifest.id!r} differs from the entry point name", expected_id)
            return
        try:
            self.register(plugin, manifest)
        except Exception as exc:
            self._problem(source, f"cannot be registered: {exc}", manifest.id)

    def register(self, plugin: object, manifest: Manifest) -> None:
        """Register a plugin object under its manifest (discovery uses it; so can tests and embedders)."""
        if manifest.id in self.modules or manifest.id == HOST_OWNER:
            raise HostError(f"a module with id {manifest.id!r} is already loaded")
        if manifest.hookspecs:
            self.pm.add_hookspecs(importlib.import_module(manifest.hookspecs))
        self.pm.register(plugin, name=manifest.id)
        try:
            self._guard(plugin, manifest.id)
        except HostError:
            self.pm.unregister(plugin)
            raise
        self.modules[manifest.id] = LoadedModule(manifest, plugin)

    def _check_pending(self) -> None:
        """Like ``pm.check_pending()``, but unregisters the offending plugin instead of failing all."""
        for name in dir(self.pm.hook):
            caller = getattr(self.pm.hook, name)
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin_name in self.modules and not impl.optionalhook:
                    del self.modules[impl.plugin_name]
                    self.pm.unregister(name=impl.plugin_name)
                    self._problem(
                        f"module {impl.plugin_name!r}",
                        f"implements unknown hook {name!r} (misspelled, or its hookspecs are not loaded)",
                        impl.plugin_name,
                    )
        self.pm.check_pending()

    def _problem(self, source: str, message: str, module_id: str | None = None) -> None:
        log.warning("plugin skipped: %s: %s", source, message)
        self.problems.append(PluginProblem(source, message, module_id))

    # -- calling hooks -----------------------------------------------------------------------

    def _guard(self, plugin: object, owner: str) -> None:
        """Isolate each of ``plugin``'s plain hookimpls: a licence refusal skips only that one.

        A hookimpl that raises stops pluggy's loop over the others, so the guard sits inside
        each implementation (pluggy keeps ``HookImpl.function`` as what it calls); a
        ``wrapper=True`` one still sees every call and its result (old-style ``hookwrapper``s
        are left as written).
        Refused (HostError): a wrapper on a contributing hook, and ``specname``, which pluggy's
        subset caller would not leave out while the module is disabled.
        """
        for caller in self.pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                if impl.opts.get("specname"):  # pluggy's subset caller would not leave it out while disabled
                    raise HostError(f"hookimpl {impl.function.__name__!r} with specname={caller.name!r}: "
                                    "specname is not supported, name the function after the hook")
                if (impl.wrapper or impl.hookwrapper) and caller.name in hookspecs.CONTRIBUTING:
                    raise HostError(f"wrapper hookimpl {caller.name!r}: contributing hooks are collected "
                                    "per module and take no wrappers (only event hooks do)")
                if impl.wrapper:
                    impl.function = _wrapper_skipping_licence_refusals(caller.name, owner, impl.function)
                elif not impl.hookwrapper:
                    impl.function = _skipping_licence_refusals(caller.name, owner, impl.function)

    def call(self, hook: str, enabled: Iterable[str], **kwargs: Any) -> Any:
        """Call an event hook through pluggy on the host and the ``enabled`` modules only.

        pluggy's own calling, so ``wrapper=True`` implementations, ``firstresult`` specs and
        ``pm.add_hookcall_monitoring`` work: the result is pluggy's (a list of the non-None
        results, or the first one for a ``firstresult`` spec). Errors propagate (the caller
        rolls back), except a module's licence refusal, which skips only that module's part.
        """
        enabled = set(enabled)
        disabled = [module.plugin for module_id, module in self.modules.items() if module_id not in enabled]
        return self.pm.subset_hook_caller(hook, disabled)(**kwargs)

    def collect(self, hook: str, enabled: Collection[str], **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a contributing hook on the host and each enabled module; return ``(owner, result)`` pairs.

        Called per module, since each contribution needs its owner. Results that are lists are
        flattened. A module that raises is logged and skipped, so one broken menu or page never
        takes down the others.
        """
        results: list[tuple[str, Any]] = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            owner = impl.plugin_name
            if owner != HOST_OWNER and owner not in enabled:
                continue
            try:
                value = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except HostError:
                raise
            except Exception:
                log.exception("hook %s of %s failed; its contribution is skipped", hook, owner)
                continue
            if value is None:
                continue
            if isinstance(value, list):
                results += [(owner, item) for item in value]
            else:
                results.append((owner, value))
        return results

    def cli_commands(self) -> list[tuple[str, click.Command]]:
        """Every loaded module's commands (the CLI is built before a database is known)."""
        return self.collect("cli_commands", set(self.modules))

    def database_schema(self) -> list[tuple[str, DatabaseSchema]]:
        """Every loaded module's declared schema, host first; an error propagates (no half-known schema)."""
        impls = reversed(self.pm.hook.database_schema.get_hookimpls())
        declared = [(impl.plugin_name, impl.function()) for impl in impls]
        return [(owner, schema) for owner, schema in declared if schema is not None]


def _skipping_licence_refusals(hook: str, owner: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, except that LicenseRefused is logged and the hookimpl counts as returning None.

    A read-only module's event hook skips its part; that must never make the host's own action fail.
    """

    @functools.wraps(function)
    def guarded(*args: Any) -> Any:
        try:
            return function(*args)
        except LicenseRefused as refused:
            _log_refusal(hook, owner, refused)
            return None

    return guarded


def _wrapper_skipping_licence_refusals(hook: str, owner: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A ``wrapper=True`` hookimpl whose LicenseRefused is logged: before its ``yield`` the call goes on
    without it, after it the result stays as the others made it."""

    @functools.wraps(function)
    def guarded(*args: Any) -> Generator[None, Any, Any]:
        inner = function(*args)
        try:
            next(inner)
        except LicenseRefused as refused:
            _log_refusal(hook, owner, refused)
            return (yield)
        try:
            result = yield
        except BaseException as exc:  # another hookimpl raised: the wrapper may handle it
            try:
                inner.throw(exc)
            except StopIteration as stop:
                return stop.value
            except LicenseRefused as refused:
                _log_refusal(hook, owner, refused)
            else:
                raise RuntimeError(f"wrapper {hook} of {owner} yielded twice")
            raise
        try:
            inner.send(result)
        except StopIteration as stop:
            return stop.value
        except LicenseRefused as refused:
            _log_refusal(hook, owner, refused)
            return result
        raise RuntimeError(f"wrapper {hook} of {owner} yielded twice")

    return guarded


def _log_refusal(hook: str, owner: str, refused: LicenseRefused) -> None:
    log.warning("hook %s of %s skipped by its licence gate: %s", hook, owner, refused)
