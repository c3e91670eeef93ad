"""The field catalogue of the party record: each field's German label, how its value reads, and
which fields belong together. Validation messages, the merge preview and the undo of a merge read
it, so that a label or a display format is declared once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

VAT_TREATMENTS = {
    "standard": "Regelbesteuerung (Inland)",
    "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (EU, Reverse Charge)",
    "export": "Steuerfrei: Ausfuhr in ein Land außerhalb der EU",
    "exempt": "Steuerbefreit (Grund im Hinweis)",
}
_GERMAN_SEPARATORS = str.maketrans(",.", ".,")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    #: How a value reads: "text" (as it is), "business" (geschäftlich/privat), "choice" (the label
    #: of ``choices``), "days" ("14 Tage"), "percent" ("2,5 %") or "money" ("12.500,00 €").
    kind: str = "text"
    choices: Mapping[str, str] = field(default_factory=dict)


FIELDS = {f.name: f for f in (
    Field("is_business", "Geschäftlich/Privat", "business"), Field("status", "Status"), Field("company", "Firma"),
    Field("salutation", "Anrede"), Field("title", "Titel"), Field("first_name", "Vorname"),
    Field("last_name", "Nachname"), Field("street", "Straße"), Field("house_number", "Hausnummer"),
    Field("address_addition", "Adresszusatz"), Field("postcode", "PLZ"), Field("city", "Ort"),
    Field("country", "Land"), Field("email", "E-Mail"), Field("website", "Website"),
    Field("phones", "Telefonnummern"), Field("contacts", "Ansprechpartner"),
    Field("vat_treatment", "Umsatzsteuer", "choice", VAT_TREATMENTS), Field("vat_note", "Umsatzsteuer-Hinweis"),
    Field("payment_terms_days", "Zahlungsziel", "days"), Field("discount_percent", "Rabatt", "percent"),
    Field("categories", "Kategorien"), Field("source", "Herkunft"),
    Field("expected_volume", "Erwartetes Volumen", "money"), Field("custom", "Individuelle Felder"),
)}
LABELS = {name: f.label for name, f in FIELDS.items()}

#: Fields that only make sense together: a merge takes them from one record and its undo restores
#: them together (the note states the reason for the VAT treatment and is printed on invoices).
GROUPS = (("vat_treatment", "vat_note"),)


def group_of(name: str) -> tuple[str, ...]:
    """The fields that go with ``name`` (itself first when it leads the group)."""
    return next((group for group in GROUPS if name in group), (name,))


def display(name: str, value: Any) -> str:
    """A stored value of field ``name`` as the user reads it (fields not in the catalogue, such as
    custom fields, read by the type of their value)."""
    if value is None or value == "":
        return "–"
    declared = FIELDS.get(name)
    kind = declared.kind if declared else "text"
    if kind == "business":
        return "geschäftlich" if value else "privat"
    if kind == "choice":
        return declared.choices.get(value, value)
    if kind == "days":
        return "1 Tag" if value == 1 else f"{value} Tage"
    if kind == "percent":
        return f"{_plain_number(Decimal(value))} %"
    if kind == "money":
        return f"{Decimal(value):,.2f} €".translate(_GERMAN_SEPARATORS)
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return _plain_number(value)
    return str(value)


def _plain_number(value: Decimal) -> str:
    """``Decimal("1250.50")`` -> ``"1.250,5"``: no trailing zeros, German separators."""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_GERMAN_SEPARATORS)
