"""The state of a sortable, paged, searchable list, and its columns: what the entity-list macro renders.

A list view reads the state from the query string (``sort``, ``dir``, ``page``, ``per_page``, ``q``),
asks a service for one page, sets ``state.total`` and hands everything to the macro in
``shell/_entity_list.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import request

from host_stub.web.params import bounded_int

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Column:
    """A column of an entity list: ``key`` of the row value, header ``label``, ``sort`` key if sortable."""

    key: str
    label: str
    sort: str | None = None


@dataclass(frozen=True)
class ListState:
    sort: str
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    search: str = ""
    total: int = 0

    @classmethod
    def from_request(cls, default_sort: str, per_page: int = DEFAULT_PER_PAGE) -> ListState:
        """The state in the query string; a wrong sort key is passed on for the service to explain."""
        args = request.args
        return cls(
            sort=args.get("sort") or default_sort,
            descending=args.get("dir") == "desc",
            page=bounded_int(args.get("page"), 1),
            per_page=bounded_int(args.get("per_page"), per_page, high=MAX_PER_PAGE),
            search=args.get("q", "").strip(),
        )

    def with_total(self, total: int) -> ListState:
        return replace(self, total=total)

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link to this list with ``changes`` applied (defaults left out)."""
        state = replace(self, **changes)
        args: dict[str, Any] = {"sort": state.sort}
        if state.descending:
            args["dir"] = "desc"
        if state.page > 1:
            args["page"] = state.page
        if state.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = state.per_page
        if state.search:
            args["q"] = state.search
        return args

    def sort_args(self, sort: str) -> dict[str, Any]:
        """Arguments of a column header link: sort by it, or reverse when it is already the sort."""
        descending = not self.descending if sort == self.sort else False
        return self.args(sort=sort, descending=descending, page=1)
