"""``host-stub crm``: the CRM's commands, one module per command group. Each gets the Host through
``@click.pass_obj`` and calls the same services as the web pages; services are imported inside
the commands so that ``host-stub --help`` stays quick.

Prospects are given by number (``I10017``) or id (``17``), customers by number (``K10001``) or id.
"""

from crm_module.cli import conversion, fields, history, lists, merge, privacy, prospects  # noqa: F401  (register)
from crm_module.cli.common import crm

__all__ = ["crm"]
