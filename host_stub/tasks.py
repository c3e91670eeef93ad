"""Background tasks: long work started from a page or an action, run outside the request, with progress.

A module declares kinds (hook ``task_kinds``) and starts one with ``host.tasks.start(session, module_id,
name, params)``. The task's row is written in the caller's transaction, and once that transaction commits
the task goes to a worker thread of this process (never the request's session). The worker runs it in one
transaction of its own and records "done" with the result in that same transaction, so the task's writes
and its success are committed together or not at all; after a failure the transaction is rolled back and
the failure is recorded in a new one.

Progress lives in this process's memory and, on PostgreSQL, also in the task's row together with the
heartbeat (at most every ``PROGRESS_WRITE_SECONDS``). SQLite lets one transaction write at a time and the
running task holds that lock, so there the row learns only the start and the end, and the server process
running the task shows its progress from memory. A task still "queued" or "running" in the database that
this process does not run, without a heartbeat for ``STALE_AFTER``, ran in a process that died: it is shown
as failed ("abgebrochen"); its transaction never committed, so nothing of it was written.

``host.tasks.run_here`` runs the same kinds synchronously in a CLI command, with a progress bar.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from host_stub.api import ActionResult, Download, TaskKind
from host_stub.errors import HostError, NotFound
from host_stub.german import number
from host_stub.models import Task

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

log = logging.getLogger(__name__)

#: A queued or running task of another process without a heartbeat for this long is shown as aborted.
STALE_AFTER = timedelta(seconds=60)
#: How often a running task's progress and heartbeat are written to its row (PostgreSQL).
PROGRESS_WRITE_SECONDS = 2.0
#: Tasks that run at the same time in one process; more wait as "queued".
MAX_PARALLEL_TASKS = 2
#: The largest result file a task may leave (kept in its row until the task is removed).
MAX_RESULT_BYTES = 20 * 1024 * 1024
#: Finished tasks (and their result files) are removed this long after they finished (host job ``tasks_cleanup``).
KEEP_FINISHED = timedelta(days=30)

STATE_LABELS = {"queued": "wartet", "running": "läuft", "done": "fertig", "failed": "fehlgeschlagen"}
ABORTED_LABEL = "abgebrochen"
INTERNAL_ERROR = ("Bei der Aufgabe ist ein interner Fehler aufgetreten; er wurde protokolliert. Es wurde nichts "
                  "gespeichert. Bitte versuchen Sie es noch einmal.")


@dataclass(frozen=True)
class TaskStatus:
    """What the task page, its JSON endpoint and the CLI show of one task (plain data)."""

    id: int
    module_id: str
    kind: str
    label: str
    state: str
    done: int
    total: int | None
    message: str
    result_message: str | None
    result_endpoint: str | None
    result_args: dict[str, Any]
    download_name: str | None
    error: str | None
    aborted: bool
    started_by_user_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def state_label(self) -> str:
        return ABORTED_LABEL if self.aborted else STATE_LABELS[self.state]

    @property
    def progress_text(self) -> str:
        """ "250 von 1.000 (25 %)", or only the count while the total is unknown."""
        if self.total:
            percent = min(100, self.done * 100 // self.total)
            return f"{number(self.done)} von {number(self.total)} ({percent} %)"
        return number(self.done) if self.done else ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "state_label": self.state_label, "finished": self.finished,
                "done": self.done, "total": self.total, "message": self.message, "progress": self.progress_text,
                "error": self.error}


@dataclass
class _Live:
    """A task this process runs: its progress in memory, and an Event set when it has finished."""

    state: str = "queued"
    done: int = 0
    total: int | None = None
    message: str = ""
    written_at: float = 0.0
    finished: threading.Event = field(default_factory=threading.Event)


class TaskFailed(Exception):
    """Raised inside the worker to record a failure whose German message is known (result too large)."""


class TaskService:
    """``host.tasks``: start, run, watch and read background tasks (see the module docstring)."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._live: dict[int, _Live] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_PARALLEL_TASKS)

    def kinds(self, session: Session | None = None) -> dict[tuple[str, str], TaskKind]:
        """The task kinds of the host and the enabled modules, by ``(module id, name)``."""
        return {(owner, kind.name): kind for owner, kind in self._host.hooks.task_kinds(session=session)}

    # -- starting ----------------------------------------------------------------------------

    def start(self, session: Session, module_id: str, name: str, params: dict[str, Any] | None = None) -> int:
        """Record a task in ``session``'s transaction and run it in the background once that commits.

        Returns the task's id, e.g. for ``url_for("tasks.task", task_id=...)``. If the transaction rolls
        back, the task neither exists nor runs. It is the current user's: only they and administrators
        see it (``status``, ``recent``, ``download``).
        """
        task = self._create(session, module_id, name, params)
        event.listen(session, "after_commit", lambda _session: self._submit(task.id), once=True)
        return task.id

    def run_here(self, module_id: str, name: str, params: dict[str, Any] | None = None) -> TaskStatus:
        """Run a task now, in this thread, with a progress bar on stderr (for CLI commands).

        Recorded like a background task; a failure raises HostError with its message (CLI exit 1).
        """
        with self._host.session() as session:
            task = self._create(session, module_id, name, params)
            task_id, label = task.id, task.label
        bar = _ProgressBar(label)
        try:
            self._execute(task_id, self._track(task_id), bar)
        finally:
            bar.close()
        status = self.status(task_id)
        if status.state != "done":  # failed, or not even recorded (the database went away)
            raise HostError(status.error or INTERNAL_ERROR)
        return status

    def _create(self, session: Session, module_id: str, name: str, params: dict[str, Any] | None) -> Task:
        kind = self.kinds(session).get((module_id, name))
        if kind is None:
            raise NotFound(f"Die Aufgabe {module_id}/{name} gibt es nicht (Modul deaktiviert?).")
        task = Task(module_id=module_id, kind=name, label=kind.label, params=json.dumps(params or {}),
                    state="queued", done=0, message="", started_by_user_id=self._host.users.actor()[0],
                    created_at=self._host.now())
        session.add(task)
        session.flush()
        return task

    def _track(self, task_id: int) -> _Live:
        live = _Live()
        with self._lock:
            self._live[task_id] = live
        return live

    def _submit(self, task_id: int) -> None:
        live = self._track(task_id)
        threading.Thread(target=self._work, args=(task_id, live), name=f"task-{task_id}", daemon=True).start()

    def _work(self, task_id: int, live: _Live) -> None:
        with self._slots:
            self._execute(task_id, live, None)

    # -- running -----------------------------------------------------------------------------

    def _execute(self, task_id: int, live: _Live, bar: _ProgressBar | None) -> None:
        """Run the task in one transaction; record done (in it) or failed (after its rollback)."""
        host = self._host
        try:
            with host.session() as session:
                task = session.get(Task, task_id)
                if task is None:
                    return
                now = host.now()
                task.state, task.started_at, task.heartbeat_at = "running", now, now
                module_id, name, params = task.module_id, task.kind, json.loads(task.params)
                starter = task.started_by_user_id
                user = host.users.get(session, starter) if starter is not None else None
            live.state = "running"

            def progress(done: int, total: int | None = None, message: str = "") -> None:
                live.done, live.total, live.message = int(done), None if total is None else int(total), message[:500]
                if bar is not None:
                    bar.update(live.done, live.total)
                self._write_progress(task_id, live)

            try:
                kind = self._kind_of_any_module(module_id, name)
                with host.users.acting(user), host.session() as session:  # as who started it: their
                    outcome = kind.run(host, session, params, progress)  # role, their name in the history
                    self._record_done(session, task_id, live, outcome)
            except (HostError, TaskFailed) as exc:
                self._record_failed(task_id, str(exc))
            except Exception:
                log.exception("task %s (%s/%s) failed", task_id, module_id, name)
                self._record_failed(task_id, INTERNAL_ERROR)
        except Exception:  # the bookkeeping itself failed (database gone): keep the worker thread quiet
            log.exception("task %s could not be run or recorded", task_id)
        finally:
            live.finished.set()
            with self._lock:
                self._live.pop(task_id, None)

    def _kind_of_any_module(self, module_id: str, name: str) -> TaskKind:
        """The kind, also of a module disabled since the task was started (its row exists, it runs to the end)."""
        for owner, kind in self._host.hooks.task_kinds_of_every_module():
            if (owner, kind.name) == (module_id, name):
                return kind
        raise TaskFailed(f"Die Aufgabe {module_id}/{name} gibt es in dieser Installation nicht mehr "
                         "(Modul entfernt?). Es wurde nichts gespeichert.")

    def _write_progress(self, task_id: int, live: _Live) -> None:
        """Progress and heartbeat into the row, now and then, where another transaction may write (not SQLite)."""
        if self._host.engine.dialect.name == "sqlite" or time.monotonic() - live.written_at < PROGRESS_WRITE_SECONDS:
            return
        live.written_at = time.monotonic()
        try:
            with self._host.session() as session:
                session.execute(update(Task).where(Task.id == task_id).values(
                    done=live.done, total=live.total, message=live.message, heartbeat_at=self._host.now()))
        except Exception:  # only the display of progress suffers; the task goes on
            log.warning("progress of task %s could not be written", task_id, exc_info=True)

    def _record_done(self, session: Session, task_id: int, live: _Live, outcome: ActionResult | str) -> None:
        result = outcome if isinstance(outcome, ActionResult) else ActionResult(str(outcome))
        values: dict[str, Any] = {
            "state": "done", "done": live.done, "total": live.total, "message": live.message,
            "result_message": result.message, "result_endpoint": result.redirect_endpoint,
            "result_args": json.dumps(result.redirect_args) if result.redirect_endpoint else None,
            "finished_at": self._host.now(), "heartbeat_at": self._host.now(),
        }
        if result.download is not None:
            values.update(result_filename=result.download.filename[:255],
                          result_content_type=result.download.content_type[:120],
                          result_data=_materialise(result.download))
        session.execute(update(Task).where(Task.id == task_id).values(**values))

    def _record_failed(self, task_id: int, error: str) -> None:
        now = self._host.now()
        with self._host.session() as session:
            session.execute(update(Task).where(Task.id == task_id).values(
                state="failed", error=error, finished_at=now, heartbeat_at=now))

    # -- reading -----------------------------------------------------------------------------

    def status(self, task_id: int, session: Session | None = None) -> TaskStatus:
        """The task as it is now: from its row, with this process's live progress; NotFound if unknown."""
        if session is None:
            with self._host.session() as own:
                return self.status(task_id, own)
        row = session.execute(_without_file().where(Task.id == task_id, *self._visible())).one_or_none()
        if row is None:
            raise NotFound(f"Die Aufgabe {task_id} gibt es nicht (mehr).")
        return self._status(row)

    def recent(self, session: Session, limit: int = 50) -> list[TaskStatus]:
        """The latest tasks, newest first (the list Datei › Hintergrundaufgaben)."""
        query = _without_file().where(*self._visible()).order_by(Task.id.desc()).limit(limit)
        return [self._status(row) for row in session.execute(query)]

    def _visible(self) -> list[Any]:
        """Whose tasks the current user sees: their own; an administrator (and the installation
        itself, a script or the CLI without a user) every task. Another user's task is as unknown
        as a deleted one: its result may hold data the user may not see."""
        user = self._host.users.current()
        return [] if user is None or user.is_admin else [Task.started_by_user_id == user.id]

    def _status(self, row: Any) -> TaskStatus:
        with self._lock:
            live = self._live.get(row.id)
        state, done, total, message, error, aborted = row.state, row.done, row.total, row.message, row.error, False
        if live is not None and state in ("queued", "running"):
            state, done, total, message = live.state, live.done, live.total, live.message
        elif live is None and state in ("queued", "running"):
            seen = row.heartbeat_at or row.created_at
            if self._host.now() - seen > STALE_AFTER:
                state, aborted = "failed", True
                error = (f"Die Aufgabe wurde abgebrochen: das Programm, das sie ausführte, wurde beendet "
                         f"(letztes Lebenszeichen {seen:%d.%m.%Y %H:%M:%S} UTC). Es wurde nichts gespeichert. "
                         "Bitte starten Sie sie noch einmal.")
        return TaskStatus(
            id=row.id, module_id=row.module_id, kind=row.kind, label=row.label, state=state, done=done,
            total=total, message=message, result_message=row.result_message, result_endpoint=row.result_endpoint,
            result_args=json.loads(row.result_args) if row.result_args else {}, download_name=row.result_filename,
            error=error, aborted=aborted, started_by_user_id=row.started_by_user_id, created_at=row.created_at,
            started_at=row.started_at, finished_at=row.finished_at)

    def download(self, session: Session, task_id: int) -> Download:
        """The file a finished task left; NotFound when it has none."""
        row = session.execute(select(Task.result_filename, Task.result_content_type, Task.result_data)
                              .where(Task.id == task_id, Task.state == "done", *self._visible())).one_or_none()
        if row is None or row.result_data is None:
            raise NotFound(f"Die Aufgabe {task_id} hat keine Datei zum Herunterladen (noch nicht fertig?).")
        return Download(row.result_filename, row.result_content_type, row.result_data)

    def remove_finished(self, session: Session) -> int:
        """Remove the tasks that finished longer than KEEP_FINISHED ago, with their files; how many there were."""
        cutoff = self._host.now() - KEEP_FINISHED
        return session.execute(delete(Task).where(Task.state.in_(("done", "failed")), Task.finished_at < cutoff)
                               .execution_options(synchronize_session=False)).rowcount

    def wait(self, task_id: int, timeout: float = 10.0) -> TaskStatus:
        """Block until a task of this process has finished (or ``timeout`` seconds passed); for tests and scripts."""
        with self._lock:
            live = self._live.get(task_id)
        if live is not None:
            live.finished.wait(timeout)
        return self.status(task_id)


def _without_file():
    """A select of the task columns but the result file (which may be megabytes)."""
    return select(*[column for column in Task.__table__.c if column.name != "result_data"])


def _materialise(download: Download) -> bytes:
    """The file's bytes, refused above MAX_RESULT_BYTES (read no further than that)."""
    chunks = [download.data] if isinstance(download.data, bytes) else download.data
    collected, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_RESULT_BYTES:
            raise TaskFailed(f"Die Ergebnisdatei ist größer als {MAX_RESULT_BYTES // 1_048_576} MB und kann nicht "
                             "aufbewahrt werden; es wurde nichts gespeichert. Bitte wählen Sie weniger Daten aus.")
        collected.append(chunk)
    return b"".join(collected)


class _ProgressBar:
    """A click progress bar on stderr, shown from the first report that names a total."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = 0

    def update(self, done: int, total: int | None) -> None:
        import click

        if self.bar is None and total:
            # sys.stderr as it is now (click's CliRunner swaps it)
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None and done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
