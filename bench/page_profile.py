"""Per-request cost of a page through Flask's test client (no server, no network), and where it goes.

    python bench/page_profile.py --db sqlite:///bench/out/crm.sqlite [--requests 200] [--path /m/crm/]

Prints the mean time per request without and with cProfile, then the functions with the largest
cumulative time per request (cProfile's own overhead included in the second figure only).
"""

from __future__ import annotations

import cProfile
import pstats
import time

from _common import argument_parser, open_host, signed_in_client

DEFAULT_PATH = "/m/crm/?sort=name"


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", default=DEFAULT_PATH)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    host = open_host(args.db)
    client = signed_in_client(host)

    def requests() -> None:
        for _ in range(args.requests):
            response = client.get(args.path)
            assert response.status_code == 200, response.status_code

    requests()  # warm-up: templates compiled, statements cached
    started = time.perf_counter()
    requests()
    plain = (time.perf_counter() - started) / args.requests
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(requests)
    profiled = (time.perf_counter() - started) / args.requests
    print(f"GET {args.path}: {plain * 1000:.2f} ms per request ({profiled * 1000:.2f} ms under cProfile), "
          f"{args.requests} requests")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    host.close()


if __name__ == "__main__":
    main()
