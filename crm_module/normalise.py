"""Normalised keys for sorting and searching, and the country rules for postcodes and phones.

Keys use only ``[a-z0-9 ]`` (umlauts folded the German way, ä -> ae, ß -> ss), so that a
prefix search is an index range query that behaves the same on SQLite and on PostgreSQL
whatever the database collation.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_GERMAN_FOLDS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_KEY = re.compile(r"[^a-z0-9]+")
KEY_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
NUMBER_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: ISO 3166 codes of the EU member states (for the VAT treatment of a party).
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
#: The regions libphonenumber knows (~245): phone numbers are read in the party's country if it is one.
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)

#: Postcode rules: pattern, a German description, an example. Countries not listed accept
#: any postcode of up to 20 characters.
POSTCODES: dict[str, tuple[str, str, str]] = {
    "DE": (r"\d{5}", "5 Ziffern", "50667"),
    "AT": (r"\d{4}", "4 Ziffern", "1010"),
    "CH": (r"\d{4}", "4 Ziffern", "8001"),
    "LI": (r"\d{4}", "4 Ziffern", "9490"),
    "BE": (r"\d{4}", "4 Ziffern", "1000"),
    "DK": (r"\d{4}", "4 Ziffern", "1050"),
    "LU": (r"\d{4}", "4 Ziffern", "1009"),
    "NO": (r"\d{4}", "4 Ziffern", "0150"),
    "FR": (r"\d{5}", "5 Ziffern", "75001"),
    "IT": (r"\d{5}", "5 Ziffern", "00184"),
    "ES": (r"\d{5}", "5 Ziffern", "28001"),
    "FI": (r"\d{5}", "5 Ziffern", "00100"),
    "NL": (r"\d{4} [A-Z]{2}", "4 Ziffern, Leerzeichen und 2 Buchstaben", "1012 AB"),
    "PL": (r"\d{2}-\d{3}", "2 Ziffern, Bindestrich und 3 Ziffern", "00-950"),
    "CZ": (r"\d{3} \d{2}", "3 Ziffern, Leerzeichen und 2 Ziffern", "110 00"),
    "SE": (r"\d{3} \d{2}", "3 Ziffern, Leerzeichen und 2 Ziffern", "111 22"),
    "PT": (r"\d{4}-\d{3}", "4 Ziffern, Bindestrich und 3 Ziffern", "1000-001"),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", "z. B. SW1A 1AA", "SW1A 1AA"),
    "US": (r"\d{5}(-\d{4})?", "5 Ziffern (ZIP) oder ZIP+4", "10001"),
}
_POSTCODE_SHAPES = {
    # Accepted input without the separator, and how to insert it.
    "NL": (re.compile(r"(\d{4})\s*([A-Za-z]{2})"), r"\1 \2"),
    "CZ": (re.compile(r"(\d{3})\s*(\d{2})"), r"\1 \2"),
    "SE": (re.compile(r"(\d{3})\s*(\d{2})"), r"\1 \2"),
    "PL": (re.compile(r"(\d{2})-?(\d{3})"), r"\1-\2"),
    "PT": (re.compile(r"(\d{4})-?(\d{3})"), r"\1-\2"),
    "GB": (re.compile(r"([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})"), r"\1 \2"),
}


def fold(text: str) -> str:
    """Lower-case ASCII words: 'Müller-Lüdenscheidt GmbH' -> 'mueller luedenscheidt gmbh'."""
    text = unicodedata.normalize("NFC", text or "").casefold().translate(_GERMAN_FOLDS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_NOT_KEY.split(text)).strip()


def sort_name(is_business: bool, company: str, last_name: str, first_name: str) -> str:
    """The key the overview sorts and searches names by: company, or last name then first name."""
    if is_business and company.strip():
        return fold(company)[:300]
    return fold(f"{last_name} {first_name}")[:300] or fold(company)[:300]


def prefix_bounds(prefix: str, alphabet: str = KEY_ALPHABET) -> tuple[str, str | None]:
    """``[low, high)`` of the keys that start with ``prefix`` (an already folded key).

    ``high`` is the prefix with its last character incremented within the alphabet (carrying
    over), so the range never depends on where punctuation sorts in a collation; ``None``
    means no upper bound ("zzz"). Callers add a LIKE on the prefix to drop what a collation
    that ignores spaces lets into the range.
    """
    chars = list(prefix)
    while chars:
        last = chars.pop()
        position = alphabet.find(last)
        if 0 <= position < len(alphabet) - 1:
            return prefix, "".join(chars) + alphabet[position + 1]
    return prefix, None


def postcode(country: str, value: str) -> tuple[str, str | None]:
    """The postcode as stored, and a German error message when it does not fit the country."""
    value = " ".join((value or "").split())
    if not value:
        return "", None
    shape = _POSTCODE_SHAPES.get(country)
    if shape is not None and shape[0].fullmatch(value):
        value = shape[0].sub(shape[1], value).upper()
    rule = POSTCODES.get(country)
    if rule is None:
        return value, None if len(value) <= 20 else "Die Postleitzahl ist zu lang (höchstens 20 Zeichen)."
    pattern, description, example = rule
    if re.fullmatch(pattern, value):
        return value, None
    return value, f"Eine Postleitzahl in {country} hat {description}, z. B. {example}; „{value}“ passt nicht."


def phone(number: str, country: str) -> tuple[str, str, str | None]:
    """``(formatted, search key, error)``: the number in international format and its search key."""
    text = (number or "").strip()
    region = country if country in COUNTRIES else "DE"
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return text, phone_search_key(text), (
            f"„{text}“ ist keine gültige Rufnummer in {region}. Bitte mit Vorwahl angeben, z. B. 0221 1234567, "
            "und Nummern aus anderen Ländern mit Ländervorwahl, z. B. +43 1 2345678."
        )
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return formatted, str(parsed.national_number)[:20], None


def phone_search_key(text: str) -> str:
    """The digits a phone search compares with: national number without trunk 0 or country code.

    '+49 221 12' and '0221 12' both give '22112'. Works on partial numbers typed into a search box.
    """
    digits = re.sub(r"\D", "", text or "")
    stripped = (text or "").lstrip()
    if stripped.startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0")
        for length in (1, 2, 3):
            if int(digits[:length] or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                digits = digits[length:]
                break
    return digits.lstrip("0")[:20]
