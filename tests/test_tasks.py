"""Background tasks: progress while they run, their result or failure, atomicity, a killed process, the
task page and its JSON, the CLI's progress bar, and downloads (headers and safe names)."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from host_stub import tasks as tasks_module
from host_stub.errors import HostError, NotFound
from host_stub.models import Customer, Task
from host_stub.web.downloads import content_disposition, safe_filename
from tests.conftest import signed_in_client
from tests.work_module import plugin as work
from tests.work_module.fixtures import PLUGIN, registry, work_host  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]

#: Runs the add_customers task in a process of its own, says when it is halfway, then waits to be killed.
KILLED_PROCESS = """
import sys, threading
from host_stub.host import Host
from host_stub.plugins import PluginRegistry
from tests.work_module import plugin as work

registry = PluginRegistry()
registry.discover(extra=["tests.work_module.plugin"])
work.CONTROL.go_on.clear()
threading.Thread(target=lambda: work.CONTROL.halfway.wait() and print("halfway", flush=True), daemon=True).start()
Host(sys.argv[1], registry=registry).tasks.run_here("work", "add_customers", {"count": 4})
"""


def start(host, name, **params):
    with host.session() as session:
        return host.tasks.start(session, "work", name, params)


def customers(host) -> list[str]:
    with host.session() as session:
        return list(session.scalars(select(Customer.company).order_by(Customer.id)))


def test_task_kinds_show_progress_while_the_task_runs_and_its_result_afterwards(work_host):
    work.CONTROL.go_on.clear()
    task_id = start(work_host, "add_customers", count=4)
    assert work.CONTROL.halfway.wait(5)
    running = work_host.tasks.status(task_id)
    assert (running.state, running.state_label, running.progress_text) == ("running", "läuft", "2 von 4 (50 %)")
    assert running.message == "Firma 2 angelegt"
    assert customers(work_host) == []  # nothing is visible before the task's transaction commits
    work.CONTROL.go_on.set()
    done = work_host.tasks.wait(task_id)
    assert (done.state, done.result_message, done.result_endpoint) == ("done", "4 Kunden angelegt.", "shell.customers")
    assert customers(work_host) == ["Firma 1", "Firma 2", "Firma 3", "Firma 4"]


def test_a_failing_task_leaves_nothing_half_written_and_shows_its_message(work_host):
    failed = work_host.tasks.wait(start(work_host, "add_customers", count=4, fail_at=3))
    assert (failed.state, failed.state_label) == ("failed", "fehlgeschlagen")
    assert failed.error == "Zeile 4: die Firma fehlt. Bitte ergänzen Sie sie und starten Sie neu."
    assert customers(work_host) == []


def test_an_unexpected_error_is_a_german_message_without_internals(work_host, caplog):
    failed = work_host.tasks.wait(start(work_host, "crash"))
    assert failed.error == tasks_module.INTERNAL_ERROR and "secret" not in failed.error
    assert "connection string" in caplog.text  # the details went to the log
    assert customers(work_host) == []


def test_a_task_started_in_a_transaction_that_rolls_back_neither_exists_nor_runs(work_host):
    with pytest.raises(HostError), work_host.session() as session:
        work_host.tasks.start(session, "work", "add_customers", {"count": 1})
        raise HostError("abgebrochen")
    with work_host.session() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0
    assert customers(work_host) == []


def test_an_unknown_or_disabled_task_kind_is_refused(work_host):
    with pytest.raises(NotFound, match="Die Aufgabe work/nope gibt es nicht"):
        start(work_host, "nope")
    with work_host.session() as session:
        work_host.set_module_enabled(session, "work", False)
    with pytest.raises(NotFound, match="Modul deaktiviert"):
        start(work_host, "export")


def test_a_task_whose_process_died_is_shown_as_aborted_and_left_nothing(work_host, make_host, registry, clock):
    """A second host on the same database stands for another process: it does not run the task, so once
    the heartbeat is a minute old it shows the task as aborted; the running process still shows it running."""
    other = make_host(registry, upgrade=False)
    work.CONTROL.go_on.clear()
    task_id = start(work_host, "add_customers", count=4)
    assert work.CONTROL.halfway.wait(5)
    assert other.tasks.status(task_id).state == "running"
    clock.advance(seconds=61)
    aborted = other.tasks.status(task_id)
    assert (aborted.state, aborted.state_label, aborted.aborted) == ("failed", "abgebrochen", True)
    assert "abgebrochen" in aborted.error and "Es wurde nichts gespeichert" in aborted.error
    assert other.tasks.status(task_id).finished and work_host.tasks.status(task_id).state == "running"
    assert customers(other) == []
    work.CONTROL.go_on.set()
    assert work_host.tasks.wait(task_id).state == "done"


def test_a_task_whose_process_is_killed_mid_task_wrote_nothing_and_is_shown_as_aborted(work_host, clock):
    with subprocess.Popen([sys.executable, "-c", KILLED_PROCESS, work_host.database_url], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout.readline() == "halfway\n"  # two customers added, not yet committed
        finally:
            process.kill()
    with work_host.session() as session:
        task_id = session.scalar(select(Task.id))
    clock.current = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=61)
    status = work_host.tasks.status(task_id)
    assert (status.state, status.state_label) == ("failed", "abgebrochen")
    assert customers(work_host) == []


def test_a_result_file_is_kept_and_one_over_the_limit_fails_the_task(work_host, monkeypatch):
    done = work_host.tasks.wait(start(work_host, "export", filename="Übersicht.csv"))
    assert done.download_name == "Übersicht.csv"
    with work_host.session() as session:
        download = work_host.tasks.download(session, done.id)
    assert (download.content_type, download.data) == ("text/csv; charset=utf-8", b"Nr;Firma\r\n1;A\r\n")
    monkeypatch.setattr(tasks_module, "MAX_RESULT_BYTES", 10)
    failed = work_host.tasks.wait(start(work_host, "export"))
    assert failed.state == "failed" and "Ergebnisdatei ist größer als" in failed.error
    with work_host.session() as session, pytest.raises(NotFound, match="keine Datei"):
        work_host.tasks.download(session, failed.id)


def test_run_here_shows_a_progress_bar_and_exits_1_with_the_failure(work_host, monkeypatch):
    monkeypatch.setattr("click._termui_impl.isatty", lambda _stream: True)  # a terminal: the bar is drawn

    @click.command()
    @click.option("--fail-at", type=int)
    @click.pass_obj
    def add(host, fail_at):
        status = host.tasks.run_here("work", "add_customers", {"count": 4, "fail_at": fail_at})
        click.echo(status.result_message)

    from host_stub.cli import HostGroup

    group = HostGroup(commands={"add": add})
    result = CliRunner().invoke(group, ["add"], obj=work_host)
    assert result.exit_code == 0, result.output
    assert "Kunden anlegen" in result.stderr and "100%" in result.stderr
    assert result.stdout == "4 Kunden angelegt.\n"
    result = CliRunner().invoke(group, ["add", "--fail-at", "1"], obj=work_host)
    assert result.exit_code == 1
    assert "Zeile 2: die Firma fehlt" in result.output and "Traceback" not in result.output
    assert customers(work_host) == ["Firma 1", "Firma 2", "Firma 3", "Firma 4"]


# -- the task page -----------------------------------------------------------------------------


def test_task_page_shows_progress_then_after_a_reload_the_result(work_host):
    client = signed_in_client(work_host)
    work.CONTROL.go_on.clear()
    task_id = start(work_host, "add_customers", count=4)
    assert work.CONTROL.halfway.wait(5)
    page = client.get(f"/aufgaben/{task_id}").get_data(as_text=True)
    assert "Kunden anlegen" in page and "2 von 4 (50 %)" in page and 'value="2"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'src="/static/tasks.js"' in page
    status = client.get(f"/aufgaben/{task_id}.json")
    assert status.json == {"id": task_id, "state": "running", "state_label": "läuft", "finished": False, "done": 2,
                           "total": 4, "message": "Firma 2 angelegt", "progress": "2 von 4 (50 %)", "error": None}
    work.CONTROL.go_on.set()
    work_host.tasks.wait(task_id)
    page = client.get(f"/aufgaben/{task_id}").get_data(as_text=True)
    assert "4 Kunden angelegt." in page and 'href="/kunden">Zum Ergebnis' in page
    assert "http-equiv" not in page
    assert client.get(f"/aufgaben/{task_id}.json").json["finished"] is True


def test_task_page_shows_the_failure_and_offers_the_result_file(work_host):
    client = signed_in_client(work_host)
    failed = work_host.tasks.wait(start(work_host, "add_customers", count=2, fail_at=0))
    page = client.get(f"/aufgaben/{failed.id}").get_data(as_text=True)
    assert "fehlgeschlagen" in page and "Zeile 1: die Firma fehlt." in page
    done = work_host.tasks.wait(start(work_host, "export", filename="../Kunden Übersicht.csv"))
    page = client.get(f"/aufgaben/{done.id}").get_data(as_text=True)
    assert f'href="/aufgaben/{done.id}/datei"' in page
    response = client.get(f"/aufgaben/{done.id}/datei")
    assert response.data == b"Nr;Firma\r\n1;A\r\n"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Kunden Uebersicht.csv\"; filename*=UTF-8''Kunden%20%C3%9Cbersicht.csv")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/aufgaben/{failed.id}/datei").status_code == 404
    missing = client.get("/aufgaben/999999")
    assert missing.status_code == 404 and "Die Aufgabe 999999 gibt es nicht" in missing.get_data(as_text=True)


def test_the_task_list_under_datei_shows_the_latest_tasks_with_their_outcome(work_host):
    done = work_host.tasks.wait(start(work_host, "add_customers", count=2))
    failed = work_host.tasks.wait(start(work_host, "add_customers", count=2, fail_at=0))
    page = signed_in_client(work_host).get("/aufgaben").get_data(as_text=True)
    assert 'href="/aufgaben"' in page  # the menu entry
    assert page.index(f'data-task="{failed.id}"') < page.index(f'data-task="{done.id}"')
    assert "2 Kunden angelegt." in page and "Zeile 1: die Firma fehlt." in page
    assert f'href="/aufgaben/{done.id}">Kunden anlegen' in page


# -- download names ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\Bericht.docx", "Bericht.docx"),
    ("Liste\r\nSet-Cookie: a=b.csv", "ListeSet-Cookie_ a=b.csv"),
    ('Angebot "neu".pdf', "Angebot _neu_.pdf"),
    ("rechnung\u202egpj.exe", "rechnunggpj.exe"),
    ("..", "download"),
    ("", "download"),
])
def test_download_names_lose_path_parts_control_characters_and_forbidden_characters(name, safe):
    assert safe_filename(name) == safe


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition("Kunden.csv") == 'attachment; filename="Kunden.csv"'
    assert content_disposition("Straßen/Übersicht März.csv") == (
        "attachment; filename=\"Uebersicht Maerz.csv\"; filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.csv")
    header = content_disposition('a"b\r\n.csv')
    assert "\r" not in header and "\n" not in header and re.fullmatch(r'attachment; filename="a_b.csv"', header)


def test_finished_tasks_and_their_files_are_removed_by_the_host_job_after_30_days(work_host, clock):
    kept = work_host.tasks.wait(start(work_host, "export"))
    clock.advance(days=30, seconds=1)
    running = work_host.tasks.status(start(work_host, "add_customers", count=1))
    [cleanup] = [o for o in work_host.jobs.run_due() if o.key == "host.tasks_cleanup"]
    assert (cleanup.ran, cleanup.ok, cleanup.text) == (True, True, "1 erledigte Aufgabe entfernt.")
    with pytest.raises(NotFound):
        work_host.tasks.status(kept.id)
    assert work_host.tasks.wait(running.id).state == "done"


def test_a_task_is_shown_to_the_user_who_started_it_and_to_administrators_only(work_host):
    from host_stub.api import MITARBEITER

    anna, ben = signed_in_client(work_host, MITARBEITER), signed_in_client(work_host, MITARBEITER)
    admin = signed_in_client(work_host)
    with work_host.session() as session, work_host.users.acting(anna.user):
        task_id = work_host.tasks.start(session, "work", "add_customers", {"count": 1})
    work_host.tasks.wait(task_id)
    assert anna.get(f"/aufgaben/{task_id}").status_code == 200
    assert admin.get(f"/aufgaben/{task_id}").status_code == 200
    for path in (f"/aufgaben/{task_id}", f"/aufgaben/{task_id}.json", f"/aufgaben/{task_id}/datei"):
        assert ben.get(path).status_code == 404, path  # as unknown as a deleted task
    assert f"/aufgaben/{task_id}" not in ben.get("/aufgaben").get_data(as_text=True)
    assert f"/aufgaben/{task_id}" in anna.get("/aufgaben").get_data(as_text=True)


def test_a_background_task_acts_for_the_user_who_started_it(work_host):
    from host_stub.api import MITARBEITER

    anna = signed_in_client(work_host, MITARBEITER)
    with work_host.session() as session, work_host.users.acting(anna.user):
        task_id = work_host.tasks.start(session, "work", "whoami")
    assert work_host.tasks.wait(task_id).result_message == f"Läuft für {anna.user.name}."
