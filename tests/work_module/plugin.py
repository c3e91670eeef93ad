"""A free test module with background tasks and periodic jobs that the tests steer through ``CONTROL``."""

import threading
from datetime import timedelta

from host_stub.api import ActionResult, Download, Job, TaskKind, hookimpl, plural
from host_stub.errors import HostError


class Control:
    """``halfway`` is set when ``add_customers`` is halfway; it then waits until ``go_on`` is set."""

    def __init__(self) -> None:
        self.halfway = threading.Event()
        self.go_on = threading.Event()
        self.go_on.set()
        self.job_runs: list[str] = []
        self.job_started = threading.Event()
        self.job_go_on = threading.Event()
        self.job_go_on.set()


CONTROL = Control()


def add_customers(host, session, params, progress):
    """``count`` customers; pauses halfway (see Control); fails with a HostError at row ``fail_at``."""
    count = params["count"]
    for index in range(count):
        if index == count // 2:
            CONTROL.halfway.set()
            CONTROL.go_on.wait(10)
        if index == params.get("fail_at"):
            raise HostError(f"Zeile {index + 1}: die Firma fehlt. Bitte ergänzen Sie sie und starten Sie neu.")
        host.customers.create(session, company=f"Firma {index + 1}")
        progress(index + 1, count, f"Firma {index + 1} angelegt")
    return ActionResult(f"{plural(count, 'Kunde', 'Kunden')} angelegt.", redirect_endpoint="shell.customers")


def export(host, session, params, progress):
    progress(1, 1)
    return ActionResult("Export fertig.", download=Download(params.get("filename", "Kunden.csv"),
                                                             "text/csv; charset=utf-8", [b"Nr;Firma\r\n", b"1;A\r\n"]))


def whoami(host, session, params, progress):
    """Says on whose behalf it runs."""
    user = host.users.current()
    return ActionResult(f"Läuft für {user.name if user else 'die Installation'}.")


def crash(host, session, params, progress):
    host.customers.create(session, company="Halb GmbH")
    raise ValueError("connection string postgres://secret")


def counting_job(host, session):
    CONTROL.job_started.set()
    CONTROL.job_go_on.wait(10)
    CONTROL.job_runs.append("count")
    host.customers.create(session, company=f"Job {len(CONTROL.job_runs)}")
    return f"{plural(len(CONTROL.job_runs), 'Lauf', 'Läufe')} bisher."


def broken_job(host, session):
    host.customers.create(session, company="Kaputt GmbH")
    raise RuntimeError("kaputt")


@hookimpl
def task_kinds():
    return [TaskKind("add_customers", "Kunden anlegen", add_customers),
            TaskKind("export", "Kunden exportieren", export), TaskKind("crash", "Absturz", crash),
            TaskKind("whoami", "Wer bin ich", whoami)]


@hookimpl
def periodic_jobs():
    return [Job("count", "Zählen", timedelta(hours=1), counting_job),
            Job("broken", "Kaputt", timedelta(days=1), broken_job)]
