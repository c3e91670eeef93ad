"""The prospect overview: one page of rows, sorted, filtered and searched in the database.

Built to stay fast with a million prospects: every sort and search runs on indexed columns of
``crm_parties`` (``role`` first), prefix search is an index range query, a word search uses the
word index (migration crm_0003), a page is fetched with one row more than shown to know whether
a next page exists, pages further on are read after the sort key of the page before (keyset
paging), and ``count`` stops at a cap.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, column, exists, func, literal_column, select, table, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_module import normalise
from crm_module.errors import CrmError
from crm_module.fields import FIELDS
from crm_module.models import PROSPECT, ListMember, MailingList, Party, PartyCategory, Phone

SORTS: dict[str, InstrumentedAttribute] = {
    "number": Party.number,
    "name": Party.sort_name,
    "city": Party.city_key,
    "status": Party.status,
    "contacts": Party.contact_count,
    "last_contact": Party.last_contact_at,
    "next_followup": Party.next_followup_on,
}
#: The overview's columns: ``(row key, sort key)``; the record's fields are headed by their label
#: in the field catalogue, the name and the lists by ``_OWN_HEADERS``.
COLUMNS = (("number", "number"), ("name", "name"), ("city", "city"), ("status", "status"),
           ("contact_count", "contacts"), ("last_contact_at", "last_contact"), ("next_followup_on", "next_followup"),
           ("lists", None))
_OWN_HEADERS = {"name": "Name", "lists": "Listen"}


def header(key: str, short: bool = False) -> str:
    """A column's header; ``short`` for the CLI's narrow table."""
    if key in _OWN_HEADERS:
        return _OWN_HEADERS[key]
    return (short and FIELDS[key].short) or FIELDS[key].label


#: Sort columns that may be empty: empty counts as later than any value (last when ascending).
_NULLABLE = (Party.number, Party.last_contact_at, Party.next_followup_on)
SEARCH_FIELDS = ("auto", "name", "email", "phone", "city", "number")
MAX_PER_PAGE = 500
#: ``count(..., cap=COUNT_CAP)`` counts no further: more matches are shown as "mehr als 10.000".
COUNT_CAP = 10_001
#: Matches of a search from which a page is read in sort order, each row checked (``_along_the_sort``).
WALK_FROM = 2_000
_NUMBER = re.compile(r"[A-Za-z]\d+")
_PHONE = re.compile(r"[+(]?\d[\d\s/().-]*")
#: The word index of migration crm_0003 (not a model: an FTS5 table on SQLite, a tsvector on PostgreSQL).
_FTS = table("crm_party_search_fts", column("rowid", Integer), column("crm_party_search_fts"))
_TSV = table("crm_party_search", column("party_id", Integer), column("document"))


@dataclass(frozen=True)
class Filters:
    """What the overview is restricted to; empty values do not restrict."""

    status: str | None = None
    category: str | None = None
    list_id: int | None = None
    search: str = ""
    search_in: str = "auto"
    role: str = PROSPECT


@dataclass(frozen=True)
class OverviewPage:
    """One page; ``first`` and ``last`` are the cursors of its first and last row for ``before`` and
    ``after`` (keyset paging); ``page`` is None where the number is not known (the last page of
    more than ``COUNT_CAP`` matches)."""

    rows: list[dict[str, Any]]
    page: int | None
    per_page: int
    has_next: bool
    has_previous: bool = False
    first: str | None = None
    last: str | None = None


def search_field(search: str) -> str:
    """What ``auto`` searches: '@' -> e-mail, 'I10001' -> number, digits -> phone, else words."""
    text = search.strip()
    if "@" in text:
        return "email"
    if _NUMBER.fullmatch(text):
        return "number"
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 3:
        return "phone"
    return "words"


def _prefix(column: ColumnElement, key: str, alphabet: str = normalise.KEY_ALPHABET) -> list[ColumnElement]:
    low, high = normalise.prefix_bounds(key, alphabet)
    conditions = [column >= low, column.like(f"{key}%")]
    if high is not None:
        conditions.append(column < high)
    return conditions


def _along_the_sort(session: Session, matching: Select, one_page: bool) -> bool:
    """Whether a page is read along the sort index, each row checked against the search.

    SQLite reads the rows a search matches and sorts them all, which for a common search (the
    words "müller", some 30,000 of a million; the e-mail beginning "info", a third) costs 30 ms
    to 2.5 s a page. From ``WALK_FROM`` matches (counted no further, in a millisecond or two
    through the same index) reading in sort order until the page is full is faster (4-6 ms);
    ``+ 0`` or ``|| ''`` keep SQLite from using the search's index for that. PostgreSQL plans
    this itself from its statistics."""
    if not one_page or session.get_bind().dialect.name != "sqlite":
        return False
    return (session.scalar(select(func.count()).select_from(matching.limit(WALK_FROM).subquery())) or 0) >= WALK_FROM


def _words(session: Session, words: list[str], names_only: bool, one_page: bool) -> ColumnElement:
    """Parties with a word starting with each of ``words`` (folded) in their names, contact
    persons or (unless ``names_only``) city: the word index of migration crm_0003."""
    if session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{word}:*{'A' if names_only else ''}" for word in words)
        matches = _TSV.c.document.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), query))
        return Party.id.in_(select(_TSV.c.party_id).where(matches))
    query = " ".join(f'{"names : " if names_only else ""}"{word}"*' for word in words)
    return _party_in(session, select(_FTS.c.rowid).where(_FTS.c.crm_party_search_fts.match(query)), one_page)


def _party_in(session: Session, matching: Select, one_page: bool) -> ColumnElement:
    return (Party.id + 0 if _along_the_sort(session, matching, one_page) else Party.id).in_(matching)


def _search(session: Session, filters: Filters, one_page: bool) -> list[ColumnElement]:
    search, search_in = filters.search, filters.search_in
    if search_in not in SEARCH_FIELDS:
        raise CrmError(f"Suchen in '{search_in}' geht nicht. Möglich: {', '.join(SEARCH_FIELDS)}.")
    if not search.strip():
        return []
    field = search_field(search) if search_in == "auto" else search_in
    if field == "number":
        key = re.sub(r"[^0-9A-Z]", "", search.upper())
        return _prefix(Party.number, key, normalise.NUMBER_ALPHABET) if key else []
    if field == "phone":
        key = normalise.phone_search_key(search)
        if not key:
            return [Party.id.is_(None)]  # no digits: nothing can match
        return [_party_in(session, select(Phone.party_id).where(*_prefix(Phone.search_key, key)), one_page)]
    key = normalise.fold(search)
    if not key:
        return []
    if field in ("words", "name"):
        return [_words(session, key.split(), field == "name", one_page)]
    column = {"email": Party.email_key, "city": Party.city_key}[field]
    if _along_the_sort(session, select(Party.id).where(Party.role == filters.role, *_prefix(column, key)), one_page):
        return _prefix(column.concat(""), key)
    return _prefix(column, key)


def conditions(session: Session, filters: Filters, *, one_page: bool = False) -> list[ColumnElement]:
    """The WHERE of the overview.

    ``one_page``: rows are read in sort order until the page is full, so category and list are
    checked row by row (EXISTS). A count or all the ids visit every match, so the members of the
    category or list are looked up first (IN): with a million prospects SQLite counts a category
    6x faster that way (it does not turn the EXISTS into a join).
    """
    where: list[ColumnElement] = [Party.role == filters.role]
    if filters.status:
        where.append(Party.status == filters.status)
    memberships = [(PartyCategory.party_id, PartyCategory.category, filters.category)] if filters.category else []
    if filters.list_id is not None:
        memberships.append((ListMember.party_id, ListMember.list_id, filters.list_id))
    for party_id, member_of, value in memberships:
        where.append(exists().where(party_id == Party.id, member_of == value) if one_page
                     else Party.id.in_(select(party_id).where(member_of == value)))
    return where + _search(session, filters, one_page)


@dataclass(frozen=True)
class _Segment:
    """A run of the sort order read from one index: the rows whose ``column`` is empty (``empty``
    True), filled (False) or either (None), ordered by ``keys``."""

    column: InstrumentedAttribute
    empty: bool | None
    keys: list[InstrumentedAttribute]
    descending: bool

    @property
    def where(self) -> ColumnElement | None:
        return None if self.empty is None else self.column.is_(None) if self.empty else self.column.is_not(None)

    def holds(self, row: Any) -> bool:
        return self.empty is None or (row._mapping[self.column] is None) == self.empty


def _keys(column: InstrumentedAttribute) -> list[InstrumentedAttribute]:
    """The column, then name and id as tie-breakers, so a page is read from one index in order. The
    prospect number is unique and needs none; the name is not repeated (SQLite would sort each
    run of equal names again)."""
    tie = [] if column is Party.number else [Party.id] if column is Party.sort_name else [Party.sort_name, Party.id]
    return [column, *tie]


def _segments(column: InstrumentedAttribute, descending: bool) -> list[_Segment]:
    """The sort order as runs that each read an index in order. An empty value counts as later
    than any value (on SQLite and PostgreSQL alike): the empty ones are a run of their own, by
    name, after the others (before them when descending)."""
    if column not in _NULLABLE:
        return [_Segment(column, None, _keys(column), descending)]
    segments = [_Segment(column, False, _keys(column), descending),
                _Segment(column, True, _keys(Party.sort_name), descending)]
    return segments[::-1] if descending else segments


def _directed(segment: _Segment, backward: bool) -> list[ColumnElement]:
    return [key.desc() if segment.descending != backward else key.asc() for key in segment.keys]


def _beyond(segment: _Segment, values: list[Any], backward: bool) -> ColumnElement:
    """The rows after ``values`` in the segment's order (before them when ``backward``)."""
    keys = tuple_(*segment.keys) if len(segment.keys) > 1 else segment.keys[0]
    bound = tuple_(*values) if len(values) > 1 else values[0]
    return keys < bound if segment.descending != backward else keys > bound


def _encode(segment: int, values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, (date, datetime)) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps([segment, *plain]).encode()).decode().rstrip("=")


def _decode(cursor: str, segments: list[_Segment]) -> tuple[int, list[Any]]:
    """The segment and key values of a cursor; a damaged one is a clear error."""
    try:
        segment, *values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        keys = segments[segment].keys
        if len(values) != len(keys):
            raise ValueError
        return segment, [_parse(key, value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, IndexError, UnicodeDecodeError):
        raise CrmError("Der Verweis auf die Seite ist ungültig. Bitte öffnen Sie die Übersicht neu.") from None


def _parse(key: InstrumentedAttribute, value: Any) -> Any:
    kind = key.type.python_type
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    return value


def overview(session: Session, filters: Filters = Filters(), *, sort: str = "name", descending: bool = False,
             page: int | None = 1, per_page: int = 50, after: str | None = None, before: str | None = None,
             last: bool = False) -> OverviewPage:
    """One page of the overview: number, name, city, status, contacts, last contact, next
    follow-up and the lists each row is on.

    The page after the cursor ``after`` or before ``before`` (a page's ``last``/``first``), or
    the ``last`` page, is read from the sort index like the first page (keyset paging), so every
    page is as fast as the first; ``page`` is then only the number to show. Without a cursor
    ``page`` is counted from the start (OFFSET); a page beyond the end shows the last page.
    """
    if sort not in SORTS:
        raise CrmError(f"Nach '{sort}' kann nicht sortiert werden. Möglich: {', '.join(SORTS)}.")
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    if sort == "status" and filters.status:
        # Every row has that status: the order is the name's, and reading it from the name's indexes
        # lets a page's cursor be a range there (by status, SQLite walked the rows before it: 1.3 s).
        sort = "name"
    segments = _segments(SORTS[sort], descending)
    where = conditions(session, filters, one_page=True)
    if after is not None or before is not None:
        backward = before is not None
        found = _read(session, where, segments, per_page + 1, _decode(before or after, segments), backward)
        more = len(found) > per_page
        if backward:
            return _page(session, found[-per_page:], page, per_page, segments, has_next=True, has_previous=more)
        return _page(session, found[:per_page], page, per_page, segments, has_next=more, has_previous=True)
    if not last:
        page = max(page or 1, 1)
        found = _read(session, where, segments, per_page + 1, None, backward=False, skip=(page - 1) * per_page)
        if found or page == 1:
            return _page(session, found[:per_page], page, per_page, segments, has_next=len(found) > per_page,
                         has_previous=page > 1)
    # The last page: its number and its rows as counting from the start would give them, when the
    # total is known; beyond the cap the last ``per_page`` rows.
    total = count(session, filters, cap=COUNT_CAP)
    number, size = None, per_page
    if total < COUNT_CAP:
        number = max((total + per_page - 1) // per_page, 1)
        size = total - (number - 1) * per_page or per_page
    found = _read(session, where, segments, size + 1, None, backward=True)
    return _page(session, found[-size:], number, per_page, segments, has_next=False,
                 has_previous=len(found) > size)


_COLUMNS = (Party.id, Party.number, Party.is_business, Party.company, Party.first_name, Party.last_name,
            Party.city, Party.status, Party.contact_count, Party.last_contact_at, Party.next_followup_on,
            Party.customer_id, Party.sort_name, Party.city_key)


def _select(where: list[ColumnElement]) -> Select:
    return select(*_COLUMNS).where(*where)


def _read(session: Session, where: list[ColumnElement], segments: list[_Segment], limit: int,
          cursor: tuple[int, list[Any]] | None, backward: bool, skip: int = 0) -> list[Any]:
    """Up to ``limit`` rows after (``backward``: before) ``cursor`` in sort order, segment by segment.

    ``skip`` (without a cursor, forward): leave out that many rows first, as OFFSET would, but
    segment by segment, so each still reads its index in order; a segment that has fewer rows
    than are left to skip is counted (no further than that) to skip the rest in the next one."""
    order = list(range(len(segments)))
    if backward:
        order.reverse()
    if cursor is not None:
        order = order[order.index(cursor[0]):]
    found: list[Any] = []
    for index in order:
        segment = segments[index]
        query = _select(where)
        if segment.where is not None:
            query = query.where(segment.where)
        if cursor is not None and index == cursor[0]:
            query = query.where(_beyond(segment, cursor[1], backward))
        query = query.order_by(*_directed(segment, backward)).limit(limit - len(found))
        rows = session.execute(query.offset(skip) if skip else query).all()
        if skip and not rows:
            skipped = query.order_by(None).limit(skip).with_only_columns(Party.id).subquery()
            skip -= session.scalar(select(func.count()).select_from(skipped)) or 0
            continue
        skip = 0
        found.extend(rows)
        if len(found) >= limit:
            break
    return found[::-1] if backward else found


def _page(session: Session, found: list[Any], page: int | None, per_page: int, segments: list[_Segment], *,
          has_next: bool, has_previous: bool) -> OverviewPage:
    rows = [_row(r) for r in found]
    lists = _lists_of(session, [row["id"] for row in rows])
    for row in rows:
        row["lists"] = lists.get(row["id"], [])
    cursors = [_cursor(found[i], segments) for i in (0, -1)] if found else [None, None]
    return OverviewPage(rows, page, per_page, has_next=has_next, has_previous=has_previous,
                        first=cursors[0], last=cursors[1])


def _cursor(r: Any, segments: list[_Segment]) -> str:
    """Where a row stands in the sort order: its segment and its values of the segment's keys."""
    index = next(i for i, segment in enumerate(segments) if segment.holds(r))
    return _encode(index, [r._mapping[key] for key in segments[index].keys])


def count(session: Session, filters: Filters = Filters(), *, cap: int | None = None) -> int:
    """How many rows match, counting no further than ``cap`` (an exact count of a million rows
    takes longer than a page; ``COUNT_CAP`` keeps it to a few milliseconds)."""
    matching = select(Party.id).where(*conditions(session, filters))
    if cap is not None:
        matching = matching.limit(cap)
    return session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def _row(r: Any) -> dict[str, Any]:
    person = ", ".join(p for p in (r.last_name, r.first_name) if p)
    return {
        "id": r.id, "number": r.number, "name": r.company if r.is_business and r.company else person or r.company,
        "city": r.city, "status": r.status, "contact_count": r.contact_count, "last_contact_at": r.last_contact_at,
        "next_followup_on": r.next_followup_on, "customer_id": r.customer_id,
    }


def _lists_of(session: Session, party_ids: list[int]) -> dict[int, list[str]]:
    if not party_ids:
        return {}
    found: dict[int, list[str]] = {}
    query = (select(ListMember.party_id, MailingList.name).join(MailingList, MailingList.id == ListMember.list_id)
             .where(ListMember.party_id.in_(party_ids)).order_by(MailingList.name))
    for party_id, name in session.execute(query):
        found.setdefault(party_id, []).append(name)
    return found


def matching_ids(session: Session, filters: Filters = Filters()) -> list[int]:
    """The ids of every matching row in name order, for "(Alle) ..." actions on a filtered list."""
    matching = select(Party.id).where(*conditions(session, filters)).order_by(Party.sort_name, Party.id)
    return list(session.scalars(matching))
