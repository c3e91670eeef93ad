"""The overview's queries read crm_parties through an index in sort order, for every sort and
direction, on the first page, a next page and the last page — with the planner statistics that
SQLite's ``PRAGMA optimize`` (``analysis_limit=1000``) writes for a million prospects.

Those statistics claim that ``role = 'prospect'`` matches about a thousand rows, so a sort whose
index does not start with ``role`` was planned as "rows of that role, then sort them": 2.6 s per
page sorted by number at a million prospects. A plan that sorts shows ``USE TEMP B-TREE``.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from crm_module import overview
from host_stub.host import Host
from tests.crm.conftest import create

#: sqlite_stat1 of crm_parties as PRAGMA optimize left it on the benchmark's million prospects
#: (and as migration crm_0004 adds it for its index).
MILLION_ROW_STATISTICS = [
    ("ix_crm_parties_merged_into_id", "1094776 1001"),
    ("ix_crm_parties_role_number", "1094776 1001 1"),
    ("ix_crm_parties_role_city_key", "1019655 1001 1001 3 1"),
    ("ix_crm_parties_role_next_followup_on", "1005158 1001 1001 7 1"),
    ("ix_crm_parties_role_sort_name", "643060 1001 10 1"),
    ("ix_crm_parties_role_status_sort_name", "813618 1001 1001 4 1"),
    ("ix_crm_parties_role_email_key", "1044384 1001 13"),
    ("ix_crm_parties_role_contact_count", "554400 1001 1001 5 1"),
    ("ix_crm_parties_role_last_contact_at", "2452800 1001 1001 5 1"),
    ("sqlite_autoindex_crm_parties_1", "1077412 1"),
]


@pytest.fixture
def sqlite_host(tmp_path, clock, signing_key):
    """A host on a SQLite file (the statistics are SQLite's), with a few prospects."""
    host = Host(f"sqlite:///{tmp_path / 'plans.sqlite'}", clock=clock, license_public_key=signing_key[1])
    host.upgrade()
    with host.session() as session:
        host.set_module_enabled(session, "crm", True)
        host.masterdata.seed(session)
    for index in range(4):
        create(host, company=f"Firma {index}", email=f"info{index}@firma.example")
    yield host
    host.close()


def statements(host, **kwargs) -> list[tuple[str, tuple]]:
    sent = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        if "FROM crm_parties" in statement and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(host.engine, "before_cursor_execute", capture)
    try:
        with host.session() as session:
            found = overview.overview(session, overview.Filters(), per_page=2, **kwargs)
    finally:
        event.remove(host.engine, "before_cursor_execute", capture)
    return sent, found


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", sorted(overview.SORTS))
def test_every_page_of_every_sort_reads_an_index_in_order(sqlite_host, sort, descending):
    first, found = statements(sqlite_host, sort=sort, descending=descending)
    following, _ = statements(sqlite_host, sort=sort, descending=descending, after=found.last, page=None)
    last, _ = statements(sqlite_host, sort=sort, descending=descending, last=True)
    database = sqlite3.connect(sqlite_host.engine.url.database)
    try:
        database.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'crm_parties'")
        database.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('crm_parties', ?, ?)",
                             MILLION_ROW_STATISTICS)
        database.execute("ANALYZE sqlite_schema")  # load them into this connection's planner
        for statement, parameters in first + following + last:
            plan = [row[3] for row in database.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
            assert not any(line == "SCAN crm_parties" for line in plan), (statement, plan)
            if "(role=? AND number=?)" not in plan[0]:  # prospects without a number: none, all get one
                assert not any("TEMP B-TREE" in line for line in plan), (statement, plan)
    finally:
        database.rollback()
        database.close()


def test_the_new_sort_index_gets_statistics_where_the_table_had_them(sqlite_host):
    from sqlalchemy import text

    from host_stub import migrate

    schema = sqlite_host.schema("crm")
    with sqlite_host.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        from alembic import command

        command.downgrade(migrate._config(schema, connection), "crm_0003")
    sqlite_host.upgrade("crm")
    with sqlite_host.engine.connect() as connection:
        analysed = set(connection.scalars(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'crm_parties'")))
    assert "ix_crm_parties_role_number" in analysed


@pytest.mark.parametrize("search", [("firma", "auto"), ("firma", "name"), ("info", "email"), ("köl", "city"),
                                    ("0221 12", "phone")])
@pytest.mark.parametrize("sort", ["name", "status", "last_contact"])
def test_a_common_search_is_read_along_the_sort_index_with_the_same_rows(sqlite_host, monkeypatch, sort, search):
    """From WALK_FROM matches a search reads the page in sort order (no sort of all matches)."""
    words = overview.Filters(search=search[0], search_in=search[1])
    with sqlite_host.session() as session:
        sorted_matches = [row["id"] for row in overview.overview(session, words, sort=sort).rows]
    assert len(sorted_matches) == 4
    monkeypatch.setattr(overview, "WALK_FROM", 2)
    sent, found = [], None

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        if "FROM crm_parties" in statement:
            sent.append((statement, parameters))

    event.listen(sqlite_host.engine, "before_cursor_execute", capture)
    try:
        with sqlite_host.session() as session:
            found = overview.overview(session, words, sort=sort, per_page=2)
    finally:
        event.remove(sqlite_host.engine, "before_cursor_execute", capture)
    assert [row["id"] for row in found.rows] == sorted_matches[:2]
    with sqlite_host.engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sent[-1][0], sent[-1][1])]
    assert not any("TEMP B-TREE" in line for line in plan), plan


def test_sorted_by_status_within_one_status_a_next_page_starts_at_its_cursor(sqlite_host):
    """Filtered to one status, "sorted by status" is the order by name: read from the status-and-name
    index, a next page starts at its cursor (it walked every row before it: 1.3 s at a million)."""
    status = overview.Filters(status="Neu")
    with sqlite_host.session() as session:
        by_name = [row["id"] for row in overview.overview(session, status, sort="name").rows]
        first = overview.overview(session, status, sort="status", per_page=2)
    sent = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        if "FROM crm_parties" in statement:
            sent.append((statement, parameters))

    event.listen(sqlite_host.engine, "before_cursor_execute", capture)
    try:
        with sqlite_host.session() as session:
            following = overview.overview(session, status, sort="status", per_page=2, after=first.last, page=None)
    finally:
        event.remove(sqlite_host.engine, "before_cursor_execute", capture)
    assert [row["id"] for row in first.rows + following.rows] == by_name[:4]
    with sqlite_host.engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sent[-1][0], sent[-1][1])]
    assert "status=? AND sort_name>?" in plan[0], plan
