"""The customer master: customers with numbers from the ``customer`` number range."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host_stub.documents import retention_notice
from host_stub.errors import HostError, NotFound, Vetoed
from host_stub.models import Customer
from host_stub.numbers import take_numbers
from host_stub.validation import InvalidFields, clean_text, country_code, email_address, unstorable_character

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

CUSTOMER_RANGE = "customer"
#: ``party_type`` of a customer's documents in the document store.
DOCUMENT_PARTY = "customer"
#: Foreign keys that make the database refuse deleting the row they refer to (the default).
_RESTRICTING = {"RESTRICT", "NO ACTION"}
#: Ids per IN (...) list when reading customers back; well below the databases' parameter limits.
_IDS_PER_QUERY = 5000
EDITABLE_FIELDS = tuple(
    c.key for c in Customer.__table__.columns if c.key not in {"id", "number", "created_at", "updated_at"}
)
SORTABLE = {"number": Customer.number, "name": Customer.last_name, "company": Customer.company,
            "city": Customer.city, "postcode": Customer.postcode}
#: Text columns and their lengths, from the table: each limit is declared once, on the model.
TEXT_LENGTHS = {c.key: c.type.length for c in Customer.__table__.columns
                if isinstance(c.type, String) and c.key in EDITABLE_FIELDS}
FORMATS = {"email": email_address, "country": country_code}
FIELD_LABELS = {
    "is_business": "Geschäftlich/Privat", "company": "Firma", "salutation": "Anrede", "title": "Titel",
    "first_name": "Vorname", "last_name": "Nachname", "street": "Straße", "house_number": "Hausnummer",
    "address_addition": "Adresszusatz", "postcode": "PLZ", "city": "Ort", "country": "Land", "email": "E-Mail",
    "phone": "Telefon", "website": "Website", "vat_treatment": "Umsatzsteuer", "vat_note": "Umsatzsteuer-Hinweis",
    "payment_terms_days": "Zahlungsziel", "discount_percent": "Rabatt",
}


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as stored, or InvalidFields with one German message per wrong field."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise HostError(f"Unbekannte Kundenfelder: {', '.join(unknown)}. Erlaubt: {', '.join(EDITABLE_FIELDS)}.")
    clean, errors = {}, {}
    for key, value in fields.items():
        problem = None
        if key in TEXT_LENGTHS:
            value, problem = clean_text(value, TEXT_LENGTHS[key], FORMATS.get(key))
        elif key == "is_business":
            value, problem = (value, None) if isinstance(value, bool) else (value, "Bitte ja oder nein angeben.")
        elif key == "payment_terms_days":
            value, problem = _number(value, int, 0, 365, "Tage")
        elif key == "discount_percent":
            value, problem = _number(value, Decimal, 0, 100, "Prozent")
        if problem:
            errors[key] = problem
        clean[key] = value
    if errors:
        raise InvalidFields(errors, FIELD_LABELS)
    return clean


def _number(value: Any, kind: type, low: int, high: int, unit: str) -> tuple[Any, str | None]:
    """An int or Decimal from ``low`` to ``high`` (also typed, with a German comma), or why not."""
    number = None
    if isinstance(value, kind) and not isinstance(value, bool):
        number = value
    elif not isinstance(value, bool):
        try:
            number = kind(str(value).strip().replace(",", "."))
        except (ValueError, InvalidOperation):
            pass
    if number is None or not Decimal(number).is_finite():
        example = "14" if kind is int else "2,5"
        return value, f"Bitte eine {'ganze ' if kind is int else ''}Zahl angeben, z. B. {example}."
    if not low <= number <= high:
        return value, f"Erlaubt sind {low} bis {high} {unit}."
    return number, None


def _require_name(fields: dict[str, Any]) -> None:
    if not (fields.get("company") or fields.get("last_name")):
        raise InvalidFields({"company": "Ein Kunde braucht eine Firma oder einen Nachnamen."}, FIELD_LABELS)


def _insert_with_ids_taken_first(session: Session, rows: list[dict[str, Any]]) -> list[Customer]:
    """PostgreSQL: the ids from the sequence first, then one pipelined executemany without RETURNING,
    then the rows read back. psycopg converts each multi-row ``INSERT … RETURNING`` of a thousand
    rows anew (too long for its cache): 2.5 s of a 10,000-customer conversion."""
    ids = list(session.scalars(text("SELECT nextval(pg_get_serial_sequence('host_customers', 'id')) "
                                    "FROM generate_series(1, :count)"), {"count": len(rows)}))
    session.execute(insert(Customer), [row | {"id": customer_id} for row, customer_id in zip(rows, ids)])
    found: dict[int, Customer] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start:start + _IDS_PER_QUERY]
        found |= {customer.id: customer for customer in session.scalars(select(Customer).where(Customer.id.in_(chunk)))}
    return [found[customer_id] for customer_id in ids]


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
        records = [_clean(fields) for fields in records]
        for fields in records:
            _require_name(fields)
        now = self.host.now()
        numbers = take_numbers(session, CUSTOMER_RANGE, len(records), prefix="K")
        rows = [{"number": n, "created_at": now, "updated_at": now, **f} for n, f in zip(numbers, records)]
        if session.get_bind().dialect.name == "postgresql":
            customers = _insert_with_ids_taken_first(session, rows)
        else:
            # One ORM bulk INSERT ... RETURNING (batched by insertmanyvalues) instead of one INSERT per
            # row; sort_by_parameter_order keeps the returned customers in the order of ``records``.
            customers = list(session.scalars(
                insert(Customer).returning(Customer, sort_by_parameter_order=True), rows))
        for customer in customers:
            self.host.hooks.customer_created(session=session, customer=customer)
        return customers

    def update(self, session: Session, customer_id: int, **fields: Any) -> Customer:
        customer = self.get(session, customer_id)
        fields = _clean(fields)  # only what changes: an old value the checks would refuse does not block
        _require_name({key: getattr(customer, key) for key in EDITABLE_FIELDS} | fields)
        changes = {k: (getattr(customer, k), v) for k, v in fields.items() if getattr(customer, k) != v}
        for key, value in fields.items():
            setattr(customer, key, value)
        if changes:
            customer.updated_at = self.host.now()
            session.flush()
            self.host.hooks.customer_updated(session=session, customer=customer, changes=changes)
        return customer

    def delete(self, session: Session, customer_id: int) -> None:
        """Delete the customer with its documents, unless something must keep it.

        Refused, saying why, while one of its documents must be retained (invoices), while an
        enabled module vetoes, or while a module's rows refer to it through a restricting foreign
        key (also a disabled module's: the database would refuse). Rows of CASCADE or SET NULL
        foreign keys are the database's to handle.
        """
        customer = self.get(session, customer_id)
        refused = f"Kunde {customer.number} kann nicht gelöscht werden:"
        retained = self.host.documents.retained(session, DOCUMENT_PARTY, customer.id)
        if retained:
            raise Vetoed(f"{refused} {retention_notice(retained)}")
        vetoes = self.host.hooks.customer_deleting(session=session, customer=customer)
        vetoes += self._held_by_modules(session, customer.id)
        if vetoes:
            raise Vetoed(f"{refused} {' '.join(vetoes)}")
        self.host.documents.delete_for_party(session, DOCUMENT_PARTY, customer.id)
        try:
            session.delete(customer)
            session.flush()
        except IntegrityError as exc:
            table = getattr(getattr(exc.orig, "diag", None), "table_name", None)  # PostgreSQL names it
            where = f" (Tabelle {table})" if table else ""
            raise Vetoed(f"{refused} Es verweisen noch Daten auf ihn{where}, vermutlich von einem Modul, das nicht "
                         "mehr installiert ist. Installieren Sie es wieder, um diese Daten zu bearbeiten.") from None

    def _held_by_modules(self, session: Session, customer_id: int) -> list[str]:
        """What each module (enabled or not) still holds for the customer through restricting foreign keys."""
        enabled = self.host.enabled_modules(session)
        existing: set[str] | None = None
        reasons = []
        for owner, schema in self.host.schemas().items():
            held: dict[str, int] = {}
            for table in schema.metadata.tables.values():
                for key in table.foreign_keys:
                    if key.target_fullname != "host_customers.id" or (key.ondelete or "RESTRICT").upper() \
                            not in _RESTRICTING:
                        continue
                    if existing is None:
                        existing = set(inspect(session.connection()).get_table_names())
                    if table.name in existing:
                        rows = session.scalar(select(func.count()).select_from(table).where(key.parent == customer_id))
                        if rows:
                            held[table.name] = held.get(table.name, 0) + rows
            if held:
                reasons.append(self._held_reason(owner, held, owner in enabled))
        return reasons

    def _held_reason(self, owner: str, held: dict[str, int], enabled: bool) -> str:
        total = sum(held.values())
        entries = "1 Eintrag" if total == 1 else f"{total} Einträge"
        what = f"Das Modul „{self.host.module(owner).manifest.name}“"
        where = f"({'Tabelle' if len(held) == 1 else 'Tabellen'} {', '.join(held)})"
        if enabled:
            return f"{what} hat noch {entries} zu diesem Kunden {where}; bitte dort zuerst löschen."
        return (f"{what} (deaktiviert) hat noch {entries} zu diesem Kunden {where}. Aktivieren Sie es "
                f"(host-stub plugins enable {owner}) und löschen Sie die Einträge dort.")

    def page(self, session: Session, *, sort: str = "number", descending: bool = False, page: int = 1,
             per_page: int = 50, search: str = "") -> tuple[list[Customer], int]:
        """One page of the customer list and the total count."""
        if sort not in SORTABLE:
            raise HostError(f"Nach „{sort}“ kann nicht sortiert werden. Möglich: {', '.join(SORTABLE)}.")
        problem = unstorable_character(search)
        if problem:
            raise HostError(f"Suche: {problem}")
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
