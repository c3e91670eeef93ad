"""Between HTML forms and the CRM services: what a form posts becomes the plain dict the services
take, a record becomes the values the form shows, and the services' field errors find their inputs.

Input names: scalar fields by their own name (``postcode``), rows of a list as
``phones-<i>-number`` and ``contacts-<i>-last_name`` (``contacts-main`` is the index of the main
contact), custom fields as ``custom-<slot>``. A service error key (``phones.1.number``) is the
input name with dots instead of dashes.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from crm_module.fields import CONTACT_PERSON_FIELDS, FIELDS, SCALAR_FIELDS
from crm_module.overview import Filters
from crm_module.schemas import field_label

#: The catalogue's fields that the dialog has a text input or a selection for.
TEXT_FIELDS = tuple(name for name in SCALAR_FIELDS if FIELDS[name].type not in ("business", "money"))
CONTACT_TEXT_FIELDS = tuple(CONTACT_PERSON_FIELDS)
#: The inputs of a new contact-person row.
BLANK_CONTACT = {"id": "", "is_main": False} | {name: "" for name in CONTACT_TEXT_FIELDS}
_ROW = re.compile(r"(phones|contacts)-(\d+)-")
_CUSTOM = re.compile(r"custom-(\d+)")
_GERMAN_SEPARATORS = str.maketrans(",.", ".,")


# -- display values ------------------------------------------------------------------------------


def german_number(value: Decimal | float | int | None) -> str:
    """``Decimal("12500.50")`` -> ``"12.500,50"``; the services read it back the same way."""
    if value is None:
        return ""
    return format(value, ",").translate(_GERMAN_SEPARATORS)


def count_text(total: int, cap: int, noun: tuple[str, str]) -> str:
    """'1 Interessent', '2.345 Interessenten', or 'mehr als 10.000 Interessenten' beyond ``cap``."""
    if total > cap:
        return f"mehr als {german_number(cap)} {noun[1]}"
    return f"{german_number(total)} {noun[0] if total == 1 else noun[1]}"


def german_date(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if with_time and isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def custom_display(value: Any) -> str:
    """A typed custom field value as its input holds it: ISO date, German number, "1"/"0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return german_number(value)
    return str(value)


def readable(value: Any) -> str:
    """A typed value in words: ja/nein, German dates and numbers, a dash for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date):
        return german_date(value)
    if isinstance(value, Decimal):
        return german_number(value)
    return str(value)


def blank_values() -> dict[str, Any]:
    """The form of a new prospect."""
    values: dict[str, Any] = {name: _shown(FIELDS[name].default) for name in SCALAR_FIELDS}
    return values | {"phones": [], "contacts": [], "categories": [], "custom": {}}


def _shown(default: Any) -> Any:
    """A catalogue default as its input holds it: yes/no stays a bool, a number reads German."""
    if default is None:
        return ""
    if isinstance(default, bool | str):
        return default
    return german_number(default)


def record_values(record: dict[str, Any]) -> dict[str, Any]:
    """The form of an existing record (``prospects.get``)."""
    values = {name: "" if record.get(name) is None else str(record[name]) for name in TEXT_FIELDS}
    values |= {
        "is_business": bool(record["is_business"]),
        "discount_percent": german_number(record["discount_percent"]),
        "expected_volume": german_number(record["expected_volume"]),
        "phones": [dict(phone) for phone in record["phones"]],
        "contacts": [{**contact, "id": str(contact["id"])} for contact in record["contacts"]],
        "categories": list(record["categories"]),
        "custom": {field["slot"]: custom_display(field["value"]) for field in record["custom"]},
    }
    return values


# -- reading a posted form ---------------------------------------------------------------------


def _rows(form: MultiDict, prefix: str) -> list[int]:
    """The row indexes a repeated group was posted with, in order (rows may have been removed)."""
    return sorted({int(m.group(2)) for key in form if (m := _ROW.match(key)) and m.group(1) == prefix})


def read(form: MultiDict) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(data for the services, values to show again)`` from a posted edit dialog.

    Empty phone and contact rows are left out; rows are numbered again from 0, so that the
    services' error keys (``contacts.1.email``) point at the rows as they are shown again.
    A yes/no field posts a hidden "0" before its checkbox, so its last value counts.
    """
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    data["is_business"] = form.get("is_business", "1") != "0"
    volume = form.get("expected_volume", "").strip()
    data["expected_volume"] = volume or None
    data["phones"] = [
        {"kind": form.get(f"phones-{i}-kind", "Telefon"), "number": form.get(f"phones-{i}-number", "").strip()}
        for i in _rows(form, "phones") if form.get(f"phones-{i}-number", "").strip()
    ]
    contacts = []
    for i in _rows(form, "contacts"):
        contact: dict[str, Any] = {key: form.get(f"contacts-{i}-{key}", "").strip() for key in CONTACT_TEXT_FIELDS}
        contact_id = form.get(f"contacts-{i}-id", "").strip()
        if not contact_id and not any(contact.values()):
            continue
        contact["id"] = int(contact_id) if contact_id.isdigit() else None
        contact["is_main"] = form.get("contacts-main") == str(i)
        contacts.append(contact)
    data["contacts"] = contacts
    data["categories"] = [c for c in form.getlist("categories") if c]
    data["custom"] = {int(m.group(1)): form.getlist(key)[-1].strip()
                      for key in form if (m := _CUSTOM.fullmatch(key))}
    values = {**data, "expected_volume": volume,
              "contacts": [{**c, "id": "" if c["id"] is None else str(c["id"])} for c in contacts],
              "custom": dict(data["custom"])}
    return data, values


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Service error keys (``phones.0.number``) as input names (``phones-0-number``)."""
    return {key.replace(".", "-"): message for key, message in errors.items()}


def error_summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    """``(German field name, message)`` for the list above the form."""
    return [(field_label(key), message) for key, message in errors.items()]


# -- overview filters ----------------------------------------------------------------------------


FILTER_ARGS = ("status", "category", "list", "in")


def overview_filters(args: MultiDict) -> Filters:
    list_id = args.get("list", "")
    return Filters(
        status=args.get("status") or None,
        category=args.get("category") or None,
        list_id=int(list_id) if list_id.isdigit() else None,
        search=args.get("q", "").strip(),
        search_in=args.get("in") or "auto",
    )


def filter_args(args: MultiDict) -> dict[str, str]:
    """The filter arguments set in the query string, for the list's header and paging links."""
    return {key: args[key] for key in FILTER_ARGS if args.get(key)}


def overview_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``overview.overview`` as the list shows it."""
    return {
        "id": row["id"], "number": row["number"], "name": row["name"], "city": row["city"], "status": row["status"],
        "contact_count": row["contact_count"], "last_contact_at": german_date(row["last_contact_at"]),
        "next_followup_on": german_date(row["next_followup_on"]), "lists": ", ".join(row["lists"]),
        "label": f"„{row['name']}“" + (f" ({row['number']})" if row["number"] else ""),
    }


# -- which tab of the dialog an error is on -------------------------------------------------------


def error_tabs(errors: dict[str, str]) -> set[str]:
    """The tabs with an error (the catalogue's tab of the field), so that they are marked and the first one opens."""
    return {FIELDS[key.split(".")[0]].tab if key.split(".")[0] in FIELDS else "adresse" for key in errors}
