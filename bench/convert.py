"""Converting 10,000 selected prospects into customers in one transaction.

Run after generate_prospects.py, on the same URL:

    python bench/convert.py --db sqlite:///bench/out/crm.sqlite --count 10000
    python bench/convert.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench --count 10000

Works on a copy of the database (SQLite's backup API, PostgreSQL's CREATE DATABASE ... TEMPLATE)
that is dropped at the end, so the benchmark database keeps its prospects and the figures can be
repeated. Each of --runs runs picks --count random prospects with a complete address (the ones
conversion accepts) and times ``conversion.convert(host, session, ids)`` in one
``host.session()``: selecting, validating, creating the customers, linking, moving documents,
the hook and the commit. Target: at most 5 s for 10,000. ``--profile`` adds a cProfile of the
first run.

Meanwhile a colleague (a second Host, as a second user's process) saves one new customer half a
second into each run; the script prints how long that save waited and whether it got through or
was refused with the German "belegt" message (DatabaseBusy after LOCK_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import cProfile
import pstats
import random
import statistics
import threading
import time

from _common import argument_parser, backend, copy_database, drop_database, install_bench_licence
from sqlalchemy import func, select

from crm_module import conversion
from crm_module.models import CUSTOMER, PROSPECT, Party
from host_stub.errors import DatabaseBusy
from host_stub.host import Host

TARGET = 5.0


def convertible(host) -> list[int]:
    with host.session() as session:
        return list(session.scalars(select(Party.id).where(
            Party.role == PROSPECT, Party.street != "", Party.postcode != "", Party.city != "")))


def convert(host, ids: list[int]) -> float:
    started = time.perf_counter()
    with host.session() as session:
        pairs = conversion.convert(host, session, ids)
    seconds = time.perf_counter() - started
    assert len(pairs) == len(ids)
    return seconds


def colleague_saves(colleague, delay: float, outcome: dict) -> None:
    """One customer saved by another user while the conversion runs: the wait and the outcome."""
    time.sleep(delay)
    started = time.perf_counter()
    try:
        with colleague.session() as session:
            colleague.customers.create(session, company="Kollegin GmbH")
        outcome["result"] = "saved"
    except DatabaseBusy as exc:
        outcome["result"] = f"refused: {exc}"
    finally:
        outcome["waited"] = time.perf_counter() - started


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    copy_url = copy_database(args.db, "_convert")
    key = install_bench_licence(copy_url)
    host = Host(copy_url, license_public_key=key)
    colleague = Host(copy_url, license_public_key=key)
    try:
        rng = random.Random(7)
        seconds = []
        for run in range(args.runs):
            ids = rng.sample(convertible(host), args.count)
            outcome: dict = {}
            save = threading.Thread(target=colleague_saves, args=(colleague, 0.5, outcome))
            save.start()
            if args.profile and run == 0:
                profile = cProfile.Profile()
                seconds.append(profile.runcall(convert, host, ids))
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            else:
                seconds.append(convert(host, ids))
            profiled = " (under cProfile)" if args.profile and run == 0 else ""
            save.join()
            print(f"run {run + 1}: {args.count:,} prospects converted in {seconds[-1]:.2f} s{profiled}; "
                  f"a colleague's save meanwhile waited {outcome['waited']:.2f} s: {outcome['result']}")
        with host.session() as session:
            customers = session.scalar(select(func.count()).select_from(Party).where(Party.role == CUSTOMER))
        verdict = "met" if statistics.median(seconds) <= TARGET else "NOT met"
        print(f"{backend(args.db)}: converting {args.count:,} prospects: median {statistics.median(seconds):.2f} s, "
              f"max {max(seconds):.2f} s over {args.runs} runs (target ≤ {TARGET:.0f} s: {verdict}); "
              f"{customers:,} customers in the copy now")
    finally:
        colleague.close()
        host.close()
        drop_database(copy_url)


if __name__ == "__main__":
    main()
