"""Errors the CRM reports to users; all are ``HostError`` so the CLI and the web show them."""

from __future__ import annotations

from host_stub.errors import HostError, NotFound

__all__ = ["CrmError", "FieldInUse", "InvalidInput", "NotFound"]


class CrmError(HostError):
    """A CRM action that cannot be done as asked; the message says why and what to do."""


class InvalidInput(CrmError):
    """Input refused field by field: ``errors`` maps a field (``"postcode"``, ``"phones.1.number"``)
    to a German message the user can act on; the exception text lists them all."""

    status = 422

    def __init__(self, errors: dict[str, str], labels: dict[str, str] | None = None) -> None:
        self.errors = dict(sorted(errors.items()))
        labels = labels or {}
        lines = [f"{labels.get(field, field)}: {message}" for field, message in self.errors.items()]
        super().__init__("Die Eingaben sind nicht gültig:\n" + "\n".join(f"- {line}" for line in lines))


class FieldInUse(CrmError):
    """A custom field that holds values is to be removed without discarding them; each interface
    says how the user discards them (a CLI option, a checkbox)."""

    def __init__(self, slot: int, label: str, records: int) -> None:
        self.slot, self.label, self.records = slot, label, records
        noun = "1 Datensatz" if records == 1 else f"{records} Datensätzen"
        super().__init__(f"Feld {slot} ({label}) enthält bei {noun} Werte; sie gingen mit dem Feld verloren.")
