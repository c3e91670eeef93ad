"""A module's own hookspecs with a ``firstresult`` spec, for tests/test_hook_dispatch.py."""

from __future__ import annotations

import pluggy

from host_stub.api import PROJECT_NAME

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def picker_choose(host, session, options: list[str]) -> str | None:
    """Choose one of ``options``; the first module that answers decides."""
