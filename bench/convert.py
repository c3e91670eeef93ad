"""Converting 10,000 selected prospects into customers in one transaction.

Run after generate_prospects.py, on the same URL:

    python bench/convert.py --db sqlite:///bench/out/crm.sqlite --count 10000
    python bench/convert.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench --count 10000

Works on a copy of the database (SQLite's backup API, PostgreSQL's CREATE DATABASE ... TEMPLATE)
that is dropped at the end, so the benchmark database keeps its prospects and the figures can be
repeated. Each of --runs runs picks --count random prospects with a complete address (the ones
conversion accepts) and times ``conversion.convert(host, session, ids)`` in one
``host.session()``: selecting, validating, creating the customers, linking, moving documents,
the hook and the commit. Target: under 10 s for 10,000. ``--profile`` adds a cProfile of the
first run.
"""

from __future__ import annotations

import cProfile
import pstats
import random
import statistics
import time

from sqlalchemy import func, select

from _common import argument_parser, backend, copy_database, drop_database, open_host
from crm_module import conversion
from crm_module.models import CUSTOMER, PROSPECT, Party

TARGET = 10.0


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


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    copy_url = copy_database(args.db, "_convert")
    host = open_host(copy_url)
    try:
        rng = random.Random(7)
        seconds = []
        for run in range(args.runs):
            ids = rng.sample(convertible(host), args.count)
            if args.profile and run == 0:
                profile = cProfile.Profile()
                seconds.append(profile.runcall(convert, host, ids))
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            else:
                seconds.append(convert(host, ids))
            profiled = " (under cProfile)" if args.profile and run == 0 else ""
            print(f"run {run + 1}: {args.count:,} prospects converted in {seconds[-1]:.2f} s{profiled}")
        with host.session() as session:
            customers = session.scalar(select(func.count()).select_from(Party).where(Party.role == CUSTOMER))
        verdict = "met" if statistics.median(seconds) < TARGET else "NOT met"
        print(f"{backend(args.db)}: converting {args.count:,} prospects: median {statistics.median(seconds):.2f} s, "
              f"max {max(seconds):.2f} s over {args.runs} runs (target {TARGET:.0f} s: {verdict}); "
              f"{customers:,} customers in the copy now")
    finally:
        host.close()
        drop_database(copy_url)


if __name__ == "__main__":
    main()
