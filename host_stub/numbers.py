"""Number ranges ("Nummernkreise"): gap-free numbers such as customer numbers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from host_stub.models import NumberRange

_INSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def take_numbers(session: Session, key: str, count: int, prefix: str = "", start: int = 10000) -> list[str]:
    """Take ``count`` consecutive numbers of range ``key`` (created on first use).

    One ``UPDATE ... RETURNING`` reads and moves the counter under the write lock, so a colleague
    who read the range before this transaction committed still gets the numbers after ours (a
    SELECT first would read the old value on SQLite, which takes no lock for reading). On first
    use the range is created with ``INSERT ... ON CONFLICT DO NOTHING``, which two sessions may
    both run.
    """
    table = NumberRange.__table__
    advance = (update(table).where(table.c.key == key).values(next_value=table.c.next_value + count)
               .returning(table.c.next_value, table.c.prefix))
    row = session.execute(advance).first()
    if row is None:
        dialect = session.get_bind().dialect.name
        session.execute(_INSERT[dialect](table).values(key=key, prefix=prefix, next_value=start)
                        .on_conflict_do_nothing(index_elements=[table.c.key]))
        row = session.execute(advance).one()
    after, stored_prefix = row
    return [f"{stored_prefix}{value}" for value in range(after - count, after)]


def next_number(session: Session, key: str, prefix: str = "", start: int = 10000) -> str:
    return take_numbers(session, key, 1, prefix, start)[0]


class NumberRanges:
    """``host.numbers``: the number ranges as a service for modules."""

    def take(self, session: Session, key: str, count: int = 1, prefix: str = "", start: int = 10000) -> list[str]:
        return take_numbers(session, key, count, prefix, start)
