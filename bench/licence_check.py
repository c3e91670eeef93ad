"""Cost of the licence check: ``host.licensing.status`` and ``host.require_writable``.

Prints the time per call (a) as the first check of a transaction, beside an empty transaction, and
(b) repeated inside one transaction (as a service that checks once per row would); each the best
of five runs, since other processes share the machine. Run on a scratch database:

    python bench/licence_check.py --db sqlite:///bench/out/licence.sqlite
"""

from __future__ import annotations

import time

from _common import argument_parser, create_database
from sqlalchemy import text

from host_stub.host import Host

CALLS = 500
RUNS = 5


def per_call(function, calls: int = CALLS) -> float:
    """Milliseconds per call: the mean of ``calls`` calls, the best of ``RUNS`` runs."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, time.perf_counter() - start)
    return best / calls * 1000


def main() -> None:
    args = argument_parser(__doc__).parse_args()
    create_database(args.db, fresh=True)
    host = Host(args.db)
    host.upgrade()
    with host.session() as session:
        host.set_module_enabled(session, "crm", True)

    def first_in_transaction():
        with host.session() as session:
            host.require_writable(session, "crm")

    def empty_transaction():
        with host.session() as session:
            session.execute(text("SELECT 1"))

    with host.session() as session:
        repeated = per_call(lambda: host.require_writable(session, "crm"))
        repeated_status = per_call(lambda: host.licensing.status(session, "crm"))
    print(f"empty transaction (for comparison):                   {per_call(empty_transaction):.3f} ms")
    print(f"first check of a transaction (incl. the transaction): {per_call(first_in_transaction):.3f} ms")
    print(f"require_writable, repeated in one transaction:        {repeated:.3f} ms")
    print(f"status, repeated in one transaction:                  {repeated_status:.3f} ms")
    host.close()


if __name__ == "__main__":
    main()
