"""The CRM module's hookimpls: thin, each delegates to a service.

Services are imported inside the hooks so that loading the plugin (e.g. for ``host-stub --help``)
stays quick.
"""

from __future__ import annotations

from pathlib import Path

from host_stub.api import DatabaseSchema, MasterDataKind, hookimpl


@hookimpl
def database_schema():
    from crm_module.models import CrmBase

    return DatabaseSchema(CrmBase.metadata, Path(__file__).parent / "migrations" / "versions")


@hookimpl
def masterdata_kinds():
    return [
        MasterDataKind("crm_status", "Interessenten-Status",
                       ("Neu", "In Kontakt", "Angebot", "Verhandlung", "Kein Interesse", "Ruhend")),
        MasterDataKind("crm_category", "Interessenten-Kategorien",
                       ("Endkunde", "Dienstleister", "Händler", "Handwerk", "Öffentliche Hand")),
        MasterDataKind("crm_source", "Herkunft von Interessenten",
                       ("Empfehlung", "Messe", "Website", "Anzeige", "Kaltakquise", "Social Media")),
    ]


@hookimpl
def cli_commands():
    from crm_module.cli import crm

    return [crm]


@hookimpl
def context_actions(host, entity):
    from crm_module.actions import for_entity

    return for_entity(entity)


@hookimpl
def menu_items(host):
    from crm_module.web import menu_items as items

    return items()


@hookimpl
def web_blueprints(host):
    from crm_module.web import blueprint

    return [blueprint(host)]


@hookimpl
def data_timespan(session):
    from crm_module.parties import data_timespan as timespan

    return timespan(session)


@hookimpl
def demo_data(host, session):
    from crm_module.demo import fill_demo

    return fill_demo(host, session)


@hookimpl
def customer_created(host, session, customer):
    from crm_module.conversion import on_customer_created

    on_customer_created(host, session, customer)


@hookimpl
def customer_updated(host, session, customer, changes):
    from crm_module.conversion import on_customer_updated

    on_customer_updated(host, session, customer)


@hookimpl
def customer_deleting(host, session, customer):
    from crm_module.conversion import on_customer_deleting

    return on_customer_deleting(host, session, customer)


@hookimpl
def module_enabled(host, session, module_id):
    if module_id == "crm":
        from crm_module.conversion import on_crm_enabled

        on_crm_enabled(host, session)
