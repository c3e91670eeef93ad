"""Cost of background tasks and periodic jobs.

Prints (a) the time from ``host.tasks.start`` (its transaction committed) until a task that does nothing
is recorded done, i.e. the handoff to the worker thread plus the task's own bookkeeping; (b) the cost of one
``progress()`` call inside a task of 100,000 calls (SQLite: memory only; PostgreSQL: written every two
seconds); (c) an import-like task that adds 100,000 customers in batches of 1,000 with a progress report
per batch, against the same work without a task; (d) ``host.jobs.run_due`` when nothing is due, what a cron
line costs every minute. Medians of a few runs on a shared machine. Run on a scratch database:

    python bench/tasks_jobs.py --db sqlite:///bench/out/tasks.sqlite
"""

from __future__ import annotations

import time
from datetime import timedelta

from _common import argument_parser, create_database, timings

from host_stub.api import Job, TaskKind, hookimpl
from host_stub.host import Host
from host_stub.manifest import Manifest
from host_stub.plugins import PluginRegistry

PROGRESS_CALLS = 100_000
ROWS = 100_000
BATCH = 1_000


def nothing(host, session, params, progress):
    return "fertig"


def many_progress_calls(host, session, params, progress):
    for done in range(1, PROGRESS_CALLS + 1):
        progress(done, PROGRESS_CALLS)
    return "fertig"


def add_customers(host, session, params, progress):
    for start in range(0, ROWS, BATCH):
        host.customers.create_many(session, [{"company": f"Firma {n}"} for n in range(start, start + BATCH)])
        progress(start + BATCH, ROWS)
    return "fertig"


class BenchModule:
    @hookimpl
    def task_kinds(self):
        return [TaskKind("nothing", "Nichts", nothing), TaskKind("progress", "Fortschritt", many_progress_calls),
                TaskKind("import", "Import", add_customers)]

    @hookimpl
    def periodic_jobs(self):
        return [Job("idle", "Nichts", timedelta(days=1), lambda host, session: None)]


def main() -> None:
    args = argument_parser(__doc__).parse_args()
    create_database(args.db, fresh=True)
    registry = PluginRegistry()
    registry.discover()
    registry.register(BenchModule(), Manifest(id="bench", name="Bench", version="1.0", description="Benchmark",
                                              host_api=">=1.0,<2", entry_point="bench.tasks_jobs",
                                              table_prefix="bench_"))
    host = Host(args.db, registry=registry)
    host.upgrade()
    with host.session() as session:
        host.set_module_enabled(session, "bench", True)

    def empty_task():
        with host.session() as session:
            task_id = host.tasks.start(session, "bench", "nothing")
        assert host.tasks.wait(task_id).state == "done"

    median, worst = timings(empty_task, 20)
    print(f"(a) start -> done of an empty task:       median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms")
    started = time.perf_counter()
    host.tasks.run_here("bench", "nothing")
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    host.tasks.run_here("bench", "progress")
    per_call = (time.perf_counter() - started - baseline) / PROGRESS_CALLS
    print(f"(b) one progress() call:                  {per_call * 1e6:.2f} µs")
    def plain_import():
        with host.session() as session:
            add_customers(host, session, {}, lambda done, total=None, message="": None)

    plain, as_task = [], []
    for _ in range(2):  # alternating, the best of two: the table grows meanwhile and the machine is shared
        for action, seconds in ((lambda: host.tasks.run_here("bench", "import"), as_task), (plain_import, plain)):
            started = time.perf_counter()
            action()
            seconds.append(time.perf_counter() - started)
    print(f"(c) {ROWS:,} customers in one transaction: plain {min(plain):.2f} s, as a task {min(as_task):.2f} s")
    host.jobs.run_due()
    median, worst = timings(host.jobs.run_due, 20)
    print(f"(d) run_due with nothing due:             median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms")
    host.close()


if __name__ == "__main__":
    main()
