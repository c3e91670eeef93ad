"""The customer master: customers with numbers from the ``customer`` number range."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from host_stub.errors import HostError, NotFound, Vetoed
from host_stub.models import Customer
from host_stub.numbers import next_number, take_numbers

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

CUSTOMER_RANGE = "customer"
EDITABLE_FIELDS = tuple(
    c.key for c in Customer.__table__.columns if c.key not in {"id", "number", "created_at", "updated_at"}
)
SORTABLE = {"number": Customer.number, "name": Customer.last_name, "company": Customer.company,
            "city": Customer.city, "postcode": Customer.postcode}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise HostError(f"Unbekannte Kundenfelder: {', '.join(unknown)}. Erlaubt: {', '.join(EDITABLE_FIELDS)}.")
    if not (fields.get("company") or fields.get("last_name")):
        raise HostError("Ein Kunde braucht eine Firma oder einen Nachnamen.")


class CustomerService:
    """Create, change, delete and list customers; the events let modules follow each change."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def get(self, session: Session, customer_id: int) -> Customer:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("Diesen Kunden gibt es nicht (mehr); vielleicht wurde er gelöscht.")
        return customer

    def resolve(self, session: Session, ref: int | str) -> Customer:
        """A customer by customer number (``K10001``) or by id (``7``), as the user typed it."""
        text = str(ref).strip().upper()
        if text.isdigit():
            customer = session.get(Customer, int(text))
            if customer is None:
                raise NotFound(f"Einen Kunden mit der ID {text} gibt es nicht; Kundennummern beginnen mit K, "
                               "z. B. K10001.")
            return customer
        customer = session.scalars(select(Customer).where(Customer.number == text)).first()
        if customer is None:
            raise NotFound(f"Einen Kunden mit der Nummer {text} gibt es nicht.")
        return customer

    def create(self, session: Session, **fields: Any) -> Customer:
        return self.create_many(session, [fields])[0]

    def create_many(self, session: Session, records: list[dict[str, Any]]) -> list[Customer]:
        """Create customers with consecutive numbers, calling ``customer_created`` for each."""
        for fields in records:
            _check_fields(fields)
        now = self.host.now()
        numbers = take_numbers(session, CUSTOMER_RANGE, len(records), prefix="K")
        customers = [Customer(number=n, created_at=now, updated_at=now, **f) for n, f in zip(numbers, records)]
        session.add_all(customers)
        session.flush()
        for customer in customers:
            self.host.notify(session, "customer_created", customer=customer)
        return customers

    def update(self, session: Session, customer_id: int, **fields: Any) -> Customer:
        customer = self.get(session, customer_id)
        merged = {key: getattr(customer, key) for key in EDITABLE_FIELDS} | fields
        _check_fields(merged)
        changes = {k: (getattr(customer, k), v) for k, v in fields.items() if getattr(customer, k) != v}
        for key, value in fields.items():
            setattr(customer, key, value)
        if changes:
            customer.updated_at = self.host.now()
            session.flush()
            self.host.notify(session, "customer_updated", customer=customer, changes=changes)
        return customer

    def delete(self, session: Session, customer_id: int) -> None:
        """Delete unless a module vetoes; the veto reasons are shown to the user."""
        customer = self.get(session, customer_id)
        vetoes = [reason for _owner, reason in self.host.notify(session, "customer_deleting", customer=customer)]
        if vetoes:
            raise Vetoed(f"Kunde {customer.number} kann nicht gelöscht werden: {' '.join(vetoes)}")
        session.delete(customer)
        session.flush()

    def page(self, session: Session, *, sort: str = "number", descending: bool = False, page: int = 1,
             per_page: int = 50, search: str = "") -> tuple[list[Customer], int]:
        """One page of the customer list and the total count."""
        if sort not in SORTABLE:
            raise HostError(f"Nach „{sort}“ kann nicht sortiert werden. Möglich: {', '.join(SORTABLE)}.")
        query = select(Customer)
        if search:
            pattern = f"%{search}%"
            query = query.where(
                Customer.company.ilike(pattern) | Customer.last_name.ilike(pattern)
                | Customer.city.ilike(pattern) | Customer.number.ilike(pattern)
            )
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        column = SORTABLE[sort]
        query = query.order_by(column.desc() if descending else column, Customer.id)
        rows = session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
        return list(rows), total or 0
