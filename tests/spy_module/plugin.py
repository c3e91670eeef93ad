"""A free test module that records every host event it receives in ``CALLS``."""

from host_stub.api import MasterDataKind, hookimpl

CALLS: list[tuple] = []
VETO: dict[str, str] = {}


@hookimpl
def masterdata_kinds():
    return [MasterDataKind("spy_colour", "Farben", ("Rot", "Grün"))]


@hookimpl
def customer_created(host, session, customer):
    CALLS.append(("customer_created", customer.number))


@hookimpl
def customer_updated(host, session, customer, changes):
    CALLS.append(("customer_updated", customer.number, changes))


@hookimpl
def customer_deleting(host, session, customer):
    CALLS.append(("customer_deleting", customer.number))
    return VETO.get(customer.number)


@hookimpl
def document_created(host, session, document):
    CALLS.append(("document_created", document.filename, document.party_type, document.party_id))


@hookimpl
def module_enabled(host, session, module_id):
    CALLS.append(("module_enabled", module_id))


@hookimpl
def module_disabled(host, session, module_id):
    CALLS.append(("module_disabled", module_id))


@hookimpl
def demo_data(host, session):
    CALLS.append(("demo_data",))
    return ["Spion bereit."]
