"""Demo data for ``host-stub demo``: a demo user, host customers, every module enabled, modules' own demo data."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from host_stub.api import ADMINISTRATOR
from host_stub.models import Customer
from host_stub.users import generate_password

DEMO_LOGIN = "demo"

COMPANIES = [
    ("Bäckerei Schmitz", "Hauptstraße", "12", "50667", "Köln"),
    ("Elektro Wagner GmbH", "Industriestraße", "4a", "80331", "München"),
    ("Müller & Söhne KG", "Am Markt", "3", "20095", "Hamburg"),
    ("Steuerbüro Becker", "Lindenallee", "27", "10115", "Berlin"),
    ("Gärtnerei Hoffmann", "Feldweg", "8", "70173", "Stuttgart"),
    ("Schreinerei Koch", "Werkstattstraße", "15", "04109", "Leipzig"),
    ("Autohaus Richter", "Bahnhofstraße", "101", "01067", "Dresden"),
    ("Praxis Dr. Klein", "Rosenweg", "2", "60311", "Frankfurt am Main"),
    ("Café Wolf", "Domplatz", "6", "48143", "Münster"),
    ("IT-Service Schäfer", "Technologiepark", "19", "28359", "Bremen"),
]


def fill_demo(host) -> list[str]:
    """Add the demo data once; a database that already has customers is left as it is."""
    with host.session() as session:
        if session.scalar(select(func.count()).select_from(Customer)):
            return ["Beispieldaten sind schon vorhanden."]
        rng = random.Random(4711)
        host.customers.create_many(session, [
            {"company": name, "street": street, "house_number": number, "postcode": postcode, "city": city,
             "email": f"info@{name.split()[0].lower().replace('ä', 'ae').replace('ü', 'ue')}.example",
             "phone": f"+49 {rng.randint(200, 999)} {rng.randint(100000, 999999)}"}
            for name, street, number, postcode, city in COMPANIES
        ])
        lines = [f"{len(COMPANIES)} Kunden angelegt."]
        for module_id in sorted(host.modules):
            host.set_module_enabled(session, module_id, True)
            lines.append(f"Modul {module_id} aktiviert.")
        host.masterdata.seed(session)
        for module_lines in host.hooks.demo_data(session=session):
            lines += module_lines
    return lines


def demo_user(host) -> list[str]:
    """The demo user (an administrator) with a new random password, and how to sign in with it."""
    password = generate_password()
    with host.session() as session:
        existing = next((user for user in host.users.list(session) if user.login == DEMO_LOGIN), None)
        if existing is None:
            host.users.create(session, login=DEMO_LOGIN, name="Demo-Benutzer", role=ADMINISTRATOR, password=password)
        else:
            host.users.set_password(session, existing.id, password)
            if not existing.active:
                host.users.set_active(session, existing.id, True)
    return [f"Anmelden mit Login {DEMO_LOGIN} und Passwort {password} (das Passwort ist bei jedem Start neu)."]
