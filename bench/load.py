"""Bounded load on the prospect overview through the production server, over loopback.

Starts ``host-stub serve`` (waitress) as a process of its own on the given database, then for each
number of concurrent clients (default 1, 4 and 16) lets that many threads GET the page, each over
its own keep-alive connection, until --requests requests are done (or --seconds have passed), and
prints requests per second, the latency percentiles and the errors (a status other than 200, or a
failed connection). One warm-up round per client count is not counted. Run after
generate_prospects.py, on the same URL:

    python bench/load.py --db sqlite:///bench/out/crm.sqlite
    python bench/load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench --threads 8

Once the web interface requires sign-in, give --login and --password: ``sign_in`` posts the form
and every client sends the session cookie.

Target on the 2-core benchmark machine at 1,000,000 prospects: at least 100 requests/s at 4
clients with p95 at most 150 ms, and no errors at 16 clients.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from _common import argument_parser

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = "/m/crm/?sort=name"


@dataclass
class Round:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, threads: int) -> subprocess.Popen:
    """``host-stub serve`` in a process of its own; returns once it answers."""
    env = {**os.environ, "HOST_STUB_DATABASE_URL": database_url,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen([sys.executable, "-c", "from host_stub.cli import main; main()", "serve", "--port",
                               str(port), "--threads", str(threads)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/shell.css", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def sign_in(base_url: str, login: str, password: str) -> str:
    """Sign in through the form at /anmelden (with its CSRF token); the Cookie header for later requests."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/anmelden") as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"login": login, "password": password, "csrf_token": token}).encode()
    opener.open(f"{base_url}/anmelden", data=form).close()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def run_round(port: int, path: str, clients: int, requests: int, seconds: float | None, cookie: str) -> Round:
    """``clients`` threads share ``requests`` requests (or run for ``seconds``)."""
    result = Round(clients)
    lock = threading.Lock()
    left = [requests]
    stop_at = time.perf_counter() + seconds if seconds else None
    headers = {"Cookie": cookie} if cookie else {}

    def take() -> bool:
        with lock:
            if stop_at is not None:
                return time.perf_counter() < stop_at
            left[0] -= 1
            return left[0] >= 0

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while take():
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                error = None if response.status == 200 else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                if error:
                    result.errors.append(error)
                else:
                    result.latencies.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts (default 1,4,16)")
    parser.add_argument("--requests", type=int, default=400, help="requests per client count (default 400)")
    parser.add_argument("--seconds", type=float, help="run each client count this long instead of --requests")
    parser.add_argument("--path", default=DEFAULT_PATH, help=f"page to load (default {DEFAULT_PATH})")
    parser.add_argument("--threads", type=int, default=8, help="serve --threads (default 8)")
    parser.add_argument("--port", type=int, help="load the server already running on this loopback port "
                                                  "(for comparisons) instead of starting one; --db is only shown")
    parser.add_argument("--login", help="sign in as this user first (with --password)")
    parser.add_argument("--password")
    args = parser.parse_args()
    port = args.port or free_port()
    server = None if args.port else start_server(args.db, port, args.threads)
    try:
        cookie = sign_in(f"http://127.0.0.1:{port}", args.login, args.password) if args.login else ""
        bound = f"{args.seconds:g} s" if args.seconds else f"{args.requests} requests"
        served = f"port {port}" if server is None else f"serve --threads {args.threads}"
        print(f"GET {args.path} on {args.db}, {served}, {bound} per client count")
        print(f"{'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
        for clients in (int(c) for c in args.clients.split(",")):
            run_round(port, args.path, clients, clients * 5, None, cookie)  # warm-up: connections, caches
            done = run_round(port, args.path, clients, args.requests, args.seconds, cookie)
            rate = len(done.latencies) / done.seconds
            print(f"{clients:>7} {rate:>8.1f} {done.percentile(.50) * 1000:>8.1f} {done.percentile(.95) * 1000:>8.1f} "
                  f"{done.percentile(.99) * 1000:>8.1f} {max(done.latencies, default=0) * 1000:>8.1f} "
                  f"{len(done.errors):>7}", flush=True)
            for error in sorted(set(done.errors))[:5]:
                print(f"        error: {error} ({done.errors.count(error)}x)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
