"""A plugin with a misspelled hook name."""

from host_stub.api import hookimpl


@hookimpl
def menu_itmes(host):
    return []
