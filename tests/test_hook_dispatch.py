"""Event hooks go through pluggy's own calling: wrappers, firstresult specs and call monitoring work,
while each module stays isolated (a licence refusal skips only its part; a disabled module is not called)."""

import logging

import pytest
from sqlalchemy import func, select

from host_stub.api import hookimpl
from host_stub.errors import HostError, Vetoed
from host_stub.manifest import Manifest, Product
from host_stub.models import Customer
from host_stub.plugins import PluginRegistry


def manifest(module_id: str, **extra) -> Manifest:
    return Manifest(module_id, module_id.title(), "1.0", "", ">=1.0", "tests", f"{module_id}_", **extra)


class Vetoer:
    @hookimpl
    def customer_deleting(self, host, session, customer):
        return f"{customer.company} hat offene Aufträge."


class Wrapper:
    """A module that wraps every deletion check: it sees the call and the vetoes of the others."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, list[str]]] = []

    @hookimpl(wrapper=True)
    def customer_deleting(self, host, session, customer):
        vetoes = yield
        self.seen.append((customer.company, list(vetoes)))
        return vetoes


def registry_with(*modules: tuple[object, Manifest]) -> PluginRegistry:
    registry = PluginRegistry()
    registry.discover()
    for plugin, declared in modules:
        registry.register(plugin, declared)
    return registry


def test_a_wrapper_hookimpl_of_customer_deleting_sees_the_call_and_the_vetoes(make_host):
    wrapper = Wrapper()
    host = make_host(registry_with((Vetoer(), manifest("vetoer")), (wrapper, manifest("wrapper"))),
                     enable=("crm", "vetoer", "wrapper"))
    with host.session() as session:
        customer = host.customers.create(session, company="Bau GmbH")
    with pytest.raises(Vetoed, match="Bau GmbH hat offene Aufträge"), host.session() as session:
        host.customers.delete(session, customer.id)
    assert wrapper.seen == [("Bau GmbH", ["Bau GmbH hat offene Aufträge."])]


def test_a_wrapper_of_a_disabled_module_is_not_called(make_host):
    wrapper = Wrapper()
    host = make_host(registry_with((wrapper, manifest("wrapper"))), enable=("crm",))
    with host.session() as session:
        customer = host.customers.create(session, company="Bau GmbH")
        host.customers.delete(session, customer.id)
    assert wrapper.seen == []


class Picker:
    def __init__(self, answer: str | None, calls: list[str]) -> None:
        self.answer, self.calls = answer, calls

    @hookimpl
    def picker_choose(self, host, session, options):
        self.calls.append(str(self.answer))
        return self.answer


def test_a_firstresult_spec_of_a_module_returns_the_first_answer_that_is_not_none(make_host):
    calls: list[str] = []
    # pluggy calls the module registered last first: "none" answers None, "second" decides, "first" is not asked.
    host = make_host(registry_with(
        (Picker("b", calls), manifest("first", hookspecs="tests.dispatch_specs")),
        (Picker("a", calls), manifest("second")),
        (Picker(None, calls), manifest("none")),
    ), enable=("first", "second", "none"))
    with host.session() as session:
        assert host.notify(session, "picker_choose", options=["a", "b"]) == "a"
    assert calls == ["None", "a"]


def test_hookcall_monitoring_sees_customer_created_and_the_crms_own_event_hooks(make_host):
    from crm_module import history
    from tests.crm.conftest import create

    registry = registry_with()
    host = make_host(registry)
    seen: list[tuple[str, object]] = []
    undo = registry.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append((name, sorted(kwargs))),
        lambda outcome, name, impls, kwargs: seen.append((name, outcome.get_result())),
    )
    try:
        with host.session() as session:
            host.customers.create(session, company="Beobachtet GmbH")
        party_id = create(host, company="Interessent GmbH")
        with host.session() as session:
            history.record_event(host, session, party_id, "call")
    finally:
        undo()
    assert ("customer_created", ["customer", "host", "session"]) in seen
    assert ("customer_created", []) in seen  # the result: no module returned anything
    assert ("crm_event_recorded", ["event", "host", "session"]) in seen


class Follower:
    def __init__(self) -> None:
        self.followed: list[str] = []

    @hookimpl
    def customer_created(self, host, session, customer):
        self.followed.append(customer.company)


class Gated:
    @hookimpl
    def customer_created(self, host, session, customer):
        host.require_writable(session, "gated")
        raise AssertionError("the licence gate should have refused")


def test_customer_created_reaches_the_next_module_when_one_refuses_by_its_licence(make_host, clock, caplog):
    follower = Follower()
    host = make_host(registry_with((follower, manifest("follower")),
                                   (Gated(), manifest("gated", product=Product(100, "EUR", 30)))),
                     enable=("crm", "follower", "gated"))
    clock.advance(days=31)
    with caplog.at_level(logging.WARNING, logger="host_stub.plugins"), host.session() as session:
        host.customers.create(session, company="Trotzdem GmbH")
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert follower.followed == ["Trotzdem GmbH"]
    assert any("customer_created of gated skipped" in r.getMessage() for r in caplog.records)


class GatedWrapper:
    """A paid module's wrapper that checks its licence before and after the others ran."""

    def __init__(self, when: str) -> None:
        self.when = when

    @hookimpl(wrapper=True)
    def customer_deleting(self, host, session, customer):
        if self.when == "before":
            host.require_writable(session, self.when)
        vetoes = yield
        host.require_writable(session, self.when)
        return [*vetoes, "nie erreicht"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_wrapper_of_customer_deleting_refused_by_its_licence_leaves_the_vetoes_as_they_were(
        make_host, clock, caplog, when):
    paid = Product(100, "EUR", 30)
    host = make_host(registry_with((Vetoer(), manifest("vetoer")), (GatedWrapper(when), manifest(when, product=paid))),
                     enable=("crm", "vetoer", when))
    with host.session() as session:
        customer = host.customers.create(session, company="Bau GmbH")
    clock.advance(days=31)
    with caplog.at_level(logging.WARNING, logger="host_stub.plugins"), host.session() as session:
        assert host.hooks.customer_deleting(session=session, customer=customer) == ["Bau GmbH hat offene Aufträge."]
    assert any(f"customer_deleting of {when} skipped" in r.getMessage() for r in caplog.records)


class Broken:
    @hookimpl
    def customer_created(self, host, session, customer):
        raise ValueError("kaputt")


class Watcher:
    def __init__(self) -> None:
        self.errors: list[str] = []

    @hookimpl(wrapper=True)
    def customer_created(self, host, session, customer):
        try:
            return (yield)
        except ValueError as exc:
            self.errors.append(str(exc))
            raise


def test_a_wrapper_of_customer_created_sees_another_modules_error_which_rolls_back(make_host):
    watcher = Watcher()
    host = make_host(registry_with((Broken(), manifest("broken")), (watcher, manifest("watcher"))),
                     enable=("crm", "broken", "watcher"))
    with pytest.raises(ValueError, match="kaputt"), host.session() as session:
        host.customers.create(session, company="Nie da GmbH")
    with host.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
    assert watcher.errors == ["kaputt"]


class MenuWrapper:
    @hookimpl(wrapper=True)
    def menu_items(self, host):
        return (yield)


def test_a_wrapper_on_a_contributing_hook_is_reported_and_the_module_skipped():
    registry = PluginRegistry()
    registry.discover()
    with pytest.raises(HostError, match="contributing hooks are collected per module"):
        registry.register(MenuWrapper(), manifest("menuwrap"))
    assert "menuwrap" not in registry.modules
    assert registry.pm.get_plugin("menuwrap") is None


class Renamed:
    @hookimpl(specname="customer_created")
    def follow(self, host, session, customer):
        raise AssertionError("a disabled module's hookimpl must not be called")


def test_a_hookimpl_under_another_name_is_refused_so_that_a_disabled_module_is_never_called():
    registry = PluginRegistry()
    registry.discover()
    with pytest.raises(HostError, match="specname"):
        registry.register(Renamed(), manifest("renamed"))
    assert "renamed" not in registry.modules
    assert registry.pm.get_plugin("renamed") is None
