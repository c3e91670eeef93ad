"""The notes module: a menu item, customer context actions (one answers with a CSV), a table with a
migration, CLI commands, a background task with progress started from a page, and a periodic job."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import click
from flask import Blueprint, redirect, render_template_string, request, url_for
from sqlalchemy import ForeignKey, MetaData, String, delete, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from host_stub.api import (
    ActionResult,
    ContextAction,
    DatabaseSchema,
    Download,
    Job,
    MenuItem,
    TaskKind,
    hookimpl,
    host_column,
    plural,
)
from host_stub.errors import HostError
from host_stub.web import current_host


class Base(DeclarativeBase):
    metadata = MetaData()


class Note(Base):
    __tablename__ = "notes_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(host_column("host_customers.id")))
    text: Mapped[str] = mapped_column(String(500))


notes = Blueprint("notes", __name__)


PAGE = """{% extends 'shell/base.html' %}{% block content %}<h1>Notizen</h1>
<form method="post" action="{{ url_for('notes.add_to_all') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input name="text" aria-label="Text"><button type="submit">Für alle Kunden anlegen</button>
</form>{% endblock %}"""


@notes.get("/")
def index():
    return render_template_string(PAGE)


@notes.post("/fuer-alle")
def add_to_all():
    host = current_host()
    with host.session() as session:
        task_id = host.tasks.start(session, "notes", "add_to_all", {"text": request.form.get("text", "")})
    return redirect(url_for("tasks.task", task_id=task_id))


def add_note(host, session, ids):
    host.require_writable(session, "notes")
    for customer_id in ids:
        session.add(Note(customer_id=customer_id, text="Rückruf erbeten"))
    return ActionResult(f"{plural(len(ids), 'Notiz', 'Notizen')} angelegt.")


def export_notes(host, session, ids):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Kunde", "Notiz"])
    for note in session.scalars(select(Note).where(Note.customer_id.in_(ids)).order_by(Note.id)):
        writer.writerow([note.customer_id, note.text])
    data = out.getvalue().encode("utf-8-sig")
    return ActionResult("Export erstellt.", download=Download("Notizen Übersicht.csv", "text/csv; charset=utf-8", data))


def add_notes_to_all(host, session, params, progress):
    host.require_writable(session, "notes")
    if not params["text"].strip():
        raise HostError("Bitte geben Sie den Text der Notiz ein.")
    customers, total = host.customers.page(session, per_page=10_000)
    for done, customer in enumerate(customers, start=1):
        session.add(Note(customer_id=customer.id, text=params["text"]))
        progress(done, total, f"Kunde {customer.number}")
    return ActionResult(f"{plural(total, 'Notiz', 'Notizen')} angelegt.", redirect_endpoint="notes.index")


def remove_empty_notes(host, session):
    removed = session.execute(delete(Note).where(Note.text == "")).rowcount
    return f"{plural(removed, 'leere Notiz', 'leere Notizen')} entfernt."


@click.group("notes")
def notes_cli():
    """Notizen."""


@notes_cli.command("count")
@click.pass_obj
def count(host):
    with host.session() as session:
        click.echo(session.scalar(select(func.count()).select_from(Note)))


@notes_cli.command("add-to-all")
@click.argument("text")
@click.pass_obj
def add_to_all_cli(host, text):
    click.echo(host.tasks.run_here("notes", "add_to_all", {"text": text}).result_message)


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
                          confirm_one="Für Kunde {label} eine Notiz anlegen?", writes=True),
            ContextAction("export_notes", "Notizen als CSV", "customer", export_notes, selection="many")]


@hookimpl
def task_kinds():
    return [TaskKind("add_to_all", "Notizen für alle Kunden anlegen", add_notes_to_all)]


@hookimpl
def periodic_jobs():
    return [Job("cleanup", "Leere Notizen entfernen", timedelta(days=1), remove_empty_notes)]


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
