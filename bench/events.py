"""Bulk writes of the CRM: one event for 10,000 parties, one status for many prospects.

Run after generate_prospects.py, on the same URL:

    python bench/events.py --db sqlite:///bench/out/crm.sqlite
    python bench/events.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench

Works on a copy of the database (dropped at the end), migrated to the current schema. Each of
--runs runs picks --count random prospects and times, each in its own ``host.session()`` with its
commit, ``history.record_many(host, session, ids, "mailing", ...)`` (target: 10,000 events in
≤ 2 s on SQLite) and then ``prospects.set_status`` for the same ids; at the end once
``prospects.set_status`` for every prospect of the database (the overview's filters without
restriction, a single UPDATE … WHERE and INSERT … SELECT).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime

from _common import argument_parser, backend, copy_database, drop_database, install_bench_licence
from sqlalchemy import func, select

from crm_module import history, overview, prospects
from crm_module.models import PROSPECT, Event, Party, StatusChange
from host_stub.host import Host

TARGET = 2.0


def timed(host, work) -> float:
    started = time.perf_counter()
    with host.session() as session:
        work(session)
    return time.perf_counter() - started


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = copy_database(args.db, "_events")
    host = Host(url, license_public_key=install_bench_licence(url))
    try:
        host.upgrade()
        with host.session() as session:
            ids = list(session.scalars(select(Party.id).where(Party.role == PROSPECT)))
            events_before = session.scalar(select(func.count()).select_from(Event))
        rng = random.Random(4711)
        events, statuses = [], []
        for run in range(args.runs):
            chosen = rng.sample(ids, min(args.count, len(ids)))
            events.append(timed(host, lambda session: history.record_many(
                host, session, chosen, "mailing", subject=f"Mailing {run + 1}", occurred_at=datetime(2026, 12, 1))))
            status = ("Angebot", "Verhandlung")[run % 2]
            statuses.append(timed(host, lambda session: prospects.set_status(host, session, status, party_ids=chosen)))
        everyone = timed(host, lambda session: prospects.set_status(host, session, "Ruhend",
                                                                    filters=overview.Filters()))
        with host.session() as session:
            added = session.scalar(select(func.count()).select_from(Event)) - events_before
            changes = session.scalar(select(func.count()).select_from(StatusChange))
        assert added == args.runs * min(args.count, len(ids))
    finally:
        host.close()
        drop_database(url)
    name = backend(args.db)
    median = statistics.median(events)
    verdict = "ok" if median <= TARGET or name != "sqlite" else f"over the target of {TARGET:.0f} s"
    print(f"{name}, {len(ids):,} prospects, {args.runs} runs of {args.count:,}:")
    print(f"  history.record_many: median {median:.2f} s, max {max(events):.2f} s ({verdict})")
    print(f"  prospects.set_status (ids): median {statistics.median(statuses):.2f} s, max {max(statuses):.2f} s")
    print(f"  prospects.set_status (all {len(ids):,} prospects): {everyone:.2f} s; "
          f"{changes:,} status history rows in all")


if __name__ == "__main__":
    main()
