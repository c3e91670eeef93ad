"""The prospect overview: its columns, sorting, filters, search and paging."""

from datetime import date, datetime

import pytest

from crm_module import history, mailinglists, normalise, overview, prospects
from crm_module.errors import CrmError
from crm_module.overview import Filters
from tests.crm.conftest import create

PEOPLE = [  # company or (last, first), city, status, category
    ("Müller Bau GmbH", "Köln", "Neu", "Handwerk"),
    ("Mueller Consulting", "Bonn", "Angebot", "Dienstleister"),
    ("Maier Getränke", "München", "Neu", "Händler"),
    (("Özdemir", "Ayşe"), "Köln", "In Kontakt", "Endkunde"),
    ("Zimmerei Zander", "Münster", "Neu", "Handwerk"),
    ("Ärztehaus am Dom", "Köln", "Angebot", "Endkunde"),
    (("Albrecht", "Jan"), "Bonn", "Ruhend", "Endkunde"),
    ("Bäckerei Schmitz", "Köln", "Neu", "Händler"),
]
POSTCODES = {"Köln": "50667", "Bonn": "53111", "München": "80331", "Münster": "48143"}


@pytest.fixture
def listed(host):
    """The prospects of PEOPLE by name, with a newsletter list, events and follow-ups."""
    ids = {}
    for index, (name, city, status, category) in enumerate(PEOPLE):
        fields = {"city": city, "postcode": POSTCODES[city], "status": status, "categories": [category],
                  "email": f"kontakt{index}@firma{index}.example",
                  "phones": [{"kind": "Telefon", "number": f"+49 221 55500{index}{index}"}]}
        if isinstance(name, tuple):
            fields |= {"is_business": False, "company": "", "last_name": name[0], "first_name": name[1]}
            name = f"{name[0]}, {name[1]}"
        else:
            fields["company"] = name
        ids[name] = create(host, **fields)
    with host.session() as session:
        newsletter = mailinglists.create_list(host, session, "Newsletter Frühjahr", "newsletter")
        mailinglists.add_members(host, session, newsletter.id, [ids["Müller Bau GmbH"], ids["Maier Getränke"]])
        history.record_event(host, session, ids["Maier Getränke"], "call", subject="Erstgespräch",
                             occurred_at=datetime(2026, 10, 1, 10, 0))
        history.record_event(host, session, ids["Maier Getränke"], "email", subject="Angebot",
                             occurred_at=datetime(2026, 10, 20, 9, 30))
        history.record_event(host, session, ids["Maier Getränke"], "note", subject="Kein Kontakt, nur Notiz")
        history.add_followup(host, session, ids["Maier Getränke"], date(2026, 11, 20), "Nachfassen")
        history.add_followup(host, session, ids["Maier Getränke"], date(2026, 11, 10), "Anrufen")
    return host, ids, newsletter.id


def page(host, filters=Filters(), **kwargs):
    with host.session() as session:
        return overview.overview(session, filters, **kwargs)


def names(host, filters=Filters(), **kwargs):
    return [row["name"] for row in page(host, filters, per_page=100, **kwargs).rows]


def test_rows_show_number_name_city_status_contacts_and_lists(listed):
    host, ids, _list_id = listed
    row = next(r for r in page(host).rows if r["id"] == ids["Maier Getränke"])
    assert row["number"].startswith("I") and row["name"] == "Maier Getränke"
    assert (row["city"], row["status"]) == ("München", "Neu")
    assert row["contact_count"] == 2  # the note is history, not a contact
    assert row["last_contact_at"] == datetime(2026, 10, 20, 9, 30)
    assert row["next_followup_on"] == date(2026, 11, 10)
    assert row["lists"] == ["Newsletter Frühjahr"]
    person = next(r for r in page(host).rows if r["id"] == ids["Özdemir, Ayşe"])
    assert person["name"] == "Özdemir, Ayşe"


def test_completing_a_follow_up_moves_the_next_one_up(listed):
    host, ids, _list_id = listed
    with host.session() as session:
        first = next(f for f in history.followups(session, ids["Maier Getränke"]) if f["subject"] == "Anrufen")
        history.complete_followup(host, session, first["id"])
    row = next(r for r in page(host).rows if r["id"] == ids["Maier Getränke"])
    assert row["next_followup_on"] == date(2026, 11, 20)


def test_names_sort_the_german_way_umlauts_like_their_two_letters(listed):
    host, _ids, _list_id = listed
    shown = names(host)
    assert len(shown) == len(PEOPLE)
    assert shown == sorted(shown, key=lambda name: normalise.fold(name.replace(",", "")))
    assert shown.index("Ärztehaus am Dom") < shown.index("Bäckerei Schmitz")  # Ä sorts as Ae
    assert names(host, descending=True) == shown[::-1]


@pytest.mark.parametrize("sort", sorted(overview.SORTS))
def test_every_column_sorts_both_ways_with_empty_dates_as_latest(listed, sort):
    host, _ids, _list_id = listed
    ascending = page(host, sort=sort, per_page=100).rows
    descending = page(host, sort=sort, descending=True, per_page=100).rows
    assert {r["id"] for r in ascending} == {r["id"] for r in descending}
    key = {"number": "number", "name": "name", "city": "city", "status": "status", "contacts": "contact_count",
           "last_contact": "last_contact_at", "next_followup": "next_followup_on"}[sort]
    filled = [r[key] for r in ascending if r[key] is not None]
    if sort in ("name", "city"):
        filled = [normalise.fold(v) for v in filled]
    assert filled == sorted(filled)
    assert [r[key] is None for r in ascending] == sorted(r[key] is None for r in ascending)  # empty ones last
    assert [r["id"] for r in descending] == [r["id"] for r in ascending][::-1]


def test_filter_by_status_category_and_list(listed):
    host, ids, list_id = listed
    assert set(names(host, Filters(status="Neu"))) == {
        "Müller Bau GmbH", "Maier Getränke", "Zimmerei Zander", "Bäckerei Schmitz"}
    assert set(names(host, Filters(category="Händler"))) == {"Maier Getränke", "Bäckerei Schmitz"}
    assert set(names(host, Filters(list_id=list_id))) == {"Müller Bau GmbH", "Maier Getränke"}
    assert names(host, Filters(status="Neu", category="Händler", list_id=list_id)) == ["Maier Getränke"]


@pytest.mark.parametrize("filters", [
    Filters(category="Händler"), Filters(category="Handwerk", search="m"), Filters(status="Neu", category="Händler"),
])
def test_count_and_all_ids_match_the_page(listed, filters):
    host, _ids, list_id = listed
    for each in (filters, Filters(list_id=list_id, category=filters.category)):
        rows = page(host, each, per_page=100).rows
        with host.session() as session:
            assert overview.count(session, each) == len(rows) > 0
            assert overview.matching_ids(session, each) == [row["id"] for row in rows]


@pytest.mark.parametrize(("search", "search_in", "expected"), [
    ("mül", "auto", {"Müller Bau GmbH", "Mueller Consulting"}),
    ("MUELLER", "name", {"Müller Bau GmbH", "Mueller Consulting"}),
    ("özd", "auto", {"Özdemir, Ayşe"}),
    ("zimmerei z", "auto", {"Zimmerei Zander"}),
    ("kontakt3@", "auto", {"Özdemir, Ayşe"}),
    ("kontakt3@firma3.example", "email", {"Özdemir, Ayşe"}),
    ("0221 555 0022", "auto", {"Maier Getränke"}),
    ("+49 221 555004", "phone", {"Zimmerei Zander"}),
    ("mün", "city", {"Maier Getränke", "Zimmerei Zander"}),
    ("koeln", "city", {"Müller Bau GmbH", "Özdemir, Ayşe", "Ärztehaus am Dom", "Bäckerei Schmitz"}),
    ("xyz", "auto", set()),
])
def test_search_by_name_email_phone_and_city(listed, search, search_in, expected):
    host, _ids, _list_id = listed
    assert set(names(host, Filters(search=search, search_in=search_in))) == expected


def test_search_by_number_prefix(listed):
    host, ids, _list_id = listed
    number = next(r["number"] for r in page(host).rows if r["id"] == ids["Maier Getränke"])
    assert names(host, Filters(search=number.lower())) == ["Maier Getränke"]


def test_search_combines_with_filters(listed):
    host, _ids, _list_id = listed
    assert names(host, Filters(search="m", status="Angebot")) == ["Mueller Consulting"]


def test_paging_shows_every_row_once_and_says_whether_more_follow(listed):
    host, _ids, _list_id = listed
    first, second, third = (page(host, page=n, per_page=3) for n in (1, 2, 3))
    assert (first.has_next, second.has_next, third.has_next) == (True, True, False)
    assert (first.has_previous, second.has_previous) == (False, True)
    shown = [r["id"] for p in (first, second, third) for r in p.rows]
    assert len(shown) == len(set(shown)) == len(PEOPLE)
    with host.session() as session:
        assert overview.count(session) == len(PEOPLE)
        assert overview.count(session, Filters(status="Neu")) == 4


def test_converted_prospects_leave_the_overview(listed):
    from crm_module import conversion

    host, ids, _list_id = listed
    with host.session() as session:
        conversion.convert(host, session, [ids["Maier Getränke"]])
    assert "Maier Getränke" not in names(host)
    assert names(host, Filters(role="customer")) == ["Maier Getränke"]


def test_unknown_sort_or_search_field_is_a_clear_error(host):
    with pytest.raises(CrmError, match="Nach 'plz' kann nicht sortiert werden"):
        page(host, sort="plz")
    with pytest.raises(CrmError, match="Suchen in 'fax' geht nicht"):
        page(host, Filters(search="1", search_in="fax"))


def test_dates_in_the_future_still_sort(listed):
    host, ids, _list_id = listed
    with host.session() as session:
        history.add_followup(host, session, ids["Bäckerei Schmitz"], date(2029, 1, 15), "Später")
    rows = page(host, sort="next_followup", per_page=100).rows
    assert [r["name"] for r in rows if r["next_followup_on"]] == ["Maier Getränke", "Bäckerei Schmitz"]


# -- word search: words anywhere in names, contact persons and the city ---------------------------

WORDS = [  # company or (last, first), city, contact persons (last, first)
    ("Bäckerei Schmitz", "Köln", []),
    ("Bäckerei Sommer", "Bonn", []),
    ("Architekturbüro Becker e. K.", "Bonn", []),
    (("Schmitt", "Hannelore"), "München", []),
    ("Metallbau Krause GmbH", "Münster", [("Kowalczyk", "Dieter")]),
    ("Weiß & Groß OHG", "Köln", []),
]


@pytest.fixture
def worded(host):
    ids = {}
    for name, city, contacts in WORDS:
        fields = {"city": city, "postcode": POSTCODES[city], "email": "",
                  "contacts": [{"last_name": last, "first_name": first} for last, first in contacts]}
        if isinstance(name, tuple):
            fields |= {"is_business": False, "company": "", "last_name": name[0], "first_name": name[1]}
            name = f"{name[0]}, {name[1]}"
        else:
            fields["company"] = name
        ids[name] = create(host, **fields)
    return host, ids


@pytest.mark.parametrize(("search", "search_in", "expected"), [
    ("Schmitz", "auto", {"Bäckerei Schmitz"}),
    ("Becker", "auto", {"Architekturbüro Becker e. K."}),
    ("becker", "name", {"Architekturbüro Becker e. K."}),
    ("Hannelore", "auto", {"Schmitt, Hannelore"}),
    ("Kowalczyk", "auto", {"Metallbau Krause GmbH"}),
    ("dieter", "name", {"Metallbau Krause GmbH"}),
    ("Köln", "auto", {"Bäckerei Schmitz", "Weiß & Groß OHG"}),
    ("koeln", "auto", {"Bäckerei Schmitz", "Weiß & Groß OHG"}),
    ("Köln", "name", set()),
    ("bäck köln", "auto", {"Bäckerei Schmitz"}),
    ("BAECK", "auto", {"Bäckerei Schmitz", "Bäckerei Sommer"}),
    ("schmi", "auto", {"Bäckerei Schmitz", "Schmitt, Hannelore"}),
    ("gross", "auto", {"Weiß & Groß OHG"}),
    ("weiß", "auto", {"Weiß & Groß OHG"}),
    ("architekturbuero", "auto", {"Architekturbüro Becker e. K."}),
    ("bäck münchen", "auto", set()),
])
def test_word_search_finds_words_inside_names_contacts_and_the_city(worded, search, search_in, expected):
    host, _ids = worded
    assert set(names(host, Filters(search=search, search_in=search_in))) == expected
    with host.session() as session:
        assert overview.count(session, Filters(search=search, search_in=search_in)) == len(expected)


def test_word_search_follows_updates_contacts_conversion_and_deletion(worded):
    from crm_module import conversion

    host, ids = worded
    schmitz = ids["Bäckerei Schmitz"]
    with host.session() as session:
        prospects.update(host, session, schmitz, {"company": "Konditorei Schmitz", "city": "Bonn",
                                                  "postcode": "53111",
                                                  "contacts": [{"last_name": "Yilmaz", "first_name": "Deniz"}]})
    assert names(host, Filters(search="bäckerei schmitz")) == []
    assert names(host, Filters(search="konditorei bonn")) == ["Konditorei Schmitz"]
    assert names(host, Filters(search="yilmaz")) == ["Konditorei Schmitz"]
    with host.session() as session:
        prospects.update(host, session, schmitz, {"contacts": []})
    assert names(host, Filters(search="yilmaz")) == []
    with host.session() as session:
        conversion.convert(host, session, [schmitz])
    assert names(host, Filters(search="konditorei")) == []
    assert names(host, Filters(search="konditorei", role="customer")) == ["Konditorei Schmitz"]
    becker = ids["Architekturbüro Becker e. K."]
    with host.session() as session:
        prospects.delete_prospects(host, session, [becker])
    assert names(host, Filters(search="becker")) == []


def test_word_search_finds_the_survivor_of_a_merge_by_the_merged_contact(worded):
    from crm_module import merging

    host, ids = worded
    krause, sommer = ids["Metallbau Krause GmbH"], ids["Bäckerei Sommer"]
    with host.session() as session:
        merging.merge(host, session, [sommer, krause], survivor_id=sommer)
    assert names(host, Filters(search="kowalczyk")) == ["Bäckerei Sommer"]


def test_upgrading_to_the_word_search_indexes_existing_prospects(host):
    from alembic import command

    from host_stub import migrate

    with host.engine.begin() as connection:
        command.downgrade(migrate._config(host.schema("crm"), connection), "crm_0001")
    create(host, company="Architekturbüro Becker e. K.", city="Bonn", postcode="53111")
    host.upgrade()
    assert names(host, Filters(search="becker")) == ["Architekturbüro Becker e. K."]


# -- keyset paging: next/previous after the sort key of the page shown, the last page, beyond the end

@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", sorted(overview.SORTS))
def test_paging_forward_and_backward_by_sort_key_shows_the_same_pages(listed, sort, descending):
    host, _ids, _list_id = listed
    whole = [r["id"] for r in page(host, sort=sort, descending=descending, per_page=100).rows]
    forward, current = [], page(host, sort=sort, descending=descending, per_page=3)
    while True:
        forward.append([r["id"] for r in current.rows])
        if not current.has_next:
            break
        current = page(host, sort=sort, descending=descending, per_page=3, after=current.last, page=None)
    assert [i for chunk in forward for i in chunk] == whole
    backward, current = [], page(host, sort=sort, descending=descending, per_page=3, last=True)
    assert current.page == 3 and not current.has_next
    while True:
        backward.insert(0, [r["id"] for r in current.rows])
        if not current.has_previous:
            break
        current = page(host, sort=sort, descending=descending, per_page=3, before=current.first, page=None)
    assert backward == forward  # the same pages: the last one is the short one


def test_a_page_number_beyond_the_end_shows_the_last_page(listed):
    host, _ids, _list_id = listed
    last = page(host, page=1000, per_page=3)
    assert (last.page, last.has_next, last.has_previous) == (3, False, True)
    assert [r["id"] for r in last.rows] == [r["id"] for r in page(host, per_page=100).rows][6:]
    nothing = page(host, Filters(search="xyz"), page=5)
    assert (nothing.rows, nothing.page, nothing.has_previous) == ([], 1, False)


def test_a_damaged_page_link_is_a_clear_error(listed):
    host, _ids, _list_id = listed
    for cursor in ("kaputt", "WyJ4Il0", "WzAsIDFd"):
        with pytest.raises(CrmError, match="Der Verweis auf die Seite ist ungültig"):
            page(host, after=cursor)


def test_count_stops_at_the_cap(listed):
    host, _ids, _list_id = listed
    with host.session() as session:
        assert overview.count(session, cap=3) == 3
        assert overview.count(session, Filters(status="Neu"), cap=100) == 4


@pytest.mark.backend("sqlite")  # PostgreSQL's autovacuum analyses tables itself
def test_sqlite_keeps_its_planner_statistics_current_by_itself(listed):
    from sqlalchemy import text

    host, _ids, _list_id = listed
    host.close()  # PRAGMA optimize when a connection closes
    with host.engine.connect() as connection:
        analysed = set(connection.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    assert "crm_parties" in analysed
