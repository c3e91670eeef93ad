"""Checks of typed input that the host and modules share: text (length, control characters), e-mail
addresses, country codes. Each returns the value as stored and a German problem (or ``None``), so
that a form can collect one message per field.

Only the standard library at import time: ``host_stub.api`` offers these to modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from host_stub.errors import HostError

#: Characters no field may hold: C0/C1 control characters (NUL among them; PostgreSQL refuses it
#: in text) and lone surrogates (undecodable command-line bytes; they cannot be stored as UTF-8).
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # tabs and line breaks kept
#: The shape of an address: something, one @, a domain with a dot; no spaces. Deliberately wider
#: than the CRM's email_validator check (0.2 ms per address, 2 s for a 10,000-customer conversion),
#: so that every address a module accepted is accepted here too.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
#: ISO 3166-1 alpha-2 codes (officially assigned), for addresses.
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
YT ZA ZM ZW XK
""".split())


class InvalidFields(HostError):
    """Input refused field by field: ``errors`` maps a field to a German message saying what to enter."""

    status = 422

    def __init__(self, errors: dict[str, str], labels: dict[str, str]) -> None:
        self.errors = errors
        lines = "\n".join(f"- {labels.get(field, field)}: {message}" for field, message in errors.items())
        super().__init__(f"Die Eingaben sind nicht gültig:\n{lines}")


def unstorable_character(text: str, *, line_breaks: bool = False) -> str | None:
    """A problem when the text holds a control character (or NUL), naming it; else ``None``."""
    found = (_UNSTORABLE_IN_LINES if line_breaks else _UNSTORABLE).search(text)
    if found is None:
        return None
    return (f"Enthält ein unzulässiges Steuerzeichen (U+{ord(found.group()):04X} an Stelle {found.start() + 1}); "
            "bitte entfernen oder die Eingabe neu tippen.")


def clean_text(value: Any, max_length: int,
               check: Callable[[str], tuple[str, str | None]] | None = None) -> tuple[str, str | None]:
    """Single-line text as stored (whitespace collapsed), or the problem: not text, a control
    character, wrong form (``check``, e.g. ``email_address``), too long."""
    if not isinstance(value, str):
        return "", "Bitte einen Text angeben."
    text = " ".join(value.split())
    problem = unstorable_character(text)
    if problem is None and check is not None:
        text, problem = check(text)
    if problem is None and len(text) > max_length:
        problem = f"Höchstens {max_length} Zeichen (es sind {len(text)})."
    return text, problem


def email_address(value: str) -> tuple[str, str | None]:
    """An e-mail address (or nothing), or why it is not one."""
    if not value or _EMAIL.fullmatch(value):
        return value, None
    return value, f"„{value}“ ist keine gültige E-Mail-Adresse (Beispiel: name@firma.de)."


def country_code(value: str) -> tuple[str, str | None]:
    """The ISO 3166 code in capitals, or why it is not one."""
    code = value.upper()
    if code in COUNTRIES:
        return code, None
    return code, f"„{value}“ ist kein Ländercode nach ISO 3166 (Beispiele: DE, AT, CH, NL)."
