"""Number ranges ("Nummernkreise"): gap-free numbers such as customer numbers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from host_stub.models import NumberRange


def take_numbers(session: Session, key: str, count: int, prefix: str = "", start: int = 10000) -> list[str]:
    """Take ``count`` consecutive numbers of range ``key`` (created on first use).

    The row lock serialises concurrent writers, so two sessions never get the same number.
    """
    row = session.scalars(select(NumberRange).where(NumberRange.key == key).with_for_update()).first()
    if row is None:
        row = NumberRange(key=key, prefix=prefix, next_value=start)
        session.add(row)
    first = row.next_value
    row.next_value = first + count
    session.flush()
    return [f"{row.prefix}{value}" for value in range(first, first + count)]


def next_number(session: Session, key: str, prefix: str = "", start: int = 10000) -> str:
    return take_numbers(session, key, 1, prefix, start)[0]


class NumberRanges:
    """``host.numbers``: the number ranges as a service for modules."""

    def take(self, session: Session, key: str, count: int = 1, prefix: str = "", start: int = 10000) -> list[str]:
        return take_numbers(session, key, count, prefix, start)
