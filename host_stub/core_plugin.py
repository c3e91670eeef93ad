"""The host's own features, contributed through the same hooks as any module."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from host_stub.api import ADMINISTRATOR, ActionResult, ContextAction, DatabaseSchema, Job, MenuItem, hookimpl
from host_stub.german import plural


@hookimpl
def database_schema():
    from host_stub.models import HostBase  # imported here so that `host-stub --help` stays quick

    return DatabaseSchema(HostBase.metadata, Path(__file__).parent / "migrations" / "versions")


@hookimpl
def menu_items(host):
    return [
        MenuItem("Datei", "Module und Lizenzen", "shell.modules", order=10, role=ADMINISTRATOR),
        MenuItem("Datei", "Benutzer", "users.user_list", order=20, role=ADMINISTRATOR),
        MenuItem("Datei", "Datensicherung", "shell.backup", order=30, role=ADMINISTRATOR),
        MenuItem("Datei", "Hintergrundaufgaben", "tasks.task_list", order=40),
        MenuItem("Datei", "Geplante Aufgaben", "tasks.jobs", order=50),
        MenuItem("Stammdaten", "Kunden", "shell.customers", order=10, entity="customer"),
        MenuItem("Stammdaten", "Kleinstammdaten", "shell.masterdata", order=90, role=ADMINISTRATOR),
    ]


def _delete_customers(host, session, ids):
    for customer_id in ids:
        host.customers.delete(session, customer_id)
    return ActionResult(f"{plural(len(ids), 'Kunde', 'Kunden')} gelöscht.")


@hookimpl
def context_actions(host, entity):
    if entity != "customer":
        return []
    return [
        ContextAction(
            name="delete", label="Löschen", entity="customer", handler=_delete_customers,
            selection="many", confirm="{count} Kunden löschen?", confirm_one="Kunde {label} löschen?", writes=True,
            order=900, button=True,
        )
    ]


def _remove_finished_tasks(host, session):
    removed = host.tasks.remove_finished(session)
    return f"{plural(removed, 'erledigte Aufgabe', 'erledigte Aufgaben')} entfernt."


@hookimpl
def periodic_jobs():
    return [Job("tasks_cleanup", "Erledigte Hintergrundaufgaben entfernen (nach 30 Tagen)", timedelta(days=1),
                _remove_finished_tasks)]
