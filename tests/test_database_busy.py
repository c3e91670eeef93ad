"""A write that waits for another user's transaction gets a wait, then a German message, never a lock error.

Two real connections on the test database: the first user holds a write transaction (a new customer,
so the customer number range, and a change to an existing customer), the second user writes meanwhile.
The lock timeout is shortened for the test; the product waits ``LOCK_TIMEOUT_SECONDS``.
"""

import time

import pytest
from sqlalchemy import update

from host_stub import db
from host_stub.errors import DatabaseBusy
from host_stub.models import Customer
from tests.conftest import signed_in_client
from tests.test_web import csrf_token, run_action, text_of

TIMEOUT = 0.5
BUSY = "Die Datenbank ist gerade durch eine andere Aktion belegt"


@pytest.fixture
def two_users(make_host, monkeypatch):
    monkeypatch.setattr(db, "LOCK_TIMEOUT_SECONDS", TIMEOUT)
    first = make_host()
    with first.session() as session:
        customer_id = first.customers.create(session, company="Bestand GmbH").id
    return first, make_host(upgrade=False), customer_id


def hold_write_transaction(host, session, customer_id: int) -> None:
    host.customers.create(session, company="Große Umwandlung GmbH")
    session.execute(update(Customer).where(Customer.id == customer_id).values(company="Bestand AG"))
    session.flush()


def test_a_colleagues_save_waits_then_gets_a_german_message_and_works_afterwards(two_users):
    first, second, customer_id = two_users
    with first.session() as holding:
        hold_write_transaction(first, holding, customer_id)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match=f"{BUSY}.*Bitte versuchen Sie es in einem Moment erneut"):
            with second.session() as session:
                second.customers.create(session, company="Kollegin GmbH")
        assert time.monotonic() - started >= TIMEOUT * 0.9  # it waited before giving up
    with second.session() as session:
        second.customers.create(session, company="Kollegin GmbH")
        assert second.customers.page(session)[1] == 3


def test_the_cli_says_the_database_is_busy_and_exits_non_zero(two_users, cli):
    first, _, customer_id = two_users
    with first.session() as holding:
        hold_write_transaction(first, holding, customer_id)
        result = cli("customers", "add", "--company", "Kollege KG")
    assert result.exit_code == 1
    assert BUSY in result.output and "locked" not in result.output and "Traceback" not in result.output
    assert cli("customers", "add", "--company", "Kollege KG").exit_code == 0


def test_the_web_shows_a_german_page_when_the_database_is_busy(two_users):
    first, second, customer_id = two_users
    client = signed_in_client(second)
    token = csrf_token(client)
    with first.session() as holding:
        hold_write_transaction(first, holding, customer_id)
        response = run_action(client, token, "host", "delete", [customer_id], confirmed=True)
    assert response.status_code == 503
    assert BUSY in text_of(response) and "locked" not in text_of(response)
