"""Plugin discovery, manifest check, isolation and typed calls of the hooks.

Modules are found through the ``host_stub.plugins`` entry-point group (and, for tests and
local development, dotted module paths in ``HOST_STUB_EXTRA_PLUGINS``). Each is loaded on
its own: one that fails to import, has a bad manifest or implements a hook nobody specified
is recorded in ``problems`` and skipped; the host starts regardless.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import logging
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy

from host_stub import core_plugin, hookspecs
from host_stub.api import PROJECT_NAME
from host_stub.errors import HostError, LicenseRefused
from host_stub.manifest import Manifest, read_manifest

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
    """A plugin that could not be loaded, and why."""

    source: str
    message: str


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
            self._problem(source, str(exc))
            return
        except Exception as exc:  # a broken plugin must never take the host down
            self._problem(source, f"cannot be imported: {type(exc).__name__}: {exc}")
            return
        if expected_id is not None and manifest.id != expected_id:
            self._problem(source, f"manifest id {manifest.id!r} differs from the entry point name")
            return
        try:
            self.register(plugin, manifest)
        except Exception as exc:
            self._problem(source, f"cannot be registered: {exc}")

    def register(self, plugin: object, manifest: Manifest) -> None:
        """Register a plugin object under its manifest (discovery uses it; so can tests and embedders)."""
        if manifest.id in self.modules or manifest.id == HOST_OWNER:
            raise HostError(f"a module with id {manifest.id!r} is already loaded")
        if manifest.hookspecs:
            self.pm.add_hookspecs(importlib.import_module(manifest.hookspecs))
        self.pm.register(plugin, name=manifest.id)
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
                    )
        self.pm.check_pending()

    def _problem(self, source: str, message: str) -> None:
        log.warning("plugin skipped: %s: %s", source, message)
        self.problems.append(PluginProblem(source, message))

    # -- calling hooks -----------------------------------------------------------------------

    def collect(self, hook: str, enabled: set[str], **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on the host and on each enabled module; return ``(owner, result)`` pairs.

        Results that are lists are flattened. A module that raises is logged and skipped, so
        one broken menu or page never takes down the others.
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

    def notify(self, hook: str, enabled: set[str], **kwargs: Any) -> list[tuple[str, Any]]:
        """Call an event hook on the host and enabled modules; errors propagate (the caller rolls back).

        Except a module's licence gate: LicenseRefused means the read-only module skipped its part,
        which must never make the host's own action fail; it is logged and the next hook runs.
        """
        results: list[tuple[str, Any]] = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            owner = impl.plugin_name
            if owner != HOST_OWNER and owner not in enabled:
                continue
            try:
                value = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except LicenseRefused as refused:
                log.warning("hook %s of %s skipped by its licence gate: %s", hook, owner, refused)
                continue
            if value is not None:
                results.append((owner, value))
        return results
