"""Validation of a prospect with marshmallow: every wrong field gets a German message saying
what to enter instead. The choices that live in the database (statuses, categories, sources,
custom fields) are handed to the schema when it is built.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import email_validator
from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from crm_module import customfields, normalise
from crm_module.errors import InvalidInput
from crm_module.fields import CONTACT_PERSON_FIELDS, FIELDS, LABELS, VAT_TREATMENTS, Field
from host_stub.api import country_code, unstorable_character

PHONE_KINDS = ("Telefon", "Mobil", "Fax", "Privat", "Zentrale", "Sonstige")
MAX_PHONES = 10


class Text(fields.String):
    """A string with collapsed whitespace, a length limit and German messages."""

    def __init__(self, max_length: int, *, required: bool = False, multiline: bool = False, **kwargs: Any) -> None:
        if not required:
            kwargs.setdefault("load_default", "")
        super().__init__(required=required, error_messages={
            "required": "Bitte ausfüllen.", "null": "Bitte ausfüllen.", "invalid": "Bitte einen Text angeben.",
        }, **kwargs)
        self.max_length = max_length
        self.multiline = multiline
        self.must_fill = required

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        text = text.strip() if self.multiline else " ".join(text.split())
        problem = unstorable_character(text, line_breaks=self.multiline)
        if problem:
            raise ValidationError(problem)
        if self.must_fill and not text:
            raise ValidationError("Bitte ausfüllen.")
        if len(text) > self.max_length:
            raise ValidationError(f"Höchstens {self.max_length} Zeichen (es sind {len(text)}).")
        return text


class Amount(fields.Decimal):
    """A decimal that also takes the German comma ("2,5") and checks its range."""

    def __init__(self, low: Decimal, high: Decimal, unit: str, **kwargs: Any) -> None:
        super().__init__(places=2, error_messages={
            "invalid": "Bitte eine Zahl angeben, z. B. 2,5.", "special": "Bitte eine Zahl angeben.",
            "null": "Bitte eine Zahl angeben.",
        }, **kwargs)
        self.low, self.high, self.unit = low, high, unit

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        number = super()._deserialize(value, attr, data, **kwargs)
        if not self.low <= number <= self.high:
            raise ValidationError(f"Erlaubt sind {german_decimal(self.low)} bis {german_decimal(self.high)} "
                                  f"{self.unit}; eingegeben: {german_decimal(number)}.")
        return number


def german_decimal(value: Decimal) -> str:
    """Decimal(9999.5) -> '9.999,5', Decimal(100) -> '100': a number as German messages write it."""
    whole, _, fraction = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".") if whole.lstrip("-").isdigit() else whole
    return grouped + ("," + fraction if fraction.rstrip("0") else "")


def email_address(value: str) -> tuple[str, str | None]:
    """The address as stored, or an error saying why it is not one."""
    if not value:
        return "", None
    try:
        result = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return value, f"„{value}“ ist keine gültige E-Mail-Adresse (Beispiel: name@firma.de)."
    return result.normalized, None


class Email(Text):
    def __init__(self, max_length: int = 254, **kwargs: Any) -> None:
        super().__init__(max_length, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        address, error = email_address(super()._deserialize(value, attr, data, **kwargs))
        if error:
            raise ValidationError(error)
        return address


_WEBSITE = re.compile(r"(https?://)?([a-z0-9äöüß-]+\.)+[a-z]{2,}(:\d+)?(/\S*)?", re.IGNORECASE)


class Website(Text):
    def __init__(self, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(max_length, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return ""
        if not _WEBSITE.fullmatch(text):
            raise ValidationError(f"„{text}“ ist keine Web-Adresse (Beispiel: www.firma.de).")
        return text if re.match(r"https?://", text, re.IGNORECASE) else f"https://{text}"


class PhoneSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(load_default="Telefon", error_messages={"invalid": "Bitte eine Art angeben."})
    number = Text(40, required=True)

    @validates_schema
    def check_kind(self, data, **_kwargs):
        if data.get("kind") not in PHONE_KINDS:
            raise ValidationError(f"Unbekannte Art '{data.get('kind')}'. Möglich: {', '.join(PHONE_KINDS)}.",
                                  "kind")


_ContactFields = Schema.from_dict({
    "id": fields.Integer(load_default=None, allow_none=True),
    "is_main": fields.Boolean(load_default=False, error_messages={"invalid": "Bitte ja oder nein angeben."}),
    **{f.name: (Email if f.type == "email" else Text)(f.length, required=f.required)
       for f in CONTACT_PERSON_FIELDS.values()},
}, name="ContactFields")


class ContactSchema(_ContactFields):  # type: ignore[valid-type,misc]
    class Meta:
        unknown = RAISE


_NUMBER_UNITS = {"percent": "Prozent", "money": "Euro"}


def _declared(field: Field) -> fields.Field:
    """The marshmallow field of a catalogue field."""
    if field.type == "text":
        return Text(field.length, load_default=field.default)
    if field.type == "email":
        return Email(field.length)
    if field.type == "website":
        return Website(field.length)
    if field.type == "business":
        return fields.Boolean(load_default=field.default, error_messages={"invalid": "Bitte ja oder nein angeben."})
    if field.type == "choice":
        return fields.String(load_default=field.default)
    if field.type == "days":
        return fields.Integer(load_default=field.default, error_messages={
            "invalid": "Bitte eine ganze Zahl von Tagen angeben, z. B. 14."})
    if field.type in _NUMBER_UNITS:
        low, high = field.limits
        return Amount(low, high, _NUMBER_UNITS[field.type], load_default=field.default,
                      allow_none=field.default is None)
    if field.type == "phones":
        return fields.List(fields.Nested(PhoneSchema), load_default=list,
                           error_messages={"invalid": "Bitte eine Liste von Telefonnummern angeben."})
    if field.type == "contacts":
        return fields.List(fields.Nested(ContactSchema), load_default=list,
                           error_messages={"invalid": "Bitte eine Liste von Ansprechpartnern angeben."})
    if field.type == "categories":
        return fields.List(fields.String(), load_default=list,
                           error_messages={"invalid": "Bitte eine Liste von Kategorien angeben."})
    if field.type == "custom":
        return fields.Dict(load_default=dict, error_messages={"invalid": "Bitte Feld und Wert angeben."})
    raise ValueError(f"field type {field.type!r} of {field.name!r} has no schema field")


_RecordFields = Schema.from_dict({f.name: _declared(f) for f in FIELDS.values() if f.editable}, name="RecordFields")


class ProspectSchema(_RecordFields):  # type: ignore[valid-type,misc]
    """One prospect as the edit dialog sends it (all tabs), its fields from the catalogue;
    ``load`` returns clean values."""

    class Meta:
        unknown = RAISE

    def __init__(self, *, statuses: list[str], categories: list[str], sources: list[str],
                 custom_fields: dict[int, customfields.FieldDefinition]) -> None:
        super().__init__()
        self.statuses = statuses
        self.category_choices = categories
        self.sources = sources
        self.custom_fields = custom_fields

    @validates_schema(skip_on_field_errors=False)
    def check_record(self, data, **_kwargs):
        errors: dict[str, Any] = {}
        self._check_name(data, errors)
        self._check_address(data, errors)
        self._check_choices(data, errors)
        self._check_conditions(data, errors)
        if errors:
            raise ValidationError(errors)

    def _check_name(self, data, errors) -> None:
        if data.get("is_business", True):
            if not data.get("company"):
                errors["company"] = ["Ein geschäftlicher Interessent braucht eine Firma."]
        elif not data.get("last_name"):
            errors["last_name"] = ["Ein privater Interessent braucht einen Nachnamen."]

    def _check_address(self, data, errors) -> None:
        country, problem = country_code(data.get("country") or "DE")
        if problem:
            errors["country"] = [problem]
            return
        data["country"] = country
        data["postcode"], problem = normalise.postcode(country, data.get("postcode", ""))
        if problem:
            errors["postcode"] = [problem]
        phones = data.get("phones") or []
        if len(phones) > MAX_PHONES:
            errors["phones"] = [f"Höchstens {MAX_PHONES} Telefonnummern."]
        for index, entry in enumerate(phones):
            entry["number"], entry["search_key"], problem = normalise.phone(entry["number"], country)
            if problem:
                errors.setdefault("phones", {}).setdefault(index, {})["number"] = [problem]
        contacts = data.get("contacts") or []
        if sum(1 for c in contacts if c["is_main"]) > 1:
            errors.setdefault("contacts", {})["main"] = ["Nur ein Ansprechpartner kann Hauptansprechpartner sein."]
        elif contacts and not any(c["is_main"] for c in contacts):
            contacts[0]["is_main"] = True
        for index, contact in enumerate(contacts):
            for key in ("phone", "mobile"):
                if contact[key]:
                    contact[key], _search, problem = normalise.phone(contact[key], country)
                    if problem:
                        errors.setdefault("contacts", {}).setdefault(index, {})[key] = [problem]

    def _check_choices(self, data, errors) -> None:
        status = data.get("status") or (self.statuses[0] if self.statuses else "")
        if status not in self.statuses:
            errors["status"] = [f"Unbekannter Status „{status}“. Möglich: {', '.join(self.statuses)}."]
        data["status"] = status
        unknown = [c for c in data.get("categories", []) if c not in self.category_choices]
        if unknown:
            noun = "Kategorie" if len(unknown) == 1 else "Kategorien"
            errors["categories"] = [f"Unbekannte {noun}: {', '.join(unknown)}. Möglich: "
                                    f"{', '.join(self.category_choices)} (unter Stammdaten erweiterbar)."]
        data["categories"] = sorted(set(data.get("categories", [])))
        if data.get("source") and data["source"] not in self.sources:
            errors["source"] = [f"Unbekannte Herkunft '{data['source']}'. Möglich: {', '.join(self.sources)}."]
        custom: dict[int, str | None] = {}
        for key, value in (data.get("custom") or {}).items():
            slot = customfields.resolve_slot(self.custom_fields, key)
            if slot is None:
                configured = ", ".join(f"{d.slot} {d.label}" for d in self.custom_fields.values()) or "keine"
                errors.setdefault("custom", {})[str(key)] = [
                    f"Das individuelle Feld „{key}“ ist nicht eingerichtet. Eingerichtet: {configured}."]
                continue
            custom[slot], problem = customfields.parse(self.custom_fields[slot], value)
            if problem:
                errors.setdefault("custom", {})[str(slot)] = [f"{self.custom_fields[slot].label}: {problem}"]
        data["custom"] = custom

    def _check_conditions(self, data, errors) -> None:
        terms = FIELDS["payment_terms_days"]
        low, high = terms.limits or (0, 0)
        if not low <= data.get("payment_terms_days", terms.default) <= high:
            errors["payment_terms_days"] = [f"Das {terms.label} muss zwischen {low} und {high} Tagen liegen."]
        treatment = data.get("vat_treatment")
        country = data.get("country", "DE")
        if treatment not in VAT_TREATMENTS:
            errors["vat_treatment"] = [f"Unbekannte Umsatzsteuer-Behandlung „{treatment}“. Möglich: "
                                       + "; ".join(f"{k} = {v}" for k, v in VAT_TREATMENTS.items()) + "."]
            return
        if treatment == "export" and country in normalise.EU_COUNTRIES:
            errors["vat_treatment"] = [f"Steuerfreie Ausfuhr gilt nur außerhalb der EU; {country} gehört zur EU."]
        if treatment == "reverse_charge" and (country == "DE" or country not in normalise.EU_COUNTRIES
                                              or not data.get("is_business", True)):
            errors["vat_treatment"] = ["Reverse Charge gilt nur für Unternehmen in einem anderen EU-Land."]
        if treatment != "standard" and not data.get("vat_note"):
            errors["vat_note"] = ["Bitte den Grund angeben (z. B. USt-IdNr. oder 'Ausfuhrlieferung, § 4 Nr. 1a "
                                  "UStG'); er steht auf Rechnungen."]


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            flat |= _flatten(value, f"{prefix}{key}." if not isinstance(value, list) else f"{prefix}{key}")
        return flat
    text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
    return {prefix.rstrip("."): text.replace("Unknown field.", "Unbekanntes Feld.")}


_ITEM_LABELS = {"phones": "Telefonnummer", "contacts": "Ansprechpartner"}
_CONTACT_LABELS = {name: f.label for name, f in CONTACT_PERSON_FIELDS.items()} | {
    "number": "Nummer", "kind": "Art", "is_main": "Hauptansprechpartner", "id": "ID"}


def field_label(key: str) -> str:
    """The German name of an error key: 'phones.1.number' -> 'Telefonnummer 2, Nummer'."""
    parts = key.split(".")
    if parts[0] == "custom" and len(parts) == 2:
        return f"Individuelles Feld {parts[1]}"
    if parts[0] in _ITEM_LABELS and len(parts) == 3 and parts[1].isdigit():
        return f"{_ITEM_LABELS[parts[0]]} {int(parts[1]) + 1}, {_CONTACT_LABELS.get(parts[2], parts[2])}"
    if parts[0] in _ITEM_LABELS and len(parts) == 2 and parts[1].isdigit():
        return f"{_ITEM_LABELS[parts[0]]} {int(parts[1]) + 1}"
    return LABELS.get(parts[0], key) if len(parts) == 1 else LABELS.get(parts[0], parts[0])


def load(schema: ProspectSchema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data``; raise InvalidInput (field -> German message) when anything is wrong."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors = _flatten(exc.messages)
        raise InvalidInput(errors, {key: field_label(key) for key in errors}) from None
