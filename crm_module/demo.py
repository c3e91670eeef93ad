"""Demo data for ``host-stub demo``: a few hundred realistic German prospects with everything the
CRM shows (categories, custom fields, contact persons, events, follow-ups, list memberships),
some of them already converted. Deterministic: the same database content every time.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_module import conversion, customfields, history, mailinglists, prospects
from crm_module.models import PROSPECT, Party
from crm_module.parties import SOURCE_KIND, STATUS_KIND

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

PROSPECTS = 300
CONVERTED = 25

CITIES = [  # postcode, city, area code and the length of local numbers there
    ("10115", "Berlin", "030", 8), ("20095", "Hamburg", "040", 8), ("80331", "München", "089", 8),
    ("50667", "Köln", "0221", 7), ("60311", "Frankfurt am Main", "069", 8), ("70173", "Stuttgart", "0711", 7),
    ("40213", "Düsseldorf", "0211", 7), ("04109", "Leipzig", "0341", 7), ("01067", "Dresden", "0351", 7),
    ("28195", "Bremen", "0421", 7), ("30159", "Hannover", "0511", 7), ("90402", "Nürnberg", "0911", 7),
    ("48143", "Münster", "0251", 7), ("53111", "Bonn", "0228", 7), ("76133", "Karlsruhe", "0721", 7),
]
ABROAD = [("AT", "1010", "Wien", "+43 1", 7), ("CH", "8001", "Zürich", "+41 44", 7),
          ("NL", "1012 AB", "Amsterdam", "+31 20", 7)]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schulstraße", "Am Markt", "Kirchplatz",
           "Industriestraße", "Rosenweg", "Mühlenweg", "Goethestraße", "Schillerstraße", "Bergstraße"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
              "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
              "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
              "Krause", "Meier", "Lehmann", "Köhler", "Böhm", "Jäger", "Özdemir", "Nowak", "Yılmaz"]
FIRST_NAMES = [("Herr", "Thomas"), ("Herr", "Michael"), ("Herr", "Stefan"), ("Herr", "Jürgen"), ("Herr", "Lukas"),
               ("Herr", "Mehmet"), ("Frau", "Sabine"), ("Frau", "Andrea"), ("Frau", "Claudia"), ("Frau", "Anna"),
               ("Frau", "Jülide"), ("Frau", "Katharina"), ("Frau", "Sophie"), ("Herr", "Jan")]
TRADES = [("Bäckerei", "Handwerk", "Lebensmittel"), ("Elektro", "Handwerk", "Elektrotechnik"),
          ("Autohaus", "Händler", "Kfz-Handel"), ("Steuerbüro", "Dienstleister", "Steuerberatung"),
          ("Gärtnerei", "Endkunde", "Gartenbau"), ("Schreinerei", "Handwerk", "Holzbau"),
          ("IT-Service", "Dienstleister", "IT"), ("Getränkehandel", "Händler", "Getränke"),
          ("Architekturbüro", "Dienstleister", "Architektur"), ("Praxis", "Endkunde", "Gesundheit"),
          ("Stadtwerke", "Öffentliche Hand", "Versorgung")]
FORMS = ["GmbH", "GmbH & Co. KG", "KG", "e. K.", "OHG", "UG (haftungsbeschränkt)", ""]
SUBJECTS = {"call": ["Erstgespräch", "Rückruf wegen Angebot", "Terminabsprache"],
            "email": ["Unterlagen zugeschickt", "Preisliste gesendet", "Nachfrage zum Angebot"],
            "mailing": ["Hausmesse-Einladung"], "newsletter": ["Newsletter Herbst"],
            "note": ["Auf der Messe kennengelernt", "Interesse an Wartungsvertrag"],
            "credit_check": ["Bonität geprüft: gut"]}
CUSTOM_FIELDS = [(1, "Branche", "text", ()), (2, "Mitarbeiter", "number", ()), (3, "Erstkontakt", "date", ()),
                 (4, "Newsletter-Einwilligung", "bool", ()), (5, "Unternehmensgröße", "choice",
                                                              ("klein", "mittel", "groß"))]


def _fold(text: str) -> str:
    return "".join(c for c in text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                                                                     "ı": "i"})) if c.isalnum())


def _record(rng: random.Random, index: int, statuses: list[str], sources: list[str]) -> dict:
    abroad = index % 37 == 0
    if abroad:
        country, postcode, city, prefix, digits = ABROAD[index % len(ABROAD)]
        phone = f"{prefix} {rng.randint(10 ** (digits - 1), 10 ** digits - 1)}"
    else:
        postcode, city, area, digits = rng.choice(CITIES)
        country, phone = "DE", f"{area} {rng.randint(2 * 10 ** (digits - 1), 10 ** digits - 1)}"
    salutation, first_name = rng.choice(FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    trade, category, industry = rng.choice(TRADES)
    business = rng.random() < 0.8
    company = f"{trade} {last_name} {rng.choice(FORMS)}".strip() if business else ""
    domain = _fold(company.split()[0] + last_name) if business else "mail"
    local = _fold(first_name) + "." + _fold(last_name)
    record = {
        "is_business": business, "company": company, "status": rng.choice(statuses),
        "salutation": "" if business else salutation, "first_name": "" if business else first_name,
        "last_name": "" if business else last_name,
        "street": rng.choice(STREETS), "house_number": str(rng.randint(1, 180)) + rng.choice(["", "", "", "a"]),
        "postcode": postcode, "city": city, "country": country,
        "email": f"{'info' if business else local}@{domain}.example",
        "website": f"www.{domain}.example" if business else "",
        "phones": [{"kind": "Telefon", "number": phone}]
        + ([{"kind": "Mobil", "number": f"+49 151 {rng.randint(20000000, 99999999)}"}] if rng.random() < 0.4 else []),
        "categories": [category] + (["Endkunde"] if category != "Endkunde" and rng.random() < 0.15 else []),
        "source": rng.choice(sources),
        "expected_volume": rng.choice([None, 2500, 5000, 12000, 30000, 75000]),
        "payment_terms_days": rng.choice([14, 14, 14, 30]),
        "custom": {1: industry, 2: rng.randint(1, 250) if business else None,
                   4: rng.random() < 0.5, 5: rng.choice(["klein", "mittel", "groß"]) if business else None},
    }
    if country not in ("DE", "AT", "NL"):
        record |= {"vat_treatment": "export", "vat_note": "Ausfuhrlieferung, steuerfrei nach § 4 Nr. 1a UStG"}
    if business:
        contact_salutation, contact_first = rng.choice(FIRST_NAMES)
        record["contacts"] = [{"salutation": contact_salutation, "first_name": contact_first,
                               "last_name": last_name, "function": rng.choice(["Geschäftsführung", "Einkauf", ""]),
                               "email": f"{_fold(contact_first)}@{domain}.example", "is_main": True}]
    return record


def fill_demo(host: Host, session: Session) -> list[str]:
    """Add the CRM's demo data once; a database with prospects is left as it is."""
    if session.scalar(select(func.count()).select_from(Party).where(Party.number.is_not(None))):
        return ["CRM-Beispieldaten sind schon vorhanden."]
    rng = random.Random(4711)
    now = host.now()
    for slot, label, kind, options in CUSTOM_FIELDS:
        if slot not in customfields.definitions(session):
            customfields.configure(host, session, slot, label, kind, options)
    statuses = host.masterdata.labels(session, STATUS_KIND)
    sources = host.masterdata.labels(session, SOURCE_KIND)
    records = [_record(rng, index, statuses, sources) for index in range(PROSPECTS)]
    for record in records:
        record["custom"][3] = (now - timedelta(days=rng.randint(5, 700))).date()
    parties = prospects.create_many(host, session, records)
    newsletter = mailinglists.create_list(host, session, "Newsletter Frühjahr 2027", "newsletter")
    mailing = mailinglists.create_list(host, session, "Einladung Hausmesse", "mailing")
    mailinglists.add_members(host, session, newsletter.id, [p.id for p in parties if rng.random() < 0.35])
    mailinglists.add_members(host, session, mailing.id, [p.id for p in parties if rng.random() < 0.2])
    events = followups = 0
    for party in parties:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
            kind = rng.choice(list(SUBJECTS))
            history.record_event(host, session, party.id, kind, subject=rng.choice(SUBJECTS[kind]),
                                 occurred_at=now - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600)))
            events += 1
        if rng.random() < 0.4:
            history.add_followup(host, session, party.id, (now + timedelta(days=rng.randint(-10, 60))).date(),
                                 rng.choice(["Nachfassen", "Angebot besprechen", "Termin vereinbaren"]))
            followups += 1
    chosen = sorted(rng.sample([p.id for p in parties if p.role == PROSPECT], CONVERTED))
    conversion.convert(host, session, chosen)
    return [
        f"{PROSPECTS} Interessenten angelegt ({CONVERTED} davon schon in Kunden umgewandelt).",
        f"{events} Kontakte, {followups} Wiedervorlagen, 2 Listen, {len(CUSTOM_FIELDS)} individuelle Felder.",
    ]
