"""Cost of the licence check: ``host.licensing.status`` and ``host.require_writable``.

Prints the mean time per call (a) as the first check of a transaction and (b) repeated inside one
transaction (as a service that checks once per row would). Run on a scratch database:

    python bench/licence_check.py --db sqlite:///bench/out/licence.sqlite
"""

from __future__ import annotations

import time

from _common import argument_parser, create_database

from host_stub.host import Host

CALLS = 2000


def per_call(function, calls: int = CALLS) -> float:
    """Mean milliseconds per call."""
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls * 1000


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

    with host.session() as session:
        repeated = per_call(lambda: host.require_writable(session, "crm"))
        repeated_status = per_call(lambda: host.licensing.status(session, "crm"))
    print(f"first check of a transaction (incl. the transaction): {per_call(first_in_transaction, 500):.3f} ms")
    print(f"require_writable, repeated in one transaction:        {repeated:.3f} ms")
    print(f"status, repeated in one transaction:                  {repeated_status:.3f} ms")
    host.close()


if __name__ == "__main__":
    main()
