"""The CRM's web pages, mounted by the host under ``/m/crm/`` (see docs/crm.md).

``blueprint(host)`` builds the Flask blueprint for one Host (the views are in one module per page
family, registered through ``routing.route``); ``menu_items()`` are the entries under Stammdaten.
The hookimpls in ``plugin.py`` return both.
"""

from __future__ import annotations

from host_stub.api import MenuItem


def menu_items() -> list[MenuItem]:
    """The overview, with the actions of its list below it (the same as its context menu), "Neu", and the lists."""
    return [MenuItem("Stammdaten", "Neuer Interessent", "crm.new_prospect", order=19),
            MenuItem("Stammdaten", "Interessenten", "crm.prospects", order=20, entity="prospect"),
            MenuItem("Stammdaten", "Mailing-Listen", "crm.mailing_lists", order=21)]


def blueprint(host):
    from crm_module.web.routing import build_blueprint

    return build_blueprint(host)
