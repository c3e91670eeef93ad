"""Settings of one database: small key/value pairs that host and modules keep."""

from __future__ import annotations

from sqlalchemy.orm import Session

from host_stub.models import Setting


class Settings:
    def get(self, session: Session, key: str, default: str | None = None) -> str | None:
        row = session.get(Setting, key)
        return row.value if row is not None else default

    def set(self, session: Session, key: str, value: str) -> None:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        session.flush()
