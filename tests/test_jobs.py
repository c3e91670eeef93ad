"""Periodic jobs: due and not due, a job that raises, one run for two processes, disabled modules, the CLI
(`jobs run`, `jobs list`), the web list and the scheduler thread of `serve`."""

import threading

import pytest
from sqlalchemy import select

from host_stub import jobs as jobs_module
from host_stub.errors import HostError
from host_stub.models import Customer
from tests.conftest import signed_in_client
from tests.work_module import plugin as work
from tests.work_module.fixtures import PLUGIN, registry, work_host  # noqa: F401 (fixtures)


def outcomes(host, **options) -> dict[str, tuple[bool, bool, str]]:
    return {o.key: (o.ran, o.ok, o.text) for o in host.jobs.run_due(**options)}


def companies(host) -> list[str]:
    with host.session() as session:
        return list(session.scalars(select(Customer.company).order_by(Customer.id)))


def test_periodic_jobs_run_when_due_once_and_again_after_their_interval(work_host, clock):
    assert outcomes(work_host)["work.count"] == (True, True, "1 Lauf bisher.")
    assert outcomes(work_host)["work.count"] == (False, True, "nicht fällig; nächster Lauf 02.11.2026 10:00 UTC")
    clock.advance(minutes=59)
    assert outcomes(work_host)["work.count"][0] is False
    clock.advance(minutes=1)
    assert outcomes(work_host)["work.count"] == (True, True, "2 Läufe bisher.")
    assert work.CONTROL.job_runs == ["count", "count"]


def test_a_job_that_raises_is_recorded_as_failed_its_writes_undone_and_the_others_still_run(work_host, caplog):
    result = outcomes(work_host)
    assert result["work.broken"] == (True, False, "Interner Fehler (RuntimeError: kaputt); Einzelheiten im Protokoll.")
    assert result["work.count"][:2] == (True, True)
    assert companies(work_host) == ["Job 1"]  # not "Kaputt GmbH"
    assert "periodic job work.broken failed" in caplog.text
    with work_host.session() as session:
        broken = {job.key: job for job in work_host.jobs.overview(session)}["work.broken"]
    assert broken.last_ok is False and broken.last_run_text.startswith("02.11.2026 09:00 UTC, ")
    assert broken.last_run_text.endswith("ms: fehlgeschlagen – Interner Fehler (RuntimeError: kaputt); "
                                          "Einzelheiten im Protokoll.")
    assert broken.next_due_text == "03.11.2026 09:00 UTC" and broken.interval_text == "jeden Tag"


def test_all_and_force_run_jobs_that_are_not_due(work_host):
    outcomes(work_host)
    assert outcomes(work_host, force=["work.count"]) == {"work.count": (True, True, "2 Läufe bisher.")}
    assert outcomes(work_host, everything=True)["work.count"] == (True, True, "3 Läufe bisher.")
    known = "host.tasks_cleanup, work.broken, work.count"
    with pytest.raises(HostError, match=f"Unbekannte geplante Aufgabe: work.nope. Vorhanden: {known}"):
        work_host.jobs.run_due(force=["work.nope"])


def test_two_processes_on_one_database_run_a_due_job_once(work_host, make_host, registry):
    """Host B stands for a second server process: while A runs the job, B finds it claimed."""
    other = make_host(registry, upgrade=False)
    work.CONTROL.job_go_on.clear()
    first = threading.Thread(target=work_host.jobs.run_due)
    first.start()
    try:
        assert work.CONTROL.job_started.wait(5)
        assert outcomes(other)["work.count"] == (False, True, "läuft gerade (in einem anderen Prozess)")
        assert outcomes(other, force=["work.count"])["work.count"][0] is False
    finally:
        work.CONTROL.job_go_on.set()
        first.join(10)
    assert outcomes(other)["work.count"][0] is False
    assert work.CONTROL.job_runs == ["count"]
    assert companies(work_host) == ["Job 1"]


def test_jobs_of_a_disabled_module_do_not_run_and_the_list_says_why(work_host):
    with work_host.session() as session:
        work_host.set_module_enabled(session, "work", False)
    assert outcomes(work_host)["work.count"] == (False, True,
                                                 "läuft nicht: Modul deaktiviert (Datei › Module und Lizenzen)")
    assert work.CONTROL.job_runs == []


def test_jobs_run_and_list_on_the_command_line(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", PLUGIN)
    work.CONTROL.__init__()
    cli("init")
    cli("plugins", "enable", "work")
    result = cli("jobs", "run")
    assert result.exit_code == 1
    assert "work.count (Zählen): erledigt – 1 Lauf bisher." in result.output
    assert "work.broken (Kaputt): fehlgeschlagen – Interner Fehler (RuntimeError: kaputt)" in result.output
    assert "Fehler: 1 geplante Aufgabe fehlgeschlagen." in result.output and "Traceback" not in result.output
    listed = cli("jobs", "list").output
    assert "work.count (Zählen), jede Stunde\n  letzter Lauf: " in listed
    assert "ms: erfolgreich – 1 Lauf bisher." in listed
    assert "work.broken (Kaputt), jeden Tag" in listed
    result = cli("jobs", "run")
    assert result.exit_code == 0 and "work.count (Zählen): übersprungen – nicht fällig; nächster Lauf" in result.output
    assert cli("jobs", "list", "--json").exit_code == 0


def test_the_web_lists_the_jobs_under_datei(work_host):
    work_host.jobs.run_due(force=["work.broken"])
    client = signed_in_client(work_host)
    page = client.get("/geplante-aufgaben").get_data(as_text=True)
    assert 'href="/geplante-aufgaben"' in page  # the menu entry under Datei
    assert "Zählen" in page and "jede Stunde" in page and "noch nie" in page and "sofort fällig" in page
    assert "fehlgeschlagen – Interner Fehler (RuntimeError: kaputt)" in page


def test_serve_runs_the_due_jobs_in_a_background_thread(work_host):
    scheduler = jobs_module.run_in_background(work_host, poll_seconds=0.01)
    try:
        assert work.CONTROL.job_started.wait(5)
    finally:
        scheduler.stop()
    assert not scheduler.is_alive()
    assert work.CONTROL.job_runs == ["count"]  # later rounds found it not due
    assert companies(work_host) == ["Job 1"]


def test_serve_runs_the_jobs_while_the_server_runs_and_stops_them_with_it(cli, monkeypatch):
    monkeypatch.setenv("HOST_STUB_EXTRA_PLUGINS", PLUGIN)
    work.CONTROL.__init__()
    cli("init")
    cli("plugins", "enable", "work")
    threads = []

    def serve_until_a_job_ran(app, bind, port, **_options):
        assert work.CONTROL.job_started.wait(5)
        threads.extend(t for t in threading.enumerate() if t.name == "periodic-jobs")

    monkeypatch.setattr("host_stub.web.run", serve_until_a_job_ran)
    assert cli("serve").exit_code == 0
    [scheduler] = threads
    assert not scheduler.is_alive() and work.CONTROL.job_runs == ["count"]
