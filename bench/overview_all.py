"""Every list a user can click in the prospect overview, on a big database: each sort and
direction, each filter, each search field, and the first, a middle and the last page.

Run after generate_prospects.py, on the same URL (``--markdown FILE`` also writes the table for
docs/benchmarks.md):

    python bench/overview_all.py --db sqlite:///bench/out/crm.sqlite
    python bench/overview_all.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench

The cases are the product of

- the 7 sort columns of the overview, ascending and descending;
- no filter, a status, a category and a mailing list: the rarest of each in the data, since a rare
  filter is the hard case for a page read in sort order (most rows read are not on the list);
- no search and one search per search field: words ("müller", in names, contact persons and
  city), a name beginning ("schmi", names only), an e-mail beginning, a phone beginning
  ("0221 3"), a city beginning ("frankf") and a prospect number ("I510000");
- the first page, a page in the middle (the page after a matching row from the middle of the
  id range, as "Weiter" links do it: keyset paging) and the last page ("Letzte Seite").

Per case, the median of --runs runs after one warm-up run of

- service: what the page asks of the service layer in one ``host.session()``:
  ``overview.overview(...)`` and ``overview.count(..., cap=COUNT_CAP)``;
- page: ``GET /m/crm/?...`` through Flask's test client (menu bar, the page, the count, the
  filter choices, rendering the HTML).

Targets: service ≤ 50 ms and page ≤ 200 ms in every case. The script prints a line per case as it
goes, then the cases that missed a target and the slowest ones. Statistics: the script runs no
ANALYZE of its own; the host keeps them (``PRAGMA optimize`` on SQLite, autovacuum on PostgreSQL).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from _common import argument_parser, backend, open_host, signed_in_client, timings
from sqlalchemy import func, select

from crm_module import overview
from crm_module.models import PROSPECT, ListMember, Party, PartyCategory

SERVICE_TARGET, PAGE_TARGET = 0.050, 0.200
DIRECTIONS = (False, True)
PAGES = ("first", "middle", "last")


@dataclass(frozen=True)
class Case:
    sort: str
    descending: bool
    filter: tuple[str, str] | None  # (query argument, value)
    search: tuple[str, str] | None  # (search field, text)
    page: str

    @property
    def args(self) -> dict[str, str]:
        """The page's query string without the paging arguments."""
        args = {"sort": self.sort}
        if self.descending:
            args["dir"] = "desc"
        if self.filter:
            args[self.filter[0]] = self.filter[1]
        if self.search:
            args["in"], args["q"] = self.search
        return args

    @property
    def filters(self) -> overview.Filters:
        args = self.args
        return overview.Filters(status=args.get("status"), category=args.get("category"),
                                list_id=int(args["list"]) if "list" in args else None,
                                search=args.get("q", ""), search_in=args.get("in", "auto"))

    def label(self) -> str:
        direction = "desc" if self.descending else "asc"
        where = f"{self.filter[0]}={self.filter[1]}" if self.filter else "-"
        search = f"{self.search[0]}:{self.search[1]}" if self.search else "-"
        return f"{self.sort} {direction} | {where} | {search} | {self.page}"


def rarest(session, column, *where) -> Any:
    """The value of ``column`` that the fewest prospects have (at least one)."""
    return session.execute(select(column).where(*where).group_by(column)
                           .order_by(func.count(), column).limit(1)).scalar_one()


def choices(host) -> tuple[list[tuple[str, str] | None], list[tuple[str, str] | None]]:
    """The filters and searches of the cases, taken from the data."""
    with host.session() as session:
        prospect = Party.role == PROSPECT
        status = rarest(session, Party.status, prospect, Party.status != "")
        category = rarest(session, PartyCategory.category)
        list_id = rarest(session, ListMember.list_id)
        middle = session.scalar(select(func.max(Party.id))) // 2
        email = session.scalar(select(Party.email_key).where(prospect, Party.email_key != "", Party.id >= middle)
                               .order_by(Party.id).limit(1))
    filters = [None, ("status", status), ("category", category), ("list", str(list_id))]
    searches = [None, ("auto", "müller"), ("name", "schmi"), ("email", email[:4]), ("phone", "0221 3"),
                ("city", "frankf"), ("auto", "I510000")]
    return filters, searches


def cursor_in_the_middle(session, case: Case) -> str | None:
    """The cursor of a matching row from the middle of the id range: "Weiter" from there."""
    where = overview.conditions(session, case.filters, one_page=True)
    middle = (session.scalar(select(func.max(Party.id))) or 0) // 2
    row = session.execute(overview._select(where).where(Party.id >= middle).order_by(Party.id).limit(1)).first()
    if row is None:
        row = session.execute(overview._select(where).order_by(Party.id.desc()).limit(1)).first()
    if row is None:
        return None
    return overview._cursor(row, overview._segments(overview.SORTS[case.sort], case.descending))


def paging(case: Case, cursor: str | None) -> dict[str, Any]:
    if case.page == "last":
        return {"last": True}
    if case.page == "middle" and cursor is not None:
        return {"after": cursor, "page": None}
    return {}


def service(host, case: Case, cursor: str | None) -> overview.OverviewPage:
    with host.session() as session:
        found = overview.overview(session, case.filters, sort=case.sort, descending=case.descending,
                                  **paging(case, cursor))
        overview.count(session, case.filters, cap=overview.COUNT_CAP)
        return found


def page(client, case: Case, cursor: str | None) -> str:
    args = dict(case.args)
    if case.page == "last":
        args["last"] = "1"
    elif case.page == "middle" and cursor is not None:
        args["after"] = cursor
    response = client.get("/m/crm/", query_string=args)
    assert response.status_code == 200, (case.label(), response.status_code)
    return response.get_data(as_text=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.0095 else f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", help="write the table of every case to this file")
    parser.add_argument("--sort", action="append", choices=list(overview.SORTS),
                        help="only these sort columns (repeatable; default: all)")
    args = parser.parse_args()
    host = open_host(args.db)
    client = signed_in_client(host)
    with host.session() as session:
        prospects = session.scalar(select(func.count()).select_from(Party).where(Party.role == PROSPECT))
    filters, searches = choices(host)
    print(f"{backend(args.db)}: {prospects:,} prospects; filters {filters[1:]}, searches {searches[1:]}; "
          f"median of {args.runs} runs in ms (service / page)", flush=True)
    results: dict[Case, tuple[float, float, int]] = {}
    started = time.perf_counter()
    sorts = args.sort or list(overview.SORTS)
    for sort, descending, where, search in itertools.product(sorts, DIRECTIONS, filters, searches):
        middle = None
        for which in PAGES:
            case = Case(sort, descending, where, search, which)
            if which == "middle" and middle is None:
                with host.session() as session:
                    middle = cursor_in_the_middle(session, case)
            shown = service(host, case, middle)
            html = page(client, case, middle)
            assert all(row["number"] in html for row in shown.rows[:3] if row["number"]), case.label()
            results[case] = (timings(lambda: service(host, case, middle), args.runs)[0],
                             timings(lambda: page(client, case, middle), args.runs)[0], len(shown.rows))
            service_s, page_s, rows = results[case]
            print(f"{case.label()}: {rows} rows, {ms(service_s)} / {ms(page_s)}", flush=True)
    host.close()
    missed = [(case, r) for case, r in results.items() if r[0] > SERVICE_TARGET or r[1] > PAGE_TARGET]
    worst_service = max(r[0] for r in results.values())
    worst_page = max(r[1] for r in results.values())
    print(f"\n{len(results)} cases in {time.perf_counter() - started:.0f} s; slowest service {ms(worst_service)} ms, "
          f"slowest page {ms(worst_page)} ms; {len(missed)} missed a target")
    for case, (service_s, page_s, _rows) in sorted(missed, key=lambda item: -item[1][1]):
        print(f"  MISSED {case.label()}: {ms(service_s)} / {ms(page_s)}")
    if args.markdown:
        write_markdown(args.markdown, backend(args.db), prospects, sorts, filters, searches, results)


def write_markdown(path: str, kind: str, prospects: int, sorts, filters, searches, results) -> None:
    """One row per sort, direction, filter and search; a column per page, "service / page" in ms."""
    lines = [f"{kind}, {prospects:,} prospects: median of the runs in ms, service / whole page "
             f"(targets 50 / 200); slowest service {ms(max(r[0] for r in results.values()))}, "
             f"slowest page {ms(max(r[1] for r in results.values()))}.", "",
             "| sort | filter | search | first page | middle page | last page |", "|---|---|---|---:|---:|---:|"]
    for sort, descending, where, search in itertools.product(sorts, DIRECTIONS, filters, searches):
        cells = []
        for which in PAGES:
            service_s, page_s, _rows = results[Case(sort, descending, where, search, which)]
            cells.append(f"{ms(service_s)} / {ms(page_s)}")
        where_text = f"{where[0]} {where[1]}" if where else ""
        search_text = f"{search[0]} „{search[1]}“" if search else ""
        lines.append(f"| {sort} {'↓' if descending else '↑'} | {where_text} | {search_text} | {' | '.join(cells)} |")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
