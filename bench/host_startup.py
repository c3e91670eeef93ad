"""Start-up figures of the host: `host-stub --help` and the web shell's first page.

Run: python bench/host_startup.py [--runs N]
Prints the median and best of N runs. The first-page figure is measured in a fresh process
each run: create the Host on a demo SQLite database, build the Flask app and GET /anmelden (the
sign-in page, the first page a user gets) through the test client (what a user waits for after
`host-stub serve`), plus the warm response time of the same page.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_PAGE = """
import time, sys
started = time.perf_counter()
from host_stub.host import Host
from host_stub.web import create_app
host = Host(sys.argv[1])
app = create_app(host)
client = app.test_client()
response = client.get("/anmelden")  # the first page a user gets
assert response.status_code == 200, response.status_code
first = time.perf_counter() - started
warm = []
for _ in range(20):
    t = time.perf_counter(); client.get("/anmelden"); warm.append(time.perf_counter() - t)
warm.sort()
print(first, warm[len(warm) // 2])
"""


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.sqlite'}"
        subprocess.run(["host-stub", "--db", url, "demo", "--no-serve"], check=True, capture_output=True)
        help_times = [timed(["host-stub", "--help"], workdir) for _ in range(args.runs)]
        firsts, warms = [], []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", FIRST_PAGE, url], check=True, capture_output=True,
                                 text=True).stdout.split()
            firsts.append(float(out[0]))
            warms.append(float(out[1]))
    print(f"host-stub --help:           median {statistics.median(help_times) * 1000:6.0f} ms, "
          f"best {min(help_times) * 1000:6.0f} ms  ({args.runs} runs, whole process)")
    print(f"web first page (cold):      median {statistics.median(firsts) * 1000:6.0f} ms, "
          f"best {min(firsts) * 1000:6.0f} ms  (imports + Host + app + GET /anmelden)")
    print(f"web sign-in page (warm):    median {statistics.median(warms) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
