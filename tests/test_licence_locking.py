"""Licence checks never block readers: a check reads, once per transaction, and writes the latest
time seen rarely, in a short transaction of its own that gives up instead of waiting."""

import threading
import time

import pytest
from sqlalchemy import event


@pytest.fixture
def statements(host):
    """SQL statements run on the host's engine (by any connection) while the test runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.strip().split()[0].upper())

    event.listen(host.engine, "before_cursor_execute", record)
    yield seen
    event.remove(host.engine, "before_cursor_execute", record)


WRITES = {"INSERT", "UPDATE", "DELETE"}


def test_a_status_check_in_a_read_transaction_writes_nothing(host, clock, statements):
    clock.advance(hours=5)
    with host.session() as session:
        host.licensing.status(session, "crm")
        host.module_overview(session)
    assert statements and WRITES.isdisjoint(statements)


def test_the_licence_is_checked_once_per_transaction(host, clock, statements):
    clock.advance(hours=5)
    with host.session() as session:
        host.require_writable(session, "crm")
        before = len(statements)
        for _ in range(20):
            host.require_writable(session, "crm")
            host.licensing.status(session, "crm")
        assert len(statements) == before


def test_a_reader_does_not_wait_for_a_long_write_transaction(make_host, clock):
    writer, reader = make_host(), make_host(upgrade=False)
    results: dict[str, object] = {}

    def read():
        started = time.monotonic()
        try:
            with reader.session() as session:
                results["state"] = reader.licensing.status(session, "crm").state
                results["overview"] = [row["license"] for row in reader.module_overview(session)]
        except Exception as exc:  # an error is a result too: the assertion below shows it
            results["error"] = exc
        results["seconds"] = time.monotonic() - started

    with writer.session() as session:  # like a conversion of 10,000 prospects: writes, then checks
        writer.customers.create(session, company="Lang GmbH")
        writer.require_writable(session, "crm")
        clock.advance(hours=2)
        thread = threading.Thread(target=read)
        thread.start()
        thread.join(timeout=3)
        finished_while_writing = not thread.is_alive()
    thread.join()

    assert finished_while_writing, "the reader waited for the writer's transaction"
    assert "error" not in results
    assert results["state"] == "trial" and results["overview"] == ["trial"]
    assert results["seconds"] < 1


def test_a_write_check_beside_a_long_write_transaction_does_not_wait_for_it(make_host, clock):
    writer, other = make_host(), make_host(upgrade=False)
    clock.advance(hours=2)
    with writer.session() as session:
        writer.customers.create(session, company="Lang GmbH")
        writer.require_writable(session, "crm")
        started = time.monotonic()
        with other.session() as other_session:
            other.require_writable(other_session, "crm")
        assert time.monotonic() - started < 1
