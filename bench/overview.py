"""The prospect overview on a big database: service layer, whole page, and the query plans.

Run after generate_prospects.py, on the same URL:

    python bench/overview.py --db sqlite:///bench/out/crm.sqlite
    python bench/overview.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench

Per case, the median and the maximum of --runs runs after one warm-up run of

- service: ``overview.overview(session, filters, sort=...)`` in its own ``host.session()``
  (connection from the pool, the page query, the lists of the rows shown, commit);
- count: ``overview.count(session, filters)``, which the page calls too (the total for paging);
- page: ``GET /m/crm/?...`` through Flask's test client of ``create_app(host)``: the whole
  request (menu bar, the page, the count, the filter choices, rendering the HTML).

Targets (the first three cases): service < 50 ms, page < 200 ms. Then the SQL the service sends
for those cases (captured with a ``before_cursor_execute`` listener) with its plan, SQLite's
EXPLAIN QUERY PLAN or PostgreSQL's EXPLAIN (ANALYZE, BUFFERS), and whether crm_parties is read
through an index in order (no full scan, no sort).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from _common import argument_parser, backend, open_host, signed_in_client, timings
from sqlalchemy import event, func, select

from crm_module import overview
from crm_module.models import PROSPECT, Party

SERVICE_TARGET, PAGE_TARGET = 0.050, 0.200


@dataclass(frozen=True)
class Case:
    label: str
    #: The page's query string; the service gets the same (``q`` search, ``in`` where, ``dir=desc``).
    params: dict[str, str] = field(default_factory=dict)
    required: bool = False

    @property
    def filters(self) -> overview.Filters:
        p = self.params
        return overview.Filters(status=p.get("status"), category=p.get("category"), search=p.get("q", ""),
                                search_in=p.get("in", "auto"))

    @property
    def sort(self) -> dict[str, Any]:
        return {"sort": self.params.get("sort", "name"), "descending": self.params.get("dir") == "desc",
                "page": int(self.params.get("page", 1))}


CASES = [
    Case("first page, sorted by name", {"sort": "name"}, required=True),
    Case("status 'Angebot', by name", {"sort": "name", "status": "Angebot"}, required=True),
    Case("name prefix 'Müll', by name", {"sort": "name", "q": "Müll"}, required=True),
    Case("city prefix 'Frankfurt'", {"sort": "name", "q": "Frankfurt", "in": "city"}),
    Case("by last contact, newest first", {"sort": "last_contact", "dir": "desc"}),
    Case("by next follow-up", {"sort": "next_followup"}),
    Case("category 'Öffentliche Hand'", {"sort": "name", "category": "Öffentliche Hand"}),
    Case("phone prefix '0221 3'", {"sort": "name", "q": "0221 3"}),
    Case("page 100, by name", {"sort": "name", "page": "100"}),
]


def service(host, case: Case) -> overview.OverviewPage:
    with host.session() as session:
        return overview.overview(session, case.filters, **case.sort)


def count(host, case: Case) -> int:
    with host.session() as session:
        return overview.count(session, case.filters)


def page(client, case: Case) -> str:
    response = client.get("/m/crm/", query_string=case.params)
    assert response.status_code == 200, (case.params, response.status_code)
    return response.get_data(as_text=True)


def statements_of(host, action) -> list[tuple[str, Any]]:
    """The SELECTs ``action`` sends to the database, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(_connection, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(host.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(host.engine, "before_cursor_execute", capture)
    return sent


def plan(host, statement: str, parameters: Any) -> list[str]:
    with host.engine.connect() as connection:
        if backend(host.database_url) == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        return [row[0] for row in connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()]


def reads_index_in_order(lines: list[str]) -> bool:
    """No full scan of crm_parties and no sort of its rows."""
    full_scan = re.compile(r"^\s*(SCAN crm_parties\s*$|.*Seq Scan on crm_parties)")
    sort = re.compile(r"USE TEMP B-TREE FOR ORDER BY|^\s*(->\s*)?(Incremental )?Sort ")
    return not any(full_scan.search(line) or sort.search(line) for line in lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    host = open_host(args.db)
    client = signed_in_client(host)
    with host.session() as session:
        prospects = session.scalar(select(func.count()).select_from(Party).where(Party.role == PROSPECT))
    print(f"{backend(args.db)}: {prospects:,} prospects; median / max of {args.runs} runs in ms\n")
    print("| case | rows | service | count | whole page | target met |")
    print("|---|---:|---:|---:|---:|---|")
    for case in CASES:
        shown = service(host, case)
        first = shown.rows[0]["number"] if shown.rows else None
        assert first is None or first in page(client, case), "the page shows other rows than the service"
        service_median, service_max = timings(lambda: service(host, case), args.runs)
        count_median, count_max = timings(lambda: count(host, case), args.runs)
        page_median, page_max = timings(lambda: page(client, case), args.runs)
        met = ("yes" if service_median < SERVICE_TARGET and page_median < PAGE_TARGET else "**no**") \
            if case.required else "(information)"
        print(f"| {case.label} | {count(host, case):,} | {ms(service_median)} / {ms(service_max)} | "
              f"{ms(count_median)} / {ms(count_max)} | {ms(page_median)} / {ms(page_max)} | {met} |")
    for case in [case for case in CASES if case.required]:
        print(f"\n### {case.label}\n")
        for statement, parameters in statements_of(host, lambda: service(host, case)):
            lines = plan(host, statement, parameters)
            verdict = "the lists of the rows shown" if "FROM crm_parties" not in statement else \
                "crm_parties read through an index in order, no sort" if reads_index_in_order(lines) else \
                "FULL SCAN OR SORT of crm_parties"
            print(" ".join(statement.split()))
            print(f"parameters: {parameters}  -> {verdict}")
            print("\n".join("    " + line for line in lines) + "\n")
    host.close()


if __name__ == "__main__":
    main()
