"""Periodic jobs: work a module declares with an interval (hook ``periodic_jobs``), run when due.

``host-stub jobs run`` (what cron or a systemd timer calls) and the scheduler thread of ``host-stub serve``
both call ``run_due``. A run is claimed in the database before it starts: one UPDATE moves the job's
``next_due`` forward and sets ``running_since``, only where the job is still due and not running. Of two
processes (two servers on one PostgreSQL database, or a server and cron) exactly one updates the row, and
only that one runs the job. Each job runs in a transaction of its own, which also records its outcome; one
that raises is rolled back and recorded as failed with its message, and the other jobs still run. Jobs of a
disabled module, or of one whose licence allows no writes, do not run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host_stub.api import Job
from host_stub.errors import HostError
from host_stub.german import plural
from host_stub.models import JobRun
from host_stub.plugins import HOST_OWNER

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

log = logging.getLogger(__name__)

#: A run claimed this long ago whose process never finished it (it died) may be claimed again.
STALE_RUN_AFTER = timedelta(hours=1)
#: How often the scheduler thread of ``host-stub serve`` looks for due jobs.
SCHEDULER_POLL_SECONDS = 60.0
MAX_RESULT_CHARS = 1000


def german_time(moment: datetime | None) -> str:
    return f"{moment:%d.%m.%Y %H:%M} UTC" if moment else "–"


def interval_text(interval: timedelta) -> str:
    """timedelta(days=1) -> "jeden Tag", timedelta(hours=6) -> "alle 6 Stunden"."""
    seconds = int(interval.total_seconds())
    for size, every, one, many in ((86400, "jeden", "Tag", "Tage"), (3600, "jede", "Stunde", "Stunden"),
                                   (60, "jede", "Minute", "Minuten")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{every} {one}" if count == 1 else f"alle {plural(count, one, many)}"
    return f"alle {plural(seconds, 'Sekunde', 'Sekunden')}"


@dataclass(frozen=True)
class JobStatus:
    """One declared job with its schedule and last run, as the list shows it (plain data)."""

    module_id: str
    name: str
    label: str
    interval: timedelta
    blocked: str | None
    next_due: datetime | None
    running_since: datetime | None
    last_started_at: datetime | None
    last_duration_ms: int | None
    last_ok: bool | None
    last_result: str | None

    @property
    def key(self) -> str:
        return f"{self.module_id}.{self.name}"

    @property
    def interval_text(self) -> str:
        return interval_text(self.interval)

    @property
    def last_run_text(self) -> str:
        """ "02.11.2026 09:00 UTC, 12 ms: fehlgeschlagen – …", "läuft seit …" or "noch nie"."""
        if self.running_since is not None:
            return f"läuft seit {german_time(self.running_since)}"
        if self.last_started_at is None:
            return "noch nie"
        outcome = "erfolgreich" if self.last_ok else "fehlgeschlagen"
        return f"{german_time(self.last_started_at)}, {self.last_duration_ms} ms: {outcome} – {self.last_result}"

    @property
    def next_due_text(self) -> str:
        if self.blocked:
            return self.blocked
        return german_time(self.next_due) if self.next_due else "sofort fällig"


@dataclass(frozen=True)
class JobOutcome:
    """What ``run_due`` did with one job: ran (ok or failed), or why not."""

    key: str
    label: str
    ran: bool
    ok: bool
    text: str


class JobService:
    """``host.jobs``: the declared jobs, their schedule and last runs, and running the due ones."""

    def __init__(self, host: Host) -> None:
        self._host = host

    def declared(self) -> list[tuple[str, Job]]:
        """Every loaded module's jobs (also a disabled module's: the list says why they do not run)."""
        return self._host.hooks.periodic_jobs()

    def overview(self, session: Session) -> list[JobStatus]:
        """Each declared job with its schedule and last run (reads only; a job never run has no row yet)."""
        rows = {(r.module_id, r.name): r for r in session.scalars(select(JobRun))}
        return [self._status(session, owner, job, rows.get((owner, job.name)) or JobRun())
                for owner, job in self.declared()]

    def _status(self, session: Session, owner: str, job: Job, row: JobRun) -> JobStatus:
        return JobStatus(owner, job.name, job.label, job.interval, self._blocked(session, owner), row.next_due,
                         row.running_since, row.last_started_at, row.last_duration_ms, row.last_ok, row.last_result)

    def _blocked(self, session: Session, owner: str) -> str | None:
        """Why the jobs of ``owner`` do not run now, or None."""
        if owner == HOST_OWNER:
            return None
        if owner not in self._host.enabled_modules(session):
            return "läuft nicht: Modul deaktiviert (Datei › Module und Lizenzen)"
        status = self._host.licensing.status(session, owner)
        if not status.writable:
            return f"läuft nicht: {status.message}"
        return None

    def _ensure_rows(self, session: Session, declared: list[tuple[str, Job]]) -> None:
        """A row per declared job (a new one is due at once); another process may add the same row meanwhile."""
        known = {(row.module_id, row.name) for row in session.execute(select(JobRun.module_id, JobRun.name))}
        for owner, job in declared:
            if (owner, job.name) in known:
                continue
            try:
                with session.begin_nested():
                    session.add(JobRun(module_id=owner, name=job.name))
            except IntegrityError:
                pass

    # -- running -----------------------------------------------------------------------------

    def run_due(self, *, force: Iterable[str] = (), everything: bool = False) -> list[JobOutcome]:
        """Run the due jobs; with ``everything`` all jobs now; with ``force`` only the named ones, now
        ("notes.cleanup")."""
        forced = set(force)
        with self._host.session() as session:
            self._ensure_rows(session, self.declared())
            jobs = {status.key: status for status in self.overview(session)}
        unknown = forced - set(jobs)
        if unknown:
            raise HostError(f"Unbekannte geplante Aufgabe: {', '.join(sorted(unknown))}. Vorhanden: "
                            f"{', '.join(sorted(jobs)) or 'keine'} (host-stub jobs list).")
        declared = {f"{owner}.{job.name}": job for owner, job in self.declared()}
        outcomes = []
        for key, status in jobs.items():
            if forced and key not in forced:
                continue
            if status.blocked:
                outcomes.append(JobOutcome(key, status.label, False, True, status.blocked))
            elif not self._claim(status, now_anyway=everything or key in forced):
                with self._host.session() as session:
                    row = session.get(JobRun, (status.module_id, status.name))
                    busy = row is not None and row.running_since is not None
                    text = ("läuft gerade (in einem anderen Prozess)" if busy
                            else f"nicht fällig; nächster Lauf {german_time(row.next_due if row else None)}")
                outcomes.append(JobOutcome(key, status.label, False, True, text))
            else:
                outcomes.append(self._run(status, declared[key]))
        return outcomes

    def _claim(self, status: JobStatus, *, now_anyway: bool) -> bool:
        """Take the run: True for the one process whose UPDATE changed the row (committed before the job runs)."""
        now = self._host.now()
        conditions = [JobRun.module_id == status.module_id, JobRun.name == status.name,
                      or_(JobRun.running_since.is_(None), JobRun.running_since < now - STALE_RUN_AFTER)]
        if not now_anyway:
            conditions.append(or_(JobRun.next_due.is_(None), JobRun.next_due <= now))
        with self._host.session() as session:
            claimed = session.execute(
                update(JobRun).where(*conditions).values(running_since=now, next_due=now + status.interval,
                                                         last_started_at=now)
                .execution_options(synchronize_session=False))
            return claimed.rowcount == 1

    def _run(self, status: JobStatus, job: Job) -> JobOutcome:
        started = time.monotonic()
        where = (JobRun.module_id == status.module_id, JobRun.name == status.name)
        try:
            with self._host.session() as session:
                text = (job.run(self._host, session) or "erledigt")[:MAX_RESULT_CHARS]
                session.execute(update(JobRun).where(*where).values(
                    running_since=None, last_ok=True, last_result=text, last_duration_ms=_ms_since(started)))
            return JobOutcome(status.key, status.label, True, True, text)
        except Exception as exc:
            if isinstance(exc, HostError):
                text = str(exc)
            else:  # the list is for whoever runs the installation: say what it was, the log has the rest
                log.exception("periodic job %s failed", status.key)
                text = f"Interner Fehler ({type(exc).__name__}: {exc}); Einzelheiten im Protokoll."
            text = text[:MAX_RESULT_CHARS]
            with self._host.session() as session:
                session.execute(update(JobRun).where(*where).values(
                    running_since=None, last_ok=False, last_result=text, last_duration_ms=_ms_since(started)))
            return JobOutcome(status.key, status.label, True, False, text)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


class JobScheduler(threading.Thread):
    """The daemon thread of ``host-stub serve`` that runs the due jobs now and every ``poll_seconds``.

    A failing round (database gone) is logged; the next one tries again.
    """

    def __init__(self, host: Host, poll_seconds: float = SCHEDULER_POLL_SECONDS) -> None:
        super().__init__(name="periodic-jobs", daemon=True)
        self._host = host
        self._poll_seconds = poll_seconds
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._host.jobs.run_due()
            except Exception:
                log.exception("periodic jobs could not be run; trying again in %s s", self._poll_seconds)
            self._stopped.wait(self._poll_seconds)

    def stop(self, wait_seconds: float = 10.0) -> None:
        """No further rounds; wait up to ``wait_seconds`` for a running job (a job cut off rolls back)."""
        self._stopped.set()
        self.join(wait_seconds)


def run_in_background(host: Host, poll_seconds: float = SCHEDULER_POLL_SECONDS) -> JobScheduler:
    """For ``host-stub serve``: start the scheduler thread of ``host``'s periodic jobs."""
    scheduler = JobScheduler(host, poll_seconds)
    scheduler.start()
    return scheduler
