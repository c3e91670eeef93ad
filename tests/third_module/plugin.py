"""The notes module: a menu item, a customer context action, a table with a migration, a CLI command."""

from pathlib import Path

import click
from flask import Blueprint, render_template_string
from sqlalchemy import ForeignKey, MetaData, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from host_stub.api import ActionResult, ContextAction, DatabaseSchema, MenuItem, host_column, hookimpl, plural


class Base(DeclarativeBase):
    metadata = MetaData()


class Note(Base):
    __tablename__ = "notes_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(host_column("host_customers.id")))
    text: Mapped[str] = mapped_column(String(500))


notes = Blueprint("notes", __name__)


@notes.get("/")
def index():
    return render_template_string("{% extends 'shell/base.html' %}{% block content %}<h1>Notizen</h1>{% endblock %}")


def add_note(host, session, ids):
    host.require_writable(session, "notes")
    for customer_id in ids:
        session.add(Note(customer_id=customer_id, text="Rückruf erbeten"))
    return ActionResult(f"{plural(len(ids), 'Notiz', 'Notizen')} angelegt.")


@click.group("notes")
def notes_cli():
    """Notizen."""


@notes_cli.command("count")
@click.pass_obj
def count(host):
    with host.session() as session:
        click.echo(session.scalar(select(func.count()).select_from(Note)))


@hookimpl
def database_schema():
    return DatabaseSchema(Base.metadata, Path(__file__).parent / "migrations" / "versions")


@hookimpl
def menu_items(host):
    return [MenuItem("Office", "Notizen", "notes.index", order=50, shortcut="F9")]


@hookimpl
def context_actions(host, entity):
    if entity != "customer":
        return []
    return [ContextAction("add_note", "Notiz anlegen", "customer", add_note, selection="many",
                          confirm="Für {count} Kunden Notizen anlegen?",
                          confirm_one="Für Kunde {label} eine Notiz anlegen?", writes=True)]


@hookimpl
def web_blueprints(host):
    return [notes]


@hookimpl
def cli_commands():
    return [notes_cli]


@hookimpl
def customer_deleting(host, session, customer):
    if session.scalar(select(func.count()).select_from(Note).where(Note.customer_id == customer.id)):
        return "Es gibt noch Notizen zu diesem Kunden."
    return None
