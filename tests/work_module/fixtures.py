"""The fixtures of the tests that steer the work module (tasks, jobs): import them by name."""

import pytest

from host_stub.plugins import PluginRegistry
from tests.work_module import plugin as work

PLUGIN = "tests.work_module.plugin"


@pytest.fixture
def registry():
    registry = PluginRegistry()
    registry.discover(extra=[PLUGIN])
    return registry


@pytest.fixture
def work_host(make_host, registry):
    work.CONTROL.__init__()
    return make_host(registry, enable=("work",))
