"""The 20 custom fields ("Individuelle Felder"): label and type configured once per database.

Values live in ``crm_parties.custom_1`` .. ``custom_20`` as canonical text (numbers with a
dot, dates ISO, yes/no as ``1``/``0``), so they move with the party wherever it goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_module import MODULE_ID
from crm_module.errors import CrmError, FieldInUse, InvalidInput
from crm_module.models import CUSTOM_FIELD_SLOTS, CustomField, Party

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

TYPES = {"text": "Text", "number": "Zahl", "date": "Datum", "bool": "Ja/Nein", "choice": "Auswahl"}
_YES = {"1", "ja", "j", "yes", "y", "true", "wahr", "x"}
_NO = {"0", "nein", "n", "no", "false", "falsch"}


@dataclass(frozen=True)
class FieldDefinition:
    slot: int
    label: str
    type: str
    options: tuple[str, ...] = ()

    @property
    def type_label(self) -> str:
        return TYPES[self.type]


def definitions(session: Session) -> dict[int, FieldDefinition]:
    """The configured fields by slot (unconfigured slots are missing)."""
    rows = session.scalars(select(CustomField).order_by(CustomField.slot))
    return {row.slot: FieldDefinition(row.slot, row.label, row.type, tuple(row.options or ())) for row in rows}


def _column(slot: int):
    return getattr(Party, f"custom_{slot}")


def _values_in_use(session: Session, slot: int) -> int:
    return session.scalar(select(func.count()).select_from(Party).where(_column(slot).is_not(None))) or 0


def configure(host: Host, session: Session, slot: int, label: str, type: str,
              options: list[str] | tuple[str, ...] = ()) -> FieldDefinition:
    """Set up (or change) one field. A change must not make stored values invalid."""
    host.require_writable(session, MODULE_ID)
    errors: dict[str, str] = {}
    if not 1 <= slot <= CUSTOM_FIELD_SLOTS:
        raise CrmError(f"Es gibt die individuellen Felder 1 bis {CUSTOM_FIELD_SLOTS}; {slot} gibt es nicht.")
    label = " ".join((label or "").split())
    if not label or len(label) > 60:
        errors["label"] = "Die Bezeichnung darf nicht leer und höchstens 60 Zeichen lang sein."
    elif any(d.label.casefold() == label.casefold() and d.slot != slot for d in definitions(session).values()):
        errors["label"] = f"Die Bezeichnung „{label}“ hat schon ein anderes Feld."
    if type not in TYPES:
        errors["type"] = f"Unbekannter Feldtyp „{type}“. Möglich: {', '.join(TYPES)}."
    cleaned = [o.strip() for o in options if o and o.strip()]
    if type == "choice":
        if not cleaned:
            errors["options"] = "Ein Auswahlfeld braucht mindestens eine Auswahlmöglichkeit."
        elif len(set(cleaned)) != len(cleaned) or any(len(o) > 255 for o in cleaned):
            errors["options"] = "Die Auswahlmöglichkeiten müssen verschieden und höchstens 255 Zeichen lang sein."
    elif cleaned:
        errors["options"] = "Auswahlmöglichkeiten gibt es nur beim Typ 'choice' (Auswahl)."
    if errors:
        raise InvalidInput(errors, {"label": "Bezeichnung", "type": "Typ", "options": "Auswahl"})
    row = session.get(CustomField, slot)
    if row is not None:
        _check_stored_values(session, row, type, cleaned)
    else:
        row = CustomField(slot=slot)
        session.add(row)
    row.label, row.type, row.options = label, type, cleaned
    session.flush()
    return definitions(session)[slot]


def _check_stored_values(session: Session, row: CustomField, new_type: str, options: list[str]) -> None:
    in_use = _values_in_use(session, row.slot)
    if not in_use:
        return
    if new_type != row.type and new_type != "text":
        raise CrmError(
            f"Feld {row.slot} ({row.label}) enthält bei {in_use} Datensätzen Werte vom Typ {TYPES[row.type]}; "
            f"es kann nur in Text umgestellt werden. Leeren Sie das Feld zuerst, um einen anderen Typ zu wählen."
        )
    if new_type == "choice" == row.type:
        dropped = session.scalar(select(func.count()).select_from(Party).where(
            _column(row.slot).is_not(None), _column(row.slot).not_in(options)))
        if dropped:
            raise CrmError(
                f"{dropped} Datensätze verwenden in Feld {row.slot} ({row.label}) eine Auswahl, die entfernt "
                "würde. Ändern Sie diese Datensätze zuerst."
            )


def remove(host: Host, session: Session, slot: int, discard_values: bool = False) -> None:
    """Remove a field's definition; its values must be discarded explicitly."""
    host.require_writable(session, MODULE_ID)
    row = session.get(CustomField, slot)
    if row is None:
        raise CrmError(f"Das individuelle Feld {slot} ist nicht eingerichtet.")
    in_use = _values_in_use(session, slot)
    if in_use and not discard_values:
        raise FieldInUse(slot, row.label, in_use)
    if in_use:
        session.execute(update(Party).where(_column(slot).is_not(None)).values({f"custom_{slot}": None}))
    session.delete(row)
    session.flush()


def parse(definition: FieldDefinition, value: Any) -> tuple[str | None, str | None]:
    """``(canonical text, error)`` for a value typed into a field; empty input clears it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    kind = definition.type
    if kind == "bool":
        if isinstance(value, bool):
            return ("1" if value else "0"), None
        text = str(value).strip().casefold()
        if text in _YES or text in _NO:
            return ("1" if text in _YES else "0"), None
        return None, "Bitte 'ja' oder 'nein' angeben."
    if kind == "number":
        text = str(value).strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, f"„{value}“ ist keine Zahl (Beispiel: 1234,50)."
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            return None, f"„{value}“ ist keine Zahl im erlaubten Bereich."
        return format(number.normalize(), "f"), None
    if kind == "date":
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat(), None
        text = str(value).strip()
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date().isoformat(), None
            except ValueError:
                continue
        return None, f"„{value}“ ist kein Datum (Beispiel: 31.12.2026)."
    text = str(value).strip()
    if kind == "choice" and text not in definition.options:
        return None, f"„{text}“ steht nicht zur Auswahl. Möglich: {', '.join(definition.options)}."
    if len(text) > 255:
        return None, f"Höchstens 255 Zeichen (es sind {len(text)})."
    return text, None


def typed(definition: FieldDefinition, stored: str | None) -> Any:
    """The stored text as the value the field shows: str, Decimal, date or bool."""
    if stored is None:
        return None
    if definition.type == "number":
        return Decimal(stored)
    if definition.type == "date":
        return date.fromisoformat(stored)
    if definition.type == "bool":
        return stored == "1"
    return stored


def resolve_slot(fields: dict[int, FieldDefinition], key: int | str) -> int | None:
    """A field given by slot number or by label (case-insensitive); None when unknown."""
    if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit()):
        slot = int(key)
        return slot if slot in fields else None
    for definition in fields.values():
        if definition.label.casefold() == str(key).strip().casefold():
            return definition.slot
    return None
