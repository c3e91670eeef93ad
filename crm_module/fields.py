"""The field catalogue of the party record: each field declared once, with its German label, the
tab of the dialog it is on, its type, length and range, its default and whether the host customer
has it too. The validation schema, the edit dialog, the CLI options, the merge preview and its
undo, and the overview's columns are derived from it; the DSGVO export has a format of its own
(``privacy.py``) that does not follow it.
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
    """One field of the party record. Its ``label`` is how every interface names it; ``unit`` and
    ``hint`` add how to enter a value (the dialog shows ``caption``, the CLI ``help``)."""

    name: str
    label: str
    #: The dialog's tab ("adresse", "ansprechpartner", "konditionen", "statistik", "felder"); "" for
    #: a figure the CRM keeps itself (shown, never entered).
    tab: str
    #: What it holds and how a value reads: "text" (as it is), "email", "website", "business"
    #: (geschäftlich/privat), "choice" (the label of ``choices``), "days" ("14 Tage"), "percent"
    #: ("2,5 %"), "money" ("12.500,00 €"), "count", "date"; or a list: "phones", "contacts",
    #: "categories", "custom" (the 20 custom fields).
    type: str = "text"
    #: The longest text it takes.
    length: int | None = None
    #: The host customer has it too: it goes to the customer on conversion and comes back.
    shared: bool = False
    #: The value of a new record.
    default: Any = ""
    #: The range a number must be in.
    limits: tuple[Decimal, Decimal] | None = None
    unit: str = ""
    hint: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)
    #: A narrower header for the CLI's list.
    short: str = ""
    required: bool = False

    @property
    def caption(self) -> str:
        """The label with its unit: 'Rabatt (%)'."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def help(self) -> str:
        """The label with its unit and how to write a value: 'Land: ISO-Code, z. B. DE, AT, CH, NL'."""
        return f"{self.caption}: {self.hint}" if self.hint else self.caption

    @property
    def editable(self) -> bool:
        return bool(self.tab)

    @property
    def scalar(self) -> bool:
        """One value (not a list of phones, contacts, categories or custom fields)."""
        return self.type not in LIST_TYPES


#: The dialog's tabs; the documents tab shows the record's documents, no field.
TABS = {"adresse": "Adresse", "ansprechpartner": "Ansprechpartner", "konditionen": "Konditionen",
        "statistik": "Statistik", "felder": "Individuelle Felder", "dokumente": "Dokumente"}
LIST_TYPES = ("phones", "contacts", "categories", "custom")
_PERCENT = (Decimal("0"), Decimal("100"))
_MONEY = (Decimal("0"), Decimal("9999999999.99"))

FIELDS = {f.name: f for f in (
    Field("number", "Nr.", ""),
    Field("is_business", "Geschäftlich/Privat", "adresse", "business", shared=True, default=True,
          hint="geschäftlich (Firma) oder privat."),
    Field("status", "Status", "adresse", length=120, hint="Kleinstammdaten crm_status"),
    Field("company", "Firma", "adresse", length=200, shared=True),
    Field("salutation", "Anrede", "adresse", length=40, shared=True),
    Field("title", "Titel", "adresse", length=40, shared=True),
    Field("first_name", "Vorname", "adresse", length=100, shared=True),
    Field("last_name", "Nachname", "adresse", length=100, shared=True),
    Field("street", "Straße", "adresse", length=200, shared=True),
    Field("house_number", "Hausnummer", "adresse", length=20, shared=True),
    Field("address_addition", "Adresszusatz", "adresse", length=200, shared=True),
    Field("postcode", "PLZ", "adresse", length=20, shared=True),
    Field("city", "Ort", "adresse", length=100, shared=True),
    Field("country", "Land", "adresse", length=2, shared=True, default="DE", hint="ISO-Code, z. B. DE, AT, CH, NL"),
    Field("email", "E-Mail", "adresse", "email", length=254, shared=True),
    Field("website", "Website", "adresse", "website", length=200, shared=True),
    Field("phones", "Telefonnummern", "adresse", "phones",
          hint="je Option eine, mit Art: 'Mobil:0171 1234567' (ersetzt alle)."),
    Field("contacts", "Ansprechpartner", "ansprechpartner", "contacts"),
    Field("vat_treatment", "Umsatzsteuer", "konditionen", "choice", shared=True, default="standard",
          choices=VAT_TREATMENTS, hint=", ".join(VAT_TREATMENTS)),
    Field("vat_note", "Hinweis zur Umsatzsteuer", "konditionen", length=200, shared=True, hint="z. B. USt-IdNr."),
    Field("payment_terms_days", "Zahlungsziel", "konditionen", "days", shared=True, default=14,
          limits=(Decimal("0"), Decimal("365")), unit="Tage"),
    Field("discount_percent", "Rabatt", "konditionen", "percent", shared=True, default=Decimal("0"),
          limits=_PERCENT, unit="%"),
    Field("categories", "Kategorien", "statistik", "categories", hint="je Option eine (ersetzt alle)."),
    Field("source", "Herkunft", "statistik", length=120, hint="Kleinstammdaten crm_source"),
    Field("expected_volume", "Erwartetes Volumen", "statistik", "money", default=None, limits=_MONEY, unit="€"),
    Field("custom", "Individuelle Felder", "felder", "custom", hint="je Option 'Bezeichnung=Wert' oder 'Nummer=Wert'."),
    Field("contact_count", "Kontakte", "", "count", short="Kt."),
    Field("last_contact_at", "Letzter Kontakt", "", "date", short="Letzter K."),
    Field("next_followup_on", "Nächste Wiedervorlage", "", "date", short="Wiedervorl."),
)}
LABELS = {name: f.label for name, f in FIELDS.items()}
#: The fields of a contact person (the rows of the Ansprechpartner tab).
CONTACT_PERSON_FIELDS = {f.name: f for f in (
    Field("salutation", "Anrede", "ansprechpartner", length=40), Field("title", "Titel", "ansprechpartner", length=40),
    Field("first_name", "Vorname", "ansprechpartner", length=100),
    Field("last_name", "Nachname", "ansprechpartner", length=100, required=True),
    Field("function", "Funktion", "ansprechpartner", length=100),
    Field("email", "E-Mail", "ansprechpartner", "email", length=254),
    Field("phone", "Telefon", "ansprechpartner", length=40), Field("mobile", "Mobil", "ansprechpartner", length=40),
)}
#: The single-valued fields a user enters, in the dialog's order.
SCALAR_FIELDS = tuple(f.name for f in FIELDS.values() if f.editable and f.scalar)
#: Of those, the ones the host customer has too.
HOST_FIELDS = tuple(name for name in SCALAR_FIELDS if FIELDS[name].shared)
CRM_FIELDS = tuple(name for name in SCALAR_FIELDS if not FIELDS[name].shared)

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
    kind = declared.type if declared else "text"
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
