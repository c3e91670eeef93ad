"""A module's licence gate inside a host event hook never makes the host's own action fail: the host
catches LicenseRefused from an event hook, logs it and goes on; the module skipped its part."""

import logging

import pytest
from sqlalchemy import func, select

from host_stub.api import hookimpl
from host_stub.manifest import Manifest, Product
from host_stub.models import Customer
from host_stub.plugins import PluginRegistry


class GatedModule:
    """A paid module that follows customers, guarding its writes with the licence gate."""

    def __init__(self) -> None:
        self.followed: list[int] = []

    @hookimpl
    def customer_created(self, host, session, customer):
        host.require_writable(session, "gated")
        self.followed.append(customer.id)

    @hookimpl
    def customer_updated(self, host, session, customer, changes):
        host.require_writable(session, "gated")
        self.followed.append(customer.id)


@pytest.fixture
def gated(make_host):
    registry = PluginRegistry()
    registry.discover()
    module = GatedModule()
    registry.register(module, Manifest("gated", "Gesperrt", "1.0", "", ">=1.0", "tests", "gated_",
                                       product=Product(100, "EUR", 30)))
    return make_host(registry, enable=("crm", "gated")), module


def test_customers_are_added_and_changed_after_a_modules_trial_ended(gated, clock, caplog):
    host, module = gated
    with host.session() as session:
        host.customers.create(session, company="Im Test GmbH")
    assert len(module.followed) == 1
    clock.advance(days=31)

    with caplog.at_level(logging.WARNING, logger="host_stub.plugins"), host.session() as session:
        customer = host.customers.create(session, company="Nach dem Test GmbH")
        host.customers.update(session, customer.id, city="Köln")

    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
        assert host.customers.get(session, customer.id).city == "Köln"
    assert len(module.followed) == 1
    refusals = [r for r in caplog.records if "gated" in r.getMessage()]
    assert [r.levelno for r in refusals] == [logging.WARNING, logging.WARNING]
    assert "customer_created" in refusals[0].getMessage() and "nicht lizenziert" in refusals[0].getMessage()

