"""Fill a database with realistic German prospects, fast, exactly as the CRM services store them.

Run (``--fresh`` drops the database first; without it the database must have no prospects yet):

    python bench/generate_prospects.py --db sqlite:///bench/out/crm.sqlite --count 1000000 --fresh
    python bench/generate_prospects.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench \\
        --count 1000000 --fresh

The database is created and migrated through the Host (``Host(url).upgrade()``, CRM enabled,
master data seeded; the word index of crm_0003 is built after the load, see
``without_word_index``) and the prospect numbers are taken from the CRM's number range, so later
creates continue after them. Then each prospect gets phones, categories, maybe a contact person,
contact events, a follow-up and list memberships. Names, addresses and numbers are drawn from
pools, so every key and formatted value is computed by the module's own functions
(normalise.sort_name/fold/postcode/phone, schemas.email_address), memoised; the activity columns
are computed the way history.refresh_activity does. At the end a random sample goes through the
services' validation (schemas.load + prospects.apply) and history.refresh_activity, which must
find nothing to change.

Fast because (each step measured with cProfile on SQLite): a second process generates the rows
while this one inserts them; the INSERTs are SQLAlchemy Core's, handed to the driver's
executemany in chunks of 20,000 without Core's per-row bookkeeping; everything is one
transaction; each chunk's prospects go in in name order. Prints the time taken.
"""

from __future__ import annotations

import functools
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

from _common import argument_parser, backend, create_database, open_host
from alembic import command
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from crm_module import customfields, demo, history, mailinglists, normalise, prospects
from crm_module.models import PROSPECT, ContactPerson, Event, FollowUp, ListMember, Party, PartyCategory, Phone
from crm_module.parties import SOURCE_KIND, STATUS_KIND, editable, take_numbers
from crm_module.schemas import email_address, load
from host_stub import migrate

CHUNK = 20_000
PHONES_PER_PLACE = 400

LAST_NAMES = demo.LAST_NAMES + [
    "König", "Walter", "Peters", "Möller", "Huber", "Kaiser", "Fuchs", "Scholz", "Lang", "Weiß", "Jung", "Hahn",
    "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
    "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhme", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäckel", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas",
    "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl", "Engel", "Horn", "Busch",
    "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer", "Kowalski", "Papadopoulos",
]
FIRST_NAMES = demo.FIRST_NAMES + [
    ("Herr", "Andreas"), ("Herr", "Peter"), ("Herr", "Klaus"), ("Herr", "Wolfgang"), ("Herr", "Frank"),
    ("Herr", "Markus"), ("Herr", "Christian"), ("Herr", "Felix"), ("Herr", "Jonas"), ("Herr", "Ali"),
    ("Herr", "Björn"), ("Herr", "Sören"), ("Frau", "Monika"), ("Frau", "Petra"), ("Frau", "Ursula"),
    ("Frau", "Birgit"), ("Frau", "Julia"), ("Frau", "Lena"), ("Frau", "Marie"), ("Frau", "Ayşe"),
    ("Frau", "Hannah"), ("Frau", "Anna-Lena"), ("Frau", "Nicole"), ("Frau", "Susanne"),
]
CITIES = demo.CITIES + [  # postcode, city, area code, length of local numbers
    ("44135", "Dortmund", "0231", 7), ("45127", "Essen", "0201", 7), ("47051", "Duisburg", "0203", 7),
    ("44787", "Bochum", "0234", 7), ("42103", "Wuppertal", "0202", 7), ("33602", "Bielefeld", "0521", 7),
    ("68159", "Mannheim", "0621", 7), ("65183", "Wiesbaden", "0611", 7), ("86150", "Augsburg", "0821", 7),
    ("52062", "Aachen", "0241", 7), ("38100", "Braunschweig", "0531", 7), ("24103", "Kiel", "0431", 7),
    ("06108", "Halle (Saale)", "0345", 7), ("39104", "Magdeburg", "0391", 7),
    ("79098", "Freiburg im Breisgau", "0761", 7),
    ("23552", "Lübeck", "0451", 6), ("99084", "Erfurt", "0361", 7), ("18055", "Rostock", "0381", 7),
    ("55116", "Mainz", "06131", 6), ("34117", "Kassel", "0561", 7), ("49074", "Osnabrück", "0541", 7),
    ("93047", "Regensburg", "0941", 6), ("97070", "Würzburg", "0931", 6), ("89073", "Ulm", "0731", 6),
    ("14467", "Potsdam", "0331", 7), ("26122", "Oldenburg", "0441", 7), ("66111", "Saarbrücken", "0681", 7),
    ("72070", "Tübingen", "07071", 6), ("83022", "Rosenheim", "08031", 6), ("57072", "Siegen", "0271", 7),
]
STREETS = demo.STREETS + [
    "Friedrichstraße", "Kaiserstraße", "Ringstraße", "Waldstraße", "Blumenstraße", "Dorfstraße", "Talstraße",
    "Mozartstraße", "Beethovenstraße", "Königsallee", "Poststraße", "Am Anger", "Lessingstraße", "Uhlandstraße",
    "Feldweg", "Bismarckstraße", "Marktplatz", "Jahnstraße", "Parkstraße", "Breite Straße",
]
FUNCTIONS = ["Geschäftsführung", "Einkauf", "Inhaber", "Buchhaltung", "Vertrieb", ""]
MAIL_PROVIDERS = ["web.example", "gmx.example", "t-online.example", "posteo.example", "mail.example"]
#: (name, kind, share of the prospects on it)
LISTS = [("Newsletter Frühjahr 2027", "newsletter", 0.20), ("Einladung Hausmesse", "mailing", 0.10),
         ("Weihnachtsmailing", "mailing", 0.05)]
#: Share per status, in the order of the default statuses (Neu, In Kontakt, Angebot, Verhandlung, ...).
STATUS_WEIGHTS = [30, 25, 15, 8, 12, 10]
EVENTS_PER_PROSPECT = [0, 0, 0, 0, 1, 1, 2, 3]
FOLLOWUP_SUBJECTS = ["Nachfassen", "Angebot besprechen", "Termin vereinbaren"]
HOUSE_NUMBER_SUFFIXES = ["", "", "", "", "a", "b"]
PAYMENT_TERMS = [14, 14, 14, 30]
DISCOUNTS = [Decimal("0")] * 3 + [Decimal("2"), Decimal("3")]
VOLUMES = [None, None, Decimal(2500), Decimal(5000), Decimal(12000), Decimal(75000)]
SIZES = ["klein", "mittel", "groß"]
CUSTOM_SLOTS = {1, 5}  # of demo.CUSTOM_FIELDS: Branche (text) and Unternehmensgröße (choice)

# The module's normalisation, memoised: the pools repeat values.
sort_name = functools.cache(normalise.sort_name)
fold = functools.cache(normalise.fold)
postcode = functools.cache(normalise.postcode)
phone = functools.cache(normalise.phone)
email = functools.cache(email_address)


@functools.cache
def mail_part(name: str) -> str:
    """'Bäckerei' -> 'baeckerei', for made-up e-mail addresses and domains."""
    return fold(name).replace(" ", "")


class Generator:
    """Rows for the CRM tables, chunk by chunk, from seeded random choices.

    ``pick`` and ``between`` stand in for ``random.choice``/``randint``, which cost three times
    as much and would be a fifth of the whole load.
    """

    def __init__(self, seed: int, now: datetime, statuses: list[str], sources: list[str],
                 lists: list[tuple[int, float]]) -> None:
        self.chance = chance = random.Random(seed).random
        self.pick = lambda seq: seq[int(chance() * len(seq))]
        self.between = lambda low, high: low + int(chance() * (high - low + 1))
        self.now = now
        self.statuses = [status for status, weight in zip(statuses, STATUS_WEIGHTS) for _ in range(weight)] \
            + statuses[len(STATUS_WEIGHTS):]
        self.sources = sources
        self.lists = lists
        self.event_kinds = list(demo.SUBJECTS)
        # Phone numbers per place, formatted once each by the module (normalise.phone is slow).
        self.places = [((country, *place), self._phones(f"{place[2]} {{}}", 2 * 10 ** (place[3] - 1),
                                                         10 ** place[3] - 1, country, PHONES_PER_PLACE))
                       for country, place in [("DE", city) for city in CITIES] + [(a[0], a[1:]) for a in demo.ABROAD]]
        self.mobiles = [number for prefix in ("+49 151", "+49 152", "+49 157", "+49 176") for number in
                        self._phones(prefix + " {}", 10000000, 99999999, "DE", PHONES_PER_PLACE)]

    def _phones(self, pattern: str, low: int, high: int, country: str, count: int) -> list[tuple[str, str]]:
        """``count`` valid numbers ``pattern.format(low..high)``: (as stored, search key)."""
        found = [phone(pattern.format(self.between(low, high)), country) for _ in range(2 * count)]
        valid = [(formatted, key) for formatted, key, problem in found if problem is None][:count]
        if len(valid) < count:
            raise SystemExit(f"Too few valid phone numbers for {country}: {found[0]}")
        return valid

    def chunk(self, first_id: int, numbers: list[str]) -> dict[Any, list[dict[str, Any]]]:
        rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in (
            Party, Phone, PartyCategory, ContactPerson, Event, FollowUp, ListMember)}
        for offset, number in enumerate(numbers):
            self._prospect(rows, first_id + offset, number)
        return rows

    def _prospect(self, rows: dict[Any, list[dict[str, Any]]], party_id: int, number: str) -> None:
        chance, pick, between = self.chance, self.pick, self.between
        abroad = chance() < 0.03
        (country, base_postcode, city, _area, _digits), phones = self.places[
            between(len(CITIES), len(self.places) - 1) if abroad else between(0, len(CITIES) - 1)]
        code = base_postcode if abroad else f"{int(base_postcode) + between(0, 59):05d}"
        salutation, first_name = pick(FIRST_NAMES)
        last_name = pick(LAST_NAMES)
        trade, category, industry = pick(demo.TRADES)
        business = chance() < 0.75
        if business:
            form = pick(demo.FORMS)
            pattern = chance()
            if pattern < 0.6:
                company, domain = f"{trade} {last_name} {form}", f"{mail_part(trade)}-{mail_part(last_name)}"
            elif pattern < 0.85:
                partner = pick(LAST_NAMES)
                company, domain = f"{last_name} & {partner} {form}", f"{mail_part(last_name)}-{mail_part(partner)}"
            else:
                company, domain = f"{trade} {city} {form}", f"{mail_part(trade)}-{mail_part(city)}"
            company, address = company.strip(), f"info@{domain}.example"
            salutation = first_name = last_name = ""
        else:
            company, domain = "", ""
            address = f"{mail_part(first_name)}.{mail_part(last_name)}@{pick(MAIL_PROVIDERS)}"
        complete = chance() < 0.97  # the rest lacks a street: such prospects cannot be converted yet
        created = self.now - timedelta(days=between(0, 1500), minutes=between(0, 1439))
        stored_email = email(address)[0]
        activity = self._history(rows, party_id, created)
        rows[Party].append({
            "id": party_id, "role": PROSPECT, "number": number, "status": pick(self.statuses),
            "is_business": business, "company": company, "salutation": salutation, "title": "",
            "first_name": first_name, "last_name": last_name, "street": pick(STREETS) if complete else "",
            "house_number": f"{between(1, 180)}{pick(HOUSE_NUMBER_SUFFIXES)}" if complete else "",
            "address_addition": "", "postcode": postcode(country, code)[0], "city": city, "country": country,
            "email": stored_email, "website": f"https://www.{domain}.example" if business else "",
            "vat_treatment": "export" if country == "CH" else "standard",
            "vat_note": "Ausfuhrlieferung, steuerfrei nach § 4 Nr. 1a UStG" if country == "CH" else "",
            "payment_terms_days": pick(PAYMENT_TERMS), "discount_percent": pick(DISCOUNTS),
            "source": pick(self.sources) if chance() < 0.7 else "", "expected_volume": pick(VOLUMES),
            "custom_1": industry if business else None, "custom_5": pick(SIZES) if business else None,
            "sort_name": sort_name(business, company, last_name, first_name), "city_key": fold(city)[:100],
            "email_key": fold(stored_email)[:254], **activity, "created_at": created, "updated_at": created,
        })
        formatted, key = pick(phones)
        rows[Phone].append({"party_id": party_id, "position": 0, "kind": "Telefon", "number": formatted,
                            "search_key": key})
        if chance() < 0.3:
            formatted, key = pick(self.mobiles)
            rows[Phone].append({"party_id": party_id, "position": 1, "kind": "Mobil", "number": formatted,
                                "search_key": key})
        categories = {category if business else "Endkunde"}
        if chance() < 0.1:
            categories.add(pick(demo.TRADES)[1])
        rows[PartyCategory].extend({"party_id": party_id, "category": c} for c in sorted(categories))
        if business and chance() < 0.5:
            contact_salutation, contact_first = pick(FIRST_NAMES)
            contact_last = pick(LAST_NAMES)
            rows[ContactPerson].append({
                "party_id": party_id, "position": 0, "is_main": True, "salutation": contact_salutation, "title": "",
                "first_name": contact_first, "last_name": contact_last, "function": pick(FUNCTIONS),
                "email": f"{mail_part(contact_first)}.{mail_part(contact_last)}@{domain}.example", "phone": "",
                "mobile": ""})
        for list_id, share in self.lists:
            if chance() < share:
                rows[ListMember].append({"list_id": list_id, "party_id": party_id, "added_at": created})

    def _history(self, rows: dict[Any, list[dict[str, Any]]], party_id: int, created: datetime) -> dict[str, Any]:
        """Events and follow-ups of a prospect; its activity columns as history.refresh_activity sets them."""
        pick, between = self.pick, self.between
        contacts, last_contact, next_followup = 0, None, None
        age = max((self.now - created).days, 1)
        for _ in range(pick(EVENTS_PER_PROSPECT)):
            kind = pick(self.event_kinds)
            occurred = self.now - timedelta(days=between(0, age), minutes=between(0, 600))
            rows[Event].append({"party_id": party_id, "kind": kind, "occurred_at": occurred,
                                "subject": pick(demo.SUBJECTS[kind]), "text": "", "created_at": occurred})
            if kind in history.CONTACT_KINDS:
                contacts += 1
                last_contact = occurred if last_contact is None else max(last_contact, occurred)
        if self.chance() < 0.2:
            due: date = (self.now + timedelta(days=between(-30, 90))).date()
            done = self.now if self.chance() < 0.25 else None
            rows[FollowUp].append({"party_id": party_id, "due_on": due, "subject": pick(FOLLOWUP_SUBJECTS),
                                   "note": "", "done_at": done, "created_at": created})
            next_followup = due if done is None else None
        return {"contact_count": contacts, "last_contact_at": last_contact, "next_followup_on": next_followup}


def prepare(host, session: Session) -> tuple[list[str], list[str], list[tuple[int, float]]]:
    """CRM enabled, master data, custom fields and lists in place: (statuses, sources, lists)."""
    host.set_module_enabled(session, "crm", True)
    host.masterdata.seed(session)
    if session.scalar(select(func.count()).select_from(Party)):
        raise SystemExit("The database has prospects already; use --fresh to start from an empty one.")
    for slot, label, kind, options in demo.CUSTOM_FIELDS:
        if slot in CUSTOM_SLOTS:
            customfields.configure(host, session, slot, label, kind, options)
    lists = [(mailinglists.create_list(host, session, name, kind).id, share) for name, kind, share in LISTS]
    return (host.masterdata.labels(session, STATUS_KIND), host.masterdata.labels(session, SOURCE_KIND), lists)


def driver_insert(dialect, table, rows: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """What ``connection.execute(insert(table), rows)`` hands to the driver's executemany.

    The same SQL and values (SQLAlchemy's bind processors for this dialect), without Core's
    per-row bookkeeping, which cost ~20 µs a row for the 45 columns of crm_parties: a third of
    the whole load on SQLite.
    """
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names, for_executemany=True)
    order = compiled.positiontup if compiled.positional else names
    convert = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in order]
    values = [tuple(row[name] if process is None else process(row[name]) for name, process in convert)
              for row in rows]
    return compiled.string, values if compiled.positional else [dict(zip(order, row)) for row in values]


_worker: dict[str, Any] = {}


def start_worker(url: str, *args: Any) -> None:
    _worker["dialect"] = create_engine(url).dialect
    _worker["generator"] = Generator(*args)


def worker_chunk(first_id: int, numbers: list[str]) -> list[tuple[str, list[Any]]]:
    """One chunk as driver INSERTs, crm_parties first. Its prospects go in in name order (their ids
    stay in random name order): the indexes that sort by name then take them in runs, which saves
    SQLite a fifth of its work."""
    rows = _worker["generator"].chunk(first_id, numbers)
    rows[Party].sort(key=itemgetter("sort_name"))
    return [driver_insert(_worker["dialect"], model.__table__, values) for model, values in rows.items() if values]


def load_rows(host, generator_args: tuple[Any, ...], numbers: list[str], first_id: int) -> None:
    """Generate in a second process while this one inserts, all in one transaction (a commit per
    chunk would write most index pages again each time).

    SQLite: synchronous=OFF and a page cache that holds every index, while loading only.
    PostgreSQL: the id sequence moved on, and VACUUM ANALYZE as autovacuum would soon do it.
    """
    sqlite = backend(host.database_url) == "sqlite"
    starts = range(0, len(numbers), CHUNK)
    with ProcessPoolExecutor(1, initializer=start_worker, initargs=(host.database_url, *generator_args)) as pool, \
            host.engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-4000000")
            connection.commit()
        with connection.begin():
            chunks = pool.map(worker_chunk, [first_id + start for start in starts],
                              [numbers[start:start + CHUNK] for start in starts])
            for index, (parties, *children) in enumerate(chunks):
                connection.exec_driver_sql(*parties)
                if index == 0 and not sqlite:
                    # Without statistics PostgreSQL checks the foreign keys through the smallest-looking
                    # index with an id in it (ix_crm_parties_role_sort_name, read whole): 100x slower.
                    connection.exec_driver_sql("ANALYZE crm_parties")
                for statement in children:
                    connection.exec_driver_sql(*statement)
        if sqlite:
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            connection.exec_driver_sql("PRAGMA cache_size=-2000")
            connection.commit()
        else:
            connection.execute(text("SELECT setval(pg_get_serial_sequence('crm_parties', 'id'), "
                                    "(SELECT max(id) FROM crm_parties))"))
            connection.commit()
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


#: The CRM revision before the word index (crm_0003), which the load goes in under.
BEFORE_WORD_INDEX = "crm_0002"


def without_word_index(host) -> None:
    """Take the CRM back to the revision before its word index, so that the load does not feed it
    row by row through its triggers: that made a million prospects take 32 minutes instead of
    one on SQLite. Upgrading afterwards builds the index in one pass, as it does for an
    installation that updates."""
    schema = host.schema("crm")
    with host.engine.begin() as connection:
        command.downgrade(migrate._config(schema, connection), BEFORE_WORD_INDEX)


def check_sample(host, first_id: int, count: int, size: int = 300) -> None:
    """Random prospects through the services' validation and activity refresh: nothing may change."""
    ids = random.Random(1).sample(range(first_id, first_id + count), min(size, count))
    with Session(host.engine) as session:  # never committed
        schema = prospects.schema_for(host, session)
        before = {p.id: (p.contact_count, p.last_contact_at, p.next_followup_on)
                  for p in session.scalars(select(Party).where(Party.id.in_(ids)))}
        changed = [party_id for party_id in ids
                   if prospects.apply(session.get(Party, party_id),
                                      load(schema, editable(session.get(Party, party_id))))]
        history.refresh_activity(session, ids)
        changed += [p.id for p in session.scalars(select(Party).where(Party.id.in_(ids)))
                    if (p.contact_count, p.last_contact_at, p.next_followup_on) != before[p.id]]
        session.rollback()
    if changed:
        raise SystemExit(f"Stored differently from the services: ids {sorted(set(changed))[:20]}")
    print(f"checked {len(ids)} random prospects against the services: stored exactly as they store them")


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--seed", type=int, default=4711)
    args = parser.parse_args()
    started = time.perf_counter()
    create_database(args.db, fresh=args.fresh)
    host = open_host(args.db)
    host.upgrade()
    with host.session() as session:
        statuses, sources, lists = prepare(host, session)
        numbers = take_numbers(host, session, args.count)
        first_id = (session.scalar(select(func.max(Party.id))) or 0) + 1
    without_word_index(host)
    setup = time.perf_counter() - started
    load_rows(host, (args.seed, host.now(), statuses, sources, lists), numbers, first_id)
    loaded = time.perf_counter()
    host.upgrade("crm")
    indexed = time.perf_counter() - loaded
    total = time.perf_counter() - started
    with host.engine.connect() as connection:
        counts = {model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                  for model in (Party, Phone, PartyCategory, ContactPerson, Event, FollowUp, ListMember)}
    print(f"{args.count:,} prospects in {total:.1f} s ({setup:.1f} s migrating and setting up, "
          f"{total - setup - indexed:.1f} s generating and inserting, {indexed:.1f} s building the word index) "
          f"on {backend(args.db)}")
    print("rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    check_sample(host, first_id, args.count)
    host.close()


if __name__ == "__main__":
    main()
